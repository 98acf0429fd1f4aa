//! SLA policy pages: the ordered list of policies and the form that edits one with its clocks.

use aftersales_app::sla_policies::{self, ClockInput, PolicyInput, PolicyView};
use aftersales_app::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::{form_outcome, render, render_with, ticked, CsrfForm, Ctx, FieldErrors, PageError};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sla-policies", get(list).post(create))
        .route("/sla-policies/new", get(new_form))
        .route("/sla-policies/{id}", get(edit_form).post(update))
}

/// The form as typed. Clock rows are parallel lists; a row without a name is left out.
#[derive(Debug, Default, Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    rank: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    fault_class: String,
    #[serde(default)]
    zone: String,
    #[serde(default)]
    customer_class: String,
    #[serde(default)]
    urgency: String,
    active: Option<String>,
    #[serde(default)]
    version: String,
    #[serde(default)]
    clock_name: Vec<String>,
    /// Event codes separated by commas or spaces.
    #[serde(default)]
    clock_start_on: Vec<String>,
    #[serde(default)]
    clock_stop_on: Vec<String>,
    #[serde(default)]
    clock_minutes: Vec<String>,
    #[serde(default)]
    clock_kind: Vec<String>,
}

/// One clock row on the form.
pub struct ClockRow {
    name: String,
    start_on: String,
    stop_on: String,
    minutes: String,
    kind: String,
}

fn events(text: &str) -> Vec<String> {
    text.split([',', ' ', '，'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

impl PolicyForm {
    fn from_view(policy: &PolicyView) -> PolicyForm {
        PolicyForm {
            name: policy.name.clone(),
            rank: policy.rank.to_string(),
            category: policy.category.clone().unwrap_or_default(),
            fault_class: policy.fault_class.clone().unwrap_or_default(),
            zone: policy.zone.clone().unwrap_or_default(),
            customer_class: policy.customer_class.clone().unwrap_or_default(),
            urgency: policy.urgency.clone().unwrap_or_default(),
            active: policy.active.then(|| "on".to_string()),
            version: policy.version.to_string(),
            clock_name: policy.clocks.iter().map(|c| c.name.clone()).collect(),
            clock_start_on: policy.clocks.iter().map(|c| c.start_on.join(",")).collect(),
            clock_stop_on: policy.clocks.iter().map(|c| c.stop_on.join(",")).collect(),
            clock_minutes: policy
                .clocks
                .iter()
                .map(|c| c.target_minutes.to_string())
                .collect(),
            clock_kind: policy.clocks.iter().map(|c| c.time_kind.clone()).collect(),
        }
    }

    /// The rows to show: the entered ones and two empty rows to add clocks.
    fn rows(&self) -> Vec<ClockRow> {
        let cell = |list: &Vec<String>, idx: usize| list.get(idx).cloned().unwrap_or_default();
        let mut rows: Vec<ClockRow> = (0..self.clock_name.len())
            .filter(|idx| !self.clock_name[*idx].trim().is_empty())
            .map(|idx| ClockRow {
                name: cell(&self.clock_name, idx),
                start_on: cell(&self.clock_start_on, idx),
                stop_on: cell(&self.clock_stop_on, idx),
                minutes: cell(&self.clock_minutes, idx),
                kind: cell(&self.clock_kind, idx),
            })
            .collect();
        for _ in 0..2 {
            rows.push(ClockRow {
                name: String::new(),
                start_on: String::new(),
                stop_on: String::new(),
                minutes: String::new(),
                kind: "working".into(),
            });
        }
        rows
    }

    fn to_input(&self) -> Result<PolicyInput, AppError> {
        let rank = self
            .rank
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("rank", "invalid_number"))?;
        let clocks = self
            .rows()
            .into_iter()
            .filter(|row| !row.name.trim().is_empty())
            .map(|row| {
                let target_minutes = row
                    .minutes
                    .trim()
                    .parse()
                    .map_err(|_| AppError::invalid("clocks", "invalid_number"))?;
                Ok(ClockInput {
                    name: row.name.trim().to_string(),
                    start_on: events(&row.start_on),
                    stop_on: events(&row.stop_on),
                    target_minutes,
                    time_kind: row.kind,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(PolicyInput {
            name: self.name.clone(),
            rank,
            category: optional(&self.category),
            fault_class: optional(&self.fault_class),
            zone: optional(&self.zone),
            customer_class: optional(&self.customer_class),
            urgency: optional(&self.urgency),
            active: ticked(&self.active),
            clocks,
            version: self.version.parse().ok(),
        })
    }
}

#[derive(Template)]
#[template(path = "sla_policies/list.html")]
struct ListPage {
    ctx: Ctx,
    policies: Vec<PolicyView>,
}

async fn list(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let policies = sla_policies::list(&state.app, &user.actor).await?;
    render(&ListPage {
        ctx: Ctx::of(&user, "sla_policies"),
        policies,
    })
}

#[derive(Template)]
#[template(path = "sla_policies/form.html")]
struct FormPage {
    ctx: Ctx,
    /// None: a new policy.
    id: Option<i64>,
    form: PolicyForm,
    errors: FieldErrors,
    /// The event codes a clock can start or stop on, as a hint.
    event_codes: Vec<&'static str>,
}

impl FormPage {
    fn is(&self, value: &str, current: &str) -> bool {
        value == current
    }
    fn clock_errors(&self, idx: &usize) -> Vec<&str> {
        self.errors.under(&format!("clocks[{idx}]."))
    }
    fn action(&self) -> String {
        self.id.map_or_else(
            || "/sla-policies".to_string(),
            |id| format!("/sla-policies/{id}"),
        )
    }
}

fn form_page(
    user: &PageUser,
    id: Option<i64>,
    form: PolicyForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &FormPage {
            ctx: Ctx::of(user, "sla_policies"),
            id,
            form,
            errors,
            event_codes: sla_policies::event_codes(),
        },
    )
}

async fn new_form(user: PageUser) -> Result<Response, PageError> {
    let form = PolicyForm {
        rank: "100".into(),
        active: Some("on".into()),
        ..PolicyForm::default()
    };
    form_page(&user, None, form, None)
}

async fn edit_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let policy = sla_policies::get(&state.app, &user.actor, id).await?;
    form_page(&user, Some(id), PolicyForm::from_view(&policy), None)
}

async fn create(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<PolicyForm>,
) -> Result<Response, PageError> {
    let result = match form.to_input() {
        Ok(input) => sla_policies::create(&state.app, &user.actor, &input).await,
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |_| "/sla-policies",
        |err| async { form_page(&user, None, form, Some(err)) },
    )
    .await
}

async fn update(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PolicyForm>,
) -> Result<Response, PageError> {
    let result = match form.to_input() {
        Ok(input) => sla_policies::update(&state.app, &user.actor, id, &input).await,
        Err(err) => Err(err),
    };
    form_outcome(
        result,
        |_| "/sla-policies",
        |err| async { form_page(&user, Some(id), form, Some(err)) },
    )
    .await
}
