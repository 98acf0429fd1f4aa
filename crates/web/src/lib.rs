//! HTTP for aftersales: the JSON API under `/api/v1` (described at `/api/openapi.json`) and
//! the server-rendered pages (askama + htmx). Handlers translate HTTP into use-case calls of
//! `aftersales-app` and back; they hold no business rules.

pub mod api;
mod assets;
mod error;
mod i18n;
mod metrics;
mod pages;
mod session;
mod state;

use axum::routing::get;
use axum::Router;

pub use state::AppState;

/// The whole application router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::router())
        .nest("/api/v1", api::router())
        .route("/api/openapi.json", get(api::openapi_json))
        .route("/healthz", get(health))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics::render))
        .route("/static/{*path}", get(assets::serve))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            acknowledge_durably,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::load,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(
            aftersales_app::attachments::MAX_BYTES + 1024 * 1024,
        ))
        .with_state(state)
}

/// A request that may have written is answered only once its writes are on disk
/// ([`aftersales_app::App::make_durable`]): one fsync covers every request that finished
/// meanwhile. If the disk refuses, the answer is 503 instead of a success that a power cut
/// could take back.
async fn acknowledge_durably(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let wrote = !request.method().is_safe();
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !wrote {
        return response;
    }
    match state.app.make_durable().await {
        Ok(()) => response,
        Err(err) => {
            let err = aftersales_app::AppError::Unavailable(format!("fsync: {err}"));
            if api {
                error::ApiError(err).into_response()
            } else {
                error::PageError(err).into_response()
            }
        }
    }
}

/// The process is up.
async fn health() -> &'static str {
    "ok"
}

/// The process can serve: the database answers.
async fn ready(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use aftersales_store::sea_orm::ConnectionTrait;
    use axum::response::IntoResponse;
    match state.app.db.execute_unprepared("SELECT 1").await {
        Ok(_) => "ready".into_response(),
        Err(err) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            format!("database unavailable: {err}"),
        )
            .into_response(),
    }
}

/// Serves a router built by [`router`] (the binary may add a layer: its test hooks) until the
/// shutdown future completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
