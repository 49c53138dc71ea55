//! Search over conversations: the visitor's name, email and subject, and every message's text.
//!
//! SQLite: two FTS5 tables that triggers keep in step with the rows. `messages_search` indexes
//! `messages.text` without a copy (external content, keyed by the message id);
//! `conversations_search` holds the identity's words with the conversation id beside them, as a
//! conversation's rowid is not stable across `VACUUM`. The identity trigger fires only when the
//! identity really changes (every signed-in message writes it again, unchanged).
//!
//! PostgreSQL: GIN indexes on the expressions in `crate::search`; no extra tables.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::search::{IDENTITY_WORDS, MESSAGE_WORDS};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE messages_search USING fts5(text, content='messages', content_rowid='id')",
    "CREATE TRIGGER messages_search_insert AFTER INSERT ON messages BEGIN \
     INSERT INTO messages_search(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER messages_search_delete AFTER DELETE ON messages BEGIN \
     INSERT INTO messages_search(messages_search, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER messages_search_update AFTER UPDATE OF text ON messages BEGIN \
     INSERT INTO messages_search(messages_search, rowid, text) VALUES ('delete', old.id, old.text); \
     INSERT INTO messages_search(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO messages_search(messages_search) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE conversations_search USING fts5(conversation_id UNINDEXED, name, email, subject)",
    "CREATE TRIGGER conversations_search_insert AFTER INSERT ON conversations \
     WHEN new.identity IS NOT NULL BEGIN \
     INSERT INTO conversations_search(conversation_id, name, email, subject) VALUES (new.id, \
     json_extract(new.identity, '$.name'), json_extract(new.identity, '$.email'), \
     json_extract(new.identity, '$.subject')); END",
    "CREATE TRIGGER conversations_search_update AFTER UPDATE OF identity ON conversations \
     WHEN old.identity IS NOT new.identity BEGIN \
     DELETE FROM conversations_search WHERE conversation_id = old.id; \
     INSERT INTO conversations_search(conversation_id, name, email, subject) \
     SELECT new.id, json_extract(new.identity, '$.name'), json_extract(new.identity, '$.email'), \
     json_extract(new.identity, '$.subject') WHERE new.identity IS NOT NULL; END",
    "CREATE TRIGGER conversations_search_delete AFTER DELETE ON conversations \
     WHEN old.identity IS NOT NULL BEGIN \
     DELETE FROM conversations_search WHERE conversation_id = old.id; END",
    "INSERT INTO conversations_search(conversation_id, name, email, subject) \
     SELECT id, json_extract(identity, '$.name'), json_extract(identity, '$.email'), \
     json_extract(identity, '$.subject') FROM conversations WHERE identity IS NOT NULL",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER conversations_search_delete",
    "DROP TRIGGER conversations_search_update",
    "DROP TRIGGER conversations_search_insert",
    "DROP TABLE conversations_search",
    "DROP TRIGGER messages_search_update",
    "DROP TRIGGER messages_search_delete",
    "DROP TRIGGER messages_search_insert",
    "DROP TABLE messages_search",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(&format!(
                    "CREATE INDEX messages_search ON messages USING gin ({MESSAGE_WORDS})"
                ))
                .await?;
                db.execute_unprepared(&format!(
                    "CREATE INDEX conversations_search ON conversations USING gin ({IDENTITY_WORDS})"
                ))
                .await?;
            }
            _ => {
                for statement in SQLITE_UP {
                    db.execute_unprepared(statement).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared("DROP INDEX messages_search").await?;
                db.execute_unprepared("DROP INDEX conversations_search")
                    .await?;
            }
            _ => {
                for statement in SQLITE_DOWN {
                    db.execute_unprepared(statement).await?;
                }
            }
        }
        Ok(())
    }
}
