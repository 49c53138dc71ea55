//! Graceful shutdown: stop accepting, end the event streams, let requests in flight finish,
//! then exit.

use tokio_util::sync::CancellationToken;

/// Resolves on SIGTERM (what orchestrators send) or Ctrl-C, once `stopping` (which the event
/// streams watch) is cancelled: a stream never ends on its own, so waiting for it would hold
/// the shutdown open for as long as a tab stays open.
pub async fn signal(stopping: CancellationToken) {
    requested().await;
    stopping.cancel();
}

async fn requested() {
    let interrupt = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutdown requested; finishing requests in flight");
}
