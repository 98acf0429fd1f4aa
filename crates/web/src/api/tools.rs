//! Tools and test equipment: the register, custody steps, and tool purchase requests.

use aftersales_app::page::{Page, PageRequest};
use aftersales_app::tools::{
    self, CompensationView, QuoteInput, QuoteView, ToolEventView, ToolFilter, ToolInput,
    ToolPurchaseFilter, ToolPurchaseInput, ToolPurchaseStepInput, ToolPurchaseView, ToolStepInput,
    ToolView,
};
use aftersales_app::AppError;
use aftersales_domain::tools::{PurchaseEvent, ToolEvent};
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
        list_tools,
        register_tool,
        get_tool,
        tool_step,
        list_tool_purchases,
        create_tool_purchase,
        tool_purchase_step
    ),
    components(schemas(
        ToolInput,
        ToolView,
        ToolEventView,
        CompensationView,
        ToolStepInput,
        QuoteInput,
        QuoteView,
        ToolPurchaseInput,
        ToolPurchaseView,
        ToolPurchaseStepInput
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tools", get(list_tools).post(register_tool))
        .route("/tools/{id}", get(get_tool))
        .route("/tools/{id}/{event}", post(tool_step))
        .route(
            "/tool-purchases",
            get(list_tool_purchases).post(create_tool_purchase),
        )
        .route("/tool-purchases/{id}/{event}", post(tool_purchase_step))
}

/// The tools in scope (a technician: the tools they hold).
#[utoipa::path(get, path = "/tools", tag = "tools", params(ToolFilter), responses((status = 200, body = Vec<ToolView>)))]
async fn list_tools(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<ToolFilter>,
) -> Result<Json<Vec<ToolView>>, ApiError> {
    Ok(Json(tools::list(&state.app, &actor, &filter).await?))
}

/// Registers a tool (a fixed asset when valued at or above `tools.fixed_asset_threshold`).
#[utoipa::path(post, path = "/tools", tag = "tools", request_body = ToolInput,
    responses((status = 201, body = ToolView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register_tool(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<ToolInput>,
) -> Result<Response, ApiError> {
    Ok(created(tools::register(&state.app, &actor, &input).await?))
}

#[utoipa::path(get, path = "/tools/{id}", tag = "tools", params(("id" = i64, Path)),
    responses((status = 200, body = ToolView), (status = 404, body = ErrorBody)))]
async fn get_tool(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ToolView>, ApiError> {
    Ok(Json(tools::get(&state.app, &actor, id).await?))
}

/// issue, return, hand_over, loss, damage or wear_out.
#[utoipa::path(post, path = "/tools/{id}/{event}", tag = "tools", params(("id" = i64, Path), ("event" = String, Path)), request_body = ToolStepInput,
    responses((status = 200, body = ToolView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn tool_step(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, event)): Path<(i64, String)>,
    ApiJson(input): ApiJson<ToolStepInput>,
) -> Result<Json<ToolView>, ApiError> {
    let event = ToolEvent::parse(&event).ok_or(AppError::NotFound)?;
    Ok(Json(
        tools::step(&state.app, &actor, id, event, &input).await?,
    ))
}

#[utoipa::path(get, path = "/tool-purchases", tag = "tools", params(ToolPurchaseFilter, PageRequest),
    responses((status = 200, body = Page<ToolPurchaseView>), (status = 403, body = ErrorBody)))]
async fn list_tool_purchases(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<ToolPurchaseFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<ToolPurchaseView>>, ApiError> {
    Ok(Json(
        tools::list_purchases(&state.app, &actor, &filter, page).await?,
    ))
}

/// The service department's price enquiry with its quotes.
#[utoipa::path(post, path = "/tool-purchases", tag = "tools", request_body = ToolPurchaseInput,
    responses((status = 201, body = ToolPurchaseView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_tool_purchase(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<ToolPurchaseInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        tools::create_purchase(&state.app, &actor, &input).await?,
    ))
}

/// price_check (finance), approve (the supervisor), reject, purchase (registers the tool).
#[utoipa::path(post, path = "/tool-purchases/{id}/{event}", tag = "tools", params(("id" = i64, Path), ("event" = String, Path)), request_body = ToolPurchaseStepInput,
    responses((status = 200, body = ToolPurchaseView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn tool_purchase_step(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, event)): Path<(i64, String)>,
    ApiJson(input): ApiJson<ToolPurchaseStepInput>,
) -> Result<Json<ToolPurchaseView>, ApiError> {
    let event = PurchaseEvent::parse(&event).ok_or(AppError::NotFound)?;
    Ok(Json(
        tools::purchase_step(&state.app, &actor, id, event, &input).await?,
    ))
}
