//! The one cross-origin layer of the messenger API (`/messenger/v1/...`). Customer pages call it
//! from their own origin without cookies; every answer (errors, rate limits and refused
//! bodies included) is readable there, except where the deployment the request concerns does
//! not allow that origin: the handler that finds so answers through [`origin_refused`], which
//! marks the answer unreadable cross-site.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use switchboard_core::deployments;
use uuid::Uuid;

use crate::AppState;
use crate::error::HttpError;

/// Where the layer applies.
pub const API_PREFIX: &str = "/messenger/v1/";

/// Marks an answer the deployment's allowed domains keep from the requesting origin.
#[derive(Debug, Clone, Copy)]
struct OriginRefused;

/// Answers preflights, and lets the requesting origin read every other answer unless it was
/// refused. Placed outside the body limit and the rate limiter, so their answers carry it too.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with(API_PREFIX) {
        return next.run(request).await;
    }
    let origin = foreign_origin(request.headers(), &state.web.base_url)
        .and_then(|origin| HeaderValue::from_str(origin).ok());
    if request.method() == Method::OPTIONS {
        return preflight(origin);
    }
    let mut response = next.run(request).await;
    let refused = response.extensions().get::<OriginRefused>().is_some();
    let headers = response.headers_mut();
    // Shared caches must not hand one origin's answer to another.
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin
        && !refused
    {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    response
}

/// Which origins may read answers is decided per request, once the deployment is known, so a
/// preflight only says which methods and headers the endpoints take.
fn preflight(origin: Option<HeaderValue>) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let out = response.headers_mut();
    if let Some(origin) = origin {
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    out.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, DELETE"),
    );
    out.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, content-type, last-event-id"),
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

/// Keeps `response` from being read by the requesting origin.
pub fn refuse(response: &mut Response) {
    response.extensions_mut().insert(OriginRefused);
}

/// 403 for a page on an origin the deployment does not allow; the page cannot read it.
pub fn origin_refused() -> Response {
    let mut response = HttpError::new(
        StatusCode::FORBIDDEN,
        "origin_not_allowed",
        "This site is not one of the deployment's allowed domains.",
    )
    .into_response();
    refuse(&mut response);
    response
}

/// Passes a request from our own pages, or from a page on one of deployment `id`'s allowed
/// domains; unknown and inactive deployments allow no other page.
pub async fn require_allowed(
    state: &AppState,
    headers: &HeaderMap,
    id: Uuid,
) -> Result<(), Response> {
    let Some(origin) = foreign_origin(headers, &state.web.base_url) else {
        return Ok(());
    };
    let served = deployments::served(&state.services, id)
        .await
        .map_err(|error| HttpError::from(error).into_response())?;
    if served.is_some_and(|served| served.allows_origin(origin).unwrap_or(false)) {
        Ok(())
    } else {
        Err(origin_refused())
    }
}
