//! One error shape for the API (`{"code", "message", "field", "errors"}`) and one error page
//! for the HTML side. Handlers return [`ApiError`] or [`PageError`]; the body is written by
//! [`render_pending`] once the request's language is known.

use aftersales_app::AppError;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use crate::i18n::Lang;
use crate::session::Signed;

/// A use-case error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

/// A use-case error answered as an HTML page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for ApiError {
    fn from(err: AppError) -> Self {
        ApiError(err)
    }
}

impl From<AppError> for PageError {
    fn from(err: AppError) -> Self {
        PageError(err)
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// The error body of every API response with a 4xx or 5xx status.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Machine code, e.g. `validation_failed`, `not_found`, `stale_version`, `duplicate_phone`.
    pub code: String,
    /// Human message in the caller's language.
    pub message: String,
    /// The offending field, when one field is at fault.
    pub field: Option<String>,
    /// Every invalid field, for validation errors.
    pub errors: Vec<FieldErrorBody>,
    /// Extra detail, e.g. the number of the customer that already has a phone number.
    pub detail: Option<String>,
}

/// What a handler's error left in the response for [`render_pending`] to render.
#[derive(Clone)]
struct Pending {
    html: bool,
    status: StatusCode,
    code: &'static str,
    field: Option<String>,
    errors: Vec<(String, &'static str)>,
    detail: Option<String>,
    retry_after: Option<i64>,
}

fn pending(err: AppError, html: bool) -> Pending {
    let mut p = Pending {
        html,
        status: StatusCode::INTERNAL_SERVER_ERROR,
        code: "internal",
        field: None,
        errors: Vec::new(),
        detail: None,
        retry_after: None,
    };
    match err {
        AppError::Validation(errors) => {
            p.status = StatusCode::UNPROCESSABLE_ENTITY;
            p.code = "validation_failed";
            p.field = errors.0.first().map(|e| e.field.clone());
            p.errors = errors.0.into_iter().map(|e| (e.field, e.code)).collect();
        }
        AppError::NotFound => (p.status, p.code) = (StatusCode::NOT_FOUND, "not_found"),
        AppError::Unauthenticated => {
            (p.status, p.code) = (StatusCode::UNAUTHORIZED, "invalid_credentials")
        }
        AppError::Forbidden => (p.status, p.code) = (StatusCode::FORBIDDEN, "forbidden"),
        AppError::Conflict {
            code,
            field,
            detail,
        } => {
            (p.status, p.code, p.detail) = (StatusCode::CONFLICT, code, detail);
            p.field = field.map(str::to_string);
        }
        AppError::StaleVersion => {
            (p.status, p.code) = (StatusCode::CONFLICT, "stale");
            p.field = Some("version".into());
        }
        AppError::Throttled { retry_after_secs } => {
            (p.status, p.code, p.retry_after) = (
                StatusCode::TOO_MANY_REQUESTS,
                "throttled",
                Some(retry_after_secs),
            );
        }
        AppError::Unavailable(message) => {
            tracing::warn!(%message, "storage unavailable (database or files)");
            (p.status, p.code) = (StatusCode::SERVICE_UNAVAILABLE, "unavailable");
        }
        AppError::Internal(err) => tracing::error!(error = ?err, "internal error"),
    }
    p
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let p = pending(self.0, false);
        let mut response = p.status.into_response();
        response.extensions_mut().insert(p);
        response
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let p = pending(self.0, true);
        let mut response = p.status.into_response();
        response.extensions_mut().insert(p);
        response
    }
}

fn body(p: &Pending, lang: Lang) -> ErrorBody {
    let message = match p.code {
        "validation_failed" => p
            .errors
            .iter()
            .map(|(f, c)| format!("{f}: {}", lang.error(c)))
            .collect::<Vec<_>>()
            .join("; "),
        code => lang.error(code),
    };
    ErrorBody {
        code: p.code.to_string(),
        message,
        field: p.field.clone(),
        errors: p
            .errors
            .iter()
            .map(|(f, c)| FieldErrorBody {
                field: f.clone(),
                code: (*c).to_string(),
                message: lang.error(c),
            })
            .collect(),
        detail: p.detail.clone(),
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: crate::pages::Ctx,
    status: u16,
    message: String,
}

/// Writes the body of a response whose handler failed.
pub fn render_pending(response: Response, lang: Lang, signed: Option<&Signed>) -> Response {
    let Some(p) = response.extensions().get::<Pending>().cloned() else {
        return response;
    };
    let mut rendered = if p.html {
        let ctx = crate::pages::Ctx::new(
            lang,
            signed.map(|s| s.actor.clone()),
            signed.and_then(|s| s.csrf.clone()).unwrap_or_default(),
            "",
        );
        let body = body(&p, lang);
        let page = ErrorPage {
            ctx,
            status: p.status.as_u16(),
            message: body.message,
        };
        match askama::Template::render(&page) {
            Ok(html) => (p.status, Html(html)).into_response(),
            Err(_) => (p.status, lang.error(p.code)).into_response(),
        }
    } else {
        (p.status, axum::Json(body(&p, lang))).into_response()
    };
    if let Some(secs) = p.retry_after {
        if let Ok(value) = secs.to_string().parse() {
            rendered
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
        }
    }
    rendered
}
