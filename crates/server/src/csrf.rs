//! Cross-site request forgery protection for everything a browser can change with the admin's
//! cookie: forms (`/login`, `/logout`, `/setup`), server functions and the REST API.
//!
//! A state-changing request is refused (403) when the browser says it comes from another site:
//! `Sec-Fetch-Site: cross-site` or `same-site`, or an `Origin` that is neither the base URL nor
//! the host the request was sent to. Requests that authenticate with `Authorization: Bearer`
//! and carry no session cookie are exempt (browsers never attach a bearer token on their own,
//! and without the cookie nothing else vouches for them); a request with the cookie is checked
//! whatever else it carries. Requests with neither header do not come from a browser. The session cookie is also `SameSite=Lax`, a second fence.
//! The messenger's `/messenger/v1/` endpoints are exempt: customer pages call them cross-site
//! by design, and they never act on a cookie (a bearer session, or a code with its PKCE
//! verifier, is the credential).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{AppState, auth, cookies};

pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_safe(request.method())
        || bearer_without_cookie(request.headers(), &state)
        || request.uri().path().starts_with("/messenger/v1/")
        || is_same_origin(request.headers(), &state.web.base_url)
    {
        return next.run(request).await;
    }
    tracing::warn!(
        method = %request.method(),
        path = %request.uri().path(),
        origin = ?request.headers().get(header::ORIGIN),
        "refused a cross-site request"
    );
    (
        StatusCode::FORBIDDEN,
        "Cross-site request refused: this form must be sent from the Switchboard console.",
    )
        .into_response()
}

/// An API client: a bearer token is its credential, and no session cookie rides along.
fn bearer_without_cookie(headers: &HeaderMap, state: &AppState) -> bool {
    auth::bearer_token(headers).is_some()
        && cookies::value(headers, &cookies::session_name(&state.web)).is_none()
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the browser's own headers say the request comes from our origin.
pub fn is_same_origin(headers: &HeaderMap, base_url: &str) -> bool {
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    match value(header::HeaderName::from_static("sec-fetch-site")) {
        Some("same-origin" | "none") => return true,
        Some(_) => return false,
        None => {}
    }
    let Some(origin) = value(header::ORIGIN) else {
        return true;
    };
    if origin == base_url {
        return true;
    }
    // The same server reached by another name (localhost vs 127.0.0.1): compare with the Host
    // the browser sent, which a page on another site cannot set.
    let scheme = base_url.split("://").next().unwrap_or("http");
    value(header::HOST).is_some_and(|host| origin == format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    const BASE: &str = "http://127.0.0.1:3000";

    #[test]
    fn browsers_on_our_origin_pass() {
        assert!(is_same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            BASE
        ));
        assert!(is_same_origin(&headers(&[("origin", BASE)]), BASE));
        assert!(is_same_origin(
            &headers(&[
                ("origin", "http://localhost:3000"),
                ("host", "localhost:3000")
            ]),
            BASE
        ));
    }

    #[test]
    fn other_sites_are_refused() {
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            BASE
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            BASE
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:3000")
            ]),
            BASE
        ));
        // A null origin (sandboxed frame, file://) is not ours either.
        assert!(!is_same_origin(&headers(&[("origin", "null")]), BASE));
    }
}
