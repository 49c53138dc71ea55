//! A per-address limit on the messenger's sign-in and token endpoints, which anyone on the
//! internet can call: a flood from one address gets 429 with Retry-After instead of turning
//! into provider requests and database writes.
//!
//! Counted in memory per instance (a fixed window per client address): unlike admin sign-in,
//! nothing here guards a password, so an attacker spreading requests over instances gains
//! only throughput, which each instance still caps.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

const WINDOW: Duration = Duration::from_secs(60);
/// Requests per address and window: far above one visitor's needs, low enough to matter.
const LIMIT: u32 = 120;

#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<Option<IpAddr>, (Instant, u32)>>,
}

impl RateLimiter {
    /// Counts one request from `address`; `Err` holds how long until the next is allowed.
    pub fn hit(&self, address: Option<IpAddr>) -> Result<(), Duration> {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = windows.entry(address).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        *count += 1;
        if *count > LIMIT {
            return Err(WINDOW.saturating_sub(now.duration_since(*start)));
        }
        Ok(())
    }
}

pub async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    match state.messenger.limiter.hit(address) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(serde_json::json!({
                    "error": "rate_limited",
                    "message": "Too many sign-in requests from this address; try again shortly.",
                })),
            )
                .into_response();
            let seconds = wait.as_secs().max(1).to_string();
            if let Ok(value) = HeaderValue::from_str(&seconds) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_gets_its_own_window() {
        let limiter = RateLimiter::default();
        let a = Some(IpAddr::from([192, 0, 2, 1]));
        let b = Some(IpAddr::from([192, 0, 2, 2]));
        for _ in 0..LIMIT {
            assert!(limiter.hit(a).is_ok());
        }
        let wait = limiter.hit(a).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= WINDOW);
        assert!(limiter.hit(b).is_ok(), "another address is not limited");
    }
}
