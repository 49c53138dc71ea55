//! Messenger configurations: what the messenger looks like and how visitors sign in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::attachment::AttachmentRules;

/// One line of the messenger configurations list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationSummary {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// The newest published version; `None` while only a draft exists.
    pub latest_version: Option<i32>,
    pub updated_at: DateTime<Utc>,
}

/// What one version of a messenger configuration holds (the draft has the same shape).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionContent {
    pub authentication: Authentication,
    pub appearance: Appearance,
    /// How long a visitor's messenger session lasts (never beyond the integration's refresh
    /// token lifetime).
    pub session_lifetime_seconds: i64,
    /// The messenger forgets the conversation when the visitor signs out (shared devices).
    #[serde(default)]
    pub clear_on_sign_out: bool,
    /// New conversations go to the agents who are online in turn, instead of waiting in
    /// "Unassigned".
    #[serde(default)]
    pub assign_round_robin: bool,
    /// The files visitors and agents may send.
    #[serde(default)]
    pub attachments: AttachmentRules,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authentication {
    pub enabled: bool,
    pub integration_id: Option<Uuid>,
    /// Lets an anonymous conversation continue, signed in, after the visitor signs in.
    pub allow_session_upgrade: bool,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Appearance {
    /// `#rrggbb`.
    pub primary_color: String,
    pub launcher_label: String,
    pub greeting: String,
    /// A language tag such as `en` or `pt-BR`.
    pub default_language: String,
}

impl Default for VersionContent {
    fn default() -> Self {
        Self {
            authentication: Authentication {
                enabled: false,
                integration_id: None,
                allow_session_upgrade: false,
            },
            appearance: Appearance {
                primary_color: "#4f46e5".to_owned(),
                launcher_label: "Chat with us".to_owned(),
                greeting: "Hi! How can we help?".to_owned(),
                default_language: "en".to_owned(),
            },
            session_lifetime_seconds: 8 * 3600,
            clear_on_sign_out: false,
            assign_round_robin: false,
            attachments: AttachmentRules::default(),
        }
    }
}

/// Session lifetimes from 5 minutes to 30 days.
pub const SESSION_LIFETIME_SECONDS: std::ops::RangeInclusive<i64> = 300..=30 * 24 * 3600;
pub const LAUNCHER_LABEL_MAX_CHARS: usize = 40;
pub const GREETING_MAX_CHARS: usize = 280;

impl VersionContent {
    /// Checks every field, reporting all problems at once. Whether the chosen integration is
    /// active is the server's check; here, only that one is chosen when sign-in is on.
    pub fn validate(&self) -> Result<(), Vec<crate::FieldError>> {
        use crate::FieldError;
        let mut validation = crate::Validation::new();
        let appearance = &self.appearance;
        validation.check(if is_hex_colour(&appearance.primary_color) {
            Ok(())
        } else {
            Err(FieldError::new(
                "primaryColor",
                "Primary colour must be a hex colour like #4f46e5.",
            ))
        });
        let label = appearance.launcher_label.trim().chars().count();
        validation.check(if (1..=LAUNCHER_LABEL_MAX_CHARS).contains(&label) {
            Ok(())
        } else {
            Err(FieldError::new(
                "launcherLabel",
                format!(
                    "Launcher label is required, at most {LAUNCHER_LABEL_MAX_CHARS} characters."
                ),
            ))
        });
        let greeting = &appearance.greeting;
        validation.check(
            if greeting.chars().count() <= GREETING_MAX_CHARS
                && !greeting.chars().any(|c| c.is_control() && c != '\n')
            {
                Ok(())
            } else {
                Err(FieldError::new(
                    "greeting",
                    format!("Greeting must be at most {GREETING_MAX_CHARS} characters of text."),
                ))
            },
        );
        validation.check(if is_language_tag(&appearance.default_language) {
            Ok(())
        } else {
            Err(FieldError::new(
                "defaultLanguage",
                "Default language must be a language tag like en or pt-BR.",
            ))
        });
        validation.check(
            if SESSION_LIFETIME_SECONDS.contains(&self.session_lifetime_seconds) {
                Ok(())
            } else {
                Err(FieldError::new(
                    "sessionLifetimeSeconds",
                    "Session lifetime must be between 5 minutes and 30 days.",
                ))
            },
        );
        validation.check(
            if self.authentication.enabled && self.authentication.integration_id.is_none() {
                Err(FieldError::new(
                    "integrationId",
                    "Pick an OAuth integration, or turn Authentication off.",
                ))
            } else {
                Ok(())
            },
        );
        for problem in self.attachments.problems() {
            validation.check(Err(problem));
        }
        validation.finish()
    }
}

impl VersionContent {
    /// The fields that differ from `after`, by label, for the audit log and the history.
    pub fn differences(&self, after: &VersionContent) -> Vec<&'static str> {
        let (a, b) = (&self.appearance, &after.appearance);
        let (x, y) = (&self.authentication, &after.authentication);
        [
            (x.enabled != y.enabled, "authentication"),
            (x.integration_id != y.integration_id, "OAuth integration"),
            (
                x.allow_session_upgrade != y.allow_session_upgrade,
                "anonymous upgrade",
            ),
            (a.primary_color != b.primary_color, "primary colour"),
            (a.launcher_label != b.launcher_label, "launcher label"),
            (a.greeting != b.greeting, "greeting"),
            (a.default_language != b.default_language, "default language"),
            (
                self.session_lifetime_seconds != after.session_lifetime_seconds,
                "session lifetime",
            ),
            (
                self.clear_on_sign_out != after.clear_on_sign_out,
                "clear on sign-out",
            ),
            (
                self.assign_round_robin != after.assign_round_robin,
                "round-robin assignment",
            ),
            (self.attachments != after.attachments, "attachments"),
        ]
        .into_iter()
        .filter_map(|(differs, label)| differs.then_some(label))
        .collect()
    }
}

fn is_hex_colour(value: &str) -> bool {
    value.len() == 7 && value.starts_with('#') && value[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// A practical subset of BCP 47: a 2–3 letter language, optionally a 4-letter script and a
/// 2-letter or 3-digit region (`en`, `pt-BR`, `zh-Hant-TW`, `es-419`).
fn is_language_tag(value: &str) -> bool {
    let mut parts = value.split('-');
    let language_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    language_ok
        && parts.all(|p| {
            (p.len() == 4 && p.chars().all(|c| c.is_ascii_alphabetic()))
                || (p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
                || (p.len() == 3 && p.chars().all(|c| c.is_ascii_digit()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_content_is_valid() {
        assert_eq!(VersionContent::default().validate(), Ok(()));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut content = VersionContent::default();
        content.appearance.primary_color = "blue".into();
        content.appearance.launcher_label = "  ".into();
        content.appearance.greeting = "x".repeat(GREETING_MAX_CHARS + 1);
        content.appearance.default_language = "english".into();
        content.session_lifetime_seconds = 10;
        content.authentication.enabled = true;
        let fields: Vec<_> = content
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "primaryColor",
                "launcherLabel",
                "greeting",
                "defaultLanguage",
                "sessionLifetimeSeconds",
                "integrationId"
            ]
        );
    }

    #[test]
    fn colours_and_languages_follow_their_formats() {
        for good in ["#4f46e5", "#FFFFFF"] {
            assert!(is_hex_colour(good), "{good}");
        }
        for bad in ["4f46e5", "#fff", "#4f46eg", "#4f46e5ff"] {
            assert!(!is_hex_colour(bad), "{bad}");
        }
        for good in ["en", "pt-BR", "zh-Hant-TW", "es-419", "fil"] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in ["", "e", "english", "en_US", "en-", "en-U"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn json_uses_the_contract_spelling() {
        let json = serde_json::to_value(VersionContent::default()).unwrap();
        assert_eq!(json["authentication"]["allowSessionUpgrade"], false);
        assert_eq!(json["appearance"]["primaryColor"], "#4f46e5");
        assert_eq!(json["sessionLifetimeSeconds"], 28800);
    }
}

/// A messenger configuration with its draft and published versions, newest last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Configuration {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub draft: VersionContent,
    pub versions: Vec<PublishedVersion>,
}

/// One published version: the content as it was, numbered from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PublishedVersion {
    pub version: i32,
    #[serde(flatten)]
    pub content: VersionContent,
    pub published_by: String,
    pub published_at: DateTime<Utc>,
}

/// What an admin saves: the names and the draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub draft: VersionContent,
}
