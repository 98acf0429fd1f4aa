//! Installed units with their warranty and contract coverage.

use aftersales_app::page::{Page, PageRequest};
use aftersales_app::units::{self, CoverageView, UnitFilter, UnitInput, UnitSummary, UnitView};
use aftersales_app::AppError;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser, Idempotency};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_units, create_unit, get_unit, update_unit),
    components(schemas(UnitInput, UnitView, UnitSummary, CoverageView))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units", get(list_units).post(create_unit))
        .route("/units/{id}", get(get_unit).put(update_unit))
}

#[utoipa::path(get, path = "/units", tag = "units", params(UnitFilter, PageRequest), responses((status = 200, body = Page<UnitSummary>)))]
async fn list_units(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<UnitFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<UnitSummary>>, ApiError> {
    Ok(Json(units::list(&state.app, &actor, &filter, page).await?))
}

/// Registers a sold unit. The purchase date cannot be in the future; prices are fen ≥ 0.
#[utoipa::path(post, path = "/units", tag = "units", request_body = UnitInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = UnitView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_unit(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Idempotency(key): Idempotency,
    ApiJson(input): ApiJson<UnitInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        units::create(&state.app, &actor, &input, key.as_ref()).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct OnQuery {
    /// The date to compute warranty and coverage for (YYYY-MM-DD); today by default.
    on: Option<String>,
}

/// A unit with its warranty per component and its contract coverage on a date.
#[utoipa::path(get, path = "/units/{id}", tag = "units", params(("id" = i64, Path), OnQuery), responses((status = 200, body = UnitView), (status = 404, body = ErrorBody)))]
async fn get_unit(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<OnQuery>,
) -> Result<Json<UnitView>, ApiError> {
    let on = match query.on.as_deref().filter(|d| !d.is_empty()) {
        Some(text) => Some(
            aftersales_domain::validation::date(text)
                .map_err(|code| AppError::invalid("on", code))?,
        ),
        None => None,
    };
    Ok(Json(units::get(&state.app, &actor, id, on).await?))
}

#[utoipa::path(put, path = "/units/{id}", tag = "units", params(("id" = i64, Path)), request_body = UnitInput, responses((status = 200, body = UnitView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_unit(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<UnitInput>,
) -> Result<Json<UnitView>, ApiError> {
    Ok(Json(units::update(&state.app, &actor, id, &input).await?))
}
