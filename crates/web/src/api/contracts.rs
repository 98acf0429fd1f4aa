//! Maintenance contracts.

use aftersales_app::contracts::{self, ContractFilter, ContractInput, ContractView};
use aftersales_app::page::{Page, PageRequest};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser, Idempotency};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_contracts,
        create_contract,
        get_contract,
        update_contract,
        change_contract_status
    ),
    components(schemas(ContractInput, ContractView, StatusInput))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/contracts", get(list_contracts).post(create_contract))
        .route("/contracts/{id}", get(get_contract).put(update_contract))
        .route("/contracts/{id}/status", post(change_contract_status))
}

#[utoipa::path(get, path = "/contracts", tag = "contracts", params(ContractFilter, PageRequest), responses((status = 200, body = Page<ContractView>)))]
async fn list_contracts(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<ContractFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<ContractView>>, ApiError> {
    Ok(Json(
        contracts::list(&state.app, &actor, &filter, page).await?,
    ))
}

/// Creates a draft contract; sign it with the status endpoint.
#[utoipa::path(post, path = "/contracts", tag = "contracts", request_body = ContractInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = ContractView), (status = 422, body = ErrorBody)))]
async fn create_contract(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Idempotency(key): Idempotency,
    ApiJson(input): ApiJson<ContractInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        contracts::create(&state.app, &actor, &input, key.as_ref()).await?,
    ))
}

#[utoipa::path(get, path = "/contracts/{id}", tag = "contracts", params(("id" = i64, Path)), responses((status = 200, body = ContractView), (status = 404, body = ErrorBody)))]
async fn get_contract(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ContractView>, ApiError> {
    Ok(Json(contracts::get(&state.app, &actor, id).await?))
}

#[utoipa::path(put, path = "/contracts/{id}", tag = "contracts", params(("id" = i64, Path)), request_body = ContractInput, responses((status = 200, body = ContractView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_contract(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ContractInput>,
) -> Result<Json<ContractView>, ApiError> {
    Ok(Json(
        contracts::update(&state.app, &actor, id, &input).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StatusInput {
    /// active (sign), terminated or renewed.
    pub status: String,
    pub version: i32,
}

/// Signs, terminates or marks renewed; an impossible change answers 409.
#[utoipa::path(post, path = "/contracts/{id}/status", tag = "contracts", params(("id" = i64, Path)), request_body = StatusInput, responses((status = 200, body = ContractView), (status = 409, body = ErrorBody)))]
async fn change_contract_status(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StatusInput>,
) -> Result<Json<ContractView>, ApiError> {
    Ok(Json(
        contracts::change_status(&state.app, &actor, id, &input.status, input.version).await?,
    ))
}
