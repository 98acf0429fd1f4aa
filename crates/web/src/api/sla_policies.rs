//! SLA policies: which clocks run for which orders, with what allowance.

use aftersales_app::sla_policies::{self, ClockInput, PolicyInput, PolicyView};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_policies, create_policy, get_policy, update_policy),
    components(schemas(PolicyInput, PolicyView, ClockInput))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sla-policies", get(list_policies).post(create_policy))
        .route("/sla-policies/{id}", get(get_policy).put(update_policy))
}

#[utoipa::path(get, path = "/sla-policies", tag = "sla",
    responses((status = 200, body = Vec<PolicyView>, description = "In the order they are tried: the first match by rank applies")))]
async fn list_policies(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<PolicyView>>, ApiError> {
    Ok(Json(sla_policies::list(&state.app, &actor).await?))
}

#[utoipa::path(post, path = "/sla-policies", tag = "sla", request_body = PolicyInput,
    responses((status = 201, body = PolicyView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_policy(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<PolicyInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        sla_policies::create(&state.app, &actor, &input).await?,
    ))
}

#[utoipa::path(get, path = "/sla-policies/{id}", tag = "sla", params(("id" = i64, Path)),
    responses((status = 200, body = PolicyView), (status = 404, body = ErrorBody)))]
async fn get_policy(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PolicyView>, ApiError> {
    Ok(Json(sla_policies::get(&state.app, &actor, id).await?))
}

#[utoipa::path(put, path = "/sla-policies/{id}", tag = "sla", params(("id" = i64, Path)), request_body = PolicyInput,
    responses((status = 200, body = PolicyView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_policy(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PolicyInput>,
) -> Result<Json<PolicyView>, ApiError> {
    Ok(Json(
        sla_policies::update(&state.app, &actor, id, &input).await?,
    ))
}
