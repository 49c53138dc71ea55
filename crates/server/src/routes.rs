//! The HTTP surface: health, sign-in forms, the REST API, the console (server-rendered Leptos
//! pages and their server functions) and the static site files, behind the security layers.

use std::sync::LazyLock;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Redirect;
use axum::routing::{get, post};
use leptos::nonce::use_nonce;
use leptos::prelude::{LeptosOptions, provide_context, use_context};
use leptos_axum::{AxumRouteListing, LeptosRoutes, ResponseOptions, generate_route_list};
use switchboard_app::{App, shell};
use switchboard_domain::urls;
use tower::ServiceExt;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use crate::{
    AppState, api, auth, body_limit, client_address, compression, csrf, health, messenger,
    security_headers,
};

/// The console's routes, worked out once per process. Generating them renders the app with
/// resource loading switched off process-wide, so a page rendered at that moment would wait
/// forever; doing it once, before any router exists, rules that out.
static CONSOLE_ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

/// Builds the whole application. Tests call it without opening a socket.
///
/// A request passes, outermost first: tracing, working out the client's address, security
/// headers, the messenger API's CORS layer (its paths only), the body size limit of its surface, the CSRF check, [`auth::identify`]
/// (who is asking), then the redirect of anonymous console visits to `/login`. Static files and
/// the messenger runtime skip the last two.
pub fn router(state: AppState) -> Router {
    let leptos_options = state.leptos.clone();
    let pkg_dir = std::path::Path::new(leptos_options.site_root.as_ref())
        .join(leptos_options.site_pkg_dir.as_ref());
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/", get(to_console))
        .route("/admin", get(to_console))
        .route("/login", post(auth::forms::login))
        .route("/logout", post(auth::forms::logout))
        .route("/setup", post(auth::forms::setup))
        .merge(api::router())
        .route(
            "/admin/integrations/{id}/test-sign-in",
            get(messenger::test_sign_in),
        )
        .leptos_routes_with_context(
            &state,
            CONSOLE_ROUTES.clone(),
            console_context(&state),
            move || shell(leptos_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(console_context(&state), shell))
        .layer(from_fn(auth::console_requires_session))
        .layer(from_fn_with_state(state.clone(), auth::identify))
        // The wasm bundle and the stylesheet need no identity: added after `identify`, they are
        // served without a session lookup for every file a page loads.
        // Precompressed siblings (`.br`, `.gz`) are served when the client accepts them.
        .nest_service(
            "/pkg",
            ServiceExt::<axum::extract::Request>::map_response(
                ServeDir::new(pkg_dir)
                    .precompressed_br()
                    .precompressed_gzip(),
                vary_accept_encoding,
            ),
        )
        // The messenger runtime never uses the admin's identity either.
        .route(urls::LOADER_PATH, get(messenger::loader))
        .nest(urls::MESSENGER_PREFIX, messenger::router(&state))
        .layer(from_fn_with_state(state.clone(), csrf::protect))
        .layer(from_fn(body_limit::enforce))
        .layer(from_fn_with_state(state.clone(), messenger::cors::layer))
        .layer(from_fn_with_state(state.clone(), security_headers::add))
        .layer(from_fn_with_state(state.clone(), client_address::resolve))
        .layer(compression::dynamic())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Static files differ by `Accept-Encoding` (precompressed siblings): caches must know.
fn vary_accept_encoding<B>(mut response: axum::http::Response<B>) -> axum::http::Response<B> {
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

/// What every console render and server function gets in its context: the services, and the
/// page's Content-Security-Policy built around the nonce Leptos gives its inline scripts.
pub fn console_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let services = state.services.clone();
    let web = state.web.clone();
    move || {
        provide_context(services.clone());
        provide_context(switchboard_app::server::BaseUrl(web.base_url.clone()));
        if let (Some(nonce), Some(response)) = (use_nonce(), use_context::<ResponseOptions>()) {
            let policy = security_headers::console_policy(&nonce, web.reload_socket.as_deref());
            if let Ok(value) = HeaderValue::from_str(&policy) {
                response.insert_header(header::CONTENT_SECURITY_POLICY, value);
            }
        }
    }
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
