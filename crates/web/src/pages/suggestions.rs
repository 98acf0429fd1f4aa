//! The suggestions page (STAFF-5): submit a suggestion; the customer department also enters
//! public-place forms, answers and rewards.

use aftersales_app::page::PageRequest;
use aftersales_app::suggestions::{
    self, AnswerInput, RewardInput, SuggestionFilter, SuggestionInput, SuggestionView,
};
use aftersales_app::AppError;
use aftersales_domain::supervision::SuggestionStatus;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{form_outcome, render_with, CsrfForm, Ctx, FieldErrors, PageError, Pager};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/suggestions", get(list).post(submit))
        .route("/suggestions/{id}/answer", post(answer))
        .route("/suggestions/{id}/reward", post(reward))
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    status: Option<String>,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "suggestions/list.html")]
struct SuggestionsPage {
    ctx: Ctx,
    items: Vec<SuggestionView>,
    pager: Pager,
    statuses: Vec<&'static str>,
    /// The refused form: 0 the submit form, else the suggestion's id.
    failed: i64,
    errors: FieldErrors,
}

async fn suggestions_page(
    state: &AppState,
    user: &PageUser,
    query: ListQuery,
    failed: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let page = suggestions::list(
        &state.app,
        &user.actor,
        &SuggestionFilter {
            status: query.status.clone(),
        },
        PageRequest {
            page: query.page,
            per_page: Some(50),
        },
    )
    .await?;
    let pager = Pager::new(&page, &[("status", query.status.clone())]);
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &SuggestionsPage {
            ctx: Ctx::of(user, "suggestions"),
            items: page.items,
            pager,
            statuses: SuggestionStatus::ALL.iter().map(|s| s.as_str()).collect(),
            failed,
            errors,
        },
    )
}

async fn list(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    suggestions_page(&state, &user, query, 0, None).await
}

fn text(value: String) -> Option<String> {
    Some(value).filter(|v| !v.trim().is_empty())
}

#[derive(Deserialize)]
struct SubmitForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    author_name: String,
}

async fn submit(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<SubmitForm>,
) -> Result<Response, PageError> {
    let input = SuggestionInput {
        title: form.title,
        content: text(form.content),
        source: text(form.source),
        author_name: text(form.author_name),
        survey_card_id: None,
    };
    let result = suggestions::submit(&state.app, &user.actor, &input).await;
    form_outcome(
        result,
        |_| "/suggestions",
        |err| suggestions_page(&state, &user, ListQuery::default(), 0, Some(err)),
    )
    .await
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
    version: i32,
}

async fn answer(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, PageError> {
    let input = AnswerInput {
        answer: form.answer,
        version: form.version,
    };
    let result = suggestions::answer(&state.app, &user.actor, id, &input).await;
    form_outcome(
        result,
        |_| "/suggestions",
        |err| suggestions_page(&state, &user, ListQuery::default(), id, Some(err)),
    )
    .await
}

#[derive(Deserialize)]
struct RewardForm {
    #[serde(default)]
    amount_yuan: String,
    #[serde(default)]
    description: String,
    version: i32,
}

async fn reward(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<RewardForm>,
) -> Result<Response, PageError> {
    // The amount is typed in yuan; anything unreadable goes on as 0 and is refused by field.
    let amount_fen = (!form.amount_yuan.trim().is_empty()).then(|| {
        form.amount_yuan
            .trim()
            .parse::<f64>()
            .map(|yuan| (yuan * 100.0).round() as i64)
            .unwrap_or(0)
    });
    let input = RewardInput {
        amount_fen,
        description: text(form.description),
        version: form.version,
    };
    let result = suggestions::reward(&state.app, &user.actor, id, &input).await;
    form_outcome(
        result,
        |_| "/suggestions",
        |err| suggestions_page(&state, &user, ListQuery::default(), id, Some(err)),
    )
    .await
}
