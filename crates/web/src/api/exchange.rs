//! Spreadsheet import and export of customers, products and units.

use aftersales_app::import_export::{self, ImportReport, RowError, Sheet};
use aftersales_app::AppError;
use aftersales_tabular::Format;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::OpenApi;

use super::attachments::{file_response, first_file};
use super::{ApiError, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::i18n::Lang;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(import_sheet, export_sheet),
    components(schemas(ImportReport, RowError))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/imports/{sheet}", post(import_sheet))
        .route("/exports/{sheet}", get(export_sheet))
}

fn sheet(name: &str) -> Result<Sheet, AppError> {
    Sheet::parse(name).ok_or(AppError::NotFound)
}

/// Imports an .xlsx or .csv file (multipart field `file`). All rows or none: when any row
/// is bad, nothing is stored and the report lists every bad row (still 200).
#[utoipa::path(post, path = "/imports/{sheet}", tag = "import/export", params(("sheet" = String, Path, description = "customers, products or units")), request_body(content_type = "multipart/form-data", content = String), responses((status = 200, body = ImportReport), (status = 409, body = ErrorBody)))]
async fn import_sheet(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(name): Path<String>,
    mut multipart: Multipart,
) -> Result<Json<ImportReport>, ApiError> {
    let sheet = sheet(&name)?;
    let (file_name, _, bytes) = first_file(&mut multipart).await?;
    Ok(Json(
        import_export::import(&state.app, &actor, sheet, &bytes, &file_name).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct ExportQuery {
    /// xlsx (default) or csv.
    format: Option<String>,
}

/// Exports everything of a sheet the caller sees, headers in the caller's language.
#[utoipa::path(get, path = "/exports/{sheet}", tag = "import/export", params(("sheet" = String, Path), ExportQuery), responses((status = 200, description = "The file"), (status = 403, body = ErrorBody)))]
async fn export_sheet(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    lang: Lang,
    Path(name): Path<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let sheet = sheet(&name)?;
    let format = match query.format.as_deref() {
        None | Some("xlsx") => Format::Xlsx,
        Some("csv") => Format::Csv,
        Some(_) => return Err(ApiError(AppError::invalid("format", "invalid_choice"))),
    };
    let (bytes, file_name) =
        import_export::export(&state.app, &actor, sheet, format, lang == Lang::En).await?;
    Ok(file_response(format.content_type(), &file_name, bytes))
}
