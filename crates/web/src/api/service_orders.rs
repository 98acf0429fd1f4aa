//! Service orders: registering calls and every step of their state machine.

use aftersales_app::page::{Page, PageRequest};
use aftersales_app::service_orders::{
    self, OrderEventView, OrderFilter, OrderInput, OrderView, StepInput,
};
use aftersales_app::AppError;
use aftersales_domain::service_order::OrderEvent;
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
    paths(list_orders, register_order, get_order, step_order),
    components(schemas(OrderInput, OrderView, OrderEventView, StepInput))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/service-orders", get(list_orders).post(register_order))
        .route("/service-orders/{id}", get(get_order))
        .route("/service-orders/{id}/{event}", post(step_order))
}

/// Orders the caller sees; undispatched calls from earlier days come first.
#[utoipa::path(get, path = "/service-orders", tag = "service orders", params(OrderFilter, PageRequest), responses((status = 200, body = Page<OrderView>)))]
async fn list_orders(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<OrderFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<OrderView>>, ApiError> {
    Ok(Json(
        service_orders::list(&state.app, &actor, &filter, page).await?,
    ))
}

/// Registers a call: number, proposed category (C warranty / B contract / A paid), repeat
/// detection. A category other than the proposed one needs `category_reason`.
#[utoipa::path(post, path = "/service-orders", tag = "service orders", request_body = OrderInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = OrderView), (status = 422, body = ErrorBody)))]
async fn register_order(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Idempotency(key): Idempotency,
    ApiJson(input): ApiJson<OrderInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        service_orders::register(&state.app, &actor, &input, key.as_ref()).await?,
    ))
}

/// An order with its timeline.
#[utoipa::path(get, path = "/service-orders/{id}", tag = "service orders", params(("id" = i64, Path)), responses((status = 200, body = OrderView), (status = 404, body = ErrorBody)))]
async fn get_order(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(service_orders::get(&state.app, &actor, id).await?))
}

/// One step: dispatch, reassign, record_contact, check_in, complete_on_site, carry_in,
/// start_repair, pass_inspection, fail_inspection, return_to_customer, archive or cancel.
/// An impossible step answers 409 `invalid_transition`; a stale `version` 409 `stale`.
#[utoipa::path(post, path = "/service-orders/{id}/{event}", tag = "service orders", params(("id" = i64, Path), ("event" = String, Path)), request_body = StepInput,
    responses((status = 200, body = OrderView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn step_order(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, event)): Path<(i64, String)>,
    ApiJson(input): ApiJson<StepInput>,
) -> Result<Json<OrderView>, ApiError> {
    let event = OrderEvent::parse(&event).ok_or(ApiError(AppError::NotFound))?;
    Ok(Json(
        service_orders::step(&state.app, &actor, id, event, &input).await?,
    ))
}
