//! `GET /messenger/v1/events`: server-sent events of the visitor's open conversation. Each
//! message is an event `message` whose id is the message id, so a reconnecting client
//! (`Last-Event-ID`, or `?after=`) misses nothing; `typing` says an agent is typing, `read`
//! how far agents have read (`{"upTo": id}`); `signed-out` ends the stream when the session
//! ends. A signed-in person's streams follow them: a message they write on one device into a
//! new conversation moves their other devices' streams there too.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use switchboard_core::conversations;
use switchboard_core::delivery::{Notice, NoticeKind};
use switchboard_core::messenger_sessions;
use switchboard_db::DatabaseConnection;
use switchboard_domain::conversation::Message;
use tokio::sync::broadcast::{self, error::RecvError};
use uuid::Uuid;

use super::rate_limit::too_many;
use super::stream_limits::{Refusal, StreamPermit};
use super::tokens::authorize_session;
use crate::AppState;
use crate::client_address::ClientAddress;

/// How often an idle stream checks that its session still lives.
const SESSION_CHECK: Duration = Duration::from_secs(30);

#[derive(Debug, Deserialize)]
pub struct After {
    after: Option<i64>,
}

pub async fn events(
    State(state): State<AppState>,
    Extension(address): Extension<ClientAddress>,
    headers: HeaderMap,
    Query(query): Query<After>,
) -> Response {
    let session = match authorize_session(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let permit = match state.messenger.streams.open(session.id, address) {
        Ok(permit) => permit,
        Err(refusal) => return refused(refusal),
    };
    let last = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .or(query.after);
    // Subscribed before the first read, so nothing posted in between is missed.
    let notices = state.services.delivery().subscribe();
    let conversation = match conversations::open_for(state.services.db(), &session).await {
        Ok(open) => open.map(|row| row.id),
        Err(error) => {
            tracing::warn!(%error, "cannot find a visitor's conversation for an event stream");
            session.conversation_id
        }
    };
    let reader = Reader {
        notices,
        db: state.services.db().clone(),
        session: session.id,
        person: conversations::person_key(&session),
        conversation,
        last,
        pending: VecDeque::new(),
        state: Stage::Backlog,
        _permit: permit,
    };
    // Ends when the server stops; the frame reconnects with `Last-Event-ID` and misses nothing.
    let stream = futures_util::stream::unfold(reader, Reader::next)
        .take_until(state.stopping.clone().cancelled_owned());
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

#[derive(Debug, PartialEq)]
enum Stage {
    Backlog,
    Live,
    Ended,
}

struct Reader {
    notices: broadcast::Receiver<Notice>,
    db: DatabaseConnection,
    session: Uuid,
    /// The signed-in person's key, whose new conversations this stream follows.
    person: Option<String>,
    conversation: Option<Uuid>,
    last: Option<i64>,
    pending: VecDeque<Message>,
    state: Stage,
    /// Held while the stream lives; dropping the stream gives the place back.
    _permit: StreamPermit,
}

fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::OpenedTooFast(wait) => too_many(
            wait,
            "Event streams are opened too often from this address; try again shortly.",
        ),
        Refusal::TooManyForSession => too_many(
            Duration::from_secs(30),
            "This messenger session already has the most event streams it may hold open; close a tab.",
        ),
        Refusal::TooManyForAddress => too_many(
            Duration::from_secs(30),
            "This address already holds the most event streams it may; try again later.",
        ),
    }
}

impl Reader {
    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        loop {
            if let Some(message) = self.pending.pop_front() {
                self.last = Some(message.id);
                let event = Event::default()
                    .event("message")
                    .id(message.id.to_string())
                    .json_data(&message)
                    .expect("a message serialises");
                return Some((Ok(event), self));
            }
            match self.state {
                Stage::Ended => return None,
                Stage::Backlog => {
                    self.state = Stage::Live;
                    self.read().await;
                }
                Stage::Live => {
                    let notice = tokio::time::timeout(SESSION_CHECK, self.notices.recv()).await;
                    match notice {
                        Ok(Ok(notice)) => {
                            if let Some(event) = self.hear(notice).await {
                                return Some((Ok(event), self));
                            }
                        }
                        // Too far behind to know what was missed: read whatever is new.
                        Ok(Err(RecvError::Lagged(_))) => self.read().await,
                        Ok(Err(RecvError::Closed)) => return None,
                        Err(_) => {
                            let live = messenger_sessions::live(&self.db, self.session).await;
                            if matches!(live, Ok(None)) {
                                self.state = Stage::Ended;
                                let event = Event::default().event("signed-out").data("{}");
                                return Some((Ok(event), self));
                            }
                        }
                    }
                }
            }
        }
    }

    /// Takes in one notice: reads new messages into `pending`, or returns a signal's event.
    async fn hear(&mut self, notice: Notice) -> Option<Event> {
        let ours = Some(notice.conversation_id) == self.conversation;
        match notice.kind {
            NoticeKind::Message(id) => {
                // Only what this session or its person wrote can move the stream to another
                // conversation: anyone else's message costs it no database work.
                let followed = self.person.is_some() && notice.person == self.person;
                let own = notice.session == Some(self.session);
                if !ours && (followed || own) {
                    self.conversation = Some(notice.conversation_id);
                }
                if Some(notice.conversation_id) == self.conversation
                    && self.last.is_none_or(|last| id > last)
                {
                    self.read().await;
                }
                None
            }
            NoticeKind::AgentTyping if ours => Some(
                Event::default()
                    .event("typing")
                    .data(r#"{"author":"agent"}"#),
            ),
            NoticeKind::Read(up_to) if ours => Some(
                Event::default()
                    .event("read")
                    .data(format!(r#"{{"upTo":{up_to}}}"#)),
            ),
            NoticeKind::AgentTyping
            | NoticeKind::Read(_)
            | NoticeKind::VisitorTyping
            | NoticeKind::Changed => None,
        }
    }

    async fn current_conversation(&self) -> Option<Uuid> {
        let session = messenger_sessions::live(&self.db, self.session)
            .await
            .ok()
            .flatten()?;
        conversations::open_for(&self.db, &session)
            .await
            .ok()
            .flatten()
            .map(|row| row.id)
    }

    async fn read(&mut self) {
        if self.conversation.is_none() {
            self.conversation = self.current_conversation().await;
        }
        let Some(conversation) = self.conversation else {
            return;
        };
        match conversations::messages(&self.db, conversation, self.last).await {
            Ok(messages) => self.pending.extend(messages),
            Err(error) => tracing::warn!(%error, "cannot read messages for an event stream"),
        }
    }
}
