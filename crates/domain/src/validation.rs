//! Field validation shared by forms in the browser and use cases on the server, so a form shows
//! the same message next to the field that the server would answer with.

use serde::{Deserialize, Serialize};

/// One field that failed validation, with a message written for the person filling the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field's name as used in forms and JSON (camelCase).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Collects every field error of a form at once, so the user fixes them in one pass.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Validation {
    errors: Vec<FieldError>,
}

impl Validation {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn check(&mut self, result: Result<(), FieldError>) -> &mut Self {
        if let Err(error) = result {
            self.errors.push(error);
        }
        self
    }

    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

/// The longest display name any object accepts.
pub const NAME_MAX_CHARS: usize = 100;
/// The longest description any object accepts.
pub const DESCRIPTION_MAX_CHARS: usize = 500;

/// A display name: trimmed, not empty, at most [`NAME_MAX_CHARS`] characters, no control
/// characters (they make names look alike in lists and logs).
pub fn name(field: &str, value: &str) -> Result<(), FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "Name is required."));
    }
    if trimmed.chars().count() > NAME_MAX_CHARS {
        return Err(FieldError::new(
            field,
            format!("Name must be at most {NAME_MAX_CHARS} characters."),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "Name must not contain control characters.",
        ));
    }
    Ok(())
}

/// A free-text description: optional, at most [`DESCRIPTION_MAX_CHARS`] characters.
pub fn description(field: &str, value: &str) -> Result<(), FieldError> {
    if value.trim().chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(FieldError::new(
            field,
            format!("Description must be at most {DESCRIPTION_MAX_CHARS} characters."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_required_after_trimming() {
        assert_eq!(
            name("name", "   "),
            Err(FieldError::new("name", "Name is required."))
        );
        assert!(name("name", " Okta production ").is_ok());
    }

    #[test]
    fn name_length_counts_characters_not_bytes() {
        let exactly = "é".repeat(NAME_MAX_CHARS);
        assert!(name("name", &exactly).is_ok());
        let too_long = "é".repeat(NAME_MAX_CHARS + 1);
        assert!(name("name", &too_long).is_err());
    }

    #[test]
    fn name_refuses_control_characters() {
        assert!(name("name", "Okta\u{0}prod").is_err());
    }

    #[test]
    fn description_is_optional_but_bounded() {
        assert!(description("description", "").is_ok());
        assert!(description("description", &"a".repeat(DESCRIPTION_MAX_CHARS + 1)).is_err());
    }

    #[test]
    fn validation_collects_every_error() {
        let mut validation = Validation::new();
        validation
            .check(name("name", ""))
            .check(description("description", &"a".repeat(501)))
            .check(name("other", "fine"));
        let errors = validation.finish().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "description"]);
    }
}
