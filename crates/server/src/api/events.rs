//! `GET /api/v2/events`: the console's server-sent events, so the inbox and an open
//! conversation change the moment something happens instead of being read again on a timer.
//!
//! - `message`: a new message in any conversation ([`InboxMessage`]: the conversation, who has
//!   it, the visitor's name and the message);
//! - `typing`: the visitor is typing; `read`: an agent has read it; `conversation`: it was
//!   assigned or closed ([`InboxSignal`]);
//! - `signed-out`: the session ended or the token was revoked; the stream ends.
//!
//! The stream also ends when the server stops; the browser then reconnects.
//!
//! Nothing is replayed: a client that reconnects reads the inbox afresh, which costs one read
//! and cannot miss anything.

use std::convert::Infallible;
use std::time::Duration;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use switchboard_core::delivery::{Notice, NoticeKind};
use switchboard_core::inbox;
use switchboard_domain::inbox::{InboxMessage, InboxSignal};
use tokio::sync::broadcast::{self, error::RecvError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiError, Caller};
use crate::client_address::ClientAddress;
use crate::error::Body as Error;
use crate::messenger::stream_limits::{PER_ADDRESS, Refusal, StreamLimits, StreamPermit};
use crate::{AppState, auth};

/// Streams one admin (or token) may hold open on an instance: a console tab each.
pub const PER_ADMIN: usize = 20;

/// How often an open stream checks that its session or token is still good.
const CREDENTIAL_CHECK: Duration = Duration::from_secs(30);

/// The limits the console's streams are held to.
pub fn console_limits() -> StreamLimits {
    StreamLimits::new(PER_ADMIN, PER_ADDRESS)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

/// The console's live events (server-sent events; see the module documentation). Stays open;
/// a comment every 15 s keeps proxies from cutting it.
#[utoipa::path(get, path = "/api/v2/events", tag = "conversations",
    responses(
        (status = 200, content_type = "text/event-stream",
            description = "`message` events carry an InboxMessage; `typing`, `read` and \
                `conversation` an InboxSignal; `signed-out` ends the stream."),
        (status = 401, body = Error), (status = 429, body = Error)))]
pub(super) async fn events(
    State(state): State<AppState>,
    Extension(address): Extension<ClientAddress>,
    Caller(caller): Caller,
    headers: HeaderMap,
) -> Response {
    let permit = match state.console_streams.open(caller.id, address) {
        Ok(permit) => permit,
        Err(refusal) => return refused(refusal).into_response(),
    };
    let stopping = state.stopping.clone();
    let reader = Reader {
        notices: state.services.delivery().subscribe(),
        credentials: credentials(&headers),
        state,
        ended: false,
        _permit: permit,
    };
    let stream =
        futures_util::stream::unfold(reader, Reader::next).take_until(stopping.cancelled_owned());
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn refused(refusal: Refusal) -> ApiError {
    let wait = match refusal {
        Refusal::OpenedTooFast(wait) => wait,
        Refusal::TooManyForSession | Refusal::TooManyForAddress => Duration::from_secs(30),
    };
    ApiError::too_many(
        wait,
        "Too many console event streams are open; close a tab or try again shortly.",
    )
}

/// Only the headers that carry the caller's credentials, to check them again later.
fn credentials(headers: &HeaderMap) -> HeaderMap {
    const KEPT: [HeaderName; 2] = [header::AUTHORIZATION, header::COOKIE];
    let mut kept = HeaderMap::new();
    for name in KEPT {
        for value in headers.get_all(&name) {
            kept.append(name.clone(), value.clone());
        }
    }
    kept
}

struct Reader {
    notices: broadcast::Receiver<Notice>,
    credentials: HeaderMap,
    state: AppState,
    ended: bool,
    /// Held while the stream lives; dropping the stream gives the place back.
    _permit: StreamPermit,
}

impl Reader {
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        if self.ended {
            return None;
        }
        loop {
            match tokio::time::timeout(CREDENTIAL_CHECK, self.notices.recv()).await {
                Ok(Ok(notice)) => {
                    if let Some(event) = self.event(notice).await {
                        return Some((Ok(event), self));
                    }
                }
                // Too far behind to say what was missed: the console reads the inbox again.
                Ok(Err(RecvError::Lagged(_))) => {
                    return Some((Ok(Event::default().event("lagged").data("{}")), self));
                }
                Ok(Err(RecvError::Closed)) => return None,
                Err(_) => {
                    let still = auth::caller(&self.state, &self.credentials).await;
                    // A database that does not answer is not a sign-out: check again later.
                    if matches!(still, Ok(ref caller) if caller.principal.is_none()) {
                        self.ended = true;
                        let event = Event::default().event("signed-out").data("{}");
                        return Some((Ok(event), self));
                    }
                }
            }
        }
    }

    async fn event(&self, notice: Notice) -> Option<Event> {
        let conversation_id = notice.conversation_id;
        let signal = |name: &str| {
            Event::default()
                .event(name)
                .json_data(InboxSignal { conversation_id })
                .ok()
        };
        match notice.kind {
            NoticeKind::Message(id) => {
                match inbox::announced(&self.state.services, conversation_id, id).await {
                    Ok(Some(message)) => message_event(&message),
                    Ok(None) => None,
                    Err(error) => {
                        tracing::warn!(%error, "cannot read a message for the console's stream");
                        // The console still learns that something changed there.
                        signal("conversation")
                    }
                }
            }
            NoticeKind::VisitorTyping => signal("typing"),
            NoticeKind::Read(_) => signal("read"),
            NoticeKind::Changed => signal("conversation"),
            NoticeKind::AgentTyping => None,
        }
    }
}

fn message_event(message: &InboxMessage) -> Option<Event> {
    Event::default()
        .event("message")
        .id(message.message.id.to_string())
        .json_data(message)
        .ok()
}
