//! The messenger runtime, called from visitors' browsers on customers' sites: the loader
//! script, the public deployment config, the messenger frame, sign-in through the provider
//! (popup) or page-side, and the messenger session endpoints.
//!
//! Nothing here uses the admin's cookie: the public endpoints need no identity, the session
//! endpoints take `Authorization: Bearer <messenger session>`, and the sign-in flow is bound
//! to the popup's browser by a cookie of its own.

mod assets;
mod auth;
mod config;
pub mod cors;
mod events;
mod frame;
mod messages;
mod pages;
mod rate_limit;
pub(crate) mod stream_limits;
mod tokens;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};

pub use self::assets::loader;
pub use self::auth::test_sign_in;
use self::config::PublicConfigCache;
use self::rate_limit::RateLimiter;
use self::stream_limits::StreamLimits;
pub use self::stream_limits::{
    PER_ADDRESS as STREAMS_PER_ADDRESS, PER_SESSION as STREAMS_PER_SESSION,
};
use switchboard_domain::urls;

use crate::AppState;

/// What the runtime keeps in memory per instance.
#[derive(Debug)]
pub struct Runtime {
    configs: PublicConfigCache,
    limiter: RateLimiter,
    streams: StreamLimits,
}

impl Runtime {
    /// A runtime whose messenger sessions may each hold `streams_per_session` event streams,
    /// and client addresses `streams_per_address`.
    pub fn new(streams_per_session: usize, streams_per_address: usize) -> Self {
        Self {
            configs: PublicConfigCache::default(),
            limiter: rate_limit::sign_in_limiter(),
            streams: StreamLimits::new(streams_per_session, streams_per_address),
        }
    }
}

impl Default for Runtime {
    fn default() -> Self {
        Self::new(STREAMS_PER_SESSION, STREAMS_PER_ADDRESS)
    }
}

pub fn router(state: &AppState) -> Router<AppState> {
    // Every route that makes provider requests or creates sessions is rate-limited.
    let limited = Router::new()
        .route(urls::SIGN_IN_START_PATH, get(auth::start))
        .route(urls::CALLBACK_PATH, get(auth::callback))
        .route(
            urls::BACKCHANNEL_LOGOUT_PATH,
            post(auth::backchannel_logout),
        )
        .route("/v1/token/nonce", post(tokens::nonce))
        .route("/v1/token/exchange", post(tokens::exchange))
        .route("/v1/token/refresh", post(tokens::refresh))
        .route("/v1/token", axum::routing::delete(tokens::sign_out))
        .route("/v1/sessions", post(messages::start_anonymous))
        .route_layer(from_fn_with_state(state.clone(), rate_limit::limit));
    Router::new()
        .route("/v1/deployments/{id}/config", get(config::public_config))
        .route("/frame", get(frame::frame))
        .route(urls::SIGNED_OUT_PATH, get(pages::signed_out))
        .route("/frame.js", get(assets::frame_script))
        .route("/event-stream.js", get(assets::event_stream_script))
        .route("/frame.css", get(assets::frame_style))
        .route("/callback.js", get(assets::callback_script))
        .route("/switchboard.d.ts", get(assets::api_types))
        .route("/v1/session", get(tokens::session))
        .route("/v1/conversation", get(messages::conversation))
        .route("/v1/messages", post(messages::post))
        .route("/v1/events", get(events::events))
        .route("/v1/sessions/upgrade", post(messages::upgrade))
        .route("/v1/typing", post(messages::typing))
        .route("/v1/transcript", get(messages::transcript))
        .route("/v1/attachments", post(messages::upload))
        .route("/v1/attachments/{id}", get(messages::attachment))
        .merge(limited)
}
