//! The signed-in user's notifications (SYSTEM-3).

use aftersales_app::notifications::{self, Inbox, NotificationView};
use aftersales_app::page::PageRequest;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::{ApiError, ApiQuery, ApiUser};
use crate::error::ErrorBody;
use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    paths(list_notifications, mark_notification_read),
    components(schemas(Inbox, NotificationView))
)]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list_notifications))
        .route("/notifications/{id}/read", post(mark_notification_read))
}

/// My notifications, newest first, with the number still unread.
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(PageRequest), responses((status = 200, body = Inbox)))]
async fn list_notifications(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(page): ApiQuery<PageRequest>,
) -> Result<Json<Inbox>, ApiError> {
    Ok(Json(
        notifications::list_mine(&state.app, &actor, page).await?,
    ))
}

/// Marks one of my notifications read; another user's answers 404.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path)), responses((status = 200, body = NotificationView), (status = 404, body = ErrorBody)))]
async fn mark_notification_read(
    State(state): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<NotificationView>, ApiError> {
    Ok(Json(
        notifications::mark_read(&state.app, &actor, id).await?,
    ))
}
