//! The Okta preset: an Okta domain and an authorization server give the Discovery URI.

use serde::{Deserialize, Serialize};
use switchboard_domain::FieldError;

use super::DiscoveryUri;

/// Which Okta authorization server issues the tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "id")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OktaServer {
    /// The org authorization server: `https://{domain}`.
    Org,
    /// The built-in custom server: `https://{domain}/oauth2/default`.
    Default,
    /// Another custom server: `https://{domain}/oauth2/{id}`.
    Custom(String),
}

/// The Discovery URI for an Okta domain (`acme.okta.com`, with or without `https://`) and
/// authorization server.
pub fn okta_discovery_uri(domain: &str, server: &OktaServer) -> Result<DiscoveryUri, FieldError> {
    let trimmed = domain.trim();
    let host = trimmed
        .strip_prefix("https://")
        .unwrap_or(trimmed)
        .trim_end_matches('/');
    if host.is_empty() {
        return Err(FieldError::new("oktaDomain", "Okta domain is required."));
    }
    if host.starts_with("http://") {
        return Err(FieldError::new("oktaDomain", "Okta domains use https."));
    }
    if host.contains(char::is_whitespace) {
        return Err(FieldError::new(
            "oktaDomain",
            "Okta domain must not contain spaces.",
        ));
    }
    if host.contains(['/', '?', '#', '@']) {
        return Err(FieldError::new(
            "oktaDomain",
            "Enter the Okta domain alone, like acme.okta.com, without a path.",
        ));
    }
    let issuer = match server {
        OktaServer::Org => format!("https://{host}"),
        OktaServer::Default => format!("https://{host}/oauth2/default"),
        OktaServer::Custom(id) => {
            let id = id.trim();
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(FieldError::new(
                    "oktaServerId",
                    "An authorization server id has letters and digits only, like aus1a2b3c4D5e6F7g8.",
                ));
            }
            format!("https://{host}/oauth2/{id}")
        }
    };
    DiscoveryUri::parse("oktaDomain", &issuer, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(domain: &str, server: OktaServer) -> Result<String, String> {
        okta_discovery_uri(domain, &server)
            .map(|uri| uri.as_str().to_owned())
            .map_err(|e| e.message)
    }

    #[test]
    fn each_server_choice_gives_its_uri() {
        assert_eq!(
            uri("acme.okta.com", OktaServer::Org).unwrap(),
            "https://acme.okta.com/.well-known/openid-configuration"
        );
        assert_eq!(
            uri("https://acme.okta.com/", OktaServer::Default).unwrap(),
            "https://acme.okta.com/oauth2/default/.well-known/openid-configuration"
        );
        assert_eq!(
            uri(
                " acme.oktapreview.com ",
                OktaServer::Custom("aus1x2Y3".into())
            )
            .unwrap(),
            "https://acme.oktapreview.com/oauth2/aus1x2Y3/.well-known/openid-configuration"
        );
    }

    #[test]
    fn domains_with_paths_spaces_or_http_are_refused() {
        for (domain, reason) in [
            ("", "required"),
            ("acme.okta.com/oauth2/default", "without a path"),
            ("acme .okta.com", "spaces"),
            ("http://acme.okta.com", "https"),
            ("user@acme.okta.com", "without a path"),
            ("10.0.0.1", "private"),
        ] {
            let error = uri(domain, OktaServer::Org).expect_err(domain);
            assert!(error.contains(reason), "{domain:?}: {error}");
        }
        let error = uri("acme.okta.com", OktaServer::Custom("../admin".into())).unwrap_err();
        assert!(error.contains("letters and digits"), "{error}");
    }
}
