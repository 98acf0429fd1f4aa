//! Who is asking, and in which language: the session cookie or an API bearer token, checked
//! once per request by [`load`], which also renders use-case errors into the response body
//! in the request's language.

use aftersales_app::{auth, Actor};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::{render_pending, ApiError};
use crate::i18n::Lang;
use crate::AppState;

pub const SESSION_COOKIE: &str = "as_session";
/// Header an API client using the session cookie sends back for unsafe methods.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in caller.
#[derive(Clone)]
pub struct Signed {
    pub actor: Actor,
    /// The session's CSRF token; `None` for bearer-token callers, who are not browsers.
    pub csrf: Option<String>,
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

pub async fn load(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let headers = request.headers().clone();
    let mut signed = None;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Ok(Some((actor, csrf))) = auth::session_actor(&state.app, &token).await {
            signed = Some(Signed {
                actor,
                csrf: Some(csrf),
            });
        }
    }
    if signed.is_none() {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if let Some(token) = bearer {
            if let Ok(Some(actor)) = auth::token_actor(&state.app, token).await {
                signed = Some(Signed { actor, csrf: None });
            }
        }
    }
    let lang = Lang::negotiate(
        signed.as_ref().and_then(|s| s.actor.locale.as_deref()),
        &headers,
    );
    request.extensions_mut().insert(lang);
    if let Some(signed) = signed.clone() {
        request.extensions_mut().insert(signed);
    }
    let response = next.run(request).await;
    render_pending(response, lang, signed.as_ref())
}

/// The API caller. Cookie-authenticated unsafe requests must echo the CSRF token in the
/// `X-CSRF-Token` header, so another site cannot make a signed-in browser call the API.
pub struct ApiUser(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let signed = parts
            .extensions
            .get::<Signed>()
            .cloned()
            .ok_or(ApiError(aftersales_app::AppError::Unauthenticated))?;
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if let (true, Some(csrf)) = (unsafe_method, signed.csrf.as_deref()) {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if sent != Some(csrf) {
                return Err(ApiError(aftersales_app::AppError::Forbidden));
            }
        }
        Ok(ApiUser(signed.actor))
    }
}

/// The signed-in user of a page; anyone else is sent to the sign-in page.
pub struct PageUser {
    pub actor: Actor,
    pub csrf: String,
    pub lang: Lang,
}

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let lang = parts.extensions.get::<Lang>().copied().unwrap_or(Lang::Zh);
        match parts.extensions.get::<Signed>() {
            Some(Signed {
                actor,
                csrf: Some(csrf),
            }) => Ok(PageUser {
                actor: actor.clone(),
                csrf: csrf.clone(),
                lang,
            }),
            _ => {
                let next = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                Err(Redirect::to(&format!("/sign-in?next={}", urlencode(next))).into_response())
            }
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Lang>().copied().unwrap_or(Lang::Zh))
    }
}

pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        if secure { "; Secure" } else { "" }
    )
}
