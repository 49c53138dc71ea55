//! A conversation written out whole, for a person to keep or a ticket to attach: who the
//! visitor was (as the provider vouched), when each message was written, and by whom.

use std::fmt::Write;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::conversation::{Author, ConversationStatus, Identity, Message};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Transcript {
    pub conversation_id: Uuid,
    pub deployment_name: String,
    /// `None` for an anonymous visitor.
    pub identity: Option<Identity>,
    pub status: ConversationStatus,
    pub started_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
    /// When this transcript was made.
    pub exported_at: DateTime<Utc>,
    /// Every message, oldest first.
    pub messages: Vec<Message>,
}

fn time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Transcript {
    /// The transcript as plain text: a header, then one block per message. A message's own line
    /// breaks are indented, so no message can pass for another or for the header.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let status = match self.status {
            ConversationStatus::Open => "open",
            ConversationStatus::Closed => "closed",
        };
        let _ = writeln!(
            out,
            "Conversation {} on {}",
            self.conversation_id, self.deployment_name
        );
        let _ = writeln!(out, "Visitor: {}", visitor(self.identity.as_ref()));
        let _ = writeln!(
            out,
            "Started {}, last activity {}, {status}",
            time(&self.started_at),
            time(&self.last_activity_at)
        );
        let _ = writeln!(out, "Exported {}", time(&self.exported_at));
        for message in &self.messages {
            let author = match (message.author, message.authenticated) {
                (Author::Agent, _) => "Agent",
                (Author::Visitor, true) => "Visitor (signed in)",
                (Author::Visitor, false) => "Visitor",
            };
            let _ = writeln!(out, "\n[{}] {author}:", time(&message.created_at));
            if let Some(file) = &message.attachment {
                let size = crate::attachment::size(file.size);
                let _ = writeln!(
                    out,
                    "    (file) {} ({}, {size})",
                    file.name, file.content_type
                );
                continue;
            }
            for line in message.text.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        out
    }
}

/// How the header names the visitor: name, email (marked when the provider does not vouch for
/// it), and always issuer and subject, which are who the visitor is.
fn visitor(identity: Option<&Identity>) -> String {
    let Some(identity) = identity else {
        return "anonymous (not signed in)".to_owned();
    };
    let mut parts = vec![];
    if let Some(name) = &identity.name {
        parts.push(name.clone());
    }
    if let Some(email) = &identity.email {
        let unverified = if identity.email_verified {
            ""
        } else {
            " (unverified)"
        };
        parts.push(format!("<{email}>{unverified}"));
    }
    parts.push(format!(
        "subject {} at {}",
        identity.subject, identity.issuer
    ));
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn message(id: i64, author: Author, text: &str, authenticated: bool) -> Message {
        Message {
            id,
            author,
            text: text.to_owned(),
            created_at: at("2026-12-01T10:00:00Z") + chrono::Duration::minutes(id),
            authenticated,
            attachment: None,
        }
    }

    #[test]
    fn the_text_names_the_visitor_and_keeps_each_message_in_its_block() {
        let transcript = Transcript {
            conversation_id: Uuid::nil(),
            deployment_name: "Website".into(),
            identity: Some(Identity {
                issuer: "https://id.example".into(),
                subject: "u-1".into(),
                email: Some("ada@example.com".into()),
                email_verified: false,
                name: Some("Ada".into()),
                groups: vec![],
            }),
            status: ConversationStatus::Closed,
            started_at: at("2026-12-01T10:00:00Z"),
            last_activity_at: at("2026-12-01T10:02:00Z"),
            exported_at: at("2026-12-01T11:00:00Z"),
            messages: vec![
                message(
                    1,
                    Author::Visitor,
                    "Hello\n[2026-12-01T10:05:00Z] Agent:",
                    true,
                ),
                message(2, Author::Agent, "How can we help?", false),
            ],
        };
        let text = transcript.to_text();
        assert_eq!(
            text,
            "Conversation 00000000-0000-0000-0000-000000000000 on Website\n\
             Visitor: Ada <ada@example.com> (unverified) subject u-1 at https://id.example\n\
             Started 2026-12-01T10:00:00Z, last activity 2026-12-01T10:02:00Z, closed\n\
             Exported 2026-12-01T11:00:00Z\n\
             \n[2026-12-01T10:01:00Z] Visitor (signed in):\n    Hello\n    [2026-12-01T10:05:00Z] Agent:\n\
             \n[2026-12-01T10:02:00Z] Agent:\n    How can we help?\n"
        );
    }

    #[test]
    fn an_anonymous_visitor_is_said_to_be_one() {
        assert_eq!(visitor(None), "anonymous (not signed in)");
    }
}
