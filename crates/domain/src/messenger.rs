//! Messenger configurations: what the messenger looks like and how visitors sign in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One line of the messenger configurations list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationSummary {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// The newest published version; `None` while only a draft exists.
    pub latest_version: Option<i32>,
    pub updated_at: DateTime<Utc>,
}
