//! Spare parts: the catalogue, stock locations, stock and the ledger, receipts, transfers,
//! scrap, parts on service orders, stock counts and loaner units.

use aftersales_app::loaners::{self, LoanerEventView, LoanerInput, LoanerStepInput, LoanerView};
use aftersales_app::page::{Page, PageRequest};
use aftersales_app::parts::{
    self, CountDecisionInput, CountEntryInput, CountInput, CountLineView, CountSummary, CountView,
    CountedLine, LocationInput, LocationView, MovementFilter, MovementView, OrderPartInput,
    OrderPartLine, OrderPartsView, PartFilter, PartInput, PartView, ReceiptInput, ScrapInput,
    StockFilter, StockRow, TransferInput,
};
use aftersales_domain::parts::LoanerEvent;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_parts,
        create_part,
        get_part,
        update_part,
        recompute_abc,
        part_availability,
        list_locations,
        create_location,
        list_stock,
        export_stock,
        list_movements,
        receive,
        transfer,
        scrap,
        order_parts,
        issue_part,
        return_unused,
        return_faulty,
        transfer_to_order,
        list_counts,
        create_count,
        get_count,
        enter_counts,
        decide_count,
        list_loaners,
        create_loaner,
        order_loaners,
        loaner_step
    ),
    components(schemas(
        PartInput,
        PartView,
        LocationInput,
        LocationView,
        StockRow,
        MovementView,
        ReceiptInput,
        TransferInput,
        ScrapInput,
        OrderPartInput,
        OrderPartLine,
        OrderPartsView,
        TransferToOrderInput,
        CountInput,
        CountSummary,
        CountView,
        CountLineView,
        CountEntryInput,
        CountedLine,
        CountDecisionInput,
        LoanerInput,
        LoanerView,
        LoanerEventView,
        LoanerStepInput
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/parts", get(list_parts).post(create_part))
        .route("/parts/recompute-abc", post(recompute_abc))
        .route("/parts/{id}", get(get_part).put(update_part))
        .route("/parts/{id}/availability", get(part_availability))
        .route(
            "/stock-locations",
            get(list_locations).post(create_location),
        )
        .route("/stock", get(list_stock))
        .route("/stock/export", get(export_stock))
        .route("/stock-movements", get(list_movements))
        .route("/stock/receipts", post(receive))
        .route("/stock/transfers", post(transfer))
        .route("/stock/scrap", post(scrap))
        .route("/service-orders/{id}/parts", get(order_parts))
        .route("/service-orders/{id}/parts/issue", post(issue_part))
        .route(
            "/service-orders/{id}/parts/return-unused",
            post(return_unused),
        )
        .route(
            "/service-orders/{id}/parts/return-faulty",
            post(return_faulty),
        )
        .route(
            "/service-orders/{id}/parts/transfer",
            post(transfer_to_order),
        )
        .route("/stock-counts", get(list_counts).post(create_count))
        .route("/stock-counts/{id}", get(get_count))
        .route("/stock-counts/{id}/entries", post(enter_counts))
        .route("/stock-counts/{id}/decision", post(decide_count))
        .route("/loaners", get(list_loaners).post(create_loaner))
        .route("/loaners/{id}/{event}", post(loaner_step))
        .route("/service-orders/{id}/loaners", get(order_loaners))
}

#[utoipa::path(get, path = "/parts", tag = "parts", params(PartFilter), responses((status = 200, body = Vec<PartView>)))]
async fn list_parts(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<PartFilter>,
) -> Result<Json<Vec<PartView>>, ApiError> {
    Ok(Json(parts::list_parts(&state.app, &actor, &filter).await?))
}

#[utoipa::path(post, path = "/parts", tag = "parts", request_body = PartInput,
    responses((status = 201, body = PartView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_part(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<PartInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        parts::create_part(&state.app, &actor, &input).await?,
    ))
}

#[utoipa::path(get, path = "/parts/{id}", tag = "parts", params(("id" = i64, Path)),
    responses((status = 200, body = PartView), (status = 404, body = ErrorBody)))]
async fn get_part(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PartView>, ApiError> {
    Ok(Json(parts::get_part(&state.app, &actor, id).await?))
}

#[utoipa::path(put, path = "/parts/{id}", tag = "parts", params(("id" = i64, Path)), request_body = PartInput,
    responses((status = 200, body = PartView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_part(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PartInput>,
) -> Result<Json<PartView>, ApiError> {
    Ok(Json(
        parts::update_part(&state.app, &actor, id, &input).await?,
    ))
}

/// Recomputes every part's ABC class from the last 12 months' consumption value.
#[utoipa::path(post, path = "/parts/recompute-abc", tag = "parts", responses((status = 200, body = Vec<PartView>)))]
async fn recompute_abc(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<PartView>>, ApiError> {
    Ok(Json(parts::recompute_abc(&state.app, &actor).await?))
}

/// Where the part is in stock, most first.
#[utoipa::path(get, path = "/parts/{id}/availability", tag = "parts", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<StockRow>)))]
async fn part_availability(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<StockRow>>, ApiError> {
    Ok(Json(parts::availability(&state.app, &actor, id).await?))
}

#[utoipa::path(get, path = "/stock-locations", tag = "parts", responses((status = 200, body = Vec<LocationView>)))]
async fn list_locations(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<LocationView>>, ApiError> {
    Ok(Json(parts::list_locations(&state.app, &actor).await?))
}

#[utoipa::path(post, path = "/stock-locations", tag = "parts", request_body = LocationInput,
    responses((status = 201, body = LocationView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_location(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<LocationInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        parts::create_location(&state.app, &actor, &input).await?,
    ))
}

#[utoipa::path(get, path = "/stock", tag = "parts", params(StockFilter), responses((status = 200, body = Vec<StockRow>)))]
async fn list_stock(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<StockFilter>,
) -> Result<Json<Vec<StockRow>>, ApiError> {
    Ok(Json(parts::stock(&state.app, &actor, &filter).await?))
}

/// The stock report as an .xlsx file (headers in the caller's language).
#[utoipa::path(get, path = "/stock/export", tag = "parts", params(StockFilter), responses((status = 200, description = "The .xlsx file"), (status = 403, body = ErrorBody)))]
async fn export_stock(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    lang: crate::i18n::Lang,
    ApiQuery(filter): ApiQuery<StockFilter>,
) -> Result<Response, ApiError> {
    let (bytes, file_name) =
        parts::export_stock(&state.app, &actor, &filter, lang == crate::i18n::Lang::En).await?;
    Ok(super::file_response(
        aftersales_tabular::Format::Xlsx.content_type(),
        &file_name,
        bytes,
    ))
}

#[utoipa::path(get, path = "/stock-movements", tag = "parts", params(MovementFilter), responses((status = 200, body = Vec<MovementView>)))]
async fn list_movements(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<MovementFilter>,
) -> Result<Json<Vec<MovementView>>, ApiError> {
    Ok(Json(parts::movements(&state.app, &actor, &filter).await?))
}

/// Goods received from a supplier.
#[utoipa::path(post, path = "/stock/receipts", tag = "parts", request_body = ReceiptInput,
    responses((status = 201, body = MovementView), (status = 422, body = ErrorBody)))]
async fn receive(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<ReceiptInput>,
) -> Result<Response, ApiError> {
    Ok(created(parts::receive(&state.app, &actor, &input).await?))
}

/// Moves stock between locations (a shortfall answers 409 `shortfall`).
#[utoipa::path(post, path = "/stock/transfers", tag = "parts", request_body = TransferInput,
    responses((status = 201, body = Vec<MovementView>), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn transfer(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<TransferInput>,
) -> Result<Response, ApiError> {
    Ok(created(parts::transfer(&state.app, &actor, &input).await?))
}

#[utoipa::path(post, path = "/stock/scrap", tag = "parts", request_body = ScrapInput,
    responses((status = 201, body = MovementView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn scrap(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<ScrapInput>,
) -> Result<Response, ApiError> {
    Ok(created(parts::scrap(&state.app, &actor, &input).await?))
}

#[utoipa::path(get, path = "/service-orders/{id}/parts", tag = "parts", params(("id" = i64, Path)),
    responses((status = 200, body = OrderPartsView), (status = 404, body = ErrorBody)))]
async fn order_parts(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<OrderPartsView>, ApiError> {
    Ok(Json(parts::order_parts(&state.app, &actor, id).await?))
}

/// Issues a part from the technician's van to the order.
#[utoipa::path(post, path = "/service-orders/{id}/parts/issue", tag = "parts", params(("id" = i64, Path)), request_body = OrderPartInput,
    responses((status = 200, body = OrderPartsView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue_part(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<OrderPartInput>,
) -> Result<Json<OrderPartsView>, ApiError> {
    Ok(Json(
        parts::issue_to_order(&state.app, &actor, id, &input).await?,
    ))
}

#[utoipa::path(post, path = "/service-orders/{id}/parts/return-unused", tag = "parts", params(("id" = i64, Path)), request_body = OrderPartInput,
    responses((status = 200, body = OrderPartsView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn return_unused(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<OrderPartInput>,
) -> Result<Json<OrderPartsView>, ApiError> {
    Ok(Json(
        parts::return_unused(&state.app, &actor, id, &input).await?,
    ))
}

/// Hands in the faulty part replaced.
#[utoipa::path(post, path = "/service-orders/{id}/parts/return-faulty", tag = "parts", params(("id" = i64, Path)), request_body = OrderPartInput,
    responses((status = 200, body = OrderPartsView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn return_faulty(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<OrderPartInput>,
) -> Result<Json<OrderPartsView>, ApiError> {
    Ok(Json(
        parts::return_faulty(&state.app, &actor, id, &input).await?,
    ))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct TransferToOrderInput {
    pub part_id: i64,
    pub from_location_id: i64,
    pub quantity: i64,
}

/// The supervisor moves a part into the order's technician's van in one action.
#[utoipa::path(post, path = "/service-orders/{id}/parts/transfer", tag = "parts", params(("id" = i64, Path)), request_body = TransferToOrderInput,
    responses((status = 201, body = Vec<MovementView>), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn transfer_to_order(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TransferToOrderInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        parts::transfer_to_order(
            &state.app,
            &actor,
            id,
            input.part_id,
            input.from_location_id,
            input.quantity,
        )
        .await?,
    ))
}

/// The count sheets, newest first, without their lines.
#[utoipa::path(get, path = "/stock-counts", tag = "parts", params(PageRequest), responses((status = 200, body = Page<CountSummary>)))]
async fn list_counts(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<CountSummary>>, ApiError> {
    Ok(Json(parts::list_counts(&state.app, &actor, page).await?))
}

/// Draws up a count sheet (full, or a cycle count of one class).
#[utoipa::path(post, path = "/stock-counts", tag = "parts", request_body = CountInput,
    responses((status = 201, body = CountView), (status = 422, body = ErrorBody)))]
async fn create_count(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<CountInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        parts::create_count(&state.app, &actor, &input).await?,
    ))
}

#[utoipa::path(get, path = "/stock-counts/{id}", tag = "parts", params(("id" = i64, Path)),
    responses((status = 200, body = CountView), (status = 404, body = ErrorBody)))]
async fn get_count(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CountView>, ApiError> {
    Ok(Json(parts::get_count(&state.app, &actor, id).await?))
}

#[utoipa::path(post, path = "/stock-counts/{id}/entries", tag = "parts", params(("id" = i64, Path)), request_body = CountEntryInput,
    responses((status = 200, body = CountView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn enter_counts(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CountEntryInput>,
) -> Result<Json<CountView>, ApiError> {
    Ok(Json(
        parts::enter_counts(&state.app, &actor, id, &input).await?,
    ))
}

/// The supervisor approves (posting the differences) or sends the sheet back.
#[utoipa::path(post, path = "/stock-counts/{id}/decision", tag = "parts", params(("id" = i64, Path)), request_body = CountDecisionInput,
    responses((status = 200, body = CountView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_count(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CountDecisionInput>,
) -> Result<Json<CountView>, ApiError> {
    Ok(Json(
        parts::decide_count(&state.app, &actor, id, &input).await?,
    ))
}

#[utoipa::path(get, path = "/loaners", tag = "parts", responses((status = 200, body = Vec<LoanerView>)))]
async fn list_loaners(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<LoanerView>>, ApiError> {
    Ok(Json(loaners::list(&state.app, &actor).await?))
}

#[utoipa::path(post, path = "/loaners", tag = "parts", request_body = LoanerInput,
    responses((status = 201, body = LoanerView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_loaner(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<LoanerInput>,
) -> Result<Response, ApiError> {
    Ok(created(loaners::create(&state.app, &actor, &input).await?))
}

#[utoipa::path(get, path = "/service-orders/{id}/loaners", tag = "parts", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<LoanerView>), (status = 404, body = ErrorBody)))]
async fn order_loaners(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<LoanerView>>, ApiError> {
    Ok(Json(loaners::of_order(&state.app, &actor, id).await?))
}

/// lend (to a carry-in order), recall or retire.
#[utoipa::path(post, path = "/loaners/{id}/{event}", tag = "parts", params(("id" = i64, Path), ("event" = String, Path)), request_body = LoanerStepInput,
    responses((status = 200, body = LoanerView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn loaner_step(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, event)): Path<(i64, String)>,
    ApiJson(input): ApiJson<LoanerStepInput>,
) -> Result<Json<LoanerView>, ApiError> {
    let event = LoanerEvent::parse(&event).ok_or(aftersales_app::AppError::NotFound)?;
    Ok(Json(
        loaners::step(&state.app, &actor, id, event, &input).await?,
    ))
}
