//! Billing pages: the price schedule (维修项目与收费标准表) with its edit form and the
//! printable A4 schedule shown to the customer before paid work.

use aftersales_app::billing::{self, ChargeInput, PriceItemFilter, PriceItemInput, PriceItemView};
use aftersales_app::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{
    form_outcome, is_form_error, redirect, render, render_with, ticked, CsrfForm, Ctx, FieldErrors,
    PageError,
};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/price-items", get(list_items).post(create_item))
        .route("/price-items/print", get(print_schedule))
        .route("/price-items/{id}", get(edit_item).post(update_item))
        .route("/service-orders/{id}/charges", post(add_charge))
        .route(
            "/service-orders/{id}/charges/{charge_id}/delete",
            post(remove_charge),
        )
        .route(
            "/service-orders/{id}/price-schedule-shown",
            post(show_price_schedule),
        )
}

#[derive(Debug, Default, Deserialize)]
pub struct PriceItemForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    /// In yuan, e.g. `80` or `80.50`.
    #[serde(default)]
    price: String,
    active: Option<String>,
    #[serde(default)]
    version: String,
}

impl PriceItemForm {
    fn from_view(item: &PriceItemView) -> PriceItemForm {
        PriceItemForm {
            code: item.code.clone(),
            name: item.name.clone(),
            kind: item.kind.clone(),
            price: item.price.clone(),
            active: item.active.then(|| "on".to_string()),
            version: item.version.to_string(),
        }
    }

    fn to_input(&self) -> Result<PriceItemInput, AppError> {
        let price_fen = aftersales_domain::money::parse_yuan(&self.price)
            .map_err(|code| AppError::invalid("price", code))?;
        Ok(PriceItemInput {
            code: self.code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            price_fen,
            active: ticked(&self.active),
            version: self.version.parse().ok(),
        })
    }
}

/// The yuan field on the form answers for `price_fen`.
const FORM_FIELDS: &[(&str, &str)] = &[("price_fen", "price")];

#[derive(Template)]
#[template(path = "billing/price_items.html")]
struct ListPage {
    ctx: Ctx,
    items: Vec<PriceItemView>,
    kinds: &'static [&'static str],
    /// The create form (for product managers).
    form: PriceItemForm,
    errors: FieldErrors,
}

async fn list_page(
    state: &AppState,
    user: &PageUser,
    form: PriceItemForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let items = billing::list(&state.app, &user.actor, &PriceItemFilter::default()).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, FORM_FIELDS),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &ListPage {
            ctx: Ctx::of(user, "price_items"),
            items,
            kinds: billing::KINDS,
            form,
            errors,
        },
    )
}

async fn list_items(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let form = PriceItemForm {
        kind: "repair".into(),
        active: Some("on".into()),
        ..PriceItemForm::default()
    };
    list_page(&state, &user, form, None).await
}

async fn create_item(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<PriceItemForm>,
) -> Result<Response, PageError> {
    let result = match form.to_input() {
        Ok(input) => billing::create(&state.app, &user.actor, &input).await,
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |_| "/price-items",
        |err| list_page(&state, &user, form, Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "billing/price_item_form.html")]
struct FormPage {
    ctx: Ctx,
    id: i64,
    kinds: &'static [&'static str],
    form: PriceItemForm,
    errors: FieldErrors,
}

fn form_page(
    user: &PageUser,
    id: i64,
    form: PriceItemForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
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
            ctx: Ctx::of(user, "price_items"),
            id,
            kinds: billing::KINDS,
            form,
            errors,
        },
    )
}

async fn edit_item(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let item = billing::get(&state.app, &user.actor, id).await?;
    form_page(&user, id, PriceItemForm::from_view(&item), None)
}

async fn update_item(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PriceItemForm>,
) -> Result<Response, PageError> {
    let result = match form.to_input() {
        Ok(input) => billing::update(&state.app, &user.actor, id, &input).await,
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |_| "/price-items",
        |err| async move { form_page(&user, id, form, Some(err)) },
    )
    .await
}

#[derive(Template)]
#[template(path = "billing/price_schedule_print.html")]
struct PrintPage {
    ctx: Ctx,
    items: Vec<PriceItemView>,
    kinds: &'static [&'static str],
}

/// The printable A4 schedule: active items only, grouped by kind.
async fn print_schedule(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let filter = PriceItemFilter {
        active_only: Some(true),
    };
    let items = billing::list(&state.app, &user.actor, &filter).await?;
    render(&PrintPage {
        ctx: Ctx::of(&user, "price_items"),
        items,
        kinds: billing::KINDS,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ChargeForm {
    #[serde(default)]
    price_item_id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    quantity: String,
    /// In yuan; empty: the price item's price.
    #[serde(default)]
    unit_price: String,
    #[serde(default)]
    category: String,
}

fn non_empty(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

impl ChargeForm {
    fn to_input(&self) -> Result<ChargeInput, AppError> {
        let unit_price_fen = match non_empty(&self.unit_price) {
            Some(text) => Some(
                aftersales_domain::money::parse_yuan(&text)
                    .map_err(|code| AppError::invalid("unit_price_fen", code))?,
            ),
            None => None,
        };
        let quantity = match non_empty(&self.quantity) {
            Some(text) => Some(
                text.parse()
                    .map_err(|_| AppError::invalid("quantity", "invalid_number"))?,
            ),
            None => None,
        };
        Ok(ChargeInput {
            price_item_id: non_empty(&self.price_item_id).and_then(|t| t.parse().ok()),
            description: non_empty(&self.description),
            quantity,
            unit_price_fen,
            category: non_empty(&self.category),
        })
    }
}

async fn add_charge(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ChargeForm>,
) -> Result<Response, PageError> {
    let result = match form.to_input() {
        Ok(input) => billing::add_charge(&state.app, &user.actor, id, &input)
            .await
            .map(drop),
        Err(err) => Err(err),
    };
    match result {
        Ok(()) => redirect(&format!("/service-orders/{id}#charges")),
        Err(err) if is_form_error(&err) => {
            super::service_orders::show_page(&state, &user, id, Some(err)).await
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct EmptyForm {}

async fn remove_charge(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, charge_id)): Path<(i64, i64)>,
    CsrfForm(_form): CsrfForm<EmptyForm>,
) -> Result<Response, PageError> {
    billing::remove_charge(&state.app, &user.actor, id, charge_id).await?;
    redirect(&format!("/service-orders/{id}#charges"))
}

#[derive(Debug, Default, Deserialize)]
pub struct ShownForm {
    version: i32,
}

async fn show_price_schedule(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ShownForm>,
) -> Result<Response, PageError> {
    billing::record_schedule_shown(&state.app, &user.actor, id, form.version).await?;
    redirect(&format!("/service-orders/{id}#charges"))
}
