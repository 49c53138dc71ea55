//! The Switchboard server: configuration, the HTTP router and the commands of the binary.
//!
//! Read [`routes::router`] first: every URL the server answers starts there.

// Release builds keep the console's full view types (debug builds erase them); laying out the
// server-rendering futures of the larger pages needs more than the default query depth.
#![recursion_limit = "256"]

pub mod api;
pub mod attachments;
pub mod auth;
pub mod body_limit;
pub mod client_address;
pub mod commands;
pub mod compression;
pub mod config;
pub mod cookies;
pub mod csrf;
pub mod declared;
pub mod error;
pub mod health;
pub mod messenger;
pub mod routes;
pub mod security_headers;
pub mod shutdown;
pub mod transcripts;

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use switchboard_core::Services;

/// What every handler can reach. Every middleware layer clones it for every request, so it is
/// one pointer: cloning the parts themselves (the options' strings, the services' handles) cost
/// a quarter of the CPU of serving the loader.
#[derive(Clone, Debug)]
pub struct AppState(Arc<AppParts>);

#[derive(Debug)]
pub struct AppParts {
    pub services: Services,
    pub leptos: LeptosOptions,
    pub web: Arc<WebSettings>,
    /// The messenger runtime's per-instance memory: rendered configs, rate limits.
    pub messenger: Arc<messenger::Runtime>,
    /// The console's event streams on this instance: how many each caller holds, and their feed.
    pub console_streams: Arc<api::events::ConsoleStreams>,
    /// Cancelled when the server begins to stop: event streams end then, so the graceful
    /// shutdown is not held open by them, and their clients reconnect to another instance.
    pub stopping: tokio_util::sync::CancellationToken,
}

impl AppState {
    pub fn new(parts: AppParts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// How the server presents itself to browsers.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The public origin, e.g. `https://chat.example.com`, without a trailing slash.
    pub base_url: String,
    /// Cookies get `Secure` (and the `__Host-` prefix) when the base URL is https.
    pub secure_cookies: bool,
    /// The live-reload websocket of `cargo leptos watch`, which the page's CSP must allow.
    pub reload_socket: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` name the client.
    pub trusted_proxies: client_address::TrustedProxies,
    /// Where `PUT /api/v2/config` reads `{env: ...}` secrets: the process environment (only
    /// `SWITCHBOARD_CONFIG_SECRET_*` names; see `config_as_code::SecretReader::api`).
    pub config_environment: fn(&str) -> Option<String>,
}

impl WebSettings {
    pub fn new(base_url: String) -> Self {
        let secure_cookies = base_url.starts_with("https://");
        let reload_socket = std::env::var_os("LEPTOS_WATCH").map(|_| {
            let host = base_url.split_once("://").map_or("127.0.0.1", |(_, rest)| {
                rest.split(':').next().unwrap_or(rest)
            });
            let port = std::env::var("LEPTOS_RELOAD_PORT").unwrap_or_else(|_| "3001".into());
            format!("ws://{host}:{port}")
        });
        Self {
            base_url,
            secure_cookies,
            reload_socket,
            trusted_proxies: Default::default(),
            config_environment: |name| std::env::var(name).ok(),
        }
    }

    pub fn with_trusted_proxies(self, trusted_proxies: client_address::TrustedProxies) -> Self {
        Self {
            trusted_proxies,
            ..self
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
