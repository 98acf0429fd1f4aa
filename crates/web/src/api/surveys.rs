//! Opinion surveys: survey cards (客户意见调查卡), answers entered by the customer
//! department or a portal user, and the monthly report per technician and branch. The
//! customer's own answer through the one-time link is a public page (`/s/{token}`), not an
//! API route: every API route needs a signed-in caller.

use aftersales_app::page::{Page, PageRequest};
use aftersales_app::surveys::{
    self, AnswerInput, AspectAverage, CallInput, CardFilter, CardView, FollowUpFilter,
    FollowUpView, IssuedLink, RatingView, ReportFilter, ReportRow, SurveyReport,
};
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{file_response, ApiError, ApiJson, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::i18n::Lang;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_cards,
        get_card,
        answer_card,
        issue_link,
        survey_report,
        export_survey_report,
        list_follow_ups,
        log_call
    ),
    components(schemas(
        CardView,
        RatingView,
        AnswerInput,
        IssuedLink,
        FollowUpView,
        CallInput,
        SurveyReport,
        ReportRow,
        AspectAverage
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/survey-cards", get(list_cards))
        .route("/survey-cards/{id}", get(get_card))
        .route("/survey-cards/{id}/answer", post(answer_card))
        .route("/survey-cards/{id}/link", post(issue_link))
        .route("/survey-report", get(survey_report))
        .route("/survey-report/export", get(export_survey_report))
        .route("/follow-ups", get(list_follow_ups))
        .route("/follow-ups/{id}/call", post(log_call))
}

/// Survey cards the caller sees, newest first (a portal user: its own).
#[utoipa::path(get, path = "/survey-cards", tag = "surveys", params(CardFilter, PageRequest), responses((status = 200, body = Page<CardView>)))]
async fn list_cards(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<CardFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<CardView>>, ApiError> {
    Ok(Json(
        surveys::list(&state.app, &actor, &filter, page).await?,
    ))
}

#[utoipa::path(get, path = "/survey-cards/{id}", tag = "surveys", params(("id" = i64, Path)), responses((status = 200, body = CardView), (status = 404, body = ErrorBody)))]
async fn get_card(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CardView>, ApiError> {
    Ok(Json(surveys::get(&state.app, &actor, id).await?))
}

/// Enters a card's answer: a portal user for its own card, the customer department from a
/// returned paper card or a phone call (`answered_via`). A card is answered once (409
/// `already_answered`).
#[utoipa::path(post, path = "/survey-cards/{id}/answer", tag = "surveys", params(("id" = i64, Path)), request_body = AnswerInput,
    responses((status = 200, body = CardView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer_card(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> Result<Json<CardView>, ApiError> {
    Ok(Json(surveys::answer(&state.app, &actor, id, &input).await?))
}

/// Issues a new one-time answer link for an unanswered card (the earlier one stops
/// working), e.g. to send an SMS card's link by hand: no SMS gateway is connected.
#[utoipa::path(post, path = "/survey-cards/{id}/link", tag = "surveys", params(("id" = i64, Path)),
    responses((status = 200, body = IssuedLink), (status = 409, body = ErrorBody)))]
async fn issue_link(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<IssuedLink>, ApiError> {
    Ok(Json(surveys::issue_link(&state.app, &actor, id).await?))
}

/// The month's ratings per technician (the monthly assessment input) and per branch, with
/// the response rate.
#[utoipa::path(get, path = "/survey-report", tag = "surveys", params(ReportFilter), responses((status = 200, body = SurveyReport), (status = 422, body = ErrorBody)))]
async fn survey_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<ReportFilter>,
) -> Result<Json<SurveyReport>, ApiError> {
    Ok(Json(surveys::report(&state.app, &actor, &filter).await?))
}

/// The same report as an .xlsx file, headers in the caller's language.
#[utoipa::path(get, path = "/survey-report/export", tag = "surveys", params(ReportFilter), responses((status = 200, description = "The .xlsx file"), (status = 403, body = ErrorBody)))]
async fn export_survey_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    lang: Lang,
    ApiQuery(filter): ApiQuery<ReportFilter>,
) -> Result<Response, ApiError> {
    let (bytes, file_name) =
        surveys::export_report(&state.app, &actor, &filter, lang == Lang::En).await?;
    Ok(file_response(
        aftersales_tabular::Format::Xlsx.content_type(),
        &file_name,
        bytes,
    ))
}

/// Follow-up calls (回访): those due (default, oldest due first) or the call log (`status=done`).
#[utoipa::path(get, path = "/follow-ups", tag = "surveys", params(FollowUpFilter, PageRequest), responses((status = 200, body = Page<FollowUpView>)))]
async fn list_follow_ups(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(filter): ApiQuery<FollowUpFilter>,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Page<FollowUpView>>, ApiError> {
    Ok(Json(
        surveys::list_follow_ups(&state.app, &actor, &filter, page).await?,
    ))
}

/// Logs a follow-up call by the caller, now: an unanswered call (`no_answer`) keeps it due,
/// any other outcome closes it.
#[utoipa::path(post, path = "/follow-ups/{id}/call", tag = "surveys", params(("id" = i64, Path)), request_body = CallInput,
    responses((status = 200, body = FollowUpView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn log_call(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CallInput>,
) -> Result<Json<FollowUpView>, ApiError> {
    Ok(Json(
        surveys::log_call(&state.app, &actor, id, &input).await?,
    ))
}
