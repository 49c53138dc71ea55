//! The REST API's error answer.
//!
//! Policy: every failure is `{"error": code, "message": text}` with a 4xx or 5xx status. Codes
//! are stable (`unauthorized`, `forbidden`, `not_found`, `invalid`, `conflict`, `internal`); messages are
//! for people. Internal errors are logged with their detail and answered without it.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use switchboard_domain::FieldError;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Body,
}

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct Body {
    /// A stable code: `unauthorized`, `forbidden`, `not_found`, `invalid`, `conflict`,
    /// `bad_request`, `internal`.
    #[schema(value_type = String)]
    error: &'static str,
    /// For people.
    message: String,
    /// With `invalid`: the fields that need attention.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Body {
                error,
                message: message.into(),
                fields: vec![],
            },
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
}

impl From<switchboard_core::Error> for ApiError {
    fn from(error: switchboard_core::Error) -> Self {
        use switchboard_core::Error;
        match error {
            Error::Invalid(fields) => Self {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                body: Body {
                    error: "invalid",
                    message: fields
                        .iter()
                        .map(|f| f.message.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    fields,
                },
            },
            Error::Forbidden => Self::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Your role (viewer) can read but not change.",
            ),
            Error::NotFound(what) => Self::not_found(what),
            Error::Conflict(message) => Self::new(StatusCode::CONFLICT, "conflict", message),
            Error::TooFast(message) => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
            }
            Error::Database(_) | Error::Corrupt(_) => {
                tracing::error!(%error, "API request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on the server. The details are in its log.",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
