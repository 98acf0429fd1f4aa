//! Opinion surveys: survey cards (客户意见调查卡), answers entered by the customer
//! department or a portal user, and the monthly report per technician and branch. The
//! customer's own answer through the one-time link is a public page (`/s/{token}`), not an
//! API route: every API route needs a signed-in caller.

use aftersales_app::page::{Page, PageRequest};
use aftersales_app::surveys::{
    self, AnswerInput, AspectAverage, CardFilter, CardView, RatingView, ReportFilter, ReportRow,
    SurveyReport,
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
    paths(list_cards, get_card, answer_card, survey_report, export_survey_report),
    components(schemas(
        CardView,
        RatingView,
        AnswerInput,
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
        .route("/survey-report", get(survey_report))
        .route("/survey-report/export", get(export_survey_report))
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
