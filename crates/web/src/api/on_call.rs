//! On-call misses (STAFF-4, T20).

use aftersales_app::on_call::{self, MissInput, MissView};
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(paths(report_on_call_miss), components(schemas(MissInput, MissView)))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new().route("/on-call-misses", post(report_on_call_miss))
}

/// Reports that a technician could not be reached: inside the on-call window and without a
/// reason it opens an on-call breach incident; outside the window it is refused (422 `at`).
#[utoipa::path(post, path = "/on-call-misses", tag = "staff", request_body = MissInput,
    responses((status = 201, body = MissView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report_on_call_miss(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<MissInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        on_call::report_miss(&state.app, &actor, &input).await?,
    ))
}
