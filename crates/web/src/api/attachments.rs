//! Attachments on customers, units and contracts.

use aftersales_app::attachments::{self, AttachmentView};
use aftersales_app::AppError;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{created, ApiError, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_attachments, upload_attachment, download_attachment),
    components(schemas(AttachmentView))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/attachments/{entity}/{id}",
            get(list_attachments).post(upload_attachment),
        )
        .route("/attachments/{id}/download", get(download_attachment))
}

#[utoipa::path(get, path = "/attachments/{entity}/{id}", tag = "attachments", params(("entity" = String, Path, description = "customer, unit or contract"), ("id" = i64, Path)), responses((status = 200, body = [AttachmentView]), (status = 404, body = ErrorBody)))]
async fn list_attachments(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((entity, id)): Path<(String, i64)>,
) -> Result<Json<Vec<AttachmentView>>, ApiError> {
    Ok(Json(
        attachments::list(&state.app, &actor, &entity, id).await?,
    ))
}

/// Reads the first file part of a multipart body: (file name, content type, bytes).
pub async fn first_file(multipart: &mut Multipart) -> Result<(String, String, Vec<u8>), AppError> {
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::invalid("file", "invalid_upload"))?
    {
        if let Some(file_name) = field.file_name().map(str::to_string) {
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_string();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| AppError::invalid("file", "invalid_upload"))?;
            return Ok((file_name, content_type, bytes.to_vec()));
        }
    }
    Err(AppError::invalid("file", "required"))
}

/// Uploads a file as multipart/form-data (field `file`, at most 20 MB).
#[utoipa::path(post, path = "/attachments/{entity}/{id}", tag = "attachments", params(("entity" = String, Path), ("id" = i64, Path)), request_body(content_type = "multipart/form-data", content = String), responses((status = 201, body = AttachmentView), (status = 422, body = ErrorBody)))]
async fn upload_attachment(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((entity, id)): Path<(String, i64)>,
    mut multipart: Multipart,
) -> Result<Response, ApiError> {
    let (file_name, content_type, bytes) = first_file(&mut multipart).await?;
    Ok(created(
        attachments::upload(
            &state.app,
            &actor,
            &entity,
            id,
            &file_name,
            &content_type,
            &bytes,
        )
        .await?,
    ))
}

#[utoipa::path(get, path = "/attachments/{id}/download", tag = "attachments", params(("id" = i64, Path)), responses((status = 200, description = "The file"), (status = 404, body = ErrorBody)))]
async fn download_attachment(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let (meta, bytes) = attachments::download(&state.app, &actor, id).await?;
    Ok(file_response(&meta.content_type, &meta.file_name, bytes))
}

/// A download with a UTF-8 file name (RFC 5987), which Chinese names need.
pub fn file_response(content_type: &str, file_name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        crate::session::urlencode(file_name)
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}
