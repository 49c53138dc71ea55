//! Admins of the console: their roles, the rules for their email and password, and what the
//! console shows about them and their API tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::FieldError;

/// What an admin or an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// Reads and changes everything.
    Admin,
    /// Reads everything, changes nothing.
    Viewer,
}

crate::stored_enum!(Role, "role" {
    Admin => "admin",
    Viewer => "viewer",
});

impl Role {
    pub fn can_change(self) -> bool {
        self == Role::Admin
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is signed in to the console, as the pages see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentAdmin {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
}

/// How often a console tab in use says so; the server forgets a tab that stops saying it.
pub const TAB_RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Whether an agent counts as available to visitors: `online` while a console tab of theirs is
/// in use and they are not `away` (set by hand).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub away: bool,
    pub online: bool,
}

/// An API token as listed in the console; the token itself is shown once, at creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiTokenSummary {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The shortest password an admin may pick.
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Argon2 hashes anything, but a cap keeps a huge form post from costing much.
pub const PASSWORD_MAX_CHARS: usize = 256;

/// An email address as sign-in accepts it: trimmed and lower-cased, so `Ada@Example.com` and
/// `ada@example.com` are the same admin.
pub fn normalize_email(value: &str) -> String {
    value.trim().to_lowercase()
}

/// A plausible address: one `@`, something on each side, a dot in the domain, no spaces.
/// Deliverability is not our concern; typos like a missing `@` are.
pub fn email(field: &str, value: &str) -> Result<(), FieldError> {
    let value = value.trim();
    let plausible = value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if plausible {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            "Enter an email address like ada@example.com.",
        ))
    }
}

/// A new password: long enough to resist guessing, bounded so hashing stays cheap.
pub fn new_password(field: &str, value: &str) -> Result<(), FieldError> {
    let chars = value.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(FieldError::new(
            field,
            format!("Password must be at least {PASSWORD_MIN_CHARS} characters."),
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(FieldError::new(
            field,
            format!("Password must be at most {PASSWORD_MAX_CHARS} characters."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_only_admins_change_things() {
        for role in [Role::Admin, Role::Viewer] {
            assert_eq!(role.as_str().parse::<Role>().ok(), Some(role));
        }
        assert!("root".parse::<Role>().is_err());
        assert!(Role::Admin.can_change());
        assert!(!Role::Viewer.can_change());
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(normalize_email("  Ada@Example.COM "), "ada@example.com");
        assert!(email("email", "ada@example.com").is_ok());
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "a@b@c.d",
        ] {
            assert!(email("email", bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn passwords_have_a_minimum_and_a_maximum_length() {
        assert!(new_password("password", "short").is_err());
        assert!(new_password("password", &"x".repeat(PASSWORD_MIN_CHARS)).is_ok());
        assert!(new_password("password", &"x".repeat(PASSWORD_MAX_CHARS + 1)).is_err());
    }
}
