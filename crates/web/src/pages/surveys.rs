//! Survey pages: the card list and card page (with the answer form for the customer
//! department and portal users), the printable letter card, the monthly report, and the
//! public one-time answer page `/s/{token}` (no sign-in; CSRF by a double-submit cookie
//! like the QR self-report page; phone-sized).

use aftersales_app::page::PageRequest;
use aftersales_app::surveys::{
    self, AnswerInput, CardFilter, CardView, ReportFilter, SurveyReport,
};
use aftersales_app::{auth, AppError};
use aftersales_domain::survey::{Aspect, Channel};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::{
    form_outcome, redirect, render, render_with, CsrfForm, Ctx, FieldErrors, PageError, Pager,
};
use crate::i18n::Lang;
use crate::session::{cookie, set_cookie, PageUser};
use crate::AppState;

/// Cookie carrying the public answer form's CSRF token (an anonymous visitor has no session).
const SURVEY_CSRF_COOKIE: &str = "as_survey";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/survey-cards", get(list_cards))
        .route("/survey-cards/{id}", get(show_card))
        .route(
            "/survey-cards/{id}/answer",
            axum::routing::post(answer_card),
        )
        .route("/survey-cards/{id}/print", get(print_card))
        .route("/survey-cards/{id}/link", axum::routing::post(issue_link))
        .route("/surveys/report", get(report))
        .route("/follow-ups", get(follow_ups))
        .route("/follow-ups/{id}/call", axum::routing::post(log_call))
        .route("/s/thanks", get(public_thanks))
        .route("/s/{token}", get(public_form).post(public_submit))
}

/// One level as the form offers it: its score and label.
pub struct LevelOption {
    pub score: i64,
    pub label: String,
}

fn level_options(labels: &[String]) -> Vec<LevelOption> {
    labels
        .iter()
        .enumerate()
        .map(|(idx, label)| LevelOption {
            score: 4 - idx as i64,
            label: label.clone(),
        })
        .collect()
}

fn aspect_codes() -> Vec<&'static str> {
    Aspect::ALL.iter().map(|a| a.as_str()).collect()
}

/// The answer form as submitted (text, so a bad value comes back as typed).
#[derive(Debug, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    attitude: String,
    #[serde(default)]
    technique: String,
    #[serde(default)]
    arrival: String,
    #[serde(default)]
    promise: String,
    #[serde(default)]
    remark: String,
    #[serde(default)]
    remark_kind: String,
    #[serde(default)]
    answered_via: String,
    #[serde(default)]
    version: String,
    /// The public page's CSRF token (the staff form's is checked by [`CsrfForm`]).
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

impl AnswerForm {
    fn value(&self, aspect: &str) -> &str {
        match aspect {
            "attitude" => &self.attitude,
            "technique" => &self.technique,
            "arrival" => &self.arrival,
            _ => &self.promise,
        }
    }
    /// Whether a level is the chosen one for an aspect.
    pub fn checked(&self, aspect: &str, score: &i64) -> bool {
        self.value(aspect) == score.to_string()
    }
    fn to_input(&self) -> AnswerInput {
        // A value that is not a number is sent as 0, which the use case refuses by field.
        let score =
            |text: &str| (!text.trim().is_empty()).then(|| text.trim().parse().unwrap_or(0));
        let text = |text: &str| Some(text.to_string()).filter(|t| !t.trim().is_empty());
        AnswerInput {
            attitude: score(&self.attitude),
            technique: score(&self.technique),
            arrival: score(&self.arrival),
            promise: score(&self.promise),
            remark: text(&self.remark),
            remark_kind: text(&self.remark_kind),
            answered_via: text(&self.answered_via),
            version: self.version.parse().ok(),
        }
    }
}

// ----- the card list -----

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    status: Option<String>,
    channel: Option<String>,
    survey_date: Option<String>,
    org_unit_id: Option<i64>,
    needs_follow_up: Option<String>,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "surveys/cards.html")]
struct ListPage {
    ctx: Ctx,
    cards: Vec<CardView>,
    pager: Pager,
    status: String,
    channel: String,
    survey_date: String,
    follow_up: bool,
    channels: Vec<&'static str>,
}

async fn list_cards(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let follow_up = query.needs_follow_up.as_deref() == Some("true");
    let filter = CardFilter {
        status: query.status.clone(),
        channel: query.channel.clone(),
        survey_date: query.survey_date.clone(),
        org_unit_id: query.org_unit_id,
        technician_id: None,
        needs_follow_up: follow_up.then_some(true),
    };
    let page = surveys::list(
        &state.app,
        &user.actor,
        &filter,
        PageRequest {
            page: query.page,
            per_page: Some(50),
        },
    )
    .await?;
    let pager = Pager::new(
        &page,
        &[
            ("status", query.status.clone()),
            ("channel", query.channel.clone()),
            ("survey_date", query.survey_date.clone()),
            ("needs_follow_up", query.needs_follow_up.clone()),
        ],
    );
    render(&ListPage {
        ctx: Ctx::of(&user, "surveys"),
        cards: page.items,
        pager,
        status: query.status.unwrap_or_default(),
        channel: query.channel.unwrap_or_default(),
        survey_date: query.survey_date.unwrap_or_default(),
        follow_up,
        channels: Channel::ALL.iter().map(|c| c.as_str()).collect(),
    })
}

// ----- one card -----

#[derive(Template)]
#[template(path = "surveys/card.html")]
struct CardPage {
    ctx: Ctx,
    card: CardView,
    levels: Vec<LevelOption>,
    aspects: Vec<&'static str>,
    form: AnswerForm,
    errors: FieldErrors,
    /// Staff entering a paper card or a phone answer choose how it came in.
    staff: bool,
    /// A link just issued (shown once).
    issued: Option<surveys::IssuedLink>,
}

async fn card_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    form: AnswerForm,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    card_page_with_link(state, user, id, form, error, None).await
}

async fn card_page_with_link(
    state: &AppState,
    user: &PageUser,
    id: i64,
    form: AnswerForm,
    error: Option<AppError>,
    issued: Option<surveys::IssuedLink>,
) -> Result<Response, PageError> {
    let card = surveys::get(&state.app, &user.actor, id).await?;
    let labels = surveys::levels(&state.app.db).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    let staff = !user.actor.has_role(aftersales_domain::role::Role::Customer);
    let form = AnswerForm {
        version: card.version.to_string(),
        ..form
    };
    render_with(
        status,
        &CardPage {
            ctx: Ctx::of(user, "surveys"),
            card,
            levels: level_options(&labels),
            aspects: aspect_codes(),
            form,
            errors,
            staff,
            issued,
        },
    )
}

async fn show_card(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let form = AnswerForm {
        answered_via: "phone".to_string(),
        remark_kind: "suggestion".to_string(),
        ..AnswerForm::default()
    };
    card_page(&state, &user, id, form, None).await
}

async fn answer_card(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, PageError> {
    let result = surveys::answer(&state.app, &user.actor, id, &form.to_input()).await;
    form_outcome(
        result,
        |card| format!("/survey-cards/{}", card.id),
        |err| card_page(&state, &user, id, form, Some(err)),
    )
    .await
}

/// The form carries only the CSRF token.
#[derive(Deserialize)]
struct Empty {}

async fn issue_link(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let fresh_form = || AnswerForm {
        answered_via: "phone".to_string(),
        remark_kind: "suggestion".to_string(),
        ..AnswerForm::default()
    };
    match surveys::issue_link(&state.app, &user.actor, id).await {
        Ok(link) => card_page_with_link(&state, &user, id, fresh_form(), None, Some(link)).await,
        Err(err) if super::is_form_error(&err) => {
            card_page(&state, &user, id, fresh_form(), Some(err)).await
        }
        Err(err) => Err(PageError(err)),
    }
}

#[derive(Template)]
#[template(path = "surveys/print.html")]
struct PrintPage {
    ctx: Ctx,
    card: CardView,
    levels: Vec<LevelOption>,
    aspects: Vec<&'static str>,
}

async fn print_card(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let card = surveys::get(&state.app, &user.actor, id).await?;
    let labels = surveys::levels(&state.app.db).await?;
    render(&PrintPage {
        ctx: Ctx::of(&user, "surveys"),
        card,
        levels: level_options(&labels),
        aspects: aspect_codes(),
    })
}

// ----- the report -----

#[derive(Template)]
#[template(path = "surveys/report.html")]
struct ReportPage {
    ctx: Ctx,
    report: SurveyReport,
}

impl ReportPage {
    /// The two tables: per technician (the monthly assessment input), then per branch.
    fn sections(&self) -> Vec<(&'static str, &'static str, &[surveys::ReportRow])> {
        vec![
            (
                "survey.by_technician",
                "report-technicians",
                &self.report.technicians,
            ),
            ("survey.by_branch", "report-branches", &self.report.branches),
        ]
    }
    /// An average or rate for a cell ("—" when there is none).
    fn num(&self, value: &Option<f64>) -> String {
        value.map_or_else(|| "—".to_string(), |v| format!("{v}"))
    }
}

async fn report(
    State(state): State<AppState>,
    user: PageUser,
    Query(filter): Query<ReportFilter>,
) -> Result<Response, PageError> {
    let report = surveys::report(&state.app, &user.actor, &filter).await?;
    render(&ReportPage {
        ctx: Ctx::of(&user, "survey_report"),
        report,
    })
}

// ----- follow-up calls -----

#[derive(Debug, Default, Deserialize)]
struct FollowUpQuery {
    status: Option<String>,
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "surveys/follow_ups.html")]
struct FollowUpPage {
    ctx: Ctx,
    items: Vec<surveys::FollowUpView>,
    pager: Pager,
    done: bool,
    outcomes: Vec<&'static str>,
    /// The follow-up whose call form was refused, and why.
    failed: i64,
    errors: FieldErrors,
}

async fn follow_up_page(
    state: &AppState,
    user: &PageUser,
    query: FollowUpQuery,
    failed: i64,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let done = query.status.as_deref() == Some("done");
    let filter = surveys::FollowUpFilter {
        status: Some(if done { "done" } else { "due" }.to_string()),
        ..surveys::FollowUpFilter::default()
    };
    let page = surveys::list_follow_ups(
        &state.app,
        &user.actor,
        &filter,
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
        &FollowUpPage {
            ctx: Ctx::of(user, "follow_ups"),
            items: page.items,
            pager,
            done,
            outcomes: aftersales_domain::survey::CallOutcome::ALL
                .iter()
                .map(|o| o.as_str())
                .collect(),
            failed,
            errors,
        },
    )
}

async fn follow_ups(
    State(state): State<AppState>,
    user: PageUser,
    Query(query): Query<FollowUpQuery>,
) -> Result<Response, PageError> {
    follow_up_page(&state, &user, query, 0, None).await
}

#[derive(Deserialize)]
struct CallForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    notes: String,
    version: i32,
}

async fn log_call(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<CallForm>,
) -> Result<Response, PageError> {
    let input = surveys::CallInput {
        outcome: form.outcome,
        notes: Some(form.notes).filter(|n| !n.trim().is_empty()),
        version: form.version,
    };
    let result = surveys::log_call(&state.app, &user.actor, id, &input).await;
    form_outcome(
        result,
        |_| "/follow-ups",
        |err| follow_up_page(&state, &user, FollowUpQuery::default(), id, Some(err)),
    )
    .await
}

// ----- the public answer page -----

#[derive(Template)]
#[template(path = "surveys/public_form.html")]
struct PublicForm {
    ctx: Ctx,
    token: String,
    card: surveys::PublicCard,
    levels: Vec<LevelOption>,
    aspects: Vec<&'static str>,
    form: AnswerForm,
    errors: FieldErrors,
    staff: bool,
}

fn public_response(
    state: &AppState,
    lang: Lang,
    token: String,
    card: surveys::PublicCard,
    form: AnswerForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let csrf = auth::random_token();
    let page = PublicForm {
        ctx: Ctx::new(lang, None, csrf.clone(), "survey"),
        token,
        levels: level_options(&card.levels),
        card,
        aspects: aspect_codes(),
        form,
        errors,
        staff: false,
    };
    let mut response = render_with(status, &page)?;
    if let Ok(value) = set_cookie(SURVEY_CSRF_COOKIE, &csrf, 3600, state.secure_cookies).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

async fn public_form(
    State(state): State<AppState>,
    lang: Lang,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let card = surveys::public_card(&state.app, &token).await?;
    let form = AnswerForm {
        remark_kind: "suggestion".to_string(),
        ..AnswerForm::default()
    };
    public_response(
        &state,
        lang,
        token,
        card,
        form,
        FieldErrors::default(),
        StatusCode::OK,
    )
}

async fn public_submit(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    Path(token): Path<String>,
    axum::extract::Form(answer): axum::extract::Form<AnswerForm>,
) -> Result<Response, PageError> {
    let card = surveys::public_card(&state.app, &token).await?;
    if answer.csrf.is_empty()
        || cookie(&headers, SURVEY_CSRF_COOKIE).as_deref() != Some(answer.csrf.as_str())
    {
        let errors = FieldErrors::from_error(&AppError::Forbidden, lang, &[]);
        return public_response(
            &state,
            lang,
            token,
            card,
            answer,
            errors,
            StatusCode::FORBIDDEN,
        );
    }
    match surveys::answer_by_token(&state.app, &token, &answer.to_input()).await {
        Ok(()) => {
            let mut response = redirect("/s/thanks")?;
            if let Ok(value) = set_cookie(SURVEY_CSRF_COOKIE, "", 0, state.secure_cookies).parse() {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(err) if super::is_form_error(&err) => {
            let errors = FieldErrors::from_error(&err, lang, &[]);
            // An answered card shows its "already answered" state instead of the form.
            let card = surveys::public_card(&state.app, &token).await?;
            public_response(
                &state,
                lang,
                token,
                card,
                answer,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(err) => Err(PageError(err)),
    }
}

#[derive(Template)]
#[template(path = "surveys/public_thanks.html")]
struct PublicThanks {
    ctx: Ctx,
}

async fn public_thanks(lang: Lang) -> Result<Response, PageError> {
    Ok(render(&PublicThanks {
        ctx: Ctx::new(lang, None, String::new(), "survey"),
    })?
    .into_response())
}
