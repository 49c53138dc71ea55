//! The HTTP surface: health, the console (server-rendered Leptos pages and their server
//! functions) and the static site files.

use std::sync::LazyLock;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;
use leptos::prelude::{LeptosOptions, provide_context};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use switchboard_app::{App, shell};
use tower_http::trace::TraceLayer;

use crate::{AppState, health};

/// The console's routes, worked out once per process. Generating them renders the app with
/// resource loading switched off process-wide, so a page rendered at that moment would wait
/// forever; doing it once, before any router exists, rules that out.
static CONSOLE_ROUTES: LazyLock<Vec<AxumRouteListing>> =
    LazyLock::new(|| generate_route_list(App));

/// Builds the whole application. Tests call it without opening a socket.
pub fn router(state: AppState) -> Router {
    let console_routes = CONSOLE_ROUTES.clone();
    let services = state.services.clone();
    let leptos_options = state.leptos.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/", get(to_console))
        .route("/admin", get(to_console))
        .leptos_routes_with_context(
            &state,
            console_routes,
            move || provide_context(services.clone()),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The Leptos settings the console renders with.
pub fn leptos_options(config: &crate::config::Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("switchboard")
        .site_root(config.site_root.to_string_lossy().into_owned())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build()
}

/// `/` and `/admin` have no page of their own: the console starts at Integrations.
async fn to_console() -> Redirect {
    Redirect::to("/admin/integrations")
}
