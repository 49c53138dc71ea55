//! Conversations between visitors and agents.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldError;

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Author {
    Visitor,
    Agent,
}

impl Author {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::Agent => "agent",
        }
    }
}

/// One message. Ids grow with every message stored, so a client resumes after the last it saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: i64,
    pub author: Author,
    /// Plain text, shown as text: never interpreted as HTML.
    pub text: String,
    pub created_at: DateTime<Utc>,
    /// Sent by a visitor who was signed in at the time.
    pub authenticated: bool,
}

/// Checks a message before it is stored: not blank, at most [`MAX_MESSAGE_CHARS`], no control
/// characters but line breaks and tabs. Returns the text without trailing blank space.
pub fn message_text(text: &str) -> Result<String, FieldError> {
    let text = text.trim_end();
    if text.trim().is_empty() {
        return Err(FieldError::new("text", "Write a message first."));
    }
    let length = text.chars().count();
    if length > MAX_MESSAGE_CHARS {
        return Err(FieldError::new(
            "text",
            format!(
                "A message can be at most {MAX_MESSAGE_CHARS} characters; this one has {length}."
            ),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(FieldError::new(
            "text",
            "The message contains control characters.",
        ));
    }
    Ok(text.to_owned())
}

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConversationSummary {
    pub id: Uuid,
    pub deployment_name: String,
    /// `None` for an anonymous visitor.
    pub identity: Option<Identity>,
    pub last_activity_at: DateTime<Utc>,
    /// Visitor messages no agent has seen yet.
    #[serde(default)]
    pub unread: u64,
    /// `open` or `closed`.
    #[serde(default)]
    pub status: String,
}

/// One conversation with its messages, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub id: Uuid,
    pub deployment_id: Uuid,
    pub deployment_name: String,
    pub identity: Option<Identity>,
    /// When the visitor signed in, for a verified identity: the first authenticated message.
    pub signed_in_at: Option<DateTime<Utc>>,
    /// `open` or `closed`.
    pub status: String,
    pub messages: Vec<Message>,
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
            unread: 0,
            status: "open".into(),
        }
    }

    #[test]
    fn messages_are_checked_before_storing() {
        assert_eq!(message_text("  hello\nthere \n").unwrap(), "  hello\nthere");
        assert_eq!(message_text(" \n\t").unwrap_err().field, "text");
        let long = "é".repeat(MAX_MESSAGE_CHARS + 1);
        assert!(message_text(&long).unwrap_err().message.contains("4001"));
        assert!(message_text(&"é".repeat(MAX_MESSAGE_CHARS)).is_ok());
        assert!(message_text("bell\u{7}").is_err());
        assert_eq!(message_text("<b>bold</b>").unwrap(), "<b>bold</b>");
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
