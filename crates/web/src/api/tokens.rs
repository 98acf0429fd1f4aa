//! API tokens for integrations (administrators only).

use aftersales_app::auth::{self, ApiTokenView};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_api_tokens, create_api_token, revoke_api_token),
    components(schemas(ApiTokenView, TokenInput, CreatedToken))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api-tokens", get(list_api_tokens).post(create_api_token))
        .route("/api-tokens/{id}", delete(revoke_api_token))
}

#[utoipa::path(get, path = "/api-tokens", tag = "api tokens", responses((status = 200, body = [ApiTokenView]), (status = 403, body = ErrorBody)))]
async fn list_api_tokens(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<ApiTokenView>>, ApiError> {
    Ok(Json(auth::list_api_tokens(&state.app, &actor).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenInput {
    pub name: String,
    /// The user the token acts as.
    pub user_id: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub token: ApiTokenView,
    /// The secret; shown once, stored only as a hash.
    pub secret: String,
}

#[utoipa::path(post, path = "/api-tokens", tag = "api tokens", request_body = TokenInput, responses((status = 201, body = CreatedToken), (status = 403, body = ErrorBody)))]
async fn create_api_token(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<TokenInput>,
) -> Result<Response, ApiError> {
    let (token, secret) =
        auth::create_api_token(&state.app, &actor, &input.name, input.user_id).await?;
    Ok(created(CreatedToken { token, secret }))
}

#[utoipa::path(delete, path = "/api-tokens/{id}", tag = "api tokens", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_api_token(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    auth::revoke_api_token(&state.app, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
