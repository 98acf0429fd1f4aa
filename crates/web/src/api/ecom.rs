//! Online buyer after-sales requests (网店售后): online orders (JSON or a sheet), the buyer's
//! request with its evidence, the seller's answer, arbitration, the repair order and the
//! external escalation.

use aftersales_app::ecom::{
    self, EscalationInput, OrderFilter, OrderInput, OrderLineInput, OrderLineView, OrderView,
    RequestFilter, RequestInput, RequestView, StepInput, TimelineEntry, TypeOption,
};
use aftersales_app::import_export::ImportReport;
use aftersales_app::page::{Page, PageRequest};
use aftersales_app::returns::{File, FileInput};
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::attachments::first_file;
use super::{created, ApiError, ApiJson, ApiQuery, ApiUser, Idempotency};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_orders,
        import_order,
        import_orders_file,
        get_order,
        list_requests,
        file_request,
        get_request,
        step_request,
        add_evidence,
        create_repair_order,
        escalate_request
    ),
    components(schemas(
        OrderInput,
        OrderLineInput,
        OrderView,
        OrderLineView,
        TypeOption,
        RequestInput,
        RequestView,
        TimelineEntry,
        StepInput,
        EscalationInput,
        EvidenceInput
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ecom/orders", get(list_orders).post(import_order))
        .route("/ecom/orders/import", post(import_orders_file))
        .route("/ecom/orders/{id}", get(get_order))
        .route("/ecom/requests", get(list_requests).post(file_request))
        .route("/ecom/requests/{id}", get(get_request))
        .route("/ecom/requests/{id}/step", post(step_request))
        .route("/ecom/requests/{id}/evidence", post(add_evidence))
        .route(
            "/ecom/requests/{id}/repair-order",
            post(create_repair_order),
        )
        .route("/ecom/requests/{id}/escalation", post(escalate_request))
}

#[utoipa::path(get, path = "/ecom/orders", tag = "ecom", params(OrderFilter, PageRequest), responses((status = 200, body = Page<OrderView>)))]
async fn list_orders(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<OrderFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<OrderView>>, ApiError> {
    Ok(Json(
        ecom::list_orders(&state.app, &actor, &filter, page).await?,
    ))
}

/// Imports one online order with its lines (ECOM-1).
#[utoipa::path(post, path = "/ecom/orders", tag = "ecom", request_body = OrderInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = OrderView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_order(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Idempotency(key): Idempotency,
    ApiJson(input): ApiJson<OrderInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        ecom::import_order(&state.app, &actor, &input, key.as_ref()).await?,
    ))
}

/// Imports online orders from an .xlsx or .csv file (multipart field `file`; one row per
/// order line). All or nothing: a bad row stores nothing and is reported (still 200).
#[utoipa::path(post, path = "/ecom/orders/import", tag = "ecom", request_body(content_type = "multipart/form-data", content = String),
    responses((status = 200, body = ImportReport), (status = 409, body = ErrorBody)))]
async fn import_orders_file(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    mut multipart: Multipart,
) -> Result<Json<ImportReport>, ApiError> {
    let (file_name, _, bytes) = first_file(&mut multipart).await?;
    Ok(Json(
        ecom::import_orders_file(&state.app, &actor, &bytes, &file_name).await?,
    ))
}

/// An online order with, per line, the request types the buyer could file now.
#[utoipa::path(get, path = "/ecom/orders/{id}", tag = "ecom", params(("id" = i64, Path)), responses((status = 200, body = OrderView), (status = 404, body = ErrorBody)))]
async fn get_order(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(ecom::get_order(&state.app, &actor, id).await?))
}

#[utoipa::path(get, path = "/ecom/requests", tag = "ecom", params(RequestFilter, PageRequest), responses((status = 200, body = Page<RequestView>)))]
async fn list_requests(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<RequestFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<RequestView>>, ApiError> {
    Ok(Json(
        ecom::list_requests(&state.app, &actor, &filter, page).await?,
    ))
}

/// The buyer files one request on one order line; evidence goes inline as base64.
#[utoipa::path(post, path = "/ecom/requests", tag = "ecom", request_body = RequestInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = RequestView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn file_request(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Idempotency(key): Idempotency,
    ApiJson(input): ApiJson<RequestInput>,
) -> Result<Response, ApiError> {
    let evidence = input.evidence.iter().map(File::from_input).collect();
    Ok(created(
        ecom::file_request(&state.app, &actor, &input, evidence, key.as_ref()).await?,
    ))
}

/// The request with its evidence and timeline.
#[utoipa::path(get, path = "/ecom/requests/{id}", tag = "ecom", params(("id" = i64, Path)), responses((status = 200, body = RequestView), (status = 404, body = ErrorBody)))]
async fn get_request(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<RequestView>, ApiError> {
    Ok(Json(ecom::get_request(&state.app, &actor, id).await?))
}

/// accept / reject (seller), request_arbitration / cancel (buyer), rule_for_buyer /
/// rule_for_seller (platform arbiter).
#[utoipa::path(post, path = "/ecom/requests/{id}/step", tag = "ecom", params(("id" = i64, Path)), request_body = StepInput,
    responses((status = 200, body = RequestView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn step_request(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StepInput>,
) -> Result<Json<RequestView>, ApiError> {
    Ok(Json(ecom::step(&state.app, &actor, id, &input).await?))
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct EvidenceInput {
    pub file: FileInput,
}

/// More evidence (photo, video, chat record) from the buyer.
#[utoipa::path(post, path = "/ecom/requests/{id}/evidence", tag = "ecom", params(("id" = i64, Path)), request_body = EvidenceInput,
    responses((status = 200, body = RequestView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_evidence(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EvidenceInput>,
) -> Result<Json<RequestView>, ApiError> {
    let file = File::from_input(&input.file);
    Ok(Json(
        ecom::add_evidence(&state.app, &actor, id, file).await?,
    ))
}

/// Turns an accepted repair request into a service order.
#[utoipa::path(post, path = "/ecom/requests/{id}/repair-order", tag = "ecom", params(("id" = i64, Path)),
    responses((status = 200, body = RequestView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_repair_order(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<RequestView>, ApiError> {
    Ok(Json(
        ecom::create_repair_order(&state.app, &actor, id).await?,
    ))
}

/// Logs the buyer's escalation to an outside body as a high-priority complaint (ECOM-5).
#[utoipa::path(post, path = "/ecom/requests/{id}/escalation", tag = "ecom", params(("id" = i64, Path)), request_body = EscalationInput,
    responses((status = 200, body = RequestView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn escalate_request(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EscalationInput>,
) -> Result<Json<RequestView>, ApiError> {
    Ok(Json(ecom::escalate(&state.app, &actor, id, &input).await?))
}
