//! Conversations between visitors and agents.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The visitor's identity as proven by a validated ID token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
}

/// One line of the inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationSummary {
    pub id: Uuid,
    pub deployment_name: String,
    /// `None` for an anonymous visitor.
    pub identity: Option<Identity>,
    pub last_activity_at: DateTime<Utc>,
}

impl ConversationSummary {
    /// The name the inbox shows for the visitor.
    pub fn visitor_label(&self) -> String {
        match &self.identity {
            None => "Anonymous visitor".to_owned(),
            Some(identity) => identity
                .name
                .clone()
                .or_else(|| identity.email.clone())
                .unwrap_or_else(|| identity.subject.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(identity: Option<Identity>) -> ConversationSummary {
        ConversationSummary {
            id: Uuid::nil(),
            deployment_name: "Website".into(),
            identity,
            last_activity_at: DateTime::<Utc>::MIN_UTC,
        }
    }

    #[test]
    fn visitor_label_prefers_name_then_email_then_subject() {
        assert_eq!(summary(None).visitor_label(), "Anonymous visitor");
        let mut identity = Identity {
            issuer: "https://idp".into(),
            subject: "00u1".into(),
            email: Some("ada@example.com".into()),
            name: Some("Ada Lovelace".into()),
            groups: vec![],
        };
        assert_eq!(
            summary(Some(identity.clone())).visitor_label(),
            "Ada Lovelace"
        );
        identity.name = None;
        assert_eq!(
            summary(Some(identity.clone())).visitor_label(),
            "ada@example.com"
        );
        identity.email = None;
        assert_eq!(summary(Some(identity)).visitor_label(), "00u1");
    }
}
