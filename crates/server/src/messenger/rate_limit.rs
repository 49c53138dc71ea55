//! A per-address limit on the messenger's sign-in and token endpoints, which anyone on the
//! internet can call: a flood from one address gets 429 with Retry-After instead of turning
//! into provider requests and database writes.
//!
//! Counted in memory per instance (a fixed window per client address, see
//! [`switchboard_core::rate_limit`]): unlike admin sign-in,
//! nothing here guards a password, so an attacker spreading requests over instances gains
//! only throughput, which each instance still caps.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use switchboard_core::rate_limit::FixedWindows;

use crate::AppState;
use crate::client_address::ClientAddress;
use crate::error::HttpError;

const WINDOW: Duration = Duration::from_secs(60);
/// Sign-in and token requests per address and minute: far above one visitor's needs, low
/// enough to matter.
pub const SIGN_IN_LIMIT: u32 = 120;

/// A fixed window per client address.
pub type RateLimiter = FixedWindows<ClientAddress>;

/// The sign-in endpoints' limit: [`SIGN_IN_LIMIT`] a minute per address.
pub fn sign_in_limiter() -> RateLimiter {
    FixedWindows::new(SIGN_IN_LIMIT, WINDOW)
}

/// The 429 answer of a limited messenger endpoint, with `Retry-After`.
pub fn too_many(wait: Duration, message: &str) -> Response {
    HttpError::too_many(wait, message).into_response()
}

pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let address = ClientAddress::from_request(&request);
    match state.messenger.limiter.hit(address) {
        Ok(()) => next.run(request).await,
        Err(wait) => too_many(
            wait,
            "Too many sign-in requests from this address; try again shortly.",
        ),
    }
}
