//! Prometheus metrics: request counts by route and status, and request time per route.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → count.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// (method, route) → total seconds.
    seconds: Mutex<BTreeMap<(String, String), f64>>,
}

pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    if let Ok(mut requests) = state.metrics.requests.lock() {
        *requests
            .entry((method.clone(), route.clone(), status))
            .or_default() += 1;
    }
    if let Ok(mut seconds) = state.metrics.seconds.lock() {
        *seconds.entry((method, route)).or_default() += elapsed;
    }
    response
}

pub async fn render(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    out.push_str("# HELP aftersales_http_requests_total HTTP requests by route and status.\n");
    out.push_str("# TYPE aftersales_http_requests_total counter\n");
    if let Ok(requests) = state.metrics.requests.lock() {
        for ((method, route, status), count) in requests.iter() {
            out.push_str(&format!(
                "aftersales_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}\n"
            ));
        }
    }
    out.push_str(
        "# HELP aftersales_http_request_seconds_total Time spent serving requests by route.\n",
    );
    out.push_str("# TYPE aftersales_http_request_seconds_total counter\n");
    if let Ok(seconds) = state.metrics.seconds.lock() {
        for ((method, route), total) in seconds.iter() {
            out.push_str(&format!(
                "aftersales_http_request_seconds_total{{method=\"{method}\",route=\"{route}\"}} {total:.6}\n"
            ));
        }
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        out,
    )
        .into_response()
}
