//! Improvement suggestions (STAFF-5): submitted by any employee, answered and rewarded by
//! the customer department, which also enters public-place forms and survey suggestions.

use aftersales_app::page::{Page, PageRequest};
use aftersales_app::suggestions::{
    self, AnswerInput, RewardInput, SuggestionFilter, SuggestionInput, SuggestionView,
};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_suggestions,
        submit_suggestion,
        answer_suggestion,
        reward_suggestion
    ),
    components(schemas(SuggestionView, SuggestionInput, AnswerInput, RewardInput))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/suggestions",
            get(list_suggestions).post(submit_suggestion),
        )
        .route("/suggestions/{id}/answer", post(answer_suggestion))
        .route("/suggestions/{id}/reward", post(reward_suggestion))
}

/// All suggestions (the customer department) or the caller's own, newest first.
#[utoipa::path(get, path = "/suggestions", tag = "suggestions", params(SuggestionFilter, PageRequest), responses((status = 200, body = Page<SuggestionView>)))]
async fn list_suggestions(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<SuggestionFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<SuggestionView>>, ApiError> {
    Ok(Json(
        suggestions::list(&state.app, &actor, &filter, page).await?,
    ))
}

/// Submits a suggestion; `source` public_place or survey needs the customer department.
#[utoipa::path(post, path = "/suggestions", tag = "suggestions", request_body = SuggestionInput,
    responses((status = 201, body = SuggestionView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit_suggestion(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<SuggestionInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        suggestions::submit(&state.app, &actor, &input).await?,
    ))
}

#[utoipa::path(post, path = "/suggestions/{id}/answer", tag = "suggestions", params(("id" = i64, Path)), request_body = AnswerInput,
    responses((status = 200, body = SuggestionView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer_suggestion(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> Result<Json<SuggestionView>, ApiError> {
    Ok(Json(
        suggestions::answer(&state.app, &actor, id, &input).await?,
    ))
}

/// Rewards an answered suggestion (once): an amount in fen and/or a description.
#[utoipa::path(post, path = "/suggestions/{id}/reward", tag = "suggestions", params(("id" = i64, Path)), request_body = RewardInput,
    responses((status = 200, body = SuggestionView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reward_suggestion(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RewardInput>,
) -> Result<Json<SuggestionView>, ApiError> {
    Ok(Json(
        suggestions::reward(&state.app, &actor, id, &input).await?,
    ))
}
