//! Returns and exchanges (退换货): requests, the review and its explained decision, the
//! inspection report, the later steps, department tasks and the repair order offered on a
//! refusal.

use aftersales_app::page::{Page, PageRequest};
use aftersales_app::returns::{
    self, DecisionView, File, FileInput, ReturnFilter, ReturnInput, ReturnStepInput,
    ReturnTaskView, ReturnView, ReviewInput,
};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser, Idempotency};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_returns,
        create_return,
        get_return,
        review_return,
        attach_report,
        step_return,
        complete_task,
        create_repair_order
    ),
    components(schemas(
        ReturnInput,
        FileInput,
        ReviewInput,
        ReportInput,
        ReturnStepInput,
        ReturnView,
        DecisionView,
        ReturnTaskView
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/returns", get(list_returns).post(create_return))
        .route("/returns/{id}", get(get_return))
        .route("/returns/{id}/review", post(review_return))
        .route("/returns/{id}/report", post(attach_report))
        .route("/returns/{id}/step", post(step_return))
        .route("/returns/{id}/tasks/{task_id}/done", post(complete_task))
        .route("/returns/{id}/repair-order", post(create_repair_order))
}

#[utoipa::path(get, path = "/returns", tag = "returns", params(ReturnFilter, PageRequest), responses((status = 200, body = Page<ReturnView>)))]
async fn list_returns(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<ReturnFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<ReturnView>>, ApiError> {
    Ok(Json(
        returns::list(&state.app, &actor, &filter, page).await?,
    ))
}

/// Files a return or exchange request; the proof of purchase goes inline as base64.
#[utoipa::path(post, path = "/returns", tag = "returns", request_body = ReturnInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = ReturnView), (status = 422, body = ErrorBody)))]
async fn create_return(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Idempotency(key): Idempotency,
    ApiJson(input): ApiJson<ReturnInput>,
) -> Result<Response, ApiError> {
    let proof = input.proof.as_ref().map(File::from_input);
    Ok(created(
        returns::create(&state.app, &actor, &input, proof, key.as_ref()).await?,
    ))
}

#[utoipa::path(get, path = "/returns/{id}", tag = "returns", params(("id" = i64, Path)), responses((status = 200, body = ReturnView), (status = 404, body = ErrorBody)))]
async fn get_return(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ReturnView>, ApiError> {
    Ok(Json(returns::get(&state.app, &actor, id).await?))
}

/// Records the goods' state; the rules decide and explain (approved, refused,
/// awaiting_report). An approval creates the department tasks.
#[utoipa::path(post, path = "/returns/{id}/review", tag = "returns", params(("id" = i64, Path)), request_body = ReviewInput,
    responses((status = 200, body = ReturnView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn review_return(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<Json<ReturnView>, ApiError> {
    Ok(Json(returns::review(&state.app, &actor, id, &input).await?))
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct ReportInput {
    pub version: i32,
    /// The quality inspection report (商品质量检验报告).
    pub report: FileInput,
}

/// Files the quality inspection report of a 三包 return after 7 days; the rules decide again.
#[utoipa::path(post, path = "/returns/{id}/report", tag = "returns", params(("id" = i64, Path)), request_body = ReportInput,
    responses((status = 200, body = ReturnView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn attach_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReportInput>,
) -> Result<Json<ReturnView>, ApiError> {
    let report = File::from_input(&input.report);
    Ok(Json(
        returns::attach_report(&state.app, &actor, id, input.version, report).await?,
    ))
}

/// receive_goods, refund, exchange, or close (with root cause and responsibility).
#[utoipa::path(post, path = "/returns/{id}/step", tag = "returns", params(("id" = i64, Path)), request_body = ReturnStepInput,
    responses((status = 200, body = ReturnView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn step_return(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReturnStepInput>,
) -> Result<Json<ReturnView>, ApiError> {
    Ok(Json(returns::step(&state.app, &actor, id, &input).await?))
}

#[utoipa::path(post, path = "/returns/{id}/tasks/{task_id}/done", tag = "returns", params(("id" = i64, Path), ("task_id" = i64, Path)),
    responses((status = 200, body = ReturnView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn complete_task(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, task_id)): Path<(i64, i64)>,
) -> Result<Json<ReturnView>, ApiError> {
    Ok(Json(
        returns::complete_task(&state.app, &actor, id, task_id).await?,
    ))
}

/// Turns a refusal that offered a repair into a paid (A) service order.
#[utoipa::path(post, path = "/returns/{id}/repair-order", tag = "returns", params(("id" = i64, Path)),
    responses((status = 200, body = ReturnView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_repair_order(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ReturnView>, ApiError> {
    Ok(Json(
        returns::create_repair_order(&state.app, &actor, id).await?,
    ))
}
