//! The help an order gets besides its technician's work: tasks for experts, specialists and
//! departments, lateness notices, requirement decisions and the carry list.

use aftersales_app::carry_list::{self, CarryLine, CarryList};
use aftersales_app::order_tasks::{self, AssignInput, CloseInput, TaskInput, TaskView};
use aftersales_app::requirement_evaluations::{self, EvaluationInput, EvaluationView};
use aftersales_app::service_orders::{self, LatenessInput, OrderView};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_order_tasks,
        open_order_task,
        waiting_order_tasks,
        assign_order_task,
        close_order_task,
        report_lateness,
        get_requirement_decision,
        decide_requirement,
        get_carry_list
    ),
    components(schemas(
        TaskInput,
        TaskView,
        AssignInput,
        CloseInput,
        LatenessInput,
        EvaluationInput,
        EvaluationView,
        CarryLine,
        CarryList
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/service-orders/{id}/tasks",
            get(list_order_tasks).post(open_order_task),
        )
        .route("/order-tasks", get(waiting_order_tasks))
        .route("/order-tasks/{id}/assign", post(assign_order_task))
        .route("/order-tasks/{id}/close", post(close_order_task))
        .route(
            "/service-orders/{id}/lateness-notice",
            post(report_lateness),
        )
        .route(
            "/service-orders/{id}/requirement-decision",
            get(get_requirement_decision).post(decide_requirement),
        )
        .route("/service-orders/{id}/carry-list", get(get_carry_list))
}

/// The order's tasks for experts, specialists and departments, oldest first.
#[utoipa::path(get, path = "/service-orders/{id}/tasks", tag = "service-orders", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<TaskView>), (status = 404, body = ErrorBody)))]
async fn list_order_tasks(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<TaskView>>, ApiError> {
    Ok(Json(order_tasks::for_order(&state.app, &actor, id).await?))
}

/// Asks for help: technical support or a specialist's answer (DISPATCH-7), transport or
/// quality feedback (REPAIR-7), supplier coordination (REPAIR-8), a test-environment test
/// (SOFTWARE-4). The order's technician or a supervisor.
#[utoipa::path(post, path = "/service-orders/{id}/tasks", tag = "service-orders", params(("id" = i64, Path)), request_body = TaskInput,
    responses((status = 201, body = TaskView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_order_task(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TaskInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        order_tasks::open(&state.app, &actor, id, &input).await?,
    ))
}

/// Open tasks waiting for the signed-in user (named to them, sent to their department,
/// test tasks for development leads, unassigned requests for supervisors).
#[utoipa::path(get, path = "/order-tasks", tag = "service-orders", responses((status = 200, body = Vec<TaskView>)))]
async fn waiting_order_tasks(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<TaskView>>, ApiError> {
    Ok(Json(order_tasks::waiting_for(&state.app, &actor).await?))
}

/// The supervisor names the expert or specialist of a support request or a question.
#[utoipa::path(post, path = "/order-tasks/{id}/assign", tag = "service-orders", params(("id" = i64, Path)), request_body = AssignInput,
    responses((status = 200, body = TaskView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign_order_task(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AssignInput>,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(
        order_tasks::assign(&state.app, &actor, id, &input).await?,
    ))
}

/// Closes a task with its outcome (and a transport's cost in fen).
#[utoipa::path(post, path = "/order-tasks/{id}/close", tag = "service-orders", params(("id" = i64, Path)), request_body = CloseInput,
    responses((status = 200, body = TaskView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close_order_task(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CloseInput>,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(
        order_tasks::close(&state.app, &actor, id, &input).await?,
    ))
}

/// The technician tells the supervisor they will be late, before the arrival deadline
/// (DISPATCH-5): without such a notice a missed arrival is treated as absenteeism.
#[utoipa::path(post, path = "/service-orders/{id}/lateness-notice", tag = "service-orders", params(("id" = i64, Path)), request_body = LatenessInput,
    responses((status = 200, body = OrderView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report_lateness(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<LatenessInput>,
) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(
        service_orders::report_lateness(&state.app, &actor, id, &input).await?,
    ))
}

/// The development lead's decision on a software requirement (null until made).
#[utoipa::path(get, path = "/service-orders/{id}/requirement-decision", tag = "service-orders", params(("id" = i64, Path)),
    responses((status = 200, body = Option<EvaluationView>), (status = 404, body = ErrorBody)))]
async fn get_requirement_decision(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Option<EvaluationView>>, ApiError> {
    Ok(Json(
        requirement_evaluations::get(&state.app, &actor, id).await?,
    ))
}

/// Decides on a software requirement after the evaluation checklist and sends the decision
/// to the customer (SOFTWARE-3).
#[utoipa::path(post, path = "/service-orders/{id}/requirement-decision", tag = "service-orders", params(("id" = i64, Path)), request_body = EvaluationInput,
    responses((status = 201, body = EvaluationView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_requirement(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EvaluationInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        requirement_evaluations::decide(&state.app, &actor, id, &input).await?,
    ))
}

/// What the technician should carry (DISPATCH-6): parts used in similar repairs, then parts
/// fitting the product, with the van's and the branch's stock.
#[utoipa::path(get, path = "/service-orders/{id}/carry-list", tag = "service-orders", params(("id" = i64, Path)),
    responses((status = 200, body = CarryList), (status = 404, body = ErrorBody)))]
async fn get_carry_list(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CarryList>, ApiError> {
    Ok(Json(carry_list::of_order(&state.app, &actor, id).await?))
}
