//! Why a sign-in failed: a stable reason code for logs, the sign-in log and the error page,
//! and a sentence for the admin saying what was expected and what came.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `state_mismatch`, `invalid_grant`, `invalid_id_token: nonce mismatch`, ...
    pub reason: String,
    pub detail: String,
}

impl Failure {
    pub fn new(reason: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            detail: detail.into(),
        }
    }

    /// A problem with the ID token itself: `invalid_id_token: {what}`.
    pub fn id_token(what: &str, detail: impl Into<String>) -> Self {
        Self::new(format!("invalid_id_token: {what}"), detail)
    }

    /// The HTTP status the callback answers with: the visitor's browser sent something wrong
    /// (400), the visitor is not allowed (403), or the provider could not be reached (502).
    pub fn status(&self) -> u16 {
        match self.reason.as_str() {
            "group_denied" => 403,
            "provider_unreachable" | "internal_error" => 502,
            _ => 400,
        }
    }

    pub(crate) fn internal(error: impl fmt::Display) -> Self {
        tracing::error!(%error, "sign-in failed on our side");
        Self::new(
            "internal_error",
            "Switchboard could not finish the sign-in; the server log says why.",
        )
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.reason, self.detail)
    }
}

impl From<crate::Error> for Failure {
    fn from(error: crate::Error) -> Self {
        Self::internal(error)
    }
}

impl From<sea_orm::DbErr> for Failure {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::internal(error)
    }
}
