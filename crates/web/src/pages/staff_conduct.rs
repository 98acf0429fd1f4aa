//! Staff conduct pages: the discipline incidents of the staff in scope, a form to open one,
//! and the decision form (sanction and approval) on each open incident.

use aftersales_app::page::PageRequest;
use aftersales_app::staff::{self, UserFilter, UserView};
use aftersales_app::staff_conduct::{
    self, DecisionInput, IncidentFilter, IncidentView, NewIncident,
};
use aftersales_app::AppError;
use aftersales_domain::role::Permission;
use aftersales_domain::staff_conduct::{IncidentKind, Sanction};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{form_outcome, optional_id, render_with, CsrfForm, Ctx, FieldErrors, PageError, Pager};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/discipline-incidents", get(list).post(open))
        .route("/discipline-incidents/{id}/decision", post(decide))
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    status: Option<String>,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "staff_conduct/incidents.html")]
struct IncidentsPage {
    ctx: Ctx,
    incidents: Vec<IncidentView>,
    pager: Pager,
    staff: Vec<UserView>,
    kinds: Vec<&'static str>,
    sanctions: Vec<&'static str>,
    /// The form that was refused: 0 the open form, else the incident's id.
    failed: i64,
    errors: FieldErrors,
}

async fn incidents_page(
    state: &AppState,
    user: &PageUser,
    query: ListQuery,
    failed: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let page = staff_conduct::list(
        &state.app,
        &user.actor,
        &IncidentFilter {
            status: query.status.clone(),
            staff_id: None,
        },
        PageRequest {
            page: query.page,
            per_page: Some(50),
        },
    )
    .await?;
    let pager = Pager::new(&page, &[("status", query.status.clone())]);
    let staff =
        if user.actor.can(Permission::IncidentWrite) && user.actor.can(Permission::StaffRead) {
            staff::list(
                &state.app,
                &user.actor,
                &UserFilter::default(),
                PageRequest {
                    page: None,
                    per_page: Some(200),
                },
            )
            .await?
            .items
            .into_iter()
            .filter(|u| u.customer_id.is_none())
            .collect()
        } else {
            Vec::new()
        };
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &IncidentsPage {
            ctx: Ctx::of(user, "discipline_incidents"),
            incidents: page.items,
            pager,
            staff,
            kinds: IncidentKind::ALL.iter().map(|k| k.as_str()).collect(),
            sanctions: Sanction::ALL.iter().map(|s| s.as_str()).collect(),
            failed,
            errors,
        },
    )
}

async fn list(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    incidents_page(&state, &user, query, 0, None).await
}

#[derive(Deserialize)]
struct OpenForm {
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    service_order_id: String,
    #[serde(default)]
    survey_card_id: String,
}

async fn open(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<OpenForm>,
) -> Result<Response, PageError> {
    let input = NewIncident {
        staff_id: optional_id(&form.staff_id).unwrap_or(0),
        kind: form.kind,
        description: Some(form.description).filter(|d| !d.trim().is_empty()),
        service_order_id: optional_id(&form.service_order_id),
        complaint_id: None,
        survey_card_id: optional_id(&form.survey_card_id),
    };
    let result = staff_conduct::create(&state.app, &user.actor, &input).await;
    form_outcome(
        result,
        |_| "/discipline-incidents",
        |err| incidents_page(&state, &user, ListQuery::default(), 0, Some(err)),
    )
    .await
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    sanction: String,
    #[serde(default)]
    fine_yuan: String,
    #[serde(default)]
    note: String,
    version: i32,
}

async fn decide(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    // The fine is typed in yuan; anything unreadable goes on as 0 and is refused by field.
    let fine_fen = (!form.fine_yuan.trim().is_empty()).then(|| {
        form.fine_yuan
            .trim()
            .parse::<f64>()
            .map(|yuan| (yuan * 100.0).round() as i64)
            .unwrap_or(0)
    });
    let input = DecisionInput {
        approve: form.decision != "dismiss",
        sanction: Some(form.sanction).filter(|s| !s.is_empty()),
        fine_fen,
        note: Some(form.note).filter(|n| !n.trim().is_empty()),
        version: form.version,
    };
    let result = staff_conduct::decide(&state.app, &user.actor, id, &input).await;
    form_outcome(
        result,
        |_| "/discipline-incidents",
        |err| incidents_page(&state, &user, ListQuery::default(), id, Some(err)),
    )
    .await
}
