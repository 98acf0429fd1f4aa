//! When the process is asked to stop.

/// Resolves on Ctrl-C (SIGINT) or SIGTERM, the signal `kill`, systemd and container runtimes
/// send to stop a service: either way the process finishes what it is doing instead of dying
/// mid-request.
pub async fn requested() {
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
