//! Shared state of the HTTP layer.

use std::sync::Arc;

use aftersales_app::App;

use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: Arc<Metrics>,
    /// Send cookies with `Secure` (behind HTTPS).
    pub secure_cookies: bool,
}

impl AppState {
    pub fn new(app: App, secure_cookies: bool) -> AppState {
        AppState {
            app,
            metrics: Arc::new(Metrics::default()),
            secure_cookies,
        }
    }
}
