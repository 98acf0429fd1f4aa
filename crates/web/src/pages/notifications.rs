//! The signed-in user's notifications, and the unread count in the header.

use aftersales_app::notifications::{self, NotificationView};
use aftersales_app::page::{Page, PageRequest};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::{redirect, render, CsrfForm, Ctx, PageError, Pager};
use crate::session::PageUser;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(list_notifications))
        .route("/notifications/unread", get(unread_badge))
        .route("/notifications/read-all", post(mark_all_read))
        .route("/notifications/{id}/read", post(mark_read))
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct ListPage {
    ctx: Ctx,
    unread: u64,
    page: Page<NotificationView>,
    pager: Pager,
}

async fn list_notifications(
    State(state): State<AppState>,
    user: PageUser,
    Query(page): Query<PageRequest>,
) -> Result<Response, PageError> {
    let inbox = notifications::list_mine(&state.app, &user.actor, page).await?;
    let page = Page {
        items: inbox.items,
        total: inbox.total,
        page: inbox.page,
        per_page: inbox.per_page,
        total_capped: false,
    };
    let pager = Pager::new(&page, &[]);
    render(&ListPage {
        ctx: Ctx::of(&user, "notifications"),
        unread: inbox.unread,
        page,
        pager,
    })
}

/// The header badge, fetched by htmx once a page has loaded: empty when nothing is unread.
async fn unread_badge(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let unread = notifications::unread_count(&state.app, &user.actor).await?;
    let html = if unread == 0 {
        String::new()
    } else {
        format!(r#" <span class="badge bad" id="unread-count">{unread}</span>"#)
    };
    Ok(Html(html).into_response())
}

#[derive(serde::Deserialize)]
struct Empty {}

async fn mark_read(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    let read = notifications::mark_read(&state.app, &user.actor, id).await?;
    // Following the link of a notice marks it read on the way.
    match read
        .link
        .filter(|link| link.starts_with('/') && !link.starts_with("//"))
    {
        Some(link) => redirect(&link),
        None => redirect("/notifications"),
    }
}

async fn mark_all_read(
    State(state): State<AppState>,
    user: PageUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, PageError> {
    notifications::mark_all_read(&state.app, &user.actor).await?;
    redirect("/notifications")
}
