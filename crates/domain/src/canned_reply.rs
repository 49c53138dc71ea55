//! Canned replies: short named texts an agent inserts into a reply by typing `/` and the name.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldError;
use crate::conversation::message_text;

/// The longest name, in characters.
pub const MAX_NAME_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CannedReply {
    pub id: Uuid,
    /// Typed after `/` in the reply box: lowercase letters, digits, `-` and `_`.
    pub name: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an admin writes to create or change one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CannedReplyInput {
    pub name: String,
    pub text: String,
}

impl CannedReplyInput {
    /// The input made ready to store (name as typed after `/`, text as a message would be
    /// stored), or every field's error at once.
    pub fn checked(&self) -> Result<CannedReplyInput, Vec<FieldError>> {
        let name = reply_name(&self.name);
        let text = message_text(&self.text);
        match (name, text) {
            (Ok(name), Ok(text)) => Ok(CannedReplyInput { name, text }),
            (name, text) => Err([name.err(), text.err()].into_iter().flatten().collect()),
        }
    }
}

/// Checks a name: 1 to [`MAX_NAME_CHARS`] of lowercase letters, digits, `-` and `_`, so that
/// `/name` in the reply box ends at the first space. A leading `/` is dropped.
pub fn reply_name(name: &str) -> Result<String, FieldError> {
    let name = name.trim();
    let name = name.strip_prefix('/').unwrap_or(name);
    if name.is_empty() {
        return Err(FieldError::new(
            "name",
            "Give the reply a name, e.g. thanks.",
        ));
    }
    let length = name.chars().count();
    if length > MAX_NAME_CHARS {
        return Err(FieldError::new(
            "name",
            format!("A name can be at most {MAX_NAME_CHARS} characters; this one has {length}."),
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_')))
    {
        return Err(FieldError::new(
            "name",
            format!(
                "A name holds lowercase letters, digits, - and _ only; {bad:?} is not allowed."
            ),
        ));
    }
    Ok(name.to_owned())
}

/// The `/name` being typed at the end of `text`, if any: what follows the last `/` that starts
/// the text or a word, up to the end, with no space in it.
pub fn typed_shortcut(text: &str) -> Option<&str> {
    let start = text.rfind('/')?;
    let before = &text[..start];
    if !(before.is_empty() || before.ends_with(char::is_whitespace)) {
        return None;
    }
    let typed = &text[start + 1..];
    (!typed.contains(char::is_whitespace)).then_some(typed)
}

/// `text` with the `/name` at its end replaced by `reply`.
pub fn insert_reply(text: &str, reply: &str) -> String {
    match typed_shortcut(text) {
        Some(typed) => format!("{}{reply}", &text[..text.len() - typed.len() - 1]),
        None => format!("{text}{reply}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_what_follows_the_slash() {
        assert_eq!(reply_name(" /thanks ").unwrap(), "thanks");
        assert_eq!(reply_name("refund-policy_2").unwrap(), "refund-policy_2");
        assert!(
            reply_name("")
                .unwrap_err()
                .message
                .contains("Give the reply a name")
        );
        assert!(reply_name("Thanks").unwrap_err().message.contains("'T'"));
        assert!(reply_name("two words").is_err());
        assert!(
            reply_name(&"a".repeat(41))
                .unwrap_err()
                .message
                .contains("40")
        );
    }

    #[test]
    fn both_fields_are_checked_at_once() {
        let errors = CannedReplyInput {
            name: "".into(),
            text: " ".into(),
        }
        .checked()
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "text"]);
    }

    #[test]
    fn a_shortcut_is_the_slash_word_being_typed() {
        assert_eq!(typed_shortcut("/tha"), Some("tha"));
        assert_eq!(typed_shortcut("Hello /"), Some(""));
        assert_eq!(typed_shortcut("Hello\n/ref"), Some("ref"));
        assert_eq!(typed_shortcut("see https://x/y"), None);
        assert_eq!(typed_shortcut("/thanks and more"), None);
        assert_eq!(typed_shortcut("no slash"), None);
        assert_eq!(insert_reply("Hi! /tha", "Thank you."), "Hi! Thank you.");
        assert_eq!(insert_reply("/tha", "Thank you."), "Thank you.");
    }
}
