//! Daily reports (STAFF-2, STAFF-3): the technician's report of a day and the branch's
//! (supervisor's) report with its review steps.

use aftersales_app::daily_reports::{
    self, BranchReportView, LineInput, LineView, MissingReport, ReasonInput, TechnicianReportView,
    TechnicianRow, TotalsView,
};
use aftersales_app::AppError;
use aftersales_domain::daily_report::BranchReportEvent;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use super::{ApiError, ApiJson, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        technician_report,
        generate_report,
        submit_report,
        reopen_report,
        add_line,
        remove_line,
        branch_report,
        branch_step
    ),
    components(schemas(
        TechnicianReportView,
        LineView,
        TotalsView,
        LineInput,
        ReasonInput,
        BranchReportView,
        TechnicianRow,
        MissingReport,
        BranchStepInput
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/daily-reports/technician/{user_id}/{date}",
            get(technician_report),
        )
        .route(
            "/daily-reports/technician/{user_id}/{date}/generate",
            post(generate_report),
        )
        .route(
            "/daily-reports/technician/{user_id}/{date}/submit",
            post(submit_report),
        )
        .route(
            "/daily-reports/technician/{user_id}/{date}/reopen",
            post(reopen_report),
        )
        .route(
            "/daily-reports/technician/{user_id}/{date}/lines",
            post(add_line),
        )
        .route(
            "/daily-reports/technician/{user_id}/{date}/lines/{line_id}",
            delete(remove_line),
        )
        .route(
            "/daily-reports/branch/{org_unit_id}/{date}",
            get(branch_report),
        )
        .route(
            "/daily-reports/branch/{org_unit_id}/{date}/{event}",
            post(branch_step),
        )
}

/// A technician's report of a day (YYYY-MM-DD, the branch's local day): the saved one, or
/// (`id` empty) a preview from the orders. One's own needs `order.work`; others' need
/// `daily_report.read` and the technician's branch in scope.
#[utoipa::path(get, path = "/daily-reports/technician/{user_id}/{date}", tag = "daily reports",
    params(("user_id" = i64, Path), ("date" = String, Path)),
    responses((status = 200, body = TechnicianReportView), (status = 404, body = ErrorBody)))]
async fn technician_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((user_id, date)): Path<(i64, String)>,
) -> Result<Json<TechnicianReportView>, ApiError> {
    Ok(Json(
        daily_reports::technician_report(&state.app, &actor, user_id, &date).await?,
    ))
}

/// Generates or refreshes the caller's own report from the orders (on-site time per job, with
/// its category); idempotent, keeps the D lines. 409 `report_submitted` once submitted.
#[utoipa::path(post, path = "/daily-reports/technician/{user_id}/{date}/generate", tag = "daily reports",
    params(("user_id" = i64, Path), ("date" = String, Path)),
    responses((status = 200, body = TechnicianReportView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn generate_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((user_id, date)): Path<(i64, String)>,
) -> Result<Json<TechnicianReportView>, ApiError> {
    Ok(Json(
        daily_reports::generate(&state.app, &actor, user_id, &date).await?,
    ))
}

/// Submits the caller's own report; read-only afterwards. 409 `invalid_transition` when
/// already submitted.
#[utoipa::path(post, path = "/daily-reports/technician/{user_id}/{date}/submit", tag = "daily reports",
    params(("user_id" = i64, Path), ("date" = String, Path)),
    responses((status = 200, body = TechnicianReportView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn submit_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((user_id, date)): Path<(i64, String)>,
) -> Result<Json<TechnicianReportView>, ApiError> {
    Ok(Json(
        daily_reports::submit(&state.app, &actor, user_id, &date).await?,
    ))
}

/// The supervisor reopens a submitted report for correction (`reason` required).
#[utoipa::path(post, path = "/daily-reports/technician/{user_id}/{date}/reopen", tag = "daily reports",
    params(("user_id" = i64, Path), ("date" = String, Path)), request_body = ReasonInput,
    responses((status = 200, body = TechnicianReportView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reopen_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((user_id, date)): Path<(i64, String)>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> Result<Json<TechnicianReportView>, ApiError> {
    Ok(Json(
        daily_reports::reopen(&state.app, &actor, user_id, &date, &input).await?,
    ))
}

/// Adds an internal (D) line to the caller's own draft.
#[utoipa::path(post, path = "/daily-reports/technician/{user_id}/{date}/lines", tag = "daily reports",
    params(("user_id" = i64, Path), ("date" = String, Path)), request_body = LineInput,
    responses((status = 200, body = TechnicianReportView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_line(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((user_id, date)): Path<(i64, String)>,
    ApiJson(input): ApiJson<LineInput>,
) -> Result<Json<TechnicianReportView>, ApiError> {
    Ok(Json(
        daily_reports::add_line(&state.app, &actor, user_id, &date, &input).await?,
    ))
}

/// Removes a D line from the caller's own draft; job lines answer 409 `job_line`.
#[utoipa::path(delete, path = "/daily-reports/technician/{user_id}/{date}/lines/{line_id}", tag = "daily reports",
    params(("user_id" = i64, Path), ("date" = String, Path), ("line_id" = i64, Path)),
    responses((status = 200, body = TechnicianReportView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn remove_line(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((user_id, date, line_id)): Path<(i64, String, i64)>,
) -> Result<Json<TechnicianReportView>, ApiError> {
    Ok(Json(
        daily_reports::remove_line(&state.app, &actor, user_id, &date, line_id).await?,
    ))
}

/// The supervisor's report (服务主任日报表) of a branch and day: each technician's minutes by
/// category A/B/C/D and jobs, the branch total and who has not submitted; the signed snapshot
/// once approved.
#[utoipa::path(get, path = "/daily-reports/branch/{org_unit_id}/{date}", tag = "daily reports",
    params(("org_unit_id" = i64, Path), ("date" = String, Path)),
    responses((status = 200, body = BranchReportView), (status = 404, body = ErrorBody)))]
async fn branch_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((org_unit_id, date)): Path<(i64, String)>,
) -> Result<Json<BranchReportView>, ApiError> {
    Ok(Json(
        daily_reports::branch_report(&state.app, &actor, org_unit_id, &date).await?,
    ))
}

/// The body of a branch report step; `reason` is required to return it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct BranchStepInput {
    pub reason: Option<String>,
}

/// One step: `submit` (supervisor, `order.dispatch`), `approve` (signs and freezes the
/// report), `return` (with `reason`, back to draft) or `forward` (to the customer
/// department, who are notified) — the last three by the branch manager (`report.approve`).
/// The body may be empty. An impossible step answers 409 `invalid_transition`.
#[utoipa::path(post, path = "/daily-reports/branch/{org_unit_id}/{date}/{event}", tag = "daily reports",
    params(("org_unit_id" = i64, Path), ("date" = String, Path), ("event" = String, Path)), request_body = BranchStepInput,
    responses((status = 200, body = BranchReportView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn branch_step(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((org_unit_id, date, event)): Path<(i64, String, String)>,
    body: Bytes,
) -> Result<Json<BranchReportView>, ApiError> {
    let event = BranchReportEvent::parse(&event).ok_or(ApiError(AppError::NotFound))?;
    let input: BranchStepInput = if body.iter().all(u8::is_ascii_whitespace) {
        BranchStepInput::default()
    } else {
        serde_json::from_slice::<Option<BranchStepInput>>(&body)
            .map_err(|_| ApiError(AppError::invalid("body", "invalid_json")))?
            .unwrap_or_default()
    };
    Ok(Json(
        daily_reports::branch_step(
            &state.app,
            &actor,
            org_unit_id,
            &date,
            event,
            input.reason.as_deref(),
        )
        .await?,
    ))
}
