//! The product catalogue.

use aftersales_app::page::{Page, PageRequest};
use aftersales_app::products::{self, ComponentInput, ProductFilter, ProductInput, ProductView};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser, Idempotency};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_products, create_product, get_product, update_product),
    components(schemas(ProductInput, ProductView, ComponentInput))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/products", get(list_products).post(create_product))
        .route("/products/{id}", get(get_product).put(update_product))
}

#[utoipa::path(get, path = "/products", tag = "products", params(ProductFilter, PageRequest), responses((status = 200, body = Page<ProductView>)))]
async fn list_products(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<ProductFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<ProductView>>, ApiError> {
    Ok(Json(
        products::list(&state.app, &actor, &filter, page).await?,
    ))
}

#[utoipa::path(post, path = "/products", tag = "products", request_body = ProductInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = ProductView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_product(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Idempotency(key): Idempotency,
    ApiJson(input): ApiJson<ProductInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        products::create(&state.app, &actor, &input, key.as_ref()).await?,
    ))
}

#[utoipa::path(get, path = "/products/{id}", tag = "products", params(("id" = i64, Path)), responses((status = 200, body = ProductView), (status = 404, body = ErrorBody)))]
async fn get_product(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ProductView>, ApiError> {
    Ok(Json(products::get(&state.app, &actor, id).await?))
}

#[utoipa::path(put, path = "/products/{id}", tag = "products", params(("id" = i64, Path)), request_body = ProductInput, responses((status = 200, body = ProductView), (status = 409, body = ErrorBody)))]
async fn update_product(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProductInput>,
) -> Result<Json<ProductView>, ApiError> {
    Ok(Json(
        products::update(&state.app, &actor, id, &input).await?,
    ))
}
