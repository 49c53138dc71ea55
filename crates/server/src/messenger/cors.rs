//! Cross-origin rules of the messenger endpoints. Customer pages call the page-side sign-in
//! endpoints from their own origin; the answer is readable there only when the deployment
//! allows that origin (checked per request, once the deployment is known).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use switchboard_core::deployments;
use uuid::Uuid;

use crate::AppState;

/// Answers a CORS preflight. Which origins may read answers is decided per request, so the
/// preflight only says which methods and headers the endpoints take.
pub async fn preflight(headers: HeaderMap) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let out = response.headers_mut();
    if let Some(origin) = headers.get(header::ORIGIN) {
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    }
    out.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, DELETE"),
    );
    out.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type"),
    );
    out.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    out.insert(header::VARY, HeaderValue::from_static("Origin"));
    response
}

/// The request's `Origin`, when it is another site's (the frame's own calls have none, or ours).
pub fn foreign_origin<'a>(headers: &'a HeaderMap, base_url: &str) -> Option<&'a str> {
    headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .filter(|origin| *origin != base_url)
}

/// Lets `origin` read `response`.
pub fn allow(mut response: Response, origin: Option<&str>) -> Response {
    if let Some(value) = origin.and_then(|origin| HeaderValue::from_str(origin).ok()) {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

/// Whether deployment `id` lets pages on `origin` use it; unknown and inactive deployments
/// allow no one.
pub async fn deployment_allows(
    state: &AppState,
    id: Uuid,
    origin: &str,
) -> Result<bool, switchboard_core::Error> {
    Ok(deployments::served(state.services.db(), id)
        .await?
        .is_some_and(|served| served.allows_origin(origin).unwrap_or(false)))
}
