//! Replenishment (reorder points, the proposal), parts purchase requests and the parts
//! reports with their .xlsx exports.

use aftersales_app::page::{Page, PageRequest};
use aftersales_app::parts_reports::{self, Report, ReportQuery};
use aftersales_app::purchasing::{
    self, PurchaseRequestFilter, PurchaseRequestInput, PurchaseRequestView, ReorderInput,
    ReplenishmentFilter, ReplenishmentRow, RequestDecisionInput, RequestReceiptInput,
};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_replenishment,
        set_reorder,
        list_requests,
        create_request,
        get_request,
        decide_request,
        receive_request,
        parts_report,
        export_parts_report
    ),
    components(schemas(
        ReplenishmentRow,
        ReorderInput,
        PurchaseRequestInput,
        PurchaseRequestView,
        RequestDecisionInput,
        RequestReceiptInput,
        Report
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/replenishment", get(list_replenishment))
        .route("/replenishment/reorder-points", put(set_reorder))
        .route(
            "/purchase-requests",
            get(list_requests).post(create_request),
        )
        .route("/purchase-requests/{id}", get(get_request))
        .route("/purchase-requests/{id}/decision", post(decide_request))
        .route("/purchase-requests/{id}/receipt", post(receive_request))
        .route("/parts-reports/{kind}", get(parts_report))
        .route("/parts-reports/{kind}/export", get(export_parts_report))
}

/// Reorder points per part and location with the suggestion from consumption; with
/// `proposal=true`, the replenishment proposal (what to purchase now).
#[utoipa::path(get, path = "/replenishment", tag = "parts", params(ReplenishmentFilter),
    responses((status = 200, body = Vec<ReplenishmentRow>), (status = 403, body = ErrorBody)))]
async fn list_replenishment(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<ReplenishmentFilter>,
) -> Result<Json<Vec<ReplenishmentRow>>, ApiError> {
    Ok(Json(
        purchasing::replenishment(&state.app, &actor, &filter).await?,
    ))
}

/// Sets a part's reorder point and order quantity at a location (the warehouse keeper).
#[utoipa::path(put, path = "/replenishment/reorder-points", tag = "parts", request_body = ReorderInput,
    responses((status = 200, body = ReplenishmentRow), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_reorder(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<ReorderInput>,
) -> Result<Json<ReplenishmentRow>, ApiError> {
    Ok(Json(
        purchasing::set_reorder(&state.app, &actor, &input).await?,
    ))
}

#[utoipa::path(get, path = "/purchase-requests", tag = "parts", params(PurchaseRequestFilter, PageRequest),
    responses((status = 200, body = Page<PurchaseRequestView>), (status = 403, body = ErrorBody)))]
async fn list_requests(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<PurchaseRequestFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<PurchaseRequestView>>, ApiError> {
    Ok(Json(
        purchasing::list_requests(&state.app, &actor, &filter, page).await?,
    ))
}

/// Raises a parts purchase request (零件请购), from the proposal or by hand.
#[utoipa::path(post, path = "/purchase-requests", tag = "parts", request_body = PurchaseRequestInput,
    responses((status = 201, body = PurchaseRequestView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_request(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<PurchaseRequestInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        purchasing::create_request(&state.app, &actor, &input).await?,
    ))
}

#[utoipa::path(get, path = "/purchase-requests/{id}", tag = "parts", params(("id" = i64, Path)),
    responses((status = 200, body = PurchaseRequestView), (status = 404, body = ErrorBody)))]
async fn get_request(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PurchaseRequestView>, ApiError> {
    Ok(Json(purchasing::get_request(&state.app, &actor, id).await?))
}

/// The supervisor approves or rejects a request.
#[utoipa::path(post, path = "/purchase-requests/{id}/decision", tag = "parts", params(("id" = i64, Path)), request_body = RequestDecisionInput,
    responses((status = 200, body = PurchaseRequestView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_request(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RequestDecisionInput>,
) -> Result<Json<PurchaseRequestView>, ApiError> {
    Ok(Json(
        purchasing::decide_request(&state.app, &actor, id, &input).await?,
    ))
}

/// The warehouse keeper receives the parts (a receipt in the ledger).
#[utoipa::path(post, path = "/purchase-requests/{id}/receipt", tag = "parts", params(("id" = i64, Path)), request_body = RequestReceiptInput,
    responses((status = 200, body = PurchaseRequestView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn receive_request(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RequestReceiptInput>,
) -> Result<Json<PurchaseRequestView>, ApiError> {
    Ok(Json(
        purchasing::receive_request(&state.app, &actor, id, &input).await?,
    ))
}

/// One parts report: stock_value, slow_movers, consumption, van_stock, tools_held or
/// open_purchases (headers in the caller's language).
#[utoipa::path(get, path = "/parts-reports/{kind}", tag = "parts", params(("kind" = String, Path), ReportQuery),
    responses((status = 200, body = Report), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn parts_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    lang: crate::i18n::Lang,
    Path(kind): Path<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(
        parts_reports::report(
            &state.app,
            &actor,
            &kind,
            &query,
            lang == crate::i18n::Lang::En,
        )
        .await?,
    ))
}

/// One parts report as an .xlsx file.
#[utoipa::path(get, path = "/parts-reports/{kind}/export", tag = "parts", params(("kind" = String, Path), ReportQuery),
    responses((status = 200, description = "The .xlsx file"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn export_parts_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    lang: crate::i18n::Lang,
    Path(kind): Path<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let (bytes, file_name) = parts_reports::export(
        &state.app,
        &actor,
        &kind,
        &query,
        lang == crate::i18n::Lang::En,
    )
    .await?;
    Ok(super::file_response(
        aftersales_tabular::Format::Xlsx.content_type(),
        &file_name,
        bytes,
    ))
}
