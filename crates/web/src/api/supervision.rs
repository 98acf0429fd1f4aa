//! Service supervision: staff evaluations and compliance reviews (SUPERVISION-1), logged
//! visits, forums and committee meetings with the visit-coverage report and visit plans
//! (SUPERVISION-4, CUSTOMER-5, T24), the hotline re-check (SUPERVISION-3), and
//! mystery-shopper reports (SUPERVISION-5: 404 outside the supervision department).

use aftersales_app::page::{Page, PageRequest};
use aftersales_app::supervision::{
    self, ActivityFilter, ActivityInput, ActivityView, CoverageRow, EvaluationFilter,
    EvaluationInput, EvaluationView, MysteryReportInput, MysteryReportView, OperatorMetrics,
    RecheckCase, RecheckFilter, RecheckInput, RecheckReport, VisitPlanInput, VisitTaskView,
};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_evaluations,
        record_evaluation,
        list_activities,
        log_activity,
        visit_coverage,
        save_visit_plan,
        list_visit_tasks,
        list_mystery_reports,
        file_mystery_report,
        get_mystery_report,
        recheck_report,
        record_recheck
    ),
    components(schemas(
        EvaluationView,
        EvaluationInput,
        ActivityView,
        ActivityInput,
        CoverageRow,
        VisitPlanInput,
        VisitTaskView,
        MysteryReportView,
        MysteryReportInput,
        RecheckReport,
        RecheckCase,
        OperatorMetrics,
        RecheckInput
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/staff-evaluations",
            get(list_evaluations).post(record_evaluation),
        )
        .route(
            "/supervision-activities",
            get(list_activities).post(log_activity),
        )
        .route("/visit-coverage", get(visit_coverage))
        .route("/visit-plans", post(save_visit_plan))
        .route("/visit-tasks", get(list_visit_tasks))
        .route(
            "/mystery-shopper-reports",
            get(list_mystery_reports).post(file_mystery_report),
        )
        .route("/mystery-shopper-reports/{id}", get(get_mystery_report))
        .route("/hotline-recheck", get(recheck_report))
        .route("/hotline-recheck/{complaint_id}", post(record_recheck))
}

#[utoipa::path(get, path = "/staff-evaluations", tag = "supervision", params(EvaluationFilter, PageRequest), responses((status = 200, body = Page<EvaluationView>), (status = 403, body = ErrorBody)))]
async fn list_evaluations(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<EvaluationFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<EvaluationView>>, ApiError> {
    Ok(Json(
        supervision::evaluations(&state.app, &actor, &filter, page).await?,
    ))
}

/// Records a staff member's evaluation for a period (attitude, knowledge, communication,
/// 1–5); one per staff member and period (409 `already_evaluated`).
#[utoipa::path(post, path = "/staff-evaluations", tag = "supervision", request_body = EvaluationInput,
    responses((status = 201, body = EvaluationView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_evaluation(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<EvaluationInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        supervision::evaluate(&state.app, &actor, &input).await?,
    ))
}

#[utoipa::path(get, path = "/supervision-activities", tag = "supervision", params(ActivityFilter, PageRequest), responses((status = 200, body = Page<ActivityView>), (status = 403, body = ErrorBody)))]
async fn list_activities(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<ActivityFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<ActivityView>>, ApiError> {
    Ok(Json(
        supervision::activities(&state.app, &actor, &filter, page).await?,
    ))
}

/// Logs a visit, forum, committee meeting or compliance review; a visit closes the
/// customer's open visit tasks.
#[utoipa::path(post, path = "/supervision-activities", tag = "supervision", request_body = ActivityInput,
    responses((status = 201, body = ActivityView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn log_activity(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<ActivityInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        supervision::log_activity(&state.app, &actor, &input).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
struct CoverageQuery {
    /// Only customers not visited within `visit.max_interval_months`.
    due_only: Option<bool>,
}

/// Key accounts with their visit plan and last visit (CUSTOMER-5).
#[utoipa::path(get, path = "/visit-coverage", tag = "supervision", params(CoverageQuery), responses((status = 200, body = Vec<CoverageRow>), (status = 403, body = ErrorBody)))]
async fn visit_coverage(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(query): ApiQuery<CoverageQuery>,
) -> Result<Json<Vec<CoverageRow>>, ApiError> {
    Ok(Json(
        supervision::coverage(&state.app, &actor, query.due_only.unwrap_or(false)).await?,
    ))
}

/// Sets the visit plan (owner) of a key account.
#[utoipa::path(post, path = "/visit-plans", tag = "supervision", request_body = VisitPlanInput,
    responses((status = 200, body = CoverageRow), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_visit_plan(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<VisitPlanInput>,
) -> Result<Json<CoverageRow>, ApiError> {
    Ok(Json(
        supervision::save_visit_plan(&state.app, &actor, &input).await?,
    ))
}

/// Open visit tasks the coverage sweep (T24) opened.
#[utoipa::path(get, path = "/visit-tasks", tag = "supervision", responses((status = 200, body = Vec<VisitTaskView>), (status = 403, body = ErrorBody)))]
async fn list_visit_tasks(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<VisitTaskView>>, ApiError> {
    Ok(Json(
        supervision::open_visit_tasks(&state.app, &actor).await?,
    ))
}

/// Mystery-shopper reports (supervision department only; 404 for everyone else).
#[utoipa::path(get, path = "/mystery-shopper-reports", tag = "supervision", params(PageRequest), responses((status = 200, body = Page<MysteryReportView>), (status = 404, body = ErrorBody)))]
async fn list_mystery_reports(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<MysteryReportView>>, ApiError> {
    Ok(Json(
        supervision::mystery_reports(&state.app, &actor, page).await?,
    ))
}

#[utoipa::path(post, path = "/mystery-shopper-reports", tag = "supervision", request_body = MysteryReportInput,
    responses((status = 201, body = MysteryReportView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn file_mystery_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<MysteryReportInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        supervision::file_mystery_report(&state.app, &actor, &input).await?,
    ))
}

#[utoipa::path(get, path = "/mystery-shopper-reports/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = MysteryReportView), (status = 404, body = ErrorBody)))]
async fn get_mystery_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<MysteryReportView>, ApiError> {
    Ok(Json(
        supervision::mystery_report(&state.app, &actor, id).await?,
    ))
}

/// The month's hotline cases drawn for re-check, the cases closed without action, and the
/// metrics per operator.
#[utoipa::path(get, path = "/hotline-recheck", tag = "supervision", params(RecheckFilter),
    responses((status = 200, body = RecheckReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn recheck_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<RecheckFilter>,
) -> Result<Json<RecheckReport>, ApiError> {
    Ok(Json(
        supervision::recheck_report(&state.app, &actor, &filter).await?,
    ))
}

/// Records the re-check of a sampled or flagged case (409 `not_sampled`, `already_rechecked`).
#[utoipa::path(post, path = "/hotline-recheck/{complaint_id}", tag = "supervision", params(("complaint_id" = i64, Path)), request_body = RecheckInput,
    responses((status = 200, body = RecheckCase), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_recheck(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(complaint_id): Path<i64>,
    ApiJson(input): ApiJson<RecheckInput>,
) -> Result<Json<RecheckCase>, ApiError> {
    Ok(Json(
        supervision::record_recheck(&state.app, &actor, complaint_id, &input).await?,
    ))
}
