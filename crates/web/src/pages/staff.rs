//! Staff pages: list, person page with qualifications, create and edit.

use aftersales_app::org::{self, OrgUnitView};
use aftersales_app::page::{Page, PageRequest};
use aftersales_app::staff::{self, QualificationInput, UserFilter, UserInput, UserView};
use aftersales_app::AppError;
use aftersales_domain::role::Role;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{
    is_form_error, optional_id, redirect, render, render_with, ticked, CsrfForm, Ctx, FieldErrors,
    PageError, Pager,
};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff", get(list_staff).post(create_staff))
        .route("/staff/new", get(new_staff))
        .route("/staff/{id}", get(show_staff).post(update_staff))
        .route("/staff/{id}/edit", get(edit_staff))
        .route("/staff/{id}/qualifications", post(add_qualification))
        .route(
            "/staff/{id}/qualifications/{qualification_id}/remove",
            post(remove_qualification),
        )
}

#[derive(Template)]
#[template(path = "staff/list.html")]
struct ListPage {
    ctx: Ctx,
    page: Page<UserView>,
    pager: Pager,
    q: String,
    role: String,
    roles: &'static [Role],
}

async fn list_staff(
    State(state): State<AppState>,
    user: PageUser,
    Query(filter): Query<UserFilter>,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    let result = staff::list(&state.app, &user.actor, &filter, page).await?;
    let pager = Pager::new(
        &result,
        &[("q", filter.q.clone()), ("role", filter.role.clone())],
    );
    render(&ListPage {
        ctx: Ctx::of(&user, "staff"),
        page: result,
        pager,
        q: filter.q.unwrap_or_default(),
        role: filter.role.unwrap_or_default(),
        roles: Role::ALL,
    })
}

#[derive(Template)]
#[template(path = "staff/show.html")]
struct ShowPage {
    ctx: Ctx,
    person: UserView,
    errors: FieldErrors,
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let person = staff::get(&state.app, &user.actor, id).await?;
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
            ctx: Ctx::of(user, "staff"),
            person,
            errors,
        },
    )
}

async fn show_staff(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    show_page(&state, &user, id, None).await
}

#[derive(Deserialize)]
struct QualificationForm {
    kind: String,
    #[serde(default)]
    product_category: String,
    title: String,
    issued_on: String,
    #[serde(default)]
    expires_on: String,
}

async fn add_qualification(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<QualificationForm>,
) -> Result<Response, PageError> {
    let input = QualificationInput {
        kind: form.kind,
        product_category: Some(form.product_category).filter(|c| !c.trim().is_empty()),
        title: form.title,
        issued_on: form.issued_on,
        expires_on: Some(form.expires_on).filter(|d| !d.trim().is_empty()),
    };
    match staff::add_qualification(&state.app, &user.actor, id, &input).await {
        Ok(_) => redirect(&format!("/staff/{id}")),
        Err(err) if is_form_error(&err) => show_page(&state, &user, id, Some(err)).await,
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn remove_qualification(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, qualification_id)): Path<(i64, i64)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    staff::remove_qualification(&state.app, &user.actor, id, qualification_id).await?;
    redirect(&format!("/staff/{id}"))
}

#[derive(Debug, Default, Deserialize)]
pub struct StaffForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    org_unit_id: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    badge_no: String,
    #[serde(default)]
    roles: Vec<String>,
    /// Comma-separated product categories.
    #[serde(default)]
    skills: String,
    active: Option<String>,
    #[serde(default)]
    version: String,
}

impl StaffForm {
    fn from_view(p: &UserView) -> StaffForm {
        StaffForm {
            username: p.username.clone(),
            display_name: p.display_name.clone(),
            password: String::new(),
            org_unit_id: p.org_unit_id.map(|u| u.to_string()).unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
            email: p.email.clone().unwrap_or_default(),
            badge_no: p.badge_no.clone().unwrap_or_default(),
            roles: p.roles.clone(),
            skills: p.skills.join(", "),
            active: p.active.then(|| "on".into()),
            version: p.version.to_string(),
        }
    }
    fn to_input(&self) -> UserInput {
        let text = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        UserInput {
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            password: text(&self.password),
            org_unit_id: optional_id(&self.org_unit_id),
            customer_id: None,
            phone: text(&self.phone),
            email: text(&self.email),
            badge_no: text(&self.badge_no),
            roles: self.roles.clone(),
            skills: self
                .skills
                .split([',', '，', '、'])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            active: ticked(&self.active),
            version: self.version.parse().ok(),
        }
    }
    fn has_role(&self, role: &Role) -> bool {
        self.roles.iter().any(|r| r == role.as_str())
    }
}

#[derive(Template)]
#[template(path = "staff/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: StaffForm,
    errors: FieldErrors,
    units: Vec<OrgUnitView>,
    /// Portal (customer) accounts are created from the API; the form offers staff roles.
    roles: Vec<Role>,
}

async fn form_page(
    state: &AppState,
    user: &PageUser,
    id: Option<i64>,
    form: StaffForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let units = org::list_units(&state.app, &user.actor).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    let roles = Role::ALL
        .iter()
        .copied()
        .filter(|r| *r != Role::Customer)
        .collect();
    render_with(
        status,
        &FormPage {
            ctx: Ctx::of(user, "staff"),
            id,
            form,
            errors,
            units,
            roles,
        },
    )
}

async fn new_staff(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let form = StaffForm {
        active: Some("on".into()),
        org_unit_id: user
            .actor
            .org_unit_id
            .map(|u| u.to_string())
            .unwrap_or_default(),
        ..StaffForm::default()
    };
    form_page(&state, &user, None, form, None).await
}

async fn create_staff(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<StaffForm>,
) -> Result<Response, PageError> {
    match staff::create(&state.app, &user.actor, &form.to_input()).await {
        Ok(person) => redirect(&format!("/staff/{}", person.id)),
        Err(err) if is_form_error(&err) => form_page(&state, &user, None, form, Some(err)).await,
        Err(err) => Err(err.into()),
    }
}

async fn edit_staff(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let person = staff::get(&state.app, &user.actor, id).await?;
    form_page(&state, &user, Some(id), StaffForm::from_view(&person), None).await
}

async fn update_staff(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StaffForm>,
) -> Result<Response, PageError> {
    match staff::update(&state.app, &user.actor, id, &form.to_input()).await {
        Ok(_) => redirect(&format!("/staff/{id}")),
        Err(err) if is_form_error(&err) => {
            form_page(&state, &user, Some(id), form, Some(err)).await
        }
        Err(err) => Err(err.into()),
    }
}
