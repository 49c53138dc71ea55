//! `GET /healthz`: for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;

/// 200 `ok` when the database answers; 503 otherwise, so a balancer stops sending traffic here.
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.services.check_health().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(error) => {
            tracing::warn!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
