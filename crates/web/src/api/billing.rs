//! Billing: the price schedule (维修项目与收费标准表).

use aftersales_app::billing::{
    self, CategoryTotal, ChargeInput, ChargeView, ChargesView, PriceItemFilter, PriceItemInput,
    PriceItemView,
};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get, put};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_price_items,
        create_price_item,
        update_price_item,
        list_charges,
        add_charge,
        show_price_schedule,
        remove_charge
    ),
    components(schemas(
        PriceItemInput,
        PriceItemView,
        ChargeInput,
        ChargeView,
        ChargesView,
        CategoryTotal,
        ShownInput
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/price-items",
            get(list_price_items).post(create_price_item),
        )
        .route("/price-items/{id}", put(update_price_item))
        .route(
            "/service-orders/{id}/charges",
            get(list_charges).post(add_charge),
        )
        .route(
            "/service-orders/{id}/price-schedule-shown",
            axum::routing::post(show_price_schedule),
        )
        .route(
            "/service-orders/{id}/charges/{charge_id}",
            delete(remove_charge),
        )
}

#[utoipa::path(get, path = "/price-items", tag = "billing", params(PriceItemFilter), responses((status = 200, body = Vec<PriceItemView>)))]
async fn list_price_items(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<PriceItemFilter>,
) -> Result<Json<Vec<PriceItemView>>, ApiError> {
    Ok(Json(billing::list(&state.app, &actor, &filter).await?))
}

#[utoipa::path(post, path = "/price-items", tag = "billing", request_body = PriceItemInput,
    responses((status = 201, body = PriceItemView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_price_item(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<PriceItemInput>,
) -> Result<Response, ApiError> {
    Ok(created(billing::create(&state.app, &actor, &input).await?))
}

#[utoipa::path(put, path = "/price-items/{id}", tag = "billing", params(("id" = i64, Path)), request_body = PriceItemInput,
    responses((status = 200, body = PriceItemView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_price_item(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PriceItemInput>,
) -> Result<Json<PriceItemView>, ApiError> {
    Ok(Json(billing::update(&state.app, &actor, id, &input).await?))
}

#[utoipa::path(get, path = "/service-orders/{id}/charges", tag = "billing", params(("id" = i64, Path)),
    responses((status = 200, body = ChargesView), (status = 404, body = ErrorBody)))]
async fn list_charges(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ChargesView>, ApiError> {
    Ok(Json(billing::charges(&state.app, &actor, id).await?))
}

#[utoipa::path(post, path = "/service-orders/{id}/charges", tag = "billing", params(("id" = i64, Path)), request_body = ChargeInput,
    responses((status = 201, body = ChargesView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_charge(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ChargeInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        billing::add_charge(&state.app, &actor, id, &input).await?,
    ))
}

#[utoipa::path(delete, path = "/service-orders/{id}/charges/{charge_id}", tag = "billing",
    params(("id" = i64, Path), ("charge_id" = i64, Path)),
    responses((status = 200, body = ChargesView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn remove_charge(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, charge_id)): Path<(i64, i64)>,
) -> Result<Json<ChargesView>, ApiError> {
    Ok(Json(
        billing::remove_charge(&state.app, &actor, id, charge_id).await?,
    ))
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct ShownInput {
    /// The order's version read; a stale version answers 409.
    pub version: i32,
}

#[utoipa::path(post, path = "/service-orders/{id}/price-schedule-shown", tag = "billing", params(("id" = i64, Path)), request_body = ShownInput,
    responses((status = 200, body = aftersales_app::service_orders::OrderView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn show_price_schedule(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ShownInput>,
) -> Result<Json<aftersales_app::service_orders::OrderView>, ApiError> {
    Ok(Json(
        billing::record_schedule_shown(&state.app, &actor, id, input.version).await?,
    ))
}
