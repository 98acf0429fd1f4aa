//! Complaints (客户投诉): registration, routing, department tasks, the reply clock,
//! reminders (催办单) and follow-ups (洽办单), closing, the monthly review and the
//! reward/penalty notice (奖罚通知单).

use aftersales_app::complaints::{
    self, ApproveInput, ComplaintFilter, ComplaintSummary, ComplaintView, CopyInput, CopyView,
    DisciplineFinding, ExecutiveReviewInput, HandlingInput, LogInput, LogView, MonthReview,
    NoticeDraftInput, NoticeFilter, NoticeInput, NoticeView, RegisterInput, ReviewCase,
    ReviewInput, RewardPenaltyNoticeView, RouteInput, RoutingInput, RoutingRule, StepInput,
    TaskFilter, TaskInput, TaskView,
};
use aftersales_app::page::{Page, PageRequest};
use aftersales_app::sla_clocks::ClockView;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct MonthQuery {
    /// YYYY-MM; empty: last month.
    pub month: Option<String>,
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list_complaints,
        register_complaint,
        get_complaint,
        set_complaint_handling,
        route_complaint,
        log_complaint,
        review_complaint_as_executive,
        step_complaint,
        review_complaint,
        list_complaint_tasks,
        update_complaint_task,
        list_complaint_notices,
        decide_complaint_notice,
        list_complaint_routing,
        set_complaint_routing,
        get_complaint_review,
        draft_reward_penalty_notice,
        get_reward_penalty_notice,
        approve_reward_penalty_notice,
        receive_reward_penalty_copy
    ),
    components(schemas(
        ComplaintSummary,
        ComplaintView,
        RegisterInput,
        HandlingInput,
        RouteInput,
        LogInput,
        LogView,
        ExecutiveReviewInput,
        StepInput,
        ReviewInput,
        TaskView,
        TaskInput,
        NoticeView,
        NoticeInput,
        RoutingRule,
        RoutingInput,
        MonthReview,
        ReviewCase,
        NoticeDraftInput,
        RewardPenaltyNoticeView,
        CopyView,
        ApproveInput,
        CopyInput,
        DisciplineFinding,
        ClockView
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(list_complaints).post(register_complaint))
        .route("/complaints/{id}", get(get_complaint))
        .route("/complaints/{id}/handling", put(set_complaint_handling))
        .route("/complaints/{id}/route", post(route_complaint))
        .route("/complaints/{id}/logs", post(log_complaint))
        .route(
            "/complaints/{id}/executive-review",
            post(review_complaint_as_executive),
        )
        .route("/complaints/{id}/steps", post(step_complaint))
        .route("/complaints/{id}/review", post(review_complaint))
        .route("/complaint-tasks", get(list_complaint_tasks))
        .route("/complaint-tasks/{id}", put(update_complaint_task))
        .route("/complaint-notices", get(list_complaint_notices))
        .route("/complaint-notices/{id}", post(decide_complaint_notice))
        .route("/complaint-routing", get(list_complaint_routing))
        .route(
            "/complaint-routing/{complaint_type}",
            put(set_complaint_routing),
        )
        .route("/complaint-reviews", get(get_complaint_review))
        .route("/reward-penalty-notices", post(draft_reward_penalty_notice))
        .route(
            "/reward-penalty-notices/{id}",
            get(get_reward_penalty_notice),
        )
        .route(
            "/reward-penalty-notices/{id}/approve",
            post(approve_reward_penalty_notice),
        )
        .route(
            "/reward-penalty-notices/{id}/copies",
            post(receive_reward_penalty_copy),
        )
}

/// Complaints in the actor's scope, newest first.
#[utoipa::path(get, path = "/complaints", tag = "complaints", params(ComplaintFilter, PageRequest), responses((status = 200, body = Page<ComplaintSummary>), (status = 404, body = ErrorBody)))]
async fn list_complaints(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<ComplaintFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<ComplaintSummary>>, ApiError> {
    Ok(Json(
        complaints::list(&state.app, &actor, &filter, page).await?,
    ))
}

/// Registers a complaint or complaint tendency (客户抱怨处理表).
#[utoipa::path(post, path = "/complaints", tag = "complaints", request_body = RegisterInput, responses((status = 201, body = ComplaintView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register_complaint(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<RegisterInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        complaints::register(&state.app, &actor, &input).await?,
    ))
}

/// One complaint with its tasks, log, notices and reply clock.
#[utoipa::path(get, path = "/complaints/{id}", tag = "complaints", params(("id" = i64, Path)), responses((status = 200, body = ComplaintView), (status = 404, body = ErrorBody)))]
async fn get_complaint(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ComplaintView>, ApiError> {
    Ok(Json(complaints::get(&state.app, &actor, id).await?))
}

/// Names the handler and sets the handling deadline.
#[utoipa::path(put, path = "/complaints/{id}/handling", tag = "complaints", params(("id" = i64, Path)), request_body = HandlingInput, responses((status = 200, body = ComplaintView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_complaint_handling(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<HandlingInput>,
) -> Result<Json<ComplaintView>, ApiError> {
    Ok(Json(
        complaints::set_handling(&state.app, &actor, id, &input).await?,
    ))
}

/// Routes the complaint to departments, one task each.
#[utoipa::path(post, path = "/complaints/{id}/route", tag = "complaints", params(("id" = i64, Path)), request_body = RouteInput, responses((status = 200, body = ComplaintView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn route_complaint(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RouteInput>,
) -> Result<Json<ComplaintView>, ApiError> {
    Ok(Json(
        complaints::route(&state.app, &actor, id, &input).await?,
    ))
}

/// Logs a reply, visit, call, case conference, outcome told or note.
#[utoipa::path(post, path = "/complaints/{id}/logs", tag = "complaints", params(("id" = i64, Path)), request_body = LogInput, responses((status = 201, body = ComplaintView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn log_complaint(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<LogInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        complaints::log(&state.app, &actor, id, &input).await?,
    ))
}

/// The deputy GM's / GM's review of a serious case.
#[utoipa::path(post, path = "/complaints/{id}/executive-review", tag = "complaints", params(("id" = i64, Path)), request_body = ExecutiveReviewInput, responses((status = 200, body = ComplaintView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn review_complaint_as_executive(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ExecutiveReviewInput>,
) -> Result<Json<ComplaintView>, ApiError> {
    Ok(Json(
        complaints::executive_review(&state.app, &actor, id, &input).await?,
    ))
}

/// Moves the case: decide, start_remedy, set_corrective_action, confirm_effect, close, reopen.
#[utoipa::path(post, path = "/complaints/{id}/steps", tag = "complaints", params(("id" = i64, Path)), request_body = StepInput, responses((status = 200, body = ComplaintView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn step_complaint(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StepInput>,
) -> Result<Json<ComplaintView>, ApiError> {
    Ok(Json(
        complaints::step(&state.app, &actor, id, &input).await?,
    ))
}

/// The monthly review of a closed case: sanction and amount.
#[utoipa::path(post, path = "/complaints/{id}/review", tag = "complaints", params(("id" = i64, Path)), request_body = ReviewInput, responses((status = 200, body = ComplaintView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn review_complaint(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<Json<ComplaintView>, ApiError> {
    Ok(Json(
        complaints::review(&state.app, &actor, id, &input).await?,
    ))
}

/// Department tasks, oldest due first.
#[utoipa::path(get, path = "/complaint-tasks", tag = "complaints", params(TaskFilter, PageRequest), responses((status = 200, body = Page<TaskView>), (status = 404, body = ErrorBody)))]
async fn list_complaint_tasks(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<TaskFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<TaskView>>, ApiError> {
    Ok(Json(
        complaints::tasks(&state.app, &actor, &filter, page).await?,
    ))
}

/// A department's findings; `done` finishes the task.
#[utoipa::path(put, path = "/complaint-tasks/{id}", tag = "complaints", params(("id" = i64, Path)), request_body = TaskInput, responses((status = 200, body = TaskView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_complaint_task(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TaskInput>,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(
        complaints::update_task(&state.app, &actor, id, &input).await?,
    ))
}

/// Overdue reminders (催办单) and follow-up notices (洽办单).
#[utoipa::path(get, path = "/complaint-notices", tag = "complaints", params(NoticeFilter, PageRequest), responses((status = 200, body = Page<NoticeView>), (status = 404, body = ErrorBody)))]
async fn list_complaint_notices(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<NoticeFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<NoticeView>>, ApiError> {
    Ok(Json(
        complaints::notices(&state.app, &actor, &filter, page).await?,
    ))
}

/// Sends or drops a proposed 洽办单, or logs a department's reply.
#[utoipa::path(post, path = "/complaint-notices/{id}", tag = "complaints", params(("id" = i64, Path)), request_body = NoticeInput, responses((status = 200, body = NoticeView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_complaint_notice(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<NoticeInput>,
) -> Result<Json<NoticeView>, ApiError> {
    Ok(Json(
        complaints::decide_notice(&state.app, &actor, id, &input).await?,
    ))
}

/// The routing rules in force, per complaint type.
#[utoipa::path(get, path = "/complaint-routing", tag = "complaints", responses((status = 200, body = Vec<RoutingRule>), (status = 404, body = ErrorBody)))]
async fn list_complaint_routing(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<RoutingRule>>, ApiError> {
    Ok(Json(complaints::routing(&state.app, &actor).await?))
}

/// Replaces one type's routing rule (empty: defaults).
#[utoipa::path(put, path = "/complaint-routing/{complaint_type}", tag = "complaints", params(("complaint_type" = String, Path)), request_body = RoutingInput, responses((status = 200, body = Vec<RoutingRule>), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_complaint_routing(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(complaint_type): Path<String>,
    ApiJson(input): ApiJson<RoutingInput>,
) -> Result<Json<Vec<RoutingRule>>, ApiError> {
    Ok(Json(
        complaints::set_routing(&state.app, &actor, &complaint_type, &input).await?,
    ))
}

/// A month's closed cases with their review and the HR list.
#[utoipa::path(get, path = "/complaint-reviews", tag = "complaints", params(MonthQuery), responses((status = 200, body = MonthReview), (status = 404, body = ErrorBody)))]
async fn get_complaint_review(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(query): ApiQuery<MonthQuery>,
) -> Result<Json<MonthReview>, ApiError> {
    Ok(Json(
        complaints::month_review(&state.app, &actor, query.month.as_deref()).await?,
    ))
}

/// Drafts the month's reward/penalty notice (奖罚通知单).
#[utoipa::path(post, path = "/reward-penalty-notices", tag = "complaints", request_body = NoticeDraftInput, responses((status = 201, body = RewardPenaltyNoticeView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn draft_reward_penalty_notice(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<NoticeDraftInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        complaints::draft_reward_penalty(&state.app, &actor, &input).await?,
    ))
}

/// One reward/penalty notice with its lines and copies.
#[utoipa::path(get, path = "/reward-penalty-notices/{id}", tag = "complaints", params(("id" = i64, Path)), responses((status = 200, body = RewardPenaltyNoticeView), (status = 404, body = ErrorBody)))]
async fn get_reward_penalty_notice(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<RewardPenaltyNoticeView>, ApiError> {
    Ok(Json(
        complaints::reward_penalty_notice(&state.app, &actor, id).await?,
    ))
}

/// The general manager approves the notice.
#[utoipa::path(post, path = "/reward-penalty-notices/{id}/approve", tag = "complaints", params(("id" = i64, Path)), request_body = ApproveInput, responses((status = 200, body = RewardPenaltyNoticeView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn approve_reward_penalty_notice(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ApproveInput>,
) -> Result<Json<RewardPenaltyNoticeView>, ApiError> {
    Ok(Json(
        complaints::approve_reward_penalty(&state.app, &actor, id, &input).await?,
    ))
}

/// Records the receipt of one of the three printed copies.
#[utoipa::path(post, path = "/reward-penalty-notices/{id}/copies", tag = "complaints", params(("id" = i64, Path)), request_body = CopyInput, responses((status = 200, body = RewardPenaltyNoticeView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn receive_reward_penalty_copy(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CopyInput>,
) -> Result<Json<RewardPenaltyNoticeView>, ApiError> {
    Ok(Json(
        complaints::receive_copy(&state.app, &actor, id, &input).await?,
    ))
}
