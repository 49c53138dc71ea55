//! What an admin sets on an integration, the full integration as the console and the REST API
//! show it, and the rules its fields obey.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::integration::{CheckReport, IntegrationKind, Status};
use crate::provider::ProviderKind;
use crate::{FieldError, Validation, validation};

/// Scopes the console offers as checkboxes; `openid` is always requested.
pub const SCOPE_CHOICES: [&str; 7] = [
    "openid",
    "profile",
    "email",
    "phone",
    "address",
    "offline_access",
    "groups",
];

/// What a sign-in asks the provider for: the chosen scopes, `openid` first, and
/// `offline_access` whenever the provider lists it, since messenger sessions are refreshed up
/// to the integration's max refresh token lifetime. A provider that does not list it (Google
/// refuses the scope) is not sent it.
pub fn requested_scopes(chosen: &[String], supported: &[String]) -> Vec<String> {
    let mut scopes = vec!["openid".to_owned()];
    for scope in chosen {
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    let offline = "offline_access".to_owned();
    if supported.contains(&offline) && !scopes.contains(&offline) {
        scopes.push(offline);
    }
    scopes
}
pub const DEFAULT_SCOPES: [&str; 3] = ["openid", "profile", "email"];
/// 15 minutes to 90 days.
pub const REFRESH_LIFETIME_SECONDS: std::ops::RangeInclusive<i64> = 15 * 60..=90 * 24 * 3600;
pub const DEFAULT_REFRESH_LIFETIME_SECONDS: i64 = 24 * 3600;
/// Up to 5 minutes of clock difference is tolerated; more hides a broken clock.
pub const CLOCK_SKEW_SECONDS: std::ops::RangeInclusive<i32> = 0..=300;
pub const DEFAULT_CLOCK_SKEW_SECONDS: i32 = 60;
const MAX_GROUPS: usize = 100;
const MAX_GROUP_CHARS: usize = 256;

/// The editable properties of an integration (the credentials are set apart, write-only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegrationSettings {
    pub name: String,
    pub discovery_uri: String,
    pub scopes: Vec<String>,
    pub max_refresh_token_lifetime_seconds: i64,
    #[serde(default)]
    pub allowed_groups: Vec<String>,
    pub clock_skew_seconds: i32,
}

/// Whether credentials are set, without the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialsState {
    pub client_id: Option<String>,
    pub configured: bool,
    pub okta_api_token_configured: bool,
    pub updated_at: Option<DateTime<Utc>>,
}

/// An integration as the console and `GET /api/v2/integrations/{id}` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Integration {
    pub id: Uuid,
    pub name: String,
    pub kind: IntegrationKind,
    /// The provider profile it was set up for.
    pub provider: ProviderKind,
    pub status: Status,
    pub discovery_uri: Option<String>,
    pub scopes: Vec<String>,
    pub max_refresh_token_lifetime_seconds: i64,
    pub allowed_groups: Vec<String>,
    pub clock_skew_seconds: i32,
    pub credentials: CredentialsState,
    pub last_check: Option<CheckReport>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Declared by the server's environment (`IDP_*`): its name, Discovery URI, scopes and
    /// credentials are changed there, not here.
    #[serde(default)]
    pub managed_by_environment: bool,
}

impl Integration {
    /// What stops this integration from being switched on, in words; empty when nothing does.
    pub fn activation_blockers(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if !self.last_check.as_ref().is_some_and(|check| check.ok) {
            missing.push("a passing connection test");
        }
        if !self.credentials.configured {
            missing.push("credentials (Client ID and Client Secret)");
        }
        missing
    }

    pub fn settings(&self) -> IntegrationSettings {
        IntegrationSettings {
            name: self.name.clone(),
            discovery_uri: self.discovery_uri.clone().unwrap_or_default(),
            scopes: self.scopes.clone(),
            max_refresh_token_lifetime_seconds: self.max_refresh_token_lifetime_seconds,
            allowed_groups: self.allowed_groups.clone(),
            clock_skew_seconds: self.clock_skew_seconds,
        }
    }
}

impl IntegrationSettings {
    /// Checks every field but the Discovery URI (the server checks that one, with its network
    /// rules) and returns the settings tidied: trimmed, `openid` first, no duplicates.
    pub fn validated(&self) -> Result<Self, Vec<FieldError>> {
        let mut validation = Validation::new();
        validation
            .check(validation::name("name", &self.name))
            .check(scopes(&self.scopes))
            .check(refresh_lifetime(self.max_refresh_token_lifetime_seconds))
            .check(allowed_groups(&self.allowed_groups))
            .check(clock_skew(self.clock_skew_seconds));
        validation.finish()?;
        let mut tidy_scopes = vec!["openid".to_owned()];
        for scope in &self.scopes {
            let scope = scope.trim();
            if !scope.is_empty() && !tidy_scopes.iter().any(|s| s == scope) {
                tidy_scopes.push(scope.to_owned());
            }
        }
        let mut groups: Vec<String> = Vec::new();
        for group in &self.allowed_groups {
            let group = group.trim();
            if !group.is_empty() && !groups.iter().any(|g| g == group) {
                groups.push(group.to_owned());
            }
        }
        Ok(Self {
            name: self.name.trim().to_owned(),
            discovery_uri: self.discovery_uri.trim().to_owned(),
            scopes: tidy_scopes,
            max_refresh_token_lifetime_seconds: self.max_refresh_token_lifetime_seconds,
            allowed_groups: groups,
            clock_skew_seconds: self.clock_skew_seconds,
        })
    }
}

/// Scope names as OAuth 2.0 allows them: printable ASCII without spaces, quotes or backslashes.
pub fn scopes(values: &[String]) -> Result<(), FieldError> {
    if values.len() > 50 {
        return Err(FieldError::new("scopes", "At most 50 scopes."));
    }
    for scope in values.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let valid = scope.len() <= 128
            && scope
                .chars()
                .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\');
        if !valid {
            return Err(FieldError::new(
                "scopes",
                format!(
                    "{scope:?} is not a valid scope name (letters, digits and symbols, no spaces or quotes)."
                ),
            ));
        }
    }
    Ok(())
}

pub fn refresh_lifetime(seconds: i64) -> Result<(), FieldError> {
    if REFRESH_LIFETIME_SECONDS.contains(&seconds) {
        Ok(())
    } else {
        Err(FieldError::new(
            "maxRefreshTokenLifetimeSeconds",
            "Max refresh token lifetime must be between 15 minutes and 90 days.",
        ))
    }
}

pub fn clock_skew(seconds: i32) -> Result<(), FieldError> {
    if CLOCK_SKEW_SECONDS.contains(&seconds) {
        Ok(())
    } else {
        Err(FieldError::new(
            "clockSkewSeconds",
            "Clock skew allowance must be between 0 and 300 seconds.",
        ))
    }
}

pub fn allowed_groups(values: &[String]) -> Result<(), FieldError> {
    let named: Vec<_> = values
        .iter()
        .map(|g| g.trim())
        .filter(|g| !g.is_empty())
        .collect();
    if named.len() > MAX_GROUPS {
        return Err(FieldError::new(
            "allowedGroups",
            format!("At most {MAX_GROUPS} allowed groups."),
        ));
    }
    if let Some(long) = named.iter().find(|g| g.chars().count() > MAX_GROUP_CHARS) {
        return Err(FieldError::new(
            "allowedGroups",
            format!(
                "Group names must be at most {MAX_GROUP_CHARS} characters ({}…).",
                long.chars().take(20).collect::<String>()
            ),
        ));
    }
    if named.iter().any(|g| g.chars().any(char::is_control)) {
        return Err(FieldError::new(
            "allowedGroups",
            "Group names must not contain control characters.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> IntegrationSettings {
        IntegrationSettings {
            name: " Okta production ".into(),
            discovery_uri: "acme.okta.com".into(),
            scopes: vec!["profile".into(), "email".into(), "profile".into()],
            max_refresh_token_lifetime_seconds: DEFAULT_REFRESH_LIFETIME_SECONDS,
            allowed_groups: vec![" Support ".into(), "".into(), "Support".into()],
            clock_skew_seconds: DEFAULT_CLOCK_SKEW_SECONDS,
        }
    }

    #[test]
    fn valid_settings_are_tidied() {
        let tidy = settings().validated().unwrap();
        assert_eq!(tidy.name, "Okta production");
        assert_eq!(tidy.scopes, ["openid", "profile", "email"]);
        assert_eq!(tidy.allowed_groups, ["Support"]);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = IntegrationSettings {
            name: "x".repeat(10_000),
            scopes: vec!["has space".into()],
            max_refresh_token_lifetime_seconds: 60,
            allowed_groups: vec!["g".repeat(300)],
            clock_skew_seconds: 3600,
            ..settings()
        };
        let fields: Vec<_> = bad
            .validated()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "name",
                "scopes",
                "maxRefreshTokenLifetimeSeconds",
                "allowedGroups",
                "clockSkewSeconds"
            ]
        );
        let empty = IntegrationSettings {
            name: "  ".into(),
            ..settings()
        };
        assert_eq!(
            empty.validated().unwrap_err()[0].message,
            "Name is required."
        );
    }

    #[test]
    fn lifetimes_and_skew_have_bounds() {
        assert!(refresh_lifetime(15 * 60).is_ok());
        assert!(refresh_lifetime(90 * 24 * 3600).is_ok());
        assert!(refresh_lifetime(15 * 60 - 1).is_err());
        assert!(refresh_lifetime(90 * 24 * 3600 + 1).is_err());
        assert!(clock_skew(0).is_ok() && clock_skew(300).is_ok());
        assert!(clock_skew(-1).is_err() && clock_skew(301).is_err());
    }

    #[test]
    fn scopes_follow_the_oauth_grammar() {
        assert!(scopes(&["openid".into(), "api:read".into(), "https://graph/x".into()]).is_ok());
        for bad in ["with space", "quo\"te", "back\\slash", "é"] {
            assert!(scopes(&[bad.into()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn offline_access_is_asked_for_where_the_provider_offers_it() {
        let own = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            requested_scopes(
                &own(&["email", "openid"]),
                &own(&["openid", "offline_access"])
            ),
            own(&["openid", "email", "offline_access"])
        );
        assert_eq!(
            requested_scopes(&own(&["profile"]), &own(&["openid", "profile"])),
            own(&["openid", "profile"])
        );
        assert_eq!(
            requested_scopes(&own(&["offline_access"]), &[]),
            own(&["openid", "offline_access"])
        );
    }
}
