//! Fault reports customers sent by scanning a unit's QR label, and the labels themselves.
//! The public report form is a page (`/r/{code}`), not part of the API.

use aftersales_app::fault_reports::{
    self, ConfirmInput, ConfirmedView, LabelView, PhotoView, RejectInput, ReportView,
};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use utoipa::OpenApi;

use super::{ApiError, ApiJson, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_pending, confirm_report, reject_report, unit_label),
    components(schemas(
        ReportView,
        PhotoView,
        ConfirmInput,
        RejectInput,
        ConfirmedView,
        LabelView,
        UnitLabel
    ))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/fault-reports", get(list_pending))
        .route("/fault-reports/{id}/confirm", post(confirm_report))
        .route("/fault-reports/{id}/reject", post(reject_report))
        .route("/units/{id}/label", get(unit_label))
}

/// A unit's label with the absolute address its QR code encodes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitLabel {
    #[serde(flatten)]
    pub label: LabelView,
    /// The public report page, absolute (scheme and host of this request).
    pub url: String,
}

/// The site's own address as the client reached it (behind a proxy: X-Forwarded-*).
pub fn site_origin(headers: &HeaderMap, secure: bool) -> String {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let host = header("x-forwarded-host")
        .or_else(|| header("host"))
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or_else(|| "localhost".into());
    let scheme = header("x-forwarded-proto")
        .filter(|p| p == "http" || p == "https")
        .unwrap_or_else(|| if secure { "https" } else { "http" }.into());
    format!("{scheme}://{host}")
}

/// Pending reports of the caller's branch, oldest first, with their photos.
#[utoipa::path(get, path = "/fault-reports", tag = "fault reports", responses((status = 200, body = Vec<ReportView>)))]
async fn list_pending(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<Vec<ReportView>>, ApiError> {
    Ok(Json(fault_reports::list_pending(&state.app, &actor).await?))
}

/// Registers the report as a call (channel `portal`, for the reported unit and its customer)
/// and links the new order. A report already handled answers 409 `already_handled`.
#[utoipa::path(post, path = "/fault-reports/{id}/confirm", tag = "fault reports", params(("id" = i64, Path)), request_body = ConfirmInput,
    responses((status = 200, body = ConfirmedView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn confirm_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ConfirmInput>,
) -> Result<Json<ConfirmedView>, ApiError> {
    Ok(Json(
        fault_reports::confirm(&state.app, &actor, id, &input).await?,
    ))
}

/// Rejects the report; `reason` is required.
#[utoipa::path(post, path = "/fault-reports/{id}/reject", tag = "fault reports", params(("id" = i64, Path)), request_body = RejectInput,
    responses((status = 200, body = ReportView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reject_report(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RejectInput>,
) -> Result<Json<ReportView>, ApiError> {
    Ok(Json(
        fault_reports::reject(&state.app, &actor, id, &input).await?,
    ))
}

/// The unit's QR label (一物一码): its code, created on first request and stable after, and
/// the public report address the QR code encodes.
#[utoipa::path(get, path = "/units/{id}/label", tag = "units", params(("id" = i64, Path)), responses((status = 200, body = UnitLabel), (status = 404, body = ErrorBody)))]
async fn unit_label(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<UnitLabel>, ApiError> {
    let label = fault_reports::label_for_unit(&state.app, &actor, id).await?;
    let url = format!(
        "{}{}",
        site_origin(&headers, state.secure_cookies),
        label.path
    );
    Ok(Json(UnitLabel { label, url }))
}
