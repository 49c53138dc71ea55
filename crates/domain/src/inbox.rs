//! How agents work the inbox: who a conversation is given to, which part of the inbox they
//! look at, and what they search for.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldError;

/// An admin who answers conversations, as assignment shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    pub id: Uuid,
    pub email: String,
}

/// A new message, as the console's event stream (`message` events of `GET /api/v2/events`)
/// announces it: enough to show a notification and to tell whose conversation it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InboxMessage {
    pub conversation_id: Uuid,
    /// Who the conversation is given to; `None` while unassigned.
    pub assignee_id: Option<Uuid>,
    /// The visitor as the inbox names them ([`crate::conversation::visitor_name`]).
    pub visitor: String,
    pub message: crate::conversation::Message,
}

/// Any other event of the console's stream: `typing` (the visitor is typing), `read` (an
/// agent read it) and `conversation` (it was assigned or closed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InboxSignal {
    pub conversation_id: Uuid,
}

/// A part of the inbox. "Mine" and "Unassigned" hold open conversations only: a closed one
/// needs no one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum InboxFilter {
    /// Open conversations assigned to the caller.
    Mine,
    /// Open conversations no one has.
    Unassigned,
    /// Every conversation, open or closed.
    #[default]
    All,
    Closed,
}

impl InboxFilter {
    pub fn label(self) -> &'static str {
        match self {
            Self::Mine => "Mine",
            Self::Unassigned => "Unassigned",
            Self::All => "All",
            Self::Closed => "Closed",
        }
    }
}

crate::stored_enum!(InboxFilter, "inbox filter" {
    Mine => "mine",
    Unassigned => "unassigned",
    All => "all",
    Closed => "closed",
});

/// The longest search an agent may type, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;
/// The most words a search looks for; all must match.
pub const MAX_SEARCH_TERMS: usize = 8;

/// The words of a search, lowercased: runs of letters and digits, as both engines' indexes cut
/// text into words (an email `ada@example.com` is `ada`, `example`, `com`). Each word matches
/// the words it begins. Empty when there is nothing to look for.
pub fn search_terms(q: &str) -> Result<Vec<String>, FieldError> {
    let length = q.chars().count();
    if length > MAX_SEARCH_CHARS {
        return Err(FieldError::new(
            "q",
            format!(
                "A search can be at most {MAX_SEARCH_CHARS} characters; this one has {length}."
            ),
        ));
    }
    let mut terms: Vec<String> = vec![];
    for word in q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        let word = word.to_lowercase();
        if !terms.contains(&word) {
            terms.push(word);
        }
    }
    if terms.len() > MAX_SEARCH_TERMS {
        return Err(FieldError::new(
            "q",
            format!(
                "A search can look for at most {MAX_SEARCH_TERMS} words; this one has {}.",
                terms.len()
            ),
        ));
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_cut_into_words_as_the_indexes_cut_text() {
        assert_eq!(
            search_terms("Ada@Example.com  refund-ID 42").unwrap(),
            ["ada", "example", "com", "refund", "id", "42"]
        );
        assert_eq!(search_terms("Zoë \"OR\" *").unwrap(), ["zoë", "or"]);
        assert!(search_terms(" ,; ").unwrap().is_empty());
        assert_eq!(search_terms("a a A").unwrap(), ["a"]);
    }

    #[test]
    fn long_searches_are_refused_with_the_reason() {
        let error = search_terms(&"x".repeat(201)).unwrap_err();
        assert_eq!(error.field, "q");
        assert!(error.message.contains("200"), "{}", error.message);
        let error = search_terms("a b c d e f g h i").unwrap_err();
        assert!(error.message.contains("9"), "{}", error.message);
    }

    #[test]
    fn filters_read_back_what_they_write() {
        for &filter in InboxFilter::ALL {
            assert_eq!(filter.as_str().parse::<InboxFilter>().ok(), Some(filter));
        }
    }
}
