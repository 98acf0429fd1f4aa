//! The monthly statistics (REPORT-1, T13).

use aftersales_app::monthly_statistics::{self, EffortView, MonthView};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use super::{ApiError, ApiJson, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_months, get_month, draft_month, submit_month),
    components(schemas(MonthView, EffortView, SubmitInput))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/monthly-statistics", get(list_months))
        .route("/monthly-statistics/{month}", get(get_month))
        .route("/monthly-statistics/{month}/draft", post(draft_month))
        .route("/monthly-statistics/{month}/submit", post(submit_month))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SubmitInput {
    pub version: i32,
}

/// The months drafted so far, newest first.
#[utoipa::path(get, path = "/monthly-statistics", tag = "reports", responses((status = 200, body = Vec<MonthView>)))]
async fn list_months(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<MonthView>>, ApiError> {
    Ok(Json(monthly_statistics::list(&state.app, &actor).await?))
}

/// One month (`YYYY-MM`).
#[utoipa::path(get, path = "/monthly-statistics/{month}", tag = "reports", params(("month" = String, Path)),
    responses((status = 200, body = MonthView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_month(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(month): Path<String>,
) -> Result<Json<MonthView>, ApiError> {
    Ok(Json(
        monthly_statistics::get(&state.app, &actor, &month).await?,
    ))
}

/// Drafts a past month now, or refreshes its draft.
#[utoipa::path(post, path = "/monthly-statistics/{month}/draft", tag = "reports", params(("month" = String, Path)),
    responses((status = 200, body = MonthView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn draft_month(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(month): Path<String>,
) -> Result<Json<MonthView>, ApiError> {
    Ok(Json(
        monthly_statistics::draft(&state.app, &actor, &month).await?,
    ))
}

/// Submits a month to the admin and GM offices; after the 5th it is flagged late.
#[utoipa::path(post, path = "/monthly-statistics/{month}/submit", tag = "reports", params(("month" = String, Path)), request_body = SubmitInput,
    responses((status = 200, body = MonthView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn submit_month(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(month): Path<String>,
    ApiJson(input): ApiJson<SubmitInput>,
) -> Result<Json<MonthView>, ApiError> {
    Ok(Json(
        monthly_statistics::submit(&state.app, &actor, &month, input.version).await?,
    ))
}
