//! A provider preset's Discovery URI: the profile derives it (the same code previews it in the
//! browser), then it passes the same network rules as one an admin types.

use switchboard_domain::FieldError;
use switchboard_domain::provider::ProviderPreset;

use super::DiscoveryUri;

/// The checked Discovery URI of `preset`; `None` for the generic profile. A rule the derived
/// URI breaks (a private address, say) is reported on the profile's first field.
pub fn preset_discovery_uri(preset: &ProviderPreset) -> Result<Option<DiscoveryUri>, FieldError> {
    let Some(uri) = preset.discovery_uri()? else {
        return Ok(None);
    };
    let field = preset
        .kind()
        .profile()
        .fields
        .first()
        .map_or("provider", |field| field.name);
    DiscoveryUri::parse(field, &uri, false).map(Some)
}

#[cfg(test)]
mod tests {
    use switchboard_domain::provider::OktaServer;

    use super::*;

    #[test]
    fn derived_uris_obey_the_network_rules() {
        let private = ProviderPreset::Okta {
            domain: "10.0.0.1".into(),
            server: OktaServer::Org,
        };
        let error = preset_discovery_uri(&private).unwrap_err();
        assert_eq!(error.field, "oktaDomain");
        assert!(error.message.contains("private"), "{error}");
        let keycloak = ProviderPreset::Keycloak {
            base_url: "https://127.0.0.1:8443".into(),
            realm: "acme".into(),
        };
        assert_eq!(
            preset_discovery_uri(&keycloak).unwrap_err().field,
            "keycloakBaseUrl"
        );
        let google = preset_discovery_uri(&ProviderPreset::Google {})
            .unwrap()
            .unwrap();
        assert_eq!(google.issuer(), "https://accounts.google.com");
        assert_eq!(
            preset_discovery_uri(&ProviderPreset::Oidc {}).unwrap(),
            None
        );
    }
}
