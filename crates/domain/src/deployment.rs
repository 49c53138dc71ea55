//! Messenger deployments: where a published configuration runs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::integration::Status;

/// One line of the messenger deployments list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentSummary {
    pub id: Uuid,
    pub name: String,
    pub configuration_name: String,
    /// The pinned version; `None` serves the latest published one.
    pub configuration_version: Option<i32>,
    pub status: Status,
    pub updated_at: DateTime<Utc>,
}
