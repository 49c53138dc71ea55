//! Integrations: the connection to one OpenID Connect provider.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The kinds of integration the catalog offers. Stored and sent as the kebab-case string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum IntegrationKind {
    /// "OpenID Connect Messenger Configuration" in the catalog; Okta is a preset of it.
    OpenidConnectMessenger,
}

crate::stored_enum!(IntegrationKind, "integration kind" {
    OpenidConnectMessenger => "openid-connect-messenger",
});

impl IntegrationKind {
    /// The name the catalog and lists show.
    pub const fn label(self) -> &'static str {
        match self {
            Self::OpenidConnectMessenger => "OpenID Connect Messenger Configuration",
        }
    }
}

/// Whether an integration may be used by messenger configurations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Status {
    Active,
    Inactive,
}

crate::stored_enum!(Status, "status" {
    Active => "active",
    Inactive => "inactive",
});

impl Status {
    pub const fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
        }
    }
}

pub use crate::stored::UnknownVariant;

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One line of the integrations list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntegrationSummary {
    pub id: Uuid,
    pub name: String,
    pub kind: IntegrationKind,
    pub provider: crate::provider::ProviderKind,
    pub status: Status,
    /// The provider's host, read from the discovery URI; `None` until one is set.
    pub provider_host: Option<String>,
    /// The outcome of the last discovery check; `None` when it never ran.
    pub last_check_ok: Option<bool>,
    pub last_checked_at: Option<DateTime<Utc>>,
}

/// The result of a discovery check: one line per rule, and whether none failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckReport {
    pub ok: bool,
    pub checked_at: DateTime<Utc>,
    /// The issuer the document names, when it could be read.
    pub issuer: Option<String>,
    /// The provider's `scopes_supported`, offered as choices in the console.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    pub items: Vec<CheckItem>,
}

/// One line of the checklist, in a sentence an admin can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckItem {
    /// A stable name for the rule (`issuer`, `jwks`, ...).
    pub id: String,
    pub outcome: CheckOutcome,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CheckOutcome {
    Pass,
    /// Works, but something is worth knowing.
    Warn,
    /// Sign-in cannot work until this is fixed.
    Fail,
}

/// The host part of a URI, for lists ("acme.okta.com"), without pulling a URL parser into wasm.
pub fn host_of(uri: &str) -> Option<String> {
    let rest = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_and_status_round_trip_through_their_stored_form() {
        let kind = IntegrationKind::OpenidConnectMessenger;
        assert_eq!(kind.as_str().parse::<IntegrationKind>(), Ok(kind));
        for status in [Status::Active, Status::Inactive] {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
        }
        assert!("enabled".parse::<Status>().is_err());
    }

    #[test]
    fn json_uses_the_contract_spelling() {
        let json = serde_json::to_string(&IntegrationKind::OpenidConnectMessenger).unwrap();
        assert_eq!(json, "\"openid-connect-messenger\"");
        assert_eq!(
            serde_json::to_string(&Status::Active).unwrap(),
            "\"active\""
        );
    }

    #[test]
    fn host_is_read_from_discovery_uris() {
        assert_eq!(
            host_of("https://Acme.okta.com/oauth2/default/.well-known/openid-configuration"),
            Some("acme.okta.com".into())
        );
        assert_eq!(
            host_of("http://127.0.0.1:4000/.well-known/openid-configuration"),
            Some("127.0.0.1:4000".into())
        );
        assert_eq!(host_of("acme.okta.com"), Some("acme.okta.com".into()));
        assert_eq!(host_of("https://"), None);
    }
}
