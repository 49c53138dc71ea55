//! Visitor sign-in as the console and the API show it: the sign-in log, and the messenger
//! session a successful sign-in gives.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::conversation::Identity;

/// One attempt to sign in through an integration: what an admin reads when a visitor says
/// "sign-in doesn't work".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignInAttempt {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub deployment_id: Option<Uuid>,
    /// `visitor` (the messenger's popup), `exchange` (page-side sign-in), `refresh` or `test`.
    pub purpose: String,
    pub succeeded: bool,
    /// The failure's reason code, such as `invalid_id_token: nonce mismatch`.
    pub reason: Option<String>,
    /// What was expected and what came.
    pub detail: Option<String>,
    /// The user's subject, when the provider said who it was.
    pub subject: Option<String>,
}

/// A messenger session as the messenger receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MessengerSession {
    /// The bearer token for `/messenger/v1/*`; shown once, stored only as a digest.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    /// `None` for an anonymous session.
    pub identity: Option<Identity>,
}

/// A line of the "Test sign-in" checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestCheck {
    pub label: String,
    pub passed: bool,
    pub detail: String,
}
