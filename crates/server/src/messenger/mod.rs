//! The messenger runtime's public endpoints, called from visitors' browsers on customers' sites.

mod config;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/deployments/{id}/config", get(config::public_config))
}
