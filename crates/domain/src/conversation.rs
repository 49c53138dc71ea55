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

crate::stored_enum!(Author, "message author" {
    Visitor => "visitor",
    Agent => "agent",
});

/// Whether a conversation takes the visitor's next message; closing one makes the next
/// message start a new conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ConversationStatus {
    #[default]
    Open,
    Closed,
}

crate::stored_enum!(ConversationStatus, "conversation status" {
    Open => "open",
    Closed => "closed",
});

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
    /// The file the message carries; its text is then the file's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<crate::attachment::Attachment>,
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
    /// The provider vouches for the email (`email_verified`; absent counts as false). An
    /// unverified email is shown as such and never used to match people: issuer and subject
    /// are who the visitor is.
    #[serde(default)]
    pub email_verified: bool,
    pub name: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
}

/// How the console names a visitor: their name, else their email (marked when the provider
/// does not vouch for it), else their subject.
pub fn visitor_name(identity: Option<&Identity>) -> String {
    match identity {
        None => "Anonymous visitor".to_owned(),
        Some(identity) => identity
            .name
            .clone()
            .or_else(|| {
                identity.email.as_ref().map(|email| {
                    if identity.email_verified {
                        email.clone()
                    } else {
                        format!("{email} (unverified)")
                    }
                })
            })
            .unwrap_or_else(|| identity.subject.clone()),
    }
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
    pub status: ConversationStatus,
    /// The admin the conversation is given to; `None` while unassigned.
    #[serde(default)]
    pub assignee: Option<crate::inbox::Agent>,
}

/// One conversation with its latest messages, oldest first.
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
    pub status: ConversationStatus,
    /// The admin the conversation is given to; `None` while unassigned.
    #[serde(default)]
    pub assignee: Option<crate::inbox::Agent>,
    /// The latest [`PAGE_DEFAULT`] messages; older ones come page by page.
    pub messages: Vec<Message>,
    /// Older messages exist before the first of `messages`.
    #[serde(default)]
    pub has_older: bool,
    /// The newest message id an agent has seen.
    #[serde(default)]
    pub agent_read_id: i64,
    /// The visitor said they were typing a moment ago.
    #[serde(default)]
    pub visitor_typing: bool,
    /// The same person's other conversations on this deployment, newest first.
    #[serde(default)]
    pub earlier: Vec<EarlierConversation>,
}

/// Another conversation of the same signed-in person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EarlierConversation {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    pub status: ConversationStatus,
}

/// What the messenger shows a visitor: their open conversation (if any) and a page of their
/// history, which for a signed-in person spans all their conversations on the deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VisitorConversation {
    /// The open conversation new messages go to; `None` before the first message.
    pub id: Option<Uuid>,
    pub deployment_id: Uuid,
    pub identity: Option<Identity>,
    pub messages: Vec<Message>,
    /// Older messages exist before the first of `messages`.
    pub has_older: bool,
    /// The newest message id an agent has seen ("Seen" under the visitor's messages up to it).
    pub agent_read_id: i64,
}

/// Messages per page when the caller does not say.
pub const PAGE_DEFAULT: u64 = 50;
/// The most messages one page may hold.
pub const PAGE_MAX: u64 = 100;

/// Checks a page size: 1 to [`PAGE_MAX`], [`PAGE_DEFAULT`] when absent.
pub fn page_limit(limit: Option<i64>) -> Result<u64, FieldError> {
    match limit {
        None => Ok(PAGE_DEFAULT),
        Some(n) if (1..=PAGE_MAX as i64).contains(&n) => Ok(n as u64),
        Some(n) => Err(FieldError::new(
            "limit",
            format!("limit must be between 1 and {PAGE_MAX}; got {n}."),
        )),
    }
}

impl ConversationSummary {
    /// The name the inbox shows for the visitor.
    pub fn visitor_label(&self) -> String {
        visitor_name(self.identity.as_ref())
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
            status: ConversationStatus::Open,
            assignee: None,
        }
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert_eq!(page_limit(None).unwrap(), PAGE_DEFAULT);
        assert_eq!(page_limit(Some(100)).unwrap(), 100);
        assert_eq!(page_limit(Some(0)).unwrap_err().field, "limit");
        assert!(page_limit(Some(101)).unwrap_err().message.contains("101"));
    }

    #[test]
    fn email_verified_is_false_when_absent() {
        let identity: Identity =
            serde_json::from_str(r#"{"issuer":"i","subject":"s","email":"a@b.c","name":null}"#)
                .unwrap();
        assert!(!identity.email_verified);
        let json = serde_json::to_value(&identity).unwrap();
        assert_eq!(json["emailVerified"], false);
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
            email_verified: true,
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
        identity.email_verified = false;
        assert_eq!(
            summary(Some(identity.clone())).visitor_label(),
            "ada@example.com (unverified)"
        );
        identity.email = None;
        assert_eq!(summary(Some(identity)).visitor_label(), "00u1");
    }
}
