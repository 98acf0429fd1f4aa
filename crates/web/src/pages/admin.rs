//! Administration pages: settings, API tokens, the audit trail of any record, spreadsheet
//! import and export, and the browsable API documentation.

use aftersales_app::audit::{self, AuditEntry};
use aftersales_app::auth::{self, ApiTokenView};
use aftersales_app::import_export::{self, ImportReport, Sheet};
use aftersales_app::settings::{self, SettingView};
use aftersales_app::AppError;
use aftersales_tabular::Format;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use utoipa::OpenApi;

use super::{
    is_form_error, optional_id, redirect, render, render_with, CsrfForm, Ctx, FieldErrors,
    PageError,
};
use crate::i18n::Lang;
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(show_settings))
        .route("/settings/{key}", post(update_setting))
        .route("/api-tokens", get(show_tokens).post(create_token))
        .route("/api-tokens/{id}/revoke", post(revoke_token))
        .route("/audit/{entity}/{id}", get(show_audit))
        .route("/import-export", get(show_exchange).post(import_sheet))
        .route("/import-export/{sheet}", get(export_sheet))
        .route("/api/docs", get(api_docs))
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    ctx: Ctx,
    settings: Vec<SettingView>,
    /// The setting whose change was refused, with the typed value.
    failed: Option<(String, String)>,
    errors: FieldErrors,
}

impl SettingsPage {
    fn value_of<'a>(&'a self, setting: &'a SettingView) -> &'a str {
        match &self.failed {
            Some((key, value)) if *key == setting.key => value,
            _ => &setting.value,
        }
    }
    fn failed_on(&self, key: &str) -> bool {
        self.failed.as_ref().is_some_and(|(k, _)| k == key)
    }
}

async fn settings_page(
    state: &AppState,
    user: &PageUser,
    failed: Option<(String, String, AppError)>,
) -> Result<Response, PageError> {
    let settings = settings::list(&state.app, &user.actor, user.lang == Lang::En).await?;
    let (status, errors, failed) = match failed {
        Some((key, value, err)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(&err, user.lang, &[]),
            Some((key, value)),
        ),
        None => (StatusCode::OK, FieldErrors::default(), None),
    };
    render_with(
        status,
        &SettingsPage {
            ctx: Ctx::of(user, "settings"),
            settings,
            failed,
            errors,
        },
    )
}

async fn show_settings(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    settings_page(&state, &user, None).await
}

#[derive(Deserialize)]
struct SettingForm {
    value: String,
}

async fn update_setting(
    State(state): State<AppState>,
    user: PageUser,
    Path(key): Path<String>,
    CsrfForm(form): CsrfForm<SettingForm>,
) -> Result<Response, PageError> {
    match settings::set(&state.app, &user.actor, &key, &form.value).await {
        Ok(()) => redirect("/settings"),
        Err(err) if is_form_error(&err) => {
            settings_page(&state, &user, Some((key, form.value, err))).await
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage {
    ctx: Ctx,
    tokens: Vec<ApiTokenView>,
    /// The secret of a token just created, shown once.
    secret: Option<String>,
    token_name: String,
    errors: FieldErrors,
}

async fn tokens_page(
    state: &AppState,
    user: &PageUser,
    secret: Option<String>,
    token_name: String,
    error: Option<AppError>,
) -> Result<Response, PageError> {
    let tokens = auth::list_api_tokens(&state.app, &user.actor).await?;
    let (status, errors) = match &error {
        Some(err) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldErrors::from_error(err, user.lang, &[]),
        ),
        None => (StatusCode::OK, FieldErrors::default()),
    };
    render_with(
        status,
        &TokensPage {
            ctx: Ctx::of(user, "api_tokens"),
            tokens,
            secret,
            token_name,
            errors,
        },
    )
}

async fn show_tokens(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    tokens_page(&state, &user, None, String::new(), None).await
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
    #[serde(default)]
    user_id: String,
}

/// Creates a token acting as the chosen user (the creator by default) and shows its
/// secret once on the page.
async fn create_token(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let acting_as = optional_id(&form.user_id).unwrap_or(user.actor.user_id);
    match auth::create_api_token(&state.app, &user.actor, &form.name, acting_as).await {
        Ok((_, secret)) => tokens_page(&state, &user, Some(secret), String::new(), None).await,
        Err(err) if is_form_error(&err) => {
            tokens_page(&state, &user, None, form.name, Some(err)).await
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn revoke_token(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    match auth::revoke_api_token(&state.app, &user.actor, id).await {
        Ok(())
        | Err(AppError::Conflict {
            code: "already_revoked",
            ..
        }) => redirect("/api-tokens"),
        Err(err) => Err(err.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    ctx: Ctx,
    entity: String,
    id: i64,
    entries: Vec<AuditEntry>,
}

async fn show_audit(
    State(state): State<AppState>,
    user: PageUser,
    Path((entity, id)): Path<(String, i64)>,
) -> Result<Response, PageError> {
    let entries = audit::history(&state.app, &user.actor, &entity, id).await?;
    render(&AuditPage {
        ctx: Ctx::of(&user, ""),
        entity,
        id,
        entries,
    })
}

#[derive(Template)]
#[template(path = "admin/exchange.html")]
struct ExchangePage {
    ctx: Ctx,
    sheet: String,
    report: Option<ImportReport>,
    errors: FieldErrors,
}

const SHEETS: &[&str] = &["customers", "products", "units"];

async fn show_exchange(user: PageUser) -> Result<Response, PageError> {
    render(&ExchangePage {
        ctx: Ctx::of(&user, "import_export"),
        sheet: "customers".into(),
        report: None,
        errors: FieldErrors::default(),
    })
}

async fn import_sheet(
    State(state): State<AppState>,
    user: PageUser,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = super::Upload::read(&user, multipart).await?;
    let sheet_name = upload.field("sheet").to_string();
    let sheet =
        Sheet::parse(&sheet_name).ok_or(PageError(AppError::invalid("sheet", "invalid_choice")))?;
    let (file_name, _, bytes) = upload.into_file();
    let ctx = Ctx::of(&user, "import_export");
    match import_export::import(&state.app, &user.actor, sheet, &bytes, &file_name).await {
        Ok(report) => {
            let status = if report.errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render_with(
                status,
                &ExchangePage {
                    ctx,
                    sheet: sheet_name,
                    report: Some(report),
                    errors: FieldErrors::default(),
                },
            )
        }
        Err(err) if is_form_error(&err) => {
            let errors = FieldErrors::from_error(&err, user.lang, &[]);
            render_with(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ExchangePage {
                    ctx,
                    sheet: sheet_name,
                    report: None,
                    errors,
                },
            )
        }
        Err(err) => Err(err.into()),
    }
}

#[derive(Deserialize)]
struct ExportQuery {
    format: Option<String>,
}

async fn export_sheet(
    State(state): State<AppState>,
    user: PageUser,
    Path(name): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, PageError> {
    let sheet = Sheet::parse(&name).ok_or(PageError(AppError::NotFound))?;
    let format = if query.format.as_deref() == Some("csv") {
        Format::Csv
    } else {
        Format::Xlsx
    };
    let (bytes, file_name) = import_export::export(
        &state.app,
        &user.actor,
        sheet,
        format,
        user.lang == Lang::En,
    )
    .await?;
    Ok(crate::api::file_response(
        format.content_type(),
        &file_name,
        bytes,
    ))
}

/// One operation of the API, for the documentation page.
struct Operation {
    method: String,
    path: String,
    summary: String,
    tag: String,
}

#[derive(Template)]
#[template(path = "admin/api_docs.html")]
struct ApiDocsPage {
    ctx: Ctx,
    operations: Vec<Operation>,
}

/// The API documentation, rendered on the server from the same OpenAPI document that
/// `/api/openapi.json` serves (no script needed).
async fn api_docs(user: PageUser) -> Result<Response, PageError> {
    let doc = serde_json::to_value(crate::api::ApiDoc::openapi())
        .map_err(|err| PageError(AppError::Internal(err.into())))?;
    let mut operations = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                operations.push(Operation {
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary: op
                        .get("summary")
                        .or_else(|| op.get("description"))
                        .and_then(|s| s.as_str())
                        .unwrap_or("")
                        .to_string(),
                    tag: op
                        .get("tags")
                        .and_then(|t| t.get(0))
                        .and_then(|t| t.as_str())
                        .unwrap_or("")
                        .to_string(),
                });
            }
        }
    }
    operations.sort_by(|a, b| (&a.tag, &a.path).cmp(&(&b.tag, &b.path)));
    render(&ApiDocsPage {
        ctx: Ctx::of(&user, ""),
        operations,
    })
}

impl ExchangePage {
    fn sheets(&self) -> &'static [&'static str] {
        SHEETS
    }
    fn is_sheet(&self, name: &str) -> bool {
        self.sheet == name
    }
}
