//! Customer pages: list and search, the customer card, create and edit, notes, contacts,
//! addresses and attachments.

use aftersales_app::customers::{
    self, AddressInput, ContactInput, CustomerCard, CustomerFilter, CustomerInput, CustomerView,
};
use aftersales_app::org::{self, DistrictView, OrgUnitView};
use aftersales_app::page::{Page, PageRequest};
use aftersales_app::{attachments, AppError};
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
        .route("/customers", get(list_customers).post(create_customer))
        .route("/customers/new", get(new_customer))
        .route("/customers/{id}", get(show_customer).post(update_customer))
        .route("/customers/{id}/edit", get(edit_customer))
        .route("/customers/{id}/notes", post(add_note))
        .route("/customers/{id}/contacts", post(add_contact))
        .route("/customers/{id}/addresses", post(add_address))
        .route("/customers/{id}/attachments", post(upload_attachment))
}

#[derive(Template)]
#[template(path = "customers/list.html")]
struct ListPage {
    ctx: Ctx,
    page: Page<CustomerView>,
    pager: Pager,
    q: String,
    abc_class: String,
}

async fn list_customers(
    State(state): State<AppState>,
    user: PageUser,
    Query(filter): Query<CustomerFilter>,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    let result = customers::list(&state.app, &user.actor, &filter, page).await?;
    let pager = Pager::new(
        &result,
        &[
            ("q", filter.q.clone()),
            ("abc_class", filter.abc_class.clone()),
        ],
    );
    render(&ListPage {
        ctx: Ctx::of(&user, "customers"),
        page: result,
        pager,
        q: filter.q.unwrap_or_default(),
        abc_class: filter.abc_class.unwrap_or_default(),
    })
}

/// The customer form as typed, so a refused form comes back exactly as it was sent.
#[derive(Debug, Default, Deserialize)]
pub struct CustomerForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    wechat: String,
    #[serde(default)]
    abc_class: String,
    #[serde(default)]
    abc_override_reason: String,
    key_account: Option<String>,
    #[serde(default)]
    org_unit_id: String,
    #[serde(default)]
    district_id: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    business_profile: String,
    #[serde(default)]
    purchase_reason: String,
    #[serde(default)]
    promises: String,
    #[serde(default)]
    remarks: String,
    allow_duplicate_phone: Option<String>,
    #[serde(default)]
    version: String,
}

fn blank_to_none(value: &str) -> Option<String> {
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

impl CustomerForm {
    fn from_view(c: &CustomerView) -> CustomerForm {
        CustomerForm {
            kind: c.kind.clone(),
            name: c.name.clone(),
            phone: c.phone.clone(),
            email: c.email.clone().unwrap_or_default(),
            wechat: c.wechat.clone().unwrap_or_default(),
            abc_class: if c.abc_override_reason.is_some() {
                c.abc_class.clone()
            } else {
                String::new()
            },
            abc_override_reason: c.abc_override_reason.clone().unwrap_or_default(),
            key_account: c.key_account.then(|| "on".to_string()),
            org_unit_id: c.org_unit_id.to_string(),
            business_profile: c.business_profile.clone().unwrap_or_default(),
            purchase_reason: c.purchase_reason.clone().unwrap_or_default(),
            promises: c.promises.clone().unwrap_or_default(),
            remarks: c.remarks.clone().unwrap_or_default(),
            version: c.version.to_string(),
            ..CustomerForm::default()
        }
    }

    fn to_input(&self, creating: bool) -> CustomerInput {
        let mut addresses = Vec::new();
        let mut contacts = Vec::new();
        if creating {
            if !self.district_id.is_empty() || !self.address.trim().is_empty() {
                addresses.push(AddressInput {
                    // An unchosen district is reported as unknown by the use case.
                    district_id: optional_id(&self.district_id).unwrap_or(0),
                    detail: self.address.clone(),
                    is_default: true,
                });
            }
            if !self.contact_name.trim().is_empty() || !self.contact_phone.trim().is_empty() {
                contacts.push(ContactInput {
                    name: self.contact_name.clone(),
                    phone: self.contact_phone.clone(),
                    title: None,
                });
            }
        }
        CustomerInput {
            kind: self.kind.clone(),
            name: self.name.clone(),
            phone: self.phone.clone(),
            email: blank_to_none(&self.email),
            wechat: blank_to_none(&self.wechat),
            abc_class: blank_to_none(&self.abc_class),
            abc_override_reason: blank_to_none(&self.abc_override_reason),
            key_account: ticked(&self.key_account),
            org_unit_id: optional_id(&self.org_unit_id),
            referrer_id: None,
            business_profile: blank_to_none(&self.business_profile),
            purchase_reason: blank_to_none(&self.purchase_reason),
            promises: blank_to_none(&self.promises),
            remarks: blank_to_none(&self.remarks),
            calendar_code: None,
            contacts,
            addresses,
            allow_duplicate_phone: ticked(&self.allow_duplicate_phone),
            version: self.version.parse().ok(),
        }
    }
}

/// API field names that the form shows under another name.
const FORM_FIELDS: &[(&str, &str)] = &[
    ("addresses[0].district_id", "district_id"),
    ("addresses[0].detail", "address"),
    ("contacts[0].name", "contact_name"),
    ("contacts[0].phone", "contact_phone"),
];

#[derive(Template)]
#[template(path = "customers/form.html")]
struct FormPage {
    ctx: Ctx,
    /// `None` when creating.
    id: Option<i64>,
    form: CustomerForm,
    errors: FieldErrors,
    districts: Vec<DistrictView>,
    /// Branches to choose from; empty for users who see only their own branch.
    branches: Vec<OrgUnitView>,
    /// The number of the customer that already has the phone number, when that refused the form.
    duplicate_of: String,
}

impl FormPage {
    fn kind_is(&self, kind: &str) -> bool {
        self.form.kind == kind || (self.form.kind.is_empty() && kind == "person")
    }
}

async fn form_page(
    state: &AppState,
    user: &PageUser,
    id: Option<i64>,
    form: CustomerForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let districts = org::list_districts(&state.app, &user.actor).await?;
    let branches = if user.actor.scope() == aftersales_domain::role::Scope::AllBranches {
        org::list_units(&state.app, &user.actor)
            .await?
            .into_iter()
            .filter(|u| u.kind == "branch")
            .collect()
    } else {
        Vec::new()
    };
    let (status, errors, duplicate_of) = match &error {
        Some(err) => {
            let duplicate_of = match err {
                AppError::Conflict {
                    code: "duplicate_phone",
                    detail,
                    ..
                } => detail.clone().unwrap_or_default(),
                _ => String::new(),
            };
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                FieldErrors::from_error(err, user.lang, FORM_FIELDS),
                duplicate_of,
            )
        }
        None => (StatusCode::OK, FieldErrors::default(), String::new()),
    };
    render_with(
        status,
        &FormPage {
            ctx: Ctx::of(user, "customers"),
            id,
            form,
            errors,
            districts,
            branches,
            duplicate_of,
        },
    )
}

async fn new_customer(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    form_page(&state, &user, None, CustomerForm::default(), None).await
}

async fn create_customer(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<CustomerForm>,
) -> Result<Response, PageError> {
    match customers::create(&state.app, &user.actor, &form.to_input(true), None).await {
        Ok(customer) => redirect(&format!("/customers/{}", customer.id)),
        Err(err) if is_form_error(&err) => form_page(&state, &user, None, form, Some(err)).await,
        Err(err) => Err(err.into()),
    }
}

async fn edit_customer(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let customer = customers::get(&state.app, &user.actor, id).await?;
    form_page(
        &state,
        &user,
        Some(id),
        CustomerForm::from_view(&customer),
        None,
    )
    .await
}

async fn update_customer(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<CustomerForm>,
) -> Result<Response, PageError> {
    match customers::update(&state.app, &user.actor, id, &form.to_input(false)).await {
        Ok(_) => redirect(&format!("/customers/{id}")),
        Err(err) if is_form_error(&err) => {
            form_page(&state, &user, Some(id), form, Some(err)).await
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "customers/card.html")]
struct CardPage {
    ctx: Ctx,
    card: CustomerCard,
    districts: Vec<DistrictView>,
    attachments: Vec<attachments::AttachmentView>,
    errors: FieldErrors,
}

async fn card_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let card = customers::card(&state.app, &user.actor, id).await?;
    let districts = org::list_districts(&state.app, &user.actor).await?;
    let attachments = attachments::list(&state.app, &user.actor, "customer", id).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &CardPage {
            ctx: Ctx::of(user, "customers"),
            card,
            districts,
            attachments,
            errors,
        },
    )
}

async fn show_customer(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    card_page(&state, &user, id, None).await
}

/// Runs a small change from the customer card and shows the card again: updated on
/// success, with the message beside the field when the input was refused.
async fn card_action<T>(
    state: &AppState,
    user: &PageUser,
    id: i64,
    result: Result<T, AppError>,
) -> Result<Response, PageError> {
    form_outcome(
        result,
        |_| format!("/customers/{id}"),
        |err| card_page(state, user, id, Some(err)),
    )
    .await
}

#[derive(Deserialize)]
struct NoteForm {
    body: String,
}

async fn add_note(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response, PageError> {
    let result = customers::add_note(&state.app, &user.actor, id, &form.body).await;
    card_action(&state, &user, id, result).await
}

#[derive(Deserialize)]
struct ContactForm {
    name: String,
    phone: String,
    #[serde(default)]
    title: String,
}

async fn add_contact(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> Result<Response, PageError> {
    let input = ContactInput {
        name: form.name,
        phone: form.phone,
        title: blank_to_none(&form.title),
    };
    let result = customers::add_contact(&state.app, &user.actor, id, &input).await;
    card_action(&state, &user, id, result).await
}

#[derive(Deserialize)]
struct AddressForm {
    #[serde(default)]
    district_id: String,
    #[serde(default)]
    detail: String,
    is_default: Option<String>,
}

async fn add_address(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AddressForm>,
) -> Result<Response, PageError> {
    let input = AddressInput {
        district_id: optional_id(&form.district_id).unwrap_or(0),
        detail: form.detail,
        is_default: ticked(&form.is_default),
    };
    let result = customers::add_address(&state.app, &user.actor, id, &input).await;
    card_action(&state, &user, id, result).await
}

async fn upload_attachment(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let (name, content_type, bytes) = super::Upload::read(&user, multipart).await?.into_file();
    let result = attachments::upload(
        &state.app,
        &user.actor,
        "customer",
        id,
        &name,
        &content_type,
        &bytes,
    )
    .await;
    card_action(&state, &user, id, result).await
}
