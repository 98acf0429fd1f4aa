//! The accountant's side of billing: cash held by technicians and its handover, invoices
//! raised from vouchers, their collection and mailing (BILLING-4/5).

use aftersales_app::accounting::{
    self, CashFilter, CashView, CollectionInput, HandoverInput, InvoiceDueView, InvoiceFilter,
    InvoiceInput, InvoiceView, MailingInput, OrderSettlement,
};
use aftersales_app::page::{Page, PageRequest};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, file_response, ApiError, ApiJson, ApiQuery, ApiUser, PeriodQuery};
use crate::error::ErrorBody;
use crate::i18n::Lang;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_cash,
        my_cash,
        hand_over_cash,
        list_invoices_due,
        list_invoices,
        raise_invoice,
        get_invoice,
        record_collection,
        record_mailing,
        order_settlement,
        export_revenue
    ),
    components(schemas(
        CashView,
        HandoverInput,
        InvoiceDueView,
        InvoiceInput,
        InvoiceView,
        CollectionInput,
        MailingInput,
        OrderSettlement
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cash-collections", get(list_cash))
        .route("/cash-collections/mine", get(my_cash))
        .route("/cash-collections/handover", post(hand_over_cash))
        .route("/invoices/due", get(list_invoices_due))
        .route("/invoices", get(list_invoices).post(raise_invoice))
        .route("/invoices/{id}", get(get_invoice))
        .route("/invoices/{id}/collection", post(record_collection))
        .route("/invoices/{id}/mailing", post(record_mailing))
        .route("/service-orders/{id}/settlement", get(order_settlement))
        .route("/accounting/export", get(export_revenue))
}

/// Service revenue for accounting (BILLING-6): invoices issued, cash handed over and the
/// charges of orders completed in the period (default: the last 30 days), per branch, as
/// .xlsx with headers in the caller's language.
#[utoipa::path(get, path = "/accounting/export", tag = "accounting", params(PeriodQuery),
    responses((status = 200, description = "The .xlsx file"), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export_revenue(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    lang: Lang,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Response, ApiError> {
    let (from, to) = query.dates(state.app.today())?;
    let (bytes, file_name) =
        accounting::export(&state.app, &actor, from, to, lang == Lang::En).await?;
    Ok(file_response(
        aftersales_tabular::Format::Xlsx.content_type(),
        &file_name,
        bytes,
    ))
}

#[utoipa::path(get, path = "/cash-collections", tag = "accounting", params(CashFilter),
    responses((status = 200, body = Vec<CashView>), (status = 422, body = ErrorBody)))]
async fn list_cash(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<CashFilter>,
) -> Result<Json<Vec<CashView>>, ApiError> {
    Ok(Json(
        accounting::cash_list(&state.app, &actor, &filter).await?,
    ))
}

#[utoipa::path(get, path = "/cash-collections/mine", tag = "accounting",
    responses((status = 200, body = Vec<CashView>)))]
async fn my_cash(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<CashView>>, ApiError> {
    Ok(Json(accounting::my_cash(&state.app, &actor).await?))
}

#[utoipa::path(post, path = "/cash-collections/handover", tag = "accounting", request_body = HandoverInput,
    responses((status = 200, body = Vec<CashView>), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn hand_over_cash(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<HandoverInput>,
) -> Result<Json<Vec<CashView>>, ApiError> {
    Ok(Json(
        accounting::hand_over(&state.app, &actor, &input).await?,
    ))
}

#[utoipa::path(get, path = "/invoices/due", tag = "accounting",
    responses((status = 200, body = Vec<InvoiceDueView>)))]
async fn list_invoices_due(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<InvoiceDueView>>, ApiError> {
    Ok(Json(accounting::invoices_due(&state.app, &actor).await?))
}

#[utoipa::path(get, path = "/invoices", tag = "accounting", params(InvoiceFilter, PageRequest),
    responses((status = 200, body = Page<InvoiceView>)))]
async fn list_invoices(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<InvoiceFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<InvoiceView>>, ApiError> {
    Ok(Json(
        accounting::invoices(&state.app, &actor, &filter, page).await?,
    ))
}

#[utoipa::path(post, path = "/invoices", tag = "accounting", request_body = InvoiceInput,
    responses((status = 201, body = InvoiceView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn raise_invoice(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<InvoiceInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        accounting::raise_invoice(&state.app, &actor, &input).await?,
    ))
}

#[utoipa::path(get, path = "/invoices/{id}", tag = "accounting", params(("id" = i64, Path)),
    responses((status = 200, body = InvoiceView), (status = 404, body = ErrorBody)))]
async fn get_invoice(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<InvoiceView>, ApiError> {
    Ok(Json(accounting::get_invoice(&state.app, &actor, id).await?))
}

#[utoipa::path(post, path = "/invoices/{id}/collection", tag = "accounting", params(("id" = i64, Path)), request_body = CollectionInput,
    responses((status = 200, body = InvoiceView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_collection(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CollectionInput>,
) -> Result<Json<InvoiceView>, ApiError> {
    Ok(Json(
        accounting::record_collection(&state.app, &actor, id, &input).await?,
    ))
}

#[utoipa::path(post, path = "/invoices/{id}/mailing", tag = "accounting", params(("id" = i64, Path)), request_body = MailingInput,
    responses((status = 200, body = InvoiceView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_mailing(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MailingInput>,
) -> Result<Json<InvoiceView>, ApiError> {
    Ok(Json(
        accounting::record_mailing(&state.app, &actor, id, &input).await?,
    ))
}

#[utoipa::path(get, path = "/service-orders/{id}/settlement", tag = "accounting", params(("id" = i64, Path)),
    responses((status = 200, body = OrderSettlement), (status = 404, body = ErrorBody)))]
async fn order_settlement(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<OrderSettlement>, ApiError> {
    Ok(Json(
        accounting::order_settlement(&state.app, &actor, id).await?,
    ))
}
