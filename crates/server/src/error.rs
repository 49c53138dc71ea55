//! The one renderer of failures as HTTP answers, shared by the REST API, the messenger API and
//! the sign-in forms: the use cases' typed errors ([`switchboard_core::Error`]) and sign-in
//! failures ([`Failure`]) get their status here and nowhere else.
//!
//! Policy: every failure is `{"error": code, "message": text}` with a 4xx or 5xx status and
//! `Cache-Control: no-store`. Codes are stable (`unauthorized`, `forbidden`, `not_found`,
//! `invalid`, `conflict`, `rate_limited`, `unavailable`, `internal`, and sign-in reason codes); messages are
//! for people. Internal errors are logged with their detail and answered without it.

use std::borrow::Cow;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use switchboard_core::relying_party::Failure;
use switchboard_domain::FieldError;

#[derive(Debug)]
pub struct HttpError {
    status: StatusCode,
    body: Body,
    /// Sent as `Retry-After` (whole seconds, rounded up).
    retry_after: Option<std::time::Duration>,
}

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct Body {
    /// A stable code: `unauthorized`, `forbidden`, `not_found`, `invalid`, `conflict`,
    /// `bad_request`, `internal`.
    #[schema(value_type = String)]
    error: Cow<'static, str>,
    /// For people.
    message: String,
    /// With `invalid`: the fields that need attention.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldError>,
}

impl HttpError {
    pub fn new(
        status: StatusCode,
        error: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            body: Body {
                error: error.into(),
                message: message.into(),
                fields: vec![],
            },
            retry_after: None,
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Sign in, or send Authorization: Bearer <API token>.",
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("No such {what}."),
        )
    }

    /// A failed sign-in as the page sees it: the reason code and a fixed sentence, never the
    /// detail (that goes to the sign-in log). The visitor's browser sent something wrong
    /// (400), the visitor is not allowed (403), or the provider could not be reached (502).
    pub fn sign_in(failure: &Failure) -> Self {
        Self::new(
            sign_in_status(failure),
            failure.reason.clone(),
            failure.public_message(),
        )
    }

    /// 429 with `Retry-After`.
    pub fn too_many(retry_after: std::time::Duration, message: impl Into<String>) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The same status and message for a browser's form post, which shows text, not JSON.
    pub fn plain_text(self) -> Response {
        self.finish((self.status, self.body.message.clone()).into_response())
    }

    /// The headers every error answer carries: never cached, and when to retry.
    fn finish(&self, mut response: Response) -> Response {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(wait) = self.retry_after {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
    }
}

/// The status a sign-in failure is answered with, as a page or as JSON.
pub fn sign_in_status(failure: &Failure) -> StatusCode {
    match failure.reason.as_str() {
        "group_denied" | "forbidden" => StatusCode::FORBIDDEN,
        "provider_unreachable" | "internal_error" => StatusCode::BAD_GATEWAY,
        _ => StatusCode::BAD_REQUEST,
    }
}

impl From<switchboard_core::Error> for HttpError {
    fn from(error: switchboard_core::Error) -> Self {
        use switchboard_core::Error;
        match error {
            Error::Invalid(fields) => Self {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                body: Body {
                    error: "invalid".into(),
                    message: fields
                        .iter()
                        .map(|f| f.message.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    fields,
                },
                retry_after: None,
            },
            Error::Forbidden => Self::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Your role (viewer) can read but not change.",
            ),
            Error::NotFound(what) => Self::not_found(what),
            Error::Conflict(message) => Self::new(StatusCode::CONFLICT, "conflict", message),
            Error::TooFast {
                message,
                retry_after,
            } => Self::too_many(retry_after, message),
            Error::Database(_) | Error::Corrupt(_) => {
                // The detail goes to the log only.
                tracing::error!(%error, "request failed");
                if matches!(error, Error::Database(_)) {
                    Self::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "unavailable",
                        "The server cannot reach its database right now; try again shortly.",
                    )
                } else {
                    Self::new(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal",
                        "Something went wrong on the server. The details are in its log.",
                    )
                }
            }
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let response = (self.status, Json(&self.body)).into_response();
        self.finish(response)
    }
}
