//! Installed-unit pages: list, register from a customer, the unit page with its warranty per
//! component and contract coverage, edit and attachments.

use aftersales_app::customers::{self, AddressView, CustomerView};
use aftersales_app::page::{Page, PageRequest};
use aftersales_app::products::{self, ProductFilter, ProductView};
use aftersales_app::units::{self, UnitFilter, UnitInput, UnitSummary, UnitView};
use aftersales_app::{attachments, AppError};
use aftersales_domain::money::{format_yuan, parse_yuan};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{
    form_outcome, is_form_error, optional_id, redirect, render, render_with, ticked, CsrfForm, Ctx,
    FieldErrors, PageError, Pager,
};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units", get(list_units).post(create_unit))
        .route("/units/new", get(new_unit))
        .route("/units/{id}", get(show_unit).post(update_unit))
        .route("/units/{id}/edit", get(edit_unit))
        .route("/units/{id}/attachments", post(upload_attachment))
}

#[derive(Template)]
#[template(path = "units/list.html")]
struct ListPage {
    ctx: Ctx,
    page: Page<UnitSummary>,
    pager: Pager,
    q: String,
}

async fn list_units(
    State(state): State<AppState>,
    user: PageUser,
    Query(filter): Query<UnitFilter>,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    let result = units::list(&state.app, &user.actor, &filter, page).await?;
    let pager = Pager::new(&result, &[("q", filter.q.clone())]);
    render(&ListPage {
        ctx: Ctx::of(&user, "units"),
        page: result,
        pager,
        q: filter.q.unwrap_or_default(),
    })
}

/// The unit form as typed; prices are yuan text here and fen in the use case.
#[derive(Debug, Default, Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    serial_no: String,
    #[serde(default)]
    product_id: String,
    #[serde(default)]
    address_id: String,
    #[serde(default)]
    purchase_date: String,
    #[serde(default)]
    install_date: String,
    #[serde(default)]
    store: String,
    #[serde(default)]
    invoice_no: String,
    #[serde(default)]
    list_price: String,
    #[serde(default)]
    paid_price: String,
    seasonal: Option<String>,
    #[serde(default)]
    version: String,
}

impl UnitForm {
    fn from_view(u: &UnitView) -> UnitForm {
        UnitForm {
            customer_id: u.customer_id.to_string(),
            serial_no: u.serial_no.clone(),
            product_id: u.product_id.to_string(),
            address_id: u.address_id.map(|a| a.to_string()).unwrap_or_default(),
            purchase_date: u.purchase_date.clone(),
            install_date: u.install_date.clone().unwrap_or_default(),
            store: u.store.clone().unwrap_or_default(),
            invoice_no: u.invoice_no.clone().unwrap_or_default(),
            list_price: format_yuan(u.list_price_fen),
            paid_price: format_yuan(u.paid_price_fen),
            seasonal: u.seasonal.then(|| "on".into()),
            version: u.version.to_string(),
        }
    }

    /// The use-case input, or the price fields' own errors (money is parsed here).
    fn to_input(&self) -> Result<UnitInput, AppError> {
        let mut errors = aftersales_domain::validation::ValidationErrors::new();
        let list_price_fen = errors.check("list_price", parse_yuan(&self.list_price));
        let paid_price_fen = errors.check("paid_price", parse_yuan(&self.paid_price));
        let (Some(list_price_fen), Some(paid_price_fen)) = (list_price_fen, paid_price_fen) else {
            return Err(errors.into());
        };
        let text = |value: &str| Some(value.trim().to_string()).filter(|v| !v.is_empty());
        Ok(UnitInput {
            serial_no: self.serial_no.clone(),
            product_id: optional_id(&self.product_id).unwrap_or(0),
            customer_id: optional_id(&self.customer_id).unwrap_or(0),
            address_id: optional_id(&self.address_id),
            purchase_date: self.purchase_date.clone(),
            install_date: text(&self.install_date),
            store: text(&self.store),
            invoice_no: text(&self.invoice_no),
            list_price_fen,
            paid_price_fen,
            seasonal: ticked(&self.seasonal),
            version: self.version.parse().ok(),
        })
    }
}

const FORM_FIELDS: &[(&str, &str)] = &[
    ("list_price_fen", "list_price"),
    ("paid_price_fen", "paid_price"),
];

#[derive(Template)]
#[template(path = "units/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    customer: CustomerView,
    addresses: Vec<AddressView>,
    products: Vec<ProductView>,
    form: UnitForm,
    errors: FieldErrors,
}

async fn form_page(
    state: &AppState,
    user: &PageUser,
    id: Option<i64>,
    form: UnitForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let customer_id = optional_id(&form.customer_id).ok_or(PageError(AppError::NotFound))?;
    let customer = customers::get(&state.app, &user.actor, customer_id).await?;
    let addresses = customers::addresses_of(&state.app.db, customer_id).await?;
    let all = aftersales_app::page::PageRequest {
        page: Some(1),
        per_page: Some(aftersales_app::page::MAX_PER_PAGE),
    };
    let products = products::list(&state.app, &user.actor, &ProductFilter::default(), all)
        .await?
        .items;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, FORM_FIELDS),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &FormPage {
            ctx: Ctx::of(user, "units"),
            id,
            customer,
            addresses,
            products,
            form,
            errors,
        },
    )
}

#[derive(Deserialize)]
struct NewQuery {
    customer_id: i64,
}

async fn new_unit(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let form = UnitForm {
        customer_id: query.customer_id.to_string(),
        ..UnitForm::default()
    };
    form_page(&state, &user, None, form, None).await
}

async fn create_unit(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> Result<Response, PageError> {
    let result = match form.to_input() {
        Ok(input) => units::create(&state.app, &user.actor, &input, None).await,
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |unit| format!("/units/{}", unit.id),
        |err| form_page(&state, &user, None, form, Some(err)),
    )
    .await
}

async fn edit_unit(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let unit = units::get(&state.app, &user.actor, id, None).await?;
    form_page(&state, &user, Some(id), UnitForm::from_view(&unit), None).await
}

async fn update_unit(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<UnitForm>,
) -> Result<Response, PageError> {
    let result = match form.to_input() {
        Ok(input) => units::update(&state.app, &user.actor, id, &input).await,
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |_| format!("/units/{id}"),
        |err| form_page(&state, &user, Some(id), form, Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "units/show.html")]
struct ShowPage {
    ctx: Ctx,
    unit: UnitView,
    attachments: Vec<attachments::AttachmentView>,
    errors: FieldErrors,
}

#[derive(Deserialize)]
struct OnQuery {
    on: Option<String>,
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    on: Option<&str>,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let on = match on.filter(|d| !d.is_empty()) {
        Some(text) => Some(
            aftersales_domain::validation::date(text)
                .map_err(|code| PageError(AppError::invalid("on", code)))?,
        ),
        None => None,
    };
    let unit = units::get(&state.app, &user.actor, id, on).await?;
    let attachments = attachments::list(&state.app, &user.actor, "unit", id).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &ShowPage {
            ctx: Ctx::of(user, "units"),
            unit,
            attachments,
            errors,
        },
    )
}

async fn show_unit(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(query): Query<OnQuery>,
) -> Result<Response, PageError> {
    show_page(&state, &user, id, query.on.as_deref(), None).await
}

async fn upload_attachment(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let (name, content_type, bytes) = super::Upload::read(&user, multipart).await?.into_file();
    match attachments::upload(
        &state.app,
        &user.actor,
        "unit",
        id,
        &name,
        &content_type,
        &bytes,
    )
    .await
    {
        Ok(_) => redirect(&format!("/units/{id}")),
        Err(err) if is_form_error(&err) => show_page(&state, &user, id, None, Some(err)).await,
        Err(err) => Err(err.into()),
    }
}
