//! Searching conversations by the visitor's name, email and subject and by the text of their
//! messages. SQLite answers from FTS5 tables its triggers keep current; PostgreSQL from
//! full-text indexes on the same words (`switchboard_db::search`). Callers see one condition on
//! `conversations.id` either way.
//!
//! A conversation matches when every word is in the visitor's identity, or every word is in
//! one of its messages; each word also matches the words it begins ("ref" finds "refund").

use sea_orm::DatabaseBackend;
use sea_orm::sea_query::{Expr, SimpleExpr};
use switchboard_db::search::{IDENTITY_WORDS, MESSAGE_WORDS};

/// The condition "conversation matches all of `terms`", for `backend`. `terms` come from
/// `switchboard_domain::inbox::search_terms`: letters and digits only, never empty, so they
/// need no escaping in either engine's query syntax.
pub fn matching(backend: DatabaseBackend, terms: &[String]) -> SimpleExpr {
    debug_assert!(!terms.is_empty());
    match backend {
        DatabaseBackend::Postgres => {
            let query: Vec<String> = terms.iter().map(|term| format!("{term}:*")).collect();
            let query = query.join(" & ");
            Expr::cust_with_values(
                format!(
                    "\"conversations\".\"id\" IN (SELECT id FROM conversations \
                     WHERE {IDENTITY_WORDS} @@ to_tsquery('simple', $1)) \
                     OR \"conversations\".\"id\" IN (SELECT conversation_id FROM messages \
                     WHERE {MESSAGE_WORDS} @@ to_tsquery('simple', $1))"
                ),
                [query],
            )
        }
        _ => {
            let query: Vec<String> = terms.iter().map(|term| format!("\"{term}\"*")).collect();
            let query = query.join(" ");
            Expr::cust_with_values(
                "\"conversations\".\"id\" IN (SELECT conversation_id FROM conversations_search \
                 WHERE conversations_search MATCH ?) \
                 OR \"conversations\".\"id\" IN (SELECT conversation_id FROM messages \
                 WHERE id IN (SELECT rowid FROM messages_search WHERE messages_search MATCH ?))",
                [query.clone(), query],
            )
        }
    }
}
