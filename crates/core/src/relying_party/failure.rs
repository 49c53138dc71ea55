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

    /// What a visitor's browser is told besides the reason code: one fixed sentence per kind
    /// of failure. The detail (group names, the user's groups, a provider's error text) is
    /// for the sign-in log only.
    pub fn public_message(&self) -> &'static str {
        let reason = self.reason.as_str();
        match reason {
            "state_mismatch" | "missing_code" => {
                "This sign-in expired, was already used or was started in another browser; start it again."
            }
            "group_denied" | "forbidden" => "This account may not use this messenger.",
            "provider_unreachable" => {
                "The identity provider could not be reached; try again shortly."
            }
            "invalid_request" => {
                "The sign-in request is incomplete, or its redirect URI is not on one of the deployment's allowed domains."
            }
            "session_expired" | "refresh_failed" => {
                "This messenger session has ended; sign in again."
            }
            "internal_error" => "Switchboard could not finish the sign-in; try again shortly.",
            "nonce_unknown" | "nonce_used" => {
                "The page's sign-in must carry a nonce this server issued for it, used once: get a new one (POST /messenger/v1/token/nonce) for each sign-in."
            }
            "pkce_required" => {
                "The page's sign-in must use PKCE: send the codeVerifier (43 to 128 characters) of its S256 challenge."
            }
            "deployment_unavailable"
            | "sign_in_disabled"
            | "page_sign_in_disabled"
            | "integration_inactive"
            | "integration_incomplete"
            | "integration_unavailable"
            | "integration_changed"
            | "provider_misconfigured" => "Sign-in is not available for this messenger right now.",
            _ if reason.starts_with("invalid_id_token")
                || matches!(
                    reason,
                    "unknown_signing_key" | "clock_skew" | "issuer_mismatch" | "userinfo_mismatch"
                ) =>
            {
                "The identity provider's answer could not be verified."
            }
            _ => "The identity provider did not complete the sign-in.",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_messages_never_carry_the_detail() {
        for reason in [
            "group_denied",
            "provider_unreachable",
            "invalid_grant",
            "invalid_id_token: nonce mismatch",
            "token_error: server_error",
            "userinfo_failed",
        ] {
            let failure = Failure::new(reason, "secret-group-name 10.1.2.3 connection refused");
            let message = failure.public_message();
            assert!(!message.contains("secret-group-name"), "{reason}");
            assert!(!message.is_empty());
        }
        assert_eq!(
            Failure::new("group_denied", "x").public_message(),
            "This account may not use this messenger."
        );
    }
}
