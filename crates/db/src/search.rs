//! The words PostgreSQL's full-text indexes hold (migration 14), written once so that queries
//! repeat the indexed expressions exactly, which is what lets the planner use the indexes.
//! Every run of characters other than letters and digits separates words, as SQLite's FTS5
//! `unicode61` tokenizer does, so both engines find the same words.

/// A message's words.
pub const MESSAGE_WORDS: &str =
    "to_tsvector('simple'::regconfig, regexp_replace(text, '[^[:alnum:]]+', ' ', 'g'))";

/// The words of a visitor's verified identity: name, email and subject.
pub const IDENTITY_WORDS: &str = "to_tsvector('simple'::regconfig, regexp_replace(\
     coalesce(identity->>'name', '') || ' ' || coalesce(identity->>'email', '') || ' ' || \
     coalesce(identity->>'subject', ''), '[^[:alnum:]]+', ' ', 'g'))";
