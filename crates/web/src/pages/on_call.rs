//! The supervisor's form for a technician who could not be reached in the on-call window
//! (STAFF-4, T20).

use aftersales_app::on_call::{self, MissInput};
use aftersales_app::staff::UserView;
use aftersales_app::AppError;
use aftersales_domain::on_call::MissKind;
use aftersales_domain::role::Permission;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::service_orders::local_to_instant;
use super::{optional_id, redirect, render_with, CsrfForm, Ctx, FieldErrors, PageError};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/on-call-misses", get(form_page).post(report))
}

#[derive(Template)]
#[template(path = "staff_conduct/on_call.html")]
struct MissPage {
    ctx: Ctx,
    technicians: Vec<UserView>,
    kinds: &'static [MissKind],
    errors: FieldErrors,
    /// The incident just opened, or "recorded" for an explained miss.
    outcome: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Outcome {
    #[serde(default)]
    incident: Option<i64>,
    #[serde(default)]
    recorded: Option<String>,
}

async fn page(
    state: &AppState,
    user: &PageUser,
    error: Option<AppError>,
    outcome: Option<String>,
) -> Result<Response, PageError> {
    user.actor.require(Permission::IncidentWrite)?;
    let technicians = super::service_orders::technicians(state, user).await;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &MissPage {
            ctx: Ctx::of(user, "discipline_incidents"),
            technicians,
            kinds: MissKind::ALL,
            errors,
            outcome,
        },
    )
}

async fn form_page(
    State(state): State<AppState>,
    user: PageUser,
    Query(outcome): Query<Outcome>,
) -> Result<Response, PageError> {
    let outcome = match (outcome.incident, outcome.recorded) {
        (Some(id), _) => Some(format!("/discipline-incidents#incident-{id}")),
        (None, Some(_)) => Some(String::new()),
        (None, None) => None,
    };
    page(&state, &user, None, outcome).await
}

#[derive(Debug, Deserialize)]
struct MissForm {
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    kind: String,
    /// `datetime-local`, read in Asia/Shanghai.
    #[serde(default)]
    at: String,
    #[serde(default)]
    reason: String,
}

async fn report(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<MissForm>,
) -> Result<Response, PageError> {
    let result = match local_to_instant("at", &form.at) {
        Ok(Some(at)) => {
            let input = MissInput {
                staff_id: optional_id(&form.staff_id).unwrap_or(0),
                kind: form.kind.clone(),
                at,
                reason: Some(form.reason.trim().to_string()).filter(|r| !r.is_empty()),
                service_order_id: None,
            };
            on_call::report_miss(&state.app, &user.actor, &input).await
        }
        Ok(None) => Err(AppError::invalid("at", "required")),
        Err(err) => Err(err),
    };
    match result {
        Ok(view) => redirect(&match view.incident_id {
            Some(id) => format!("/on-call-misses?incident={id}"),
            None => "/on-call-misses?recorded=1".to_string(),
        }),
        Err(err) if super::is_form_error(&err) => page(&state, &user, Some(err), None).await,
        Err(err) => Err(err.into()),
    }
}
