//! The Switchboard server: configuration, the HTTP router and the commands of the binary.
//!
//! Read [`routes::router`] first: every URL the server answers starts there.

pub mod config;
pub mod health;
pub mod routes;
pub mod shutdown;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use switchboard_core::Services;

/// What every handler can reach. Cloning is cheap: it holds handles, not data.
#[derive(Clone, Debug)]
pub struct AppState {
    pub services: Services,
    pub leptos: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
