//! The settings registry and the audit trail.

use aftersales_app::audit::{self, AuditEntry, FieldChange};
use aftersales_app::settings::{self, SettingKind, SettingView};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use super::{ApiError, ApiJson, ApiUser};
use crate::error::ErrorBody;
use crate::i18n::Lang;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_settings, update_setting, get_audit_trail),
    components(schemas(SettingView, SettingKind, SettingInput, AuditEntry, FieldChange))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings", get(list_settings))
        .route("/settings/{key}", put(update_setting))
        .route("/audit/{entity}/{id}", get(get_audit_trail))
}

/// Every administrator setting with its value, default and seed source.
#[utoipa::path(get, path = "/settings", tag = "settings", responses((status = 200, body = [SettingView])))]
async fn list_settings(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    lang: Lang,
) -> Result<Json<Vec<SettingView>>, ApiError> {
    Ok(Json(
        settings::list(&state.app, &actor, lang == Lang::En).await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SettingInput {
    pub value: String,
}

/// Changes a setting (admin); the change is audited.
#[utoipa::path(put, path = "/settings/{key}", tag = "settings", params(("key" = String, Path)), request_body = SettingInput, responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_setting(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(key): Path<String>,
    ApiJson(input): ApiJson<SettingInput>,
) -> Result<StatusCode, ApiError> {
    settings::set(&state.app, &actor, &key, &input.value).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit trail of one record: who changed what, when, before and after.
#[utoipa::path(get, path = "/audit/{entity}/{id}", tag = "settings", params(("entity" = String, Path, description = "customer, unit, product, contract, user, org_unit, district, setting, api_token, invoice, cash_collection"), ("id" = i64, Path)), responses((status = 200, body = [AuditEntry]), (status = 403, body = ErrorBody)))]
async fn get_audit_trail(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((entity, id)): Path<(String, i64)>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    Ok(Json(audit::history(&state.app, &actor, &entity, id).await?))
}
