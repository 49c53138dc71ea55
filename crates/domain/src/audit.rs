//! Audit events: who changed what, and when. Never a secret value.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The admin's email, the API token's name, or "system".
    pub actor: String,
    /// A dotted verb such as `integration.create` or `admin.sign_in`.
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    /// The names of the fields that changed ("client secret replaced", never a secret's value).
    pub changes: Vec<String>,
}

/// The kinds of object audit events are about, as stored, with the label the filter shows.
pub const OBJECT_TYPES: [(&str, &str); 8] = [
    ("integration", "Integrations"),
    ("messenger_configuration", "Messenger configurations"),
    ("messenger_deployment", "Messenger deployments"),
    ("admin", "Admins"),
    ("api_token", "API tokens"),
    ("conversation", "Conversations"),
    ("canned_reply", "Canned replies"),
    // One event per `switchboard config apply` (or `PUT /api/v2/config`), listing its changes.
    ("config", "Configuration files"),
];

/// One page of the audit log, newest first. Pages count from 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    pub page: u64,
    pub page_size: u64,
    pub total: u64,
}

impl AuditPage {
    pub fn has_newer(&self) -> bool {
        self.page > 0
    }

    pub fn has_older(&self) -> bool {
        (self.page + 1).saturating_mul(self.page_size) < self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(page: u64, total: u64) -> AuditPage {
        AuditPage {
            events: vec![],
            page,
            page_size: 50,
            total,
        }
    }

    #[test]
    fn paging_links_appear_only_where_there_is_more() {
        assert!(!page(0, 0).has_newer());
        assert!(!page(0, 50).has_older());
        assert!(page(0, 51).has_older());
        assert!(page(1, 51).has_newer());
        assert!(!page(1, 51).has_older());
    }
}
