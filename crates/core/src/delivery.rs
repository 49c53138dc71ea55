//! Delivery of new messages to the readers connected to this instance (server-sent events),
//! wherever the message was posted. On PostgreSQL every instance posts a `NOTIFY` and listens
//! to the channel, so a message stored by one instance reaches readers connected to any other;
//! on SQLite (one instance) the notice goes straight to this instance's readers.
//!
//! A notice only says "conversation X has a message with id N": readers then read the database
//! after the last id they sent, so a lost notice delays a message but never loses it.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use tokio::sync::broadcast;
use uuid::Uuid;

const CHANNEL: &str = "switchboard_messages";

/// "Conversation `conversation_id` has a new message, `message_id`."
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub conversation_id: Uuid,
    pub message_id: i64,
}

#[derive(Debug)]
pub struct Delivery {
    local: broadcast::Sender<Posted>,
}

impl Default for Delivery {
    fn default() -> Self {
        // Readers that fall this far behind re-read the database (see `Lagged`).
        let (local, _) = broadcast::channel(1024);
        Self { local }
    }
}

impl Delivery {
    /// Notices of messages posted from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Posted> {
        self.local.subscribe()
    }

    /// Tells every reader, on every instance, about a stored message.
    pub async fn publish(&self, db: &DatabaseConnection, posted: Posted) {
        if db.get_database_backend() != DatabaseBackend::Postgres {
            let _ = self.local.send(posted);
            return;
        }
        let payload = format!("{} {}", posted.conversation_id, posted.message_id);
        let notify = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [CHANNEL.into(), payload.into()],
        );
        if let Err(error) = db.execute(notify).await {
            // This instance's own readers still hear of it; others read it on their next notice.
            tracing::warn!(%error, "cannot notify other instances of a message");
            let _ = self.local.send(posted);
        }
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
        listener.listen(CHANNEL).await?;
        loop {
            let notice = listener.recv().await?;
            let mut parts = notice.payload().split(' ');
            if let (Some(Ok(conversation_id)), Some(Ok(message_id))) =
                (parts.next().map(str::parse), parts.next().map(str::parse))
            {
                let _ = self.local.send(Posted {
                    conversation_id,
                    message_id,
                });
            }
        }
    }
}
