//! Performance scorecards: a technician's month and the departments' month (issue 6
//! "Performance"), as JSON and as .xlsx.

use aftersales_app::performance::{
    self, CountRow, DepartmentScorecard, DepartmentTimeliness, ScorecardFilter, TechnicianScore,
    TechnicianScorecard,
};
use aftersales_app::surveys::AspectAverage;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{file_response, ApiError, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::i18n::Lang;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        technician_scorecard,
        export_technician_scorecard,
        department_scorecard,
        export_department_scorecard
    ),
    components(schemas(
        TechnicianScorecard,
        TechnicianScore,
        AspectAverage,
        DepartmentScorecard,
        DepartmentTimeliness,
        CountRow
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/performance/technicians", get(technician_scorecard))
        .route(
            "/performance/technicians/export",
            get(export_technician_scorecard),
        )
        .route("/performance/departments", get(department_scorecard))
        .route(
            "/performance/departments/export",
            get(export_department_scorecard),
        )
}

/// Every technician's monthly scorecard in the caller's scope: ratings per survey aspect,
/// response rate, complaints, repeat repairs and SLA compliance.
#[utoipa::path(get, path = "/performance/technicians", tag = "performance", params(ScorecardFilter),
    responses((status = 200, body = TechnicianScorecard), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn technician_scorecard(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<ScorecardFilter>,
) -> Result<Json<TechnicianScorecard>, ApiError> {
    Ok(Json(
        performance::technicians(&state.app, &actor, &filter).await?,
    ))
}

#[utoipa::path(get, path = "/performance/technicians/export", tag = "performance", params(ScorecardFilter),
    responses((status = 200, description = "The .xlsx file"), (status = 403, body = ErrorBody)))]
async fn export_technician_scorecard(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    lang: Lang,
    ApiQuery(filter): ApiQuery<ScorecardFilter>,
) -> Result<Response, ApiError> {
    let (bytes, file_name) =
        performance::export_technicians(&state.app, &actor, &filter, lang == Lang::En).await?;
    Ok(file_response(
        aftersales_tabular::Format::Xlsx.content_type(),
        &file_name,
        bytes,
    ))
}

/// The departments' monthly scorecard: complaints by type, timeliness of the departments'
/// tasks, corrective actions done.
#[utoipa::path(get, path = "/performance/departments", tag = "performance", params(ScorecardFilter),
    responses((status = 200, body = DepartmentScorecard), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn department_scorecard(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<ScorecardFilter>,
) -> Result<Json<DepartmentScorecard>, ApiError> {
    Ok(Json(
        performance::departments(&state.app, &actor, &filter).await?,
    ))
}

#[utoipa::path(get, path = "/performance/departments/export", tag = "performance", params(ScorecardFilter),
    responses((status = 200, description = "The .xlsx file"), (status = 403, body = ErrorBody)))]
async fn export_department_scorecard(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    lang: Lang,
    ApiQuery(filter): ApiQuery<ScorecardFilter>,
) -> Result<Response, ApiError> {
    let (bytes, file_name) =
        performance::export_departments(&state.app, &actor, &filter, lang == Lang::En).await?;
    Ok(file_response(
        aftersales_tabular::Format::Xlsx.content_type(),
        &file_name,
        bytes,
    ))
}
