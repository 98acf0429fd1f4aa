//! Maintenance-contract pages: list, detail with status changes, create and edit.

use aftersales_app::contracts::{self, ContractFilter, ContractInput, ContractView};
use aftersales_app::customers::{self, CustomerView};
use aftersales_app::page::{Page, PageRequest};
use aftersales_app::units::UnitSummary;
use aftersales_app::AppError;
use aftersales_domain::contract::{can_change_status, ContractStatus};
use aftersales_domain::money::{format_yuan, parse_yuan};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{
    form_outcome, is_form_error, optional_id, redirect, render, render_with, CsrfForm, Ctx,
    FieldErrors, PageError, Pager,
};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contracts", get(list_contracts).post(create_contract))
        .route("/contracts/new", get(new_contract))
        .route("/contracts/{id}", get(show_contract).post(update_contract))
        .route("/contracts/{id}/edit", get(edit_contract))
        .route("/contracts/{id}/status", post(change_status))
}

#[derive(Template)]
#[template(path = "contracts/list.html")]
struct ListPage {
    ctx: Ctx,
    page: Page<ContractView>,
    pager: Pager,
    q: String,
    status: String,
    statuses: &'static [ContractStatus],
}

async fn list_contracts(
    State(state): State<AppState>,
    user: PageUser,
    Query(filter): Query<ContractFilter>,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    let result = contracts::list(&state.app, &user.actor, &filter, page).await?;
    let pager = Pager::new(
        &result,
        &[("q", filter.q.clone()), ("status", filter.status.clone())],
    );
    render(&ListPage {
        ctx: Ctx::of(&user, "contracts"),
        page: result,
        pager,
        q: filter.q.unwrap_or_default(),
        status: filter.status.unwrap_or_default(),
        statuses: ContractStatus::ALL,
    })
}

#[derive(Template)]
#[template(path = "contracts/show.html")]
struct ShowPage {
    ctx: Ctx,
    contract: ContractView,
    units: Vec<UnitSummary>,
    /// Status changes allowed from here (C.7).
    next_statuses: Vec<&'static str>,
    errors: FieldErrors,
}

async fn show_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let contract = contracts::get(&state.app, &user.actor, id).await?;
    let card = customers::card(&state.app, &user.actor, contract.customer_id).await?;
    let units = card
        .units
        .into_iter()
        .filter(|u| contract.unit_ids.contains(&u.id))
        .collect();
    let next_statuses = ContractStatus::parse(&contract.status)
        .map(|from| {
            ContractStatus::ALL
                .iter()
                .filter(|to| can_change_status(from, **to))
                .map(|to| to.as_str())
                .collect()
        })
        .unwrap_or_default();
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::CONFLICT,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &ShowPage {
            ctx: Ctx::of(user, "contracts"),
            contract,
            units,
            next_statuses,
            errors,
        },
    )
}

async fn show_contract(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    show_page(&state, &user, id, None).await
}

#[derive(Deserialize)]
struct StatusForm {
    status: String,
    version: i32,
}

async fn change_status(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, PageError> {
    match contracts::change_status(&state.app, &user.actor, id, &form.status, form.version).await {
        Ok(_) => redirect(&format!("/contracts/{id}")),
        Err(err) if is_form_error(&err) => show_page(&state, &user, id, Some(err)).await,
        Err(err) => Err(err.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ContractForm {
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    fee: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    visits_per_year: String,
    #[serde(default)]
    unit_ids: Vec<i64>,
    #[serde(default)]
    calendar_code: String,
    #[serde(default)]
    version: String,
}

impl ContractForm {
    fn from_view(c: &ContractView) -> ContractForm {
        ContractForm {
            customer_id: c.customer_id.to_string(),
            start_date: c.start_date.clone(),
            end_date: c.end_date.clone(),
            fee: format_yuan(c.fee_fen),
            scope: c.scope.clone().unwrap_or_default(),
            visits_per_year: c.visits_per_year.to_string(),
            unit_ids: c.unit_ids.clone(),
            calendar_code: c.calendar_code.clone().unwrap_or_default(),
            version: c.version.to_string(),
        }
    }

    fn to_input(&self) -> Result<ContractInput, AppError> {
        let fee_fen = parse_yuan(&self.fee).map_err(|code| AppError::invalid("fee", code))?;
        let visits_per_year = match self.visits_per_year.trim() {
            "" => 0,
            text => text
                .parse()
                .map_err(|_| AppError::invalid("visits_per_year", "invalid_number"))?,
        };
        Ok(ContractInput {
            customer_id: optional_id(&self.customer_id).unwrap_or(0),
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            fee_fen,
            scope: Some(self.scope.clone()).filter(|s| !s.trim().is_empty()),
            visits_per_year,
            unit_ids: self.unit_ids.clone(),
            calendar_code: Some(self.calendar_code.clone()),
            version: self.version.parse().ok(),
        })
    }

    fn covers(&self, unit_id: &i64) -> bool {
        self.unit_ids.contains(unit_id)
    }
}

const FORM_FIELDS: &[(&str, &str)] = &[("fee_fen", "fee"), ("unit_ids[*", "unit_ids")];

#[derive(Template)]
#[template(path = "contracts/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    customer: CustomerView,
    units: Vec<UnitSummary>,
    form: ContractForm,
    errors: FieldErrors,
    /// For the working-calendar select ("" = the customer's or the branch's).
    calendars: Vec<aftersales_app::calendars::CalendarSummary>,
}

async fn form_page(
    state: &AppState,
    user: &PageUser,
    id: Option<i64>,
    form: ContractForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let customer_id = optional_id(&form.customer_id).ok_or(PageError(AppError::NotFound))?;
    let card = customers::card(&state.app, &user.actor, customer_id).await?;
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
            ctx: Ctx::of(user, "contracts"),
            id,
            customer: card.customer,
            units: card.units,
            form,
            errors,
            calendars: aftersales_app::calendars::list(&state.app, &user.actor)
                .await
                .unwrap_or_default(),
        },
    )
}

#[derive(Deserialize)]
struct NewQuery {
    customer_id: i64,
}

async fn new_contract(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<NewQuery>,
) -> Result<Response, PageError> {
    let today = state.app.today();
    let form = ContractForm {
        customer_id: query.customer_id.to_string(),
        start_date: today.to_string(),
        end_date: today
            .saturating_add(jiff::Span::new().years(1))
            .yesterday()
            .unwrap_or(today)
            .to_string(),
        visits_per_year: "2".into(),
        ..ContractForm::default()
    };
    form_page(&state, &user, None, form, None).await
}

async fn create_contract(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<ContractForm>,
) -> Result<Response, PageError> {
    let result = match form.to_input() {
        Ok(input) => contracts::create(&state.app, &user.actor, &input, None).await,
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |contract| format!("/contracts/{}", contract.id),
        |err| form_page(&state, &user, None, form, Some(err)),
    )
    .await
}

async fn edit_contract(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let contract = contracts::get(&state.app, &user.actor, id).await?;
    form_page(
        &state,
        &user,
        Some(id),
        ContractForm::from_view(&contract),
        None,
    )
    .await
}

async fn update_contract(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ContractForm>,
) -> Result<Response, PageError> {
    let result = match form.to_input() {
        Ok(input) => contracts::update(&state.app, &user.actor, id, &input).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(_) => redirect(&format!("/contracts/{id}")),
        Err(err) if is_form_error(&err) => {
            form_page(&state, &user, Some(id), form, Some(err)).await
        }
        Err(err) => Err(err.into()),
    }
}
