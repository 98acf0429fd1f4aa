//! Staff conduct: discipline incidents (STAFF-6), opened by hand here or by other areas'
//! rules, and decided by the branch manager or the general manager.

use aftersales_app::page::{Page, PageRequest};
use aftersales_app::staff_conduct::{
    self, DecisionInput, IncidentFilter, IncidentView, NewIncident,
};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_incidents, open_incident, decide_incident),
    components(schemas(IncidentView, NewIncident, DecisionInput))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/discipline-incidents",
            get(list_incidents).post(open_incident),
        )
        .route("/discipline-incidents/{id}/decision", post(decide_incident))
}

/// Incidents of the staff in the caller's scope, newest first.
#[utoipa::path(get, path = "/discipline-incidents", tag = "staff conduct", params(IncidentFilter, PageRequest), responses((status = 200, body = Page<IncidentView>)))]
async fn list_incidents(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<IncidentFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<IncidentView>>, ApiError> {
    Ok(Json(
        staff_conduct::list(&state.app, &actor, &filter, page).await?,
    ))
}

/// Opens an incident by hand; the staff member's branch managers are told.
#[utoipa::path(post, path = "/discipline-incidents", tag = "staff conduct", request_body = NewIncident,
    responses((status = 201, body = IncidentView), (status = 422, body = ErrorBody)))]
async fn open_incident(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<NewIncident>,
) -> Result<Response, ApiError> {
    Ok(created(
        staff_conduct::create(&state.app, &actor, &input).await?,
    ))
}

/// Approves a sanction or dismisses the incident. Dismissal and legal action need the
/// general manager (403 otherwise).
#[utoipa::path(post, path = "/discipline-incidents/{id}/decision", tag = "staff conduct", params(("id" = i64, Path)), request_body = DecisionInput,
    responses((status = 200, body = IncidentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_incident(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<Json<IncidentView>, ApiError> {
    Ok(Json(
        staff_conduct::decide(&state.app, &actor, id, &input).await?,
    ))
}
