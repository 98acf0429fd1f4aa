//! The monthly statistics pages (REPORT-1, T13): the months with their status, one month's
//! figures, and the customer department's draft and submit buttons.

use aftersales_app::monthly_statistics::{self, MonthView};
use aftersales_app::AppError;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{form_outcome, render, CsrfForm, Ctx, FieldErrors, PageError};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/monthly-statistics", get(list).post(draft))
        .route("/monthly-statistics/{month}", get(show))
        .route("/monthly-statistics/{month}/submit", post(submit))
}

#[derive(Template)]
#[template(path = "reports/monthly_list.html")]
struct ListPage {
    ctx: Ctx,
    months: Vec<MonthView>,
    errors: FieldErrors,
}

async fn list_page(
    state: &AppState,
    user: &PageUser,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let months = monthly_statistics::list(&state.app, &user.actor).await?;
    let errors = error
        .as_ref()
        .map(|err| FieldErrors::from_error(err, user.lang, &[]))
        .unwrap_or_default();
    render(&ListPage {
        ctx: Ctx::of(user, "monthly_statistics"),
        months,
        errors,
    })
}

async fn list(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    list_page(&state, &user, None).await
}

#[derive(Debug, Deserialize)]
struct DraftForm {
    /// `YYYY-MM` from a month input.
    #[serde(default)]
    month: String,
}

async fn draft(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<DraftForm>,
) -> Result<Response, PageError> {
    form_outcome(
        monthly_statistics::draft(&state.app, &user.actor, &form.month).await,
        |month| format!("/monthly-statistics/{}", month.month),
        |err| list_page(&state, &user, Some(err)),
    )
    .await
}

#[derive(Template)]
#[template(path = "reports/monthly_show.html")]
struct ShowPage {
    ctx: Ctx,
    month: MonthView,
}

async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(month): Path<String>,
) -> Result<Response, PageError> {
    let month = monthly_statistics::get(&state.app, &user.actor, &month).await?;
    render(&ShowPage {
        ctx: Ctx::of(&user, "monthly_statistics"),
        month,
    })
}

#[derive(Debug, Deserialize)]
struct SubmitForm {
    version: i32,
}

async fn submit(
    State(state): State<AppState>,
    user: PageUser,
    Path(month): Path<String>,
    CsrfForm(form): CsrfForm<SubmitForm>,
) -> Result<Response, PageError> {
    let done = monthly_statistics::submit(&state.app, &user.actor, &month, form.version).await?;
    super::redirect(&format!("/monthly-statistics/{}", done.month))
}
