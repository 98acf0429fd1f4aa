//! Sign-in, sign-out and the language switch.

use aftersales_app::{auth, AppError};
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{render_with, CsrfForm, Ctx, PageError};
use crate::i18n::Lang;
use crate::session::{cookie, set_cookie, PageUser, SESSION_COOKIE};
use crate::AppState;

/// Cookie carrying the sign-in form's CSRF token (there is no session yet to hold it).
const SIGN_IN_CSRF_COOKIE: &str = "as_signin";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route(
            "/language",
            get(switch_language_anonymous).post(switch_language),
        )
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    ctx: Ctx,
    next: String,
    username: String,
    error: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only local paths are followed after sign-in, so the form cannot redirect elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") => path.to_string(),
        _ => "/".to_string(),
    }
}

fn sign_in_form(
    lang: Lang,
    next: String,
    username: String,
    error: String,
    status: StatusCode,
    secure: bool,
) -> Result<Response, PageError> {
    let csrf = auth::random_token();
    let page = SignInPage {
        ctx: Ctx::new(lang, None, csrf.clone(), "sign_in"),
        next,
        username,
        error,
    };
    let mut response = render_with(status, &page)?;
    if let Ok(value) = set_cookie(SIGN_IN_CSRF_COOKIE, &csrf, 3600, secure).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

async fn sign_in_page(
    State(state): State<AppState>,
    lang: Lang,
    Query(query): Query<NextQuery>,
) -> Result<Response, PageError> {
    sign_in_form(
        lang,
        safe_next(query.next.as_deref()),
        String::new(),
        String::new(),
        StatusCode::OK,
        state.secure_cookies,
    )
}

#[derive(Deserialize)]
struct SignInForm {
    username: String,
    password: String,
    next: Option<String>,
    #[serde(rename = "_csrf")]
    csrf: String,
}

async fn sign_in(
    State(state): State<AppState>,
    lang: Lang,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    let next = safe_next(form.next.as_deref());
    if cookie(&headers, SIGN_IN_CSRF_COOKIE).as_deref() != Some(form.csrf.as_str()) {
        return sign_in_form(
            lang,
            next,
            form.username,
            lang.error("forbidden"),
            StatusCode::FORBIDDEN,
            state.secure_cookies,
        );
    }
    match auth::sign_in(
        &state.app,
        &form.username,
        &form.password,
        &peer.ip().to_string(),
    )
    .await
    {
        Ok(session) => {
            let max_age = auth::SESSION_HOURS * 3600;
            let mut response = super::redirect(&next)?;
            let headers = response.headers_mut();
            for value in [
                set_cookie(
                    SESSION_COOKIE,
                    &session.token,
                    max_age,
                    state.secure_cookies,
                ),
                set_cookie(SIGN_IN_CSRF_COOKIE, "", 0, state.secure_cookies),
            ] {
                if let Ok(value) = value.parse() {
                    headers.append(header::SET_COOKIE, value);
                }
            }
            Ok(response)
        }
        Err(err @ (AppError::Unauthenticated | AppError::Throttled { .. })) => {
            let (status, code) = match err {
                AppError::Throttled { .. } => (StatusCode::TOO_MANY_REQUESTS, "throttled"),
                _ => (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            };
            sign_in_form(
                lang,
                next,
                form.username,
                lang.error(code),
                status,
                state.secure_cookies,
            )
        }
        Err(err) => Err(PageError(err)),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    _user: PageUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        auth::sign_out(&state.app, &token).await?;
    }
    let mut response = super::redirect("/sign-in")?;
    if let Ok(value) = set_cookie(SESSION_COOKIE, "", 0, state.secure_cookies).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[derive(Deserialize)]
struct LanguageForm {
    lang: String,
    back: Option<String>,
}

fn language_response(lang: &str, back: Option<&str>, secure: bool) -> Response {
    let mut response = axum::response::Redirect::to(&safe_next(back)).into_response();
    if let Ok(value) = set_cookie("lang", lang, 365 * 24 * 3600, secure).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// Before sign-in the choice only lives in a cookie.
async fn switch_language_anonymous(
    State(state): State<AppState>,
    Query(form): Query<LanguageForm>,
) -> Response {
    match Lang::from_code(&form.lang) {
        Some(lang) => language_response(lang.code(), form.back.as_deref(), state.secure_cookies),
        None => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// A signed-in user's choice is saved on the user too, so it follows them to any device.
async fn switch_language(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<LanguageForm>,
) -> Result<Response, PageError> {
    let lang = Lang::from_code(&form.lang)
        .ok_or(PageError(AppError::invalid("lang", "unsupported_locale")))?;
    auth::set_locale(&state.app, &user.actor, lang.code()).await?;
    Ok(language_response(
        lang.code(),
        form.back.as_deref(),
        state.secure_cookies,
    ))
}
