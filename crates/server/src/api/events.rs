//! `GET /api/v2/events`: the console's server-sent events, so the inbox and an open
//! conversation change the moment something happens instead of being read again on a timer.
//!
//! - `message`: a new message in any conversation ([`InboxMessage`]: the conversation, who has
//!   it, the visitor's name and the message);
//! - `typing`: the visitor is typing; `read`: an agent has read it; `conversation`: it was
//!   assigned or closed ([`InboxSignal`]);
//! - `signed-out`: the session ended or the token was revoked; the stream ends.
//!
//! The stream also ends when the server stops; the browser then reconnects. (Whether its admin
//! is online is the tab's to say: `switchboard_core::presence`.)
//!
//! Nothing is replayed: a client that reconnects reads the inbox afresh, which costs one read
//! and cannot miss anything.

use std::convert::Infallible;
use std::sync::OnceLock;
use std::time::Duration;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use switchboard_core::delivery::{Notice, NoticeKind};
use switchboard_core::{Services, inbox};
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
const CHECK_EVERY: Duration = Duration::from_secs(30);

/// Events the feed may run ahead of its slowest stream before that stream is told it lagged.
const FEED_DEPTH: usize = 256;

/// The console's streams on this instance: how many each caller holds, and the one feed they
/// all read. The feed turns each notice into an event once, so a message costs one database
/// read however many console tabs are open.
#[derive(Debug)]
pub struct ConsoleStreams {
    limits: StreamLimits,
    feed: OnceLock<broadcast::Sender<Event>>,
}

impl Default for ConsoleStreams {
    fn default() -> Self {
        Self {
            limits: StreamLimits::new(PER_ADMIN, PER_ADDRESS),
            feed: OnceLock::new(),
        }
    }
}

impl ConsoleStreams {
    /// The feed's events from now on; the first stream to ask starts the feed.
    fn subscribe(&self, services: &Services) -> broadcast::Receiver<Event> {
        self.feed
            .get_or_init(|| {
                let (sender, _) = broadcast::channel(FEED_DEPTH);
                let notices = services.delivery().subscribe();
                tokio::spawn(feed(services.clone(), notices, sender.clone()));
                sender
            })
            .subscribe()
    }
}

/// Turns this instance's notices into console events while the server runs.
async fn feed(
    services: Services,
    mut notices: broadcast::Receiver<Notice>,
    events: broadcast::Sender<Event>,
) {
    loop {
        let event = match notices.recv().await {
            // Nobody is watching: no reason to read the message.
            Ok(_) if events.receiver_count() == 0 => continue,
            Ok(notice) => event(&services, notice).await,
            // Too far behind to say what was missed: the consoles read the inbox again.
            Err(RecvError::Lagged(_)) => Some(Event::default().event("lagged").data("{}")),
            Err(RecvError::Closed) => return,
        };
        if let Some(event) = event {
            // No receivers is not an error: the next stream starts from the next event.
            let _ = events.send(event);
        }
    }
}

async fn event(services: &Services, notice: Notice) -> Option<Event> {
    let conversation_id = notice.conversation_id;
    let signal = |name: &str| {
        Event::default()
            .event(name)
            .json_data(InboxSignal { conversation_id })
            .ok()
    };
    match notice.kind {
        NoticeKind::Message(id) => match inbox::announced(services, conversation_id, id).await {
            Ok(Some(message)) => message_event(&message),
            Ok(None) => None,
            Err(error) => {
                tracing::warn!(%error, "cannot read a message for the console's stream");
                // The console still learns that something changed there.
                signal("conversation")
            }
        },
        NoticeKind::VisitorTyping => signal("typing"),
        NoticeKind::Read(_) => signal("read"),
        NoticeKind::Changed => signal("conversation"),
        NoticeKind::AgentTyping => None,
    }
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
    let permit = match state.console_streams.limits.open(caller.id, address) {
        Ok(permit) => permit,
        Err(refusal) => return refused(refusal).into_response(),
    };
    let stopping = state.stopping.clone();
    let mut check =
        tokio::time::interval_at(tokio::time::Instant::now() + CHECK_EVERY, CHECK_EVERY);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let reader = Reader {
        events: state.console_streams.subscribe(&state.services),
        credentials: credentials(&headers),
        check,
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
    events: broadcast::Receiver<Event>,
    credentials: HeaderMap,
    check: tokio::time::Interval,
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
            tokio::select! {
                received = self.events.recv() => match received {
                    Ok(event) => return Some((Ok(event), self)),
                    // Too far behind to say what was missed: the console reads the inbox again.
                    Err(RecvError::Lagged(_)) => {
                        return Some((Ok(Event::default().event("lagged").data("{}")), self));
                    }
                    Err(RecvError::Closed) => return None,
                },
                _ = self.check.tick() => {
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
}

fn message_event(message: &InboxMessage) -> Option<Event> {
    Event::default()
        .event("message")
        .id(message.message.id.to_string())
        .json_data(message)
        .ok()
}
