//! QR labels (一物一码) and customer self-reports: the printable label of a unit, the public
//! phone page its QR code opens (no sign-in; CSRF by a double-submit cookie like sign-in),
//! and the agents' queue of pending reports with confirm and reject.

use std::net::SocketAddr;

use aftersales_app::fault_reports::{
    self, ConfirmInput, LabelView, PhotoUpload, PublicUnit, RejectInput, ReportInput, ReportView,
};
use aftersales_app::{auth, AppError};
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Multipart, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use super::{is_form_error, redirect, render, render_with, CsrfForm, Ctx, FieldErrors, PageError};
use crate::api::fault_reports::site_origin;
use crate::i18n::Lang;
use crate::session::{cookie, set_cookie, PageUser};
use crate::AppState;

/// Cookie carrying the public report form's CSRF token (an anonymous visitor has no session).
const REPORT_CSRF_COOKIE: &str = "as_report";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units/{id}/label", get(label_page))
        .route("/r/{code}", get(public_form).post(public_submit))
        .route("/r/{code}/done/{id}", get(public_done))
        .route("/fault-reports", get(queue))
        .route("/fault-reports/{id}/confirm", post(confirm))
        .route("/fault-reports/{id}/reject", post(reject))
        .route("/fault-reports/photos/{id}", get(photo))
}

/// The QR code of `text` as an inline SVG element.
fn qr_svg(text: &str) -> Result<String, PageError> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|err| PageError(AppError::Internal(anyhow::anyhow!("QR code: {err}"))))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline SVG in HTML needs no XML declaration.
    Ok(match svg.find("<svg") {
        Some(start) => svg[start..].to_string(),
        None => svg,
    })
}

// ----- the printable label -----

#[derive(Template)]
#[template(path = "fault_reports/label.html")]
struct LabelPage {
    ctx: Ctx,
    label: LabelView,
    url: String,
    svg: String,
}

async fn label_page(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let label = fault_reports::label_for_unit(&state.app, &user.actor, id).await?;
    let url = format!(
        "{}{}",
        site_origin(&headers, state.secure_cookies),
        label.path
    );
    render(&LabelPage {
        ctx: Ctx::of(&user, "units"),
        svg: qr_svg(&url)?,
        url,
        label,
    })
}

// ----- the public phone page -----

/// The visitor's address, when the server knows it (tests call the router without one).
pub struct ClientIp(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip().to_string()),
        ))
    }
}

#[derive(Default)]
struct ReportForm {
    description: String,
    contact_name: String,
    contact_phone: String,
    preferred_time: String,
}

#[derive(Template)]
#[template(path = "fault_reports/public_form.html")]
struct PublicForm {
    ctx: Ctx,
    unit: PublicUnit,
    form: ReportForm,
    errors: FieldErrors,
    /// A message above the form (throttled).
    notice: String,
}

fn public_form_response(
    state: &AppState,
    lang: Lang,
    unit: PublicUnit,
    form: ReportForm,
    errors: FieldErrors,
    notice: String,
    status: StatusCode,
) -> Result<Response, PageError> {
    let csrf = auth::random_token();
    let page = PublicForm {
        ctx: Ctx::new(lang, None, csrf.clone(), "fault_report"),
        unit,
        form,
        errors,
        notice,
    };
    let mut response = render_with(status, &page)?;
    if let Ok(value) = set_cookie(REPORT_CSRF_COOKIE, &csrf, 3600, state.secure_cookies).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

async fn public_form(
    State(state): State<AppState>,
    lang: Lang,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let unit = fault_reports::public_unit(&state.app, &code).await?;
    public_form_response(
        &state,
        lang,
        unit,
        ReportForm::default(),
        FieldErrors::default(),
        String::new(),
        StatusCode::OK,
    )
}

async fn public_submit(
    State(state): State<AppState>,
    lang: Lang,
    ClientIp(client_ip): ClientIp,
    headers: HeaderMap,
    Path(code): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let unit = fault_reports::public_unit(&state.app, &code).await?;
    let broken = || PageError(AppError::invalid("photos", "invalid_upload"));
    let mut form = ReportForm::default();
    let mut csrf = String::new();
    let mut photos = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| broken())? {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let content_type = field.content_type().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|_| broken())?;
                // A file input left empty still sends a part without a name or bytes.
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                photos.push(PhotoUpload {
                    file_name,
                    content_type,
                    bytes: bytes.to_vec(),
                });
            }
            None => {
                let text = field.text().await.map_err(|_| broken())?;
                match name.as_str() {
                    "_csrf" => csrf = text,
                    "description" => form.description = text,
                    "contact_name" => form.contact_name = text,
                    "contact_phone" => form.contact_phone = text,
                    "preferred_time" => form.preferred_time = text,
                    _ => {}
                }
            }
        }
    }
    if csrf.is_empty() || cookie(&headers, REPORT_CSRF_COOKIE).as_deref() != Some(csrf.as_str()) {
        return public_form_response(
            &state,
            lang,
            unit,
            form,
            FieldErrors::default(),
            lang.error("forbidden"),
            StatusCode::FORBIDDEN,
        );
    }
    let input = ReportInput {
        description: form.description.clone(),
        contact_name: Some(form.contact_name.clone()),
        contact_phone: form.contact_phone.clone(),
        preferred_time: Some(form.preferred_time.clone()),
    };
    match fault_reports::submit(&state.app, &code, &input, &photos, client_ip.as_deref()).await {
        Ok(report) => {
            let mut response = redirect(&format!("/r/{}/done/{}", unit.code, report.id))?;
            if let Ok(value) = set_cookie(REPORT_CSRF_COOKIE, "", 0, state.secure_cookies).parse() {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(AppError::Throttled { retry_after_secs }) => {
            let mut response = public_form_response(
                &state,
                lang,
                unit,
                form,
                FieldErrors::default(),
                lang.t("fault_report.throttled").to_string(),
                StatusCode::TOO_MANY_REQUESTS,
            )?;
            if let Ok(value) = retry_after_secs.to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            Ok(response)
        }
        Err(err) if is_form_error(&err) => {
            let errors = FieldErrors::from_error(&err, lang, &[]);
            public_form_response(
                &state,
                lang,
                unit,
                form,
                errors,
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(err) => Err(PageError(err)),
    }
}

#[derive(Template)]
#[template(path = "fault_reports/public_done.html")]
struct PublicDone {
    ctx: Ctx,
    unit: PublicUnit,
    number: String,
}

async fn public_done(
    State(state): State<AppState>,
    lang: Lang,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let unit = fault_reports::public_unit(&state.app, &code).await?;
    render(&PublicDone {
        ctx: Ctx::new(lang, None, String::new(), "fault_report"),
        unit,
        number: fault_reports::report_number(id),
    })
}

// ----- the agents' queue -----

#[derive(Template)]
#[template(path = "fault_reports/queue.html")]
struct QueuePage {
    ctx: Ctx,
    reports: Vec<ReportView>,
    /// The report whose form was refused, and why.
    failed: i64,
    errors: FieldErrors,
}

async fn queue_page(
    state: &AppState,
    user: &PageUser,
    failed: i64,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<Response, PageError> {
    let reports = fault_reports::list_pending(&state.app, &user.actor).await?;
    render_with(
        status,
        &QueuePage {
            ctx: Ctx::of(user, "fault_reports"),
            reports,
            failed,
            errors,
        },
    )
}

async fn queue(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    queue_page(&state, &user, 0, FieldErrors::default(), StatusCode::OK).await
}

#[derive(Deserialize)]
struct ConfirmForm {
    version: i32,
    fault_class: String,
    urgency: String,
    component: Option<String>,
    software_class: Option<String>,
    software_priority: Option<String>,
}

async fn confirm(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, PageError> {
    let input = ConfirmInput {
        version: form.version,
        fault_class: form.fault_class,
        urgency: form.urgency,
        category: None,
        category_reason: None,
        component: form.component.filter(|c| !c.trim().is_empty()),
        software_class: form.software_class.filter(|c| !c.trim().is_empty()),
        software_priority: form.software_priority.filter(|c| !c.trim().is_empty()),
    };
    match fault_reports::confirm(&state.app, &user.actor, id, &input).await {
        Ok(confirmed) => redirect(&format!("/service-orders/{}", confirmed.order.id)),
        Err(err) if is_form_error(&err) => {
            let errors = FieldErrors::from_error(&err, user.lang, &[]);
            queue_page(&state, &user, id, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(err) => Err(PageError(err)),
    }
}

#[derive(Deserialize)]
struct RejectForm {
    version: i32,
    reason: String,
}

async fn reject(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<RejectForm>,
) -> Result<Response, PageError> {
    let input = RejectInput {
        version: form.version,
        reason: form.reason,
    };
    match fault_reports::reject(&state.app, &user.actor, id, &input).await {
        Ok(_) => redirect("/fault-reports"),
        Err(err) if is_form_error(&err) => {
            let errors = FieldErrors::from_error(&err, user.lang, &[]);
            queue_page(&state, &user, id, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(err) => Err(PageError(err)),
    }
}

/// A report photo, shown inline; no script may run in it.
async fn photo(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (photo, bytes) = fault_reports::photo(&state.app, &user.actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, photo.content_type),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_string(),
            ),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        bytes,
    )
        .into_response())
}
