//! Security headers on every response, and the Content-Security-Policy of console pages.
//!
//! Console pages get a policy with the per-request nonce Leptos puts on its inline hydration
//! scripts (set from inside the render, see [`console_policy`]); every other response gets
//! [`DEFAULT_POLICY`], which allows nothing to run. Admin pages may not be framed by anyone;
//! the messenger frame sets its own policy naming the customer's page. When the base URL is
//! https, every response also carries `Strict-Transport-Security`.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// For responses that are not console pages (JSON, static files, redirects).
pub const DEFAULT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The policy of a console page rendered with `nonce`.
pub fn console_policy(nonce: &str, reload_socket: Option<&str>) -> String {
    // 'wasm-unsafe-eval' lets the page compile the wasm bundle; nothing else is evaluated.
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'{}; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        reload_socket
            .map(|socket| format!(" {socket}"))
            .unwrap_or_default()
    )
}

/// Over https, browsers keep to https for this host for a year after the first visit.
const HSTS: &str = "max-age=31536000";

pub async fn add(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if state.web.secure_cookies {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    let policy = headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(DEFAULT_POLICY));
    // The messenger frame names the one site that may frame it in its own policy; every other
    // response also says DENY for browsers that ignore frame-ancestors.
    let framable = policy
        .to_str()
        .is_ok_and(|policy| !policy.contains("frame-ancestors 'none'"));
    if !framable {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}
