//! How large a request body may be, per surface: the console's forms and server functions, the
//! REST API, and the messenger runtime that anyone on the internet can call. A larger body is
//! answered `413` with the JSON error before any handler sees it, whether it announces its
//! length or streams without one.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::error::HttpError;

/// Sign-in forms and server functions (`/api/{name}`): settings and short texts.
pub const CONSOLE: usize = 64 * 1024;
/// The REST API: whole configurations in one call.
pub const REST: usize = 1024 * 1024;
/// The messenger runtime: a message of 4,000 characters, a token exchange.
pub const MESSENGER: usize = 32 * 1024;

/// The limit of the surface `path` belongs to, and its name for the error message.
fn limit_for(path: &str) -> (usize, &'static str) {
    if path.ends_with("/attachments") {
        (crate::attachments::BODY_LIMIT, "a file")
    } else if path.starts_with("/api/v2/") {
        (REST, "the REST API")
    } else if path.starts_with("/messenger/") {
        (MESSENGER, "the messenger")
    } else {
        (CONSOLE, "the console")
    }
}

pub async fn enforce(request: Request, next: Next) -> Response {
    let (limit, surface) = limit_for(request.uri().path());
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_some_and(|length| length > limit as u64) {
        return too_large(limit, surface);
    }
    // Read here, up to the limit, so no handler (a server function, an extractor) ever meets
    // a half-read body and answers 500.
    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
            return too_large(limit, surface);
        }
        Err(error) => {
            tracing::debug!(%error, "request body could not be read");
            let message = "The request body could not be read.";
            return HttpError::new(StatusCode::BAD_REQUEST, "bad_request", message).into_response();
        }
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn too_large(limit: usize, surface: &str) -> Response {
    let message = format!(
        "The request body is larger than {} KiB, the limit of {surface}.",
        limit / 1024
    );
    HttpError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", message).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_surface_has_its_own_limit() {
        assert_eq!(limit_for("/api/v2/integrations").0, REST);
        assert_eq!(limit_for("/messenger/v1/messages").0, MESSENGER);
        assert_eq!(limit_for("/api/save_integration1234").0, CONSOLE);
        assert_eq!(limit_for("/login").0, CONSOLE);
    }
}
