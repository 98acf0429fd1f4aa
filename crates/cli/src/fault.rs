//! TEST HOOK, off by default: fault injection for the durability tests.
//!
//! `AFTERSALES_FAULT_AFTER_COMMIT=register:N` makes `serve` abort the whole process right
//! after the N-th successful registration (`POST /api/v1/service-orders` answered 2xx) was
//! committed and before its response is written, so the client never sees the answer. A
//! retry with the same `Idempotency-Key` must then replay the committed order instead of
//! creating a second one (`crates/cli/tests/durability.rs`). Without the variable nothing is
//! added to the router.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context};
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::Router;

pub const VARIABLE: &str = "AFTERSALES_FAULT_AFTER_COMMIT";

/// Adds the hook named by [`VARIABLE`] to the router, if the variable is set.
pub fn install(router: Router) -> anyhow::Result<Router> {
    let Ok(spec) = std::env::var(VARIABLE) else {
        return Ok(router);
    };
    let Some(("register", n)) = spec.split_once(':') else {
        bail!("{VARIABLE} must be register:N, not {spec:?}");
    };
    let abort_at: u64 = n
        .parse()
        .with_context(|| format!("{VARIABLE}: N must be a number, not {n:?}"))?;
    tracing::warn!("test hook: the process aborts after registration {abort_at} commits");
    let seen = Arc::new(AtomicU64::new(0));
    Ok(router.layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let seen = seen.clone();
            async move {
                let registration = request.method() == Method::POST
                    && request.uri().path() == "/api/v1/service-orders";
                let response = next.run(request).await;
                if registration
                    && response.status().is_success()
                    && seen.fetch_add(1, Ordering::SeqCst) + 1 == abort_at
                {
                    // Committed, not yet answered: the response below is never written.
                    std::process::abort();
                }
                response
            }
        },
    )))
}
