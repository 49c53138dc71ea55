//! Delivery of what happens in conversations to the readers connected to this instance
//! (server-sent events), wherever it happened: new messages, an agent typing, an agent having
//! read up to a message. On PostgreSQL every instance posts a `NOTIFY` and listens to the
//! channel, so a notice from one instance reaches readers connected to any other; on SQLite
//! (one instance) the notice goes straight to this instance's readers.
//!
//! The same channels carry changes to what deployments serve (a publish, a deployment's
//! domains, an integration switched off): each instance counts them
//! ([`Delivery::config_generation`]) and drops the public configs it cached at an older count,
//! so a change made on one instance shows on all of them at once. A change to an
//! integration's settings names the integration, and every instance forgets the provider
//! metadata and keys it cached for it.
//!
//! The console's streams hear the same notices (`/api/v2/events`), and two that only agents
//! care for: the visitor is typing, and a conversation changed hands or closed.
//!
//! A message notice only says "conversation X has a message with id N": readers then read the
//! database after the last id they sent, so a lost notice delays a message but never loses it.
//! Typing and read notices are signals: never stored, and a lost one costs only a hint.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::relying_party::ProviderCache;

const CHANNEL: &str = "switchboard_messages";
const CONFIG_CHANNEL: &str = "switchboard_config";

/// Something that happened in conversation `conversation_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub conversation_id: Uuid,
    pub kind: NoticeKind,
    /// The signed-in person who wrote, for a visitor's message: their other devices follow
    /// them into a conversation they just opened (see `conversations::person_key`).
    pub person: Option<String>,
    /// The messenger session that wrote, for a visitor's message: its streams follow it into
    /// the conversation its first message opened, without asking the database on every notice.
    pub session: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// A new message with this id.
    Message(i64),
    /// An agent is typing.
    AgentTyping,
    /// Agents have read up to this message id.
    Read(i64),
    /// The visitor is typing.
    VisitorTyping,
    /// The conversation was given to someone, or closed: the inbox shows it elsewhere.
    Changed,
}

impl Notice {
    pub fn message(conversation_id: Uuid, message_id: i64) -> Self {
        Self {
            conversation_id,
            kind: NoticeKind::Message(message_id),
            person: None,
            session: None,
        }
    }

    pub fn signal(conversation_id: Uuid, kind: NoticeKind) -> Self {
        Self {
            conversation_id,
            kind,
            person: None,
            session: None,
        }
    }

    /// The `NOTIFY` payload: `{conversation} {m|t|r} {number} {person or -} {session or -}`.
    /// Readers take the fields they know, so instances of the previous release, which send and
    /// read one field fewer, still understand each other.
    fn payload(&self) -> String {
        let (letter, number) = match self.kind {
            NoticeKind::Message(id) => ('m', id),
            NoticeKind::AgentTyping => ('t', 0),
            NoticeKind::Read(id) => ('r', id),
            NoticeKind::VisitorTyping => ('v', 0),
            NoticeKind::Changed => ('c', 0),
        };
        let person = self.person.as_deref().unwrap_or("-");
        let session = self
            .session
            .map_or_else(|| "-".to_owned(), |id| id.to_string());
        format!(
            "{} {letter} {number} {person} {session}",
            self.conversation_id
        )
    }

    fn parse(payload: &str) -> Option<Self> {
        let mut parts = payload.split(' ');
        let conversation_id = parts.next()?.parse().ok()?;
        let letter = parts.next()?;
        let number: i64 = parts.next()?.parse().ok()?;
        let kind = match letter {
            "m" => NoticeKind::Message(number),
            "t" => NoticeKind::AgentTyping,
            "r" => NoticeKind::Read(number),
            "v" => NoticeKind::VisitorTyping,
            "c" => NoticeKind::Changed,
            // A kind a newer release added: this one has nothing to do with it.
            _ => return None,
        };
        let person = parts
            .next()
            .filter(|person| *person != "-")
            .map(str::to_owned);
        let session = parts.next().and_then(|session| session.parse().ok());
        Some(Self {
            conversation_id,
            kind,
            person,
            session,
        })
    }
}

#[derive(Debug)]
pub struct Delivery {
    local: broadcast::Sender<Notice>,
    config_changes: AtomicU64,
    /// The cache that a change to an integration's settings, made anywhere, empties.
    providers: Arc<ProviderCache>,
}

impl Delivery {
    pub fn new(providers: Arc<ProviderCache>) -> Self {
        // Readers that fall this far behind re-read the database (see `Lagged`).
        let (local, _) = broadcast::channel(1024);
        Self {
            local,
            config_changes: AtomicU64::new(0),
            providers,
        }
    }

    /// Notices from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.local.subscribe()
    }

    /// Tells every reader, on every instance, about a stored message or a signal.
    pub async fn publish(&self, db: &DatabaseConnection, notice: Notice) {
        if db.get_database_backend() != DatabaseBackend::Postgres {
            let _ = self.local.send(notice);
            return;
        }
        if let Err(error) = notify(db, CHANNEL, notice.payload()).await {
            // This instance's own readers still hear of it; others read it on their next notice.
            tracing::warn!(%error, "cannot notify other instances of a message");
            let _ = self.local.send(notice);
        }
    }

    /// Counts a stored change to what deployments serve, here at once and, on PostgreSQL, on
    /// every other instance as soon as the notice arrives. A change to `integration`'s settings
    /// also makes every instance forget what it cached of its provider.
    pub fn config_changed(&self, db: &DatabaseConnection, integration: Option<Uuid>) {
        self.config_changes.fetch_add(1, Ordering::Release);
        if let Some(id) = integration {
            self.providers.forget(id);
        }
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return;
        }
        let db = db.clone();
        let payload = integration.map(|id| id.to_string()).unwrap_or_default();
        tokio::spawn(async move {
            if let Err(error) = notify(&db, CONFIG_CHANNEL, payload).await {
                // The other instances' caches still expire on their own.
                tracing::warn!(%error, "cannot notify other instances of a configuration change");
            }
        });
    }

    /// How many changes to what deployments serve this instance has heard of: a public config
    /// cached at another count is stale.
    pub fn config_generation(&self) -> u64 {
        self.config_changes.load(Ordering::Acquire)
    }

    /// On PostgreSQL, forwards the channel's notices to this instance's readers for as long
    /// as the process lives, reconnecting after a lost connection. Does nothing on SQLite.
    pub fn listen(self: &Arc<Self>, db: &DatabaseConnection) {
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return;
        }
        let pool = db.get_postgres_connection_pool().clone();
        let delivery = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                if let Err(error) = delivery.forward(&pool).await {
                    tracing::warn!(%error, "message notices interrupted; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    async fn forward(&self, pool: &sea_orm::sqlx::PgPool) -> Result<(), sea_orm::sqlx::Error> {
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen_all([CHANNEL, CONFIG_CHANNEL]).await?;
        // Changes made while this instance was not listening went unheard: count one, and
        // fetch every provider's data afresh.
        self.config_changes.fetch_add(1, Ordering::Release);
        self.providers.forget_all();
        loop {
            let received = listener.recv().await?;
            if received.channel() == CONFIG_CHANNEL {
                self.config_changes.fetch_add(1, Ordering::Release);
                if let Ok(id) = received.payload().parse::<Uuid>() {
                    self.providers.forget(id);
                }
            } else if let Some(notice) = Notice::parse(received.payload()) {
                let _ = self.local.send(notice);
            }
        }
    }
}

/// `NOTIFY channel, payload` on PostgreSQL.
async fn notify(
    db: &DatabaseConnection,
    channel: &str,
    payload: String,
) -> Result<(), sea_orm::DbErr> {
    let statement = Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [channel.into(), payload.into()],
    );
    db.execute(statement).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_survive_the_notify_payload() {
        let id = Uuid::new_v4();
        for notice in [
            Notice::message(id, 42),
            Notice::signal(id, NoticeKind::AgentTyping),
            Notice::signal(id, NoticeKind::Read(7)),
            Notice::signal(id, NoticeKind::VisitorTyping),
            Notice::signal(id, NoticeKind::Changed),
            Notice {
                person: Some("ab12".into()),
                session: Some(Uuid::new_v4()),
                ..Notice::message(id, 43)
            },
        ] {
            assert_eq!(Notice::parse(&notice.payload()), Some(notice));
        }
        // The previous release's payload, without the session.
        let older = Notice::parse(&format!("{id} m 44 ab12")).unwrap();
        assert_eq!(
            (older.person.as_deref(), older.session),
            (Some("ab12"), None)
        );
        assert_eq!(Notice::parse("not a notice"), None);
    }
}
