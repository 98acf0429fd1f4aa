//! Service orders: registering calls and every step of their state machine.

use aftersales_app::carry_in::{
    self, EntryInput, EntryView, ReceiptInput, ReceiptView, RegisterFilter, RepairCardView,
    WorkshopItem,
};
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
    paths(
        list_orders,
        register_order,
        get_order,
        step_order,
        get_receipt,
        get_repair_card,
        add_repair_card_entry,
        workshop,
        goods_register,
        software_queue
    ),
    components(schemas(
        OrderInput,
        OrderView,
        OrderEventView,
        StepInput,
        ReceiptInput,
        ReceiptView,
        EntryInput,
        EntryView,
        RepairCardView,
        WorkshopItem
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/service-orders", get(list_orders).post(register_order))
        .route("/service-orders/{id}", get(get_order))
        .route("/service-orders/{id}/{event}", post(step_order))
        .route("/service-orders/{id}/receipt", get(get_receipt))
        .route(
            "/service-orders/{id}/repair-card",
            get(get_repair_card).post(add_repair_card_entry),
        )
        .route("/workshop", get(workshop))
        .route("/software-queue", get(software_queue))
        .route("/goods-register", get(goods_register))
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

/// The goods receipt (客户商品领取收据) issued when the unit was carried in; 404 when none.
#[utoipa::path(get, path = "/service-orders/{id}/receipt", tag = "carry-in", params(("id" = i64, Path)), responses((status = 200, body = ReceiptView), (status = 404, body = ErrorBody)))]
async fn get_receipt(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ReceiptView>, ApiError> {
    Ok(Json(carry_in::receipt(&state.app, &actor, id).await?))
}

/// The repair card (修护卡): labour and part entries, oldest first.
#[utoipa::path(get, path = "/service-orders/{id}/repair-card", tag = "carry-in", params(("id" = i64, Path)), responses((status = 200, body = RepairCardView), (status = 404, body = ErrorBody)))]
async fn get_repair_card(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<RepairCardView>, ApiError> {
    Ok(Json(carry_in::repair_card(&state.app, &actor, id).await?))
}

/// Adds a labour (`minutes`) or part (`part_name`, `quantity`) entry while the order is in
/// repair; 409 `not_in_repair` otherwise.
#[utoipa::path(post, path = "/service-orders/{id}/repair-card", tag = "carry-in", params(("id" = i64, Path)), request_body = EntryInput,
    responses((status = 201, body = EntryView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_repair_card_entry(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EntryInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        carry_in::add_entry(&state.app, &actor, id, &input).await?,
    ))
}

/// Every carried-in unit not yet returned, with its age, promised date and overdue flag.
#[utoipa::path(get, path = "/workshop", tag = "carry-in", responses((status = 200, body = Vec<WorkshopItem>)))]
async fn workshop(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<WorkshopItem>>, ApiError> {
    Ok(Json(carry_in::list_workshop(&state.app, &actor).await?))
}

/// The goods in/out register (客户商品进出登记簿): receipts taken in within the dates.
#[utoipa::path(get, path = "/goods-register", tag = "carry-in", params(RegisterFilter), responses((status = 200, body = Vec<ReceiptView>), (status = 422, body = ErrorBody)))]
async fn goods_register(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<RegisterFilter>,
) -> Result<Json<Vec<ReceiptView>>, ApiError> {
    Ok(Json(
        carry_in::goods_register(&state.app, &actor, &filter).await?,
    ))
}

/// Open software issues in the order they are worked (SOFTWARE-2): BUGs first, then by
/// priority P1–P4, then the earlier call.
#[utoipa::path(get, path = "/software-queue", tag = "service orders", responses((status = 200, body = Vec<OrderView>)))]
async fn software_queue(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<OrderView>>, ApiError> {
    Ok(Json(
        service_orders::software_queue(&state.app, &actor).await?,
    ))
}
