//! Working calendars: the built-in ones (read-only) and those administrators edit, holiday
//! import from .csv/.ics, and the working-time arithmetic (deadline, elapsed) in the
//! calendar's own time zone.

use aftersales_app::calendars::{
    self, CalendarDayView, CalendarInput, CalendarSummary, CalendarView, DeadlineView, ElapsedView,
    HolidayImport, HolidayImportResult, WeeklyPeriods,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use super::{created, ApiError, ApiJson, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_calendars,
        create_calendar,
        get_calendar,
        update_calendar,
        import_holidays,
        delete_day,
        deadline,
        elapsed
    ),
    components(schemas(
        CalendarSummary,
        CalendarView,
        CalendarDayView,
        CalendarInput,
        WeeklyPeriods,
        HolidayImport,
        HolidayImportResult,
        DeadlineView,
        ElapsedView
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calendars", get(list_calendars).post(create_calendar))
        .route("/calendars/{code}", get(get_calendar).put(update_calendar))
        .route("/calendars/{code}/holidays", post(import_holidays))
        .route("/calendars/{code}/days/{date}", delete(delete_day))
        .route("/calendars/{code}/deadline", get(deadline))
        .route("/calendars/{code}/elapsed", get(elapsed))
}

/// The built-in calendars (`builtin: true`, read-only) and the stored ones.
#[utoipa::path(get, path = "/calendars", tag = "calendars", responses((status = 200, body = [CalendarSummary])))]
async fn list_calendars(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<CalendarSummary>>, ApiError> {
    Ok(Json(calendars::list(&state.app, &actor).await?))
}

/// Creates an editable calendar; with `copy_from` (e.g. `cn-standard`) it starts as a copy
/// of that calendar, holidays and make-up workdays included.
#[utoipa::path(post, path = "/calendars", tag = "calendars", request_body = CalendarInput, responses((status = 201, body = CalendarView), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_calendar(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<CalendarInput>,
) -> Result<Response, ApiError> {
    Ok(created(
        calendars::create(&state.app, &actor, &input).await?,
    ))
}

/// One calendar with its weekly periods, holidays and make-up workdays.
#[utoipa::path(get, path = "/calendars/{code}", tag = "calendars", params(("code" = String, Path)), responses((status = 200, body = CalendarView), (status = 404, body = ErrorBody)))]
async fn get_calendar(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(code): Path<String>,
) -> Result<Json<CalendarView>, ApiError> {
    Ok(Json(calendars::get(&state.app, &actor, &code).await?))
}

/// Changes name, time zone and periods; `version` must be the one read. Built-in calendars
/// answer 409 `builtin_read_only`.
#[utoipa::path(put, path = "/calendars/{code}", tag = "calendars", params(("code" = String, Path)), request_body = CalendarInput, responses((status = 200, body = CalendarView), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn update_calendar(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<CalendarInput>,
) -> Result<Json<CalendarView>, ApiError> {
    Ok(Json(
        calendars::update(&state.app, &actor, &code, &input).await?,
    ))
}

/// Imports holidays and make-up workdays from .csv or .ics text, replacing or merging. A bad
/// line refuses the whole import with 422 naming it (field `line N`).
#[utoipa::path(post, path = "/calendars/{code}/holidays", tag = "calendars", params(("code" = String, Path)), request_body = HolidayImport, responses((status = 200, body = HolidayImportResult), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn import_holidays(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(code): Path<String>,
    ApiJson(input): ApiJson<HolidayImport>,
) -> Result<Json<HolidayImportResult>, ApiError> {
    Ok(Json(
        calendars::import_holidays(&state.app, &actor, &code, &input).await?,
    ))
}

/// Removes one holiday or make-up workday.
#[utoipa::path(delete, path = "/calendars/{code}/days/{date}", tag = "calendars", params(("code" = String, Path), ("date" = String, Path, description = "YYYY-MM-DD")), responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_day(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((code, date)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    calendars::delete_day(&state.app, &actor, &code, &date).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct DeadlineQuery {
    /// RFC 3339, e.g. `2026-10-08T04:35:00+08:00`, or a local date-time in the calendar's zone.
    #[serde(default)]
    start: String,
    /// Working time, e.g. `6h`, `90m`, `1h30m` (days are refused as ambiguous).
    #[serde(default)]
    duration: String,
}

/// When `duration` of working time has passed from `start`; RFC 3339 in the calendar's zone.
#[utoipa::path(get, path = "/calendars/{code}/deadline", tag = "calendars", params(("code" = String, Path), DeadlineQuery), responses((status = 200, body = DeadlineView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn deadline(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<DeadlineQuery>,
) -> Result<Json<DeadlineView>, ApiError> {
    Ok(Json(
        calendars::deadline(&state.app, &actor, &code, &query.start, &query.duration).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
struct ElapsedQuery {
    /// RFC 3339 or a local date-time in the calendar's zone.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The working time between `from` and `to`.
#[utoipa::path(get, path = "/calendars/{code}/elapsed", tag = "calendars", params(("code" = String, Path), ElapsedQuery), responses((status = 200, body = ElapsedView), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn elapsed(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<ElapsedQuery>,
) -> Result<Json<ElapsedView>, ApiError> {
    Ok(Json(
        calendars::elapsed(&state.app, &actor, &code, &query.from, &query.to).await?,
    ))
}
