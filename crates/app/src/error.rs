//! The error every server function returns, so pages can match on what went wrong.
//!
//! Policy: `Invalid` carries field messages meant for the form; `NotFound` is shown as such;
//! anything internal reaches the browser only as `Internal` (the server logs the details).

use leptos::prelude::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};
use switchboard_domain::FieldError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Some fields need attention.")]
    Invalid(Vec<FieldError>),
    /// No session, or it expired: the page sends the admin to sign in again.
    #[error("Your session has ended. Sign in again.")]
    Unauthorized,
    /// A viewer tried to change something.
    #[error("Your role (viewer) can look at everything but change nothing.")]
    Forbidden,
    /// The change conflicts with other objects; the message names them.
    #[error("{0}")]
    Conflict(String),
    #[error("This {0} does not exist (any more).")]
    NotFound(String),
    #[error("Something went wrong on the server. The details are in its log.")]
    Internal,
    /// The request never reached our code (network down, server restarting, bad encoding).
    #[error("The server could not be reached: {0}")]
    Transport(ServerFnErrorErr),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value)
    }
}

#[cfg(feature = "ssr")]
impl From<switchboard_core::Error> for AppError {
    fn from(error: switchboard_core::Error) -> Self {
        use http::StatusCode;
        use switchboard_core::Error;
        // The HTTP status says what kind of failure it is, as the REST API's would.
        let (status, error) = match error {
            Error::Invalid(fields) => (StatusCode::UNPROCESSABLE_ENTITY, Self::Invalid(fields)),
            Error::NotFound(what) => (StatusCode::NOT_FOUND, Self::NotFound(what.to_owned())),
            Error::Forbidden => (StatusCode::FORBIDDEN, Self::Forbidden),
            Error::Conflict(message) => (StatusCode::CONFLICT, Self::Conflict(message)),
            Error::TooFast { message, .. } => {
                (StatusCode::TOO_MANY_REQUESTS, Self::Conflict(message))
            }
            Error::Database(_) | Error::Corrupt(_) => {
                tracing::error!(%error, "server function failed");
                (StatusCode::INTERNAL_SERVER_ERROR, Self::Internal)
            }
        };
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
        }
        error
    }
}
