//! Home deliveries (送货服务): planning and every step of the delivery state machine.

use aftersales_app::deliveries::{
    self, DeliveryEventView, DeliveryFilter, DeliveryInput, DeliveryStepInput, DeliveryView,
};
use aftersales_app::page::{Page, PageRequest};
use aftersales_app::AppError;
use aftersales_domain::delivery::DeliveryEvent;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser, Idempotency};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_deliveries, create_delivery, get_delivery, step_delivery),
    components(schemas(DeliveryInput, DeliveryStepInput, DeliveryView, DeliveryEventView))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/deliveries", get(list_deliveries).post(create_delivery))
        .route("/deliveries/{id}", get(get_delivery))
        .route("/deliveries/{id}/{event}", post(step_delivery))
}

#[utoipa::path(get, path = "/deliveries", tag = "deliveries", params(DeliveryFilter, PageRequest), responses((status = 200, body = Page<DeliveryView>)))]
async fn list_deliveries(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<DeliveryFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<DeliveryView>>, ApiError> {
    Ok(Json(
        deliveries::list(&state.app, &actor, &filter, page).await?,
    ))
}

/// Plans a delivery of a sold unit with the agreed window and place.
#[utoipa::path(post, path = "/deliveries", tag = "deliveries", request_body = DeliveryInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = DeliveryView), (status = 422, body = ErrorBody)))]
async fn create_delivery(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Idempotency(key): Idempotency,
    ApiJson(input): ApiJson<DeliveryInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        deliveries::create(&state.app, &actor, &input, key.as_ref()).await?,
    ))
}

#[utoipa::path(get, path = "/deliveries/{id}", tag = "deliveries", params(("id" = i64, Path)), responses((status = 200, body = DeliveryView), (status = 404, body = ErrorBody)))]
async fn get_delivery(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<DeliveryView>, ApiError> {
    Ok(Json(deliveries::get(&state.app, &actor, id).await?))
}

/// One step: pre_call, reschedule, depart, arrive, customer_absent, sign_off, defective or
/// cancel. An impossible step answers 409 `invalid_transition`; a stale `version` 409 `stale`.
#[utoipa::path(post, path = "/deliveries/{id}/{event}", tag = "deliveries", params(("id" = i64, Path), ("event" = String, Path)), request_body = DeliveryStepInput,
    responses((status = 200, body = DeliveryView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn step_delivery(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, event)): Path<(i64, String)>,
    ApiJson(input): ApiJson<DeliveryStepInput>,
) -> Result<Json<DeliveryView>, ApiError> {
    let event = DeliveryEvent::parse(&event).ok_or(ApiError(AppError::NotFound))?;
    Ok(Json(
        deliveries::step(&state.app, &actor, id, event, &input).await?,
    ))
}
