//! The errors use cases return.
//!
//! Policy: variants say what went wrong in terms a caller can act on. `Database` and `Corrupt`
//! are internal: the HTTP layer logs them and answers a generic 500, never their text.

use switchboard_domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule; each entry names its field.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The caller's role does not allow this change (a viewer, or a viewer's API token).
    #[error("your role does not allow changes")]
    Forbidden,
    /// The change conflicts with other objects (an integration in use); the message names them.
    #[error("{0}")]
    Conflict(String),
    /// Too many requests in a short time (a visitor's messages, typing signals); the message
    /// says how to go on, `retry_after` when.
    #[error("{message}")]
    TooFast {
        message: String,
        retry_after: std::time::Duration,
    },
    /// The object does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The database failed or cannot be reached.
    #[error("database error: {0}")]
    Database(#[from] sea_orm::DbErr),
    /// A stored row that the code cannot read (a bug or a manual edit).
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
}
