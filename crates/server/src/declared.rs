//! Reads the provider the environment declares (`IDP_*`, the convention reverse proxies use)
//! and hands it to `switchboard_core::integrations::declared` at start-up. A half-set
//! declaration (a client id without a secret) is one clear error in the log, and the server
//! serves without it.

use secrecy::SecretString;
use switchboard_core::integrations::declared::Declaration;
use switchboard_domain::provider::{OktaServer, ProviderPreset, okta_domain};

/// Every variable read, for the "half set" check.
const VARIABLES: [&str; 9] = [
    "IDP_PROVIDER",
    "IDP_PROVIDER_URL",
    "IDP_CLIENT_ID",
    "IDP_CLIENT_SECRET",
    "IDP_CLIENT_SECRET_FILE",
    "IDP_SERVICE_ACCOUNT",
    "IDP_SERVICE_ACCOUNT_FILE",
    "IDP_SCOPES",
    "IDP_NAME",
];

/// The declaration `var` (the environment) gives: `Ok(None)` when no `IDP_*` variable is
/// set, an error naming what is missing or wrong when some are.
pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Option<Declaration>, String> {
    let var = |name: &str| var(name).filter(|value| !value.trim().is_empty());
    if VARIABLES.iter().all(|name| var(name).is_none()) {
        return Ok(None);
    }
    let required = |name: &str| {
        var(name).ok_or_else(|| format!("{name} is required when any IDP_* variable is set"))
    };
    let provider = required("IDP_PROVIDER")?;
    let url = required("IDP_PROVIDER_URL")?;
    let client_id = required("IDP_CLIENT_ID")?;
    let client_secret = secret(&var, "IDP_CLIENT_SECRET")?.ok_or_else(|| {
        "IDP_CLIENT_ID is set but neither IDP_CLIENT_SECRET nor IDP_CLIENT_SECRET_FILE".to_owned()
    })?;
    let service_account = secret(&var, "IDP_SERVICE_ACCOUNT")?;
    let (preset, discovery_uri) = match provider.trim().to_ascii_lowercase().as_str() {
        "okta" => (okta_preset(&url)?, None),
        "oidc" => (ProviderPreset::Oidc {}, Some(url.trim().to_owned())),
        other => return Err(format!("IDP_PROVIDER must be okta or oidc, not {other:?}")),
    };
    if service_account.is_some() && !matches!(preset, ProviderPreset::Okta { .. }) {
        return Err("IDP_SERVICE_ACCOUNT is Okta's API token; it needs IDP_PROVIDER=okta".into());
    }
    let scopes = var("IDP_SCOPES").map(|scopes| {
        scopes
            .split([' ', ','])
            .filter(|scope| !scope.is_empty())
            .map(str::to_owned)
            .collect()
    });
    Ok(Some(Declaration {
        preset,
        discovery_uri,
        name: var("IDP_NAME").map(|name| name.trim().to_owned()),
        scopes,
        client_id: client_id.trim().to_owned(),
        client_secret,
        service_account,
    }))
}

/// `NAME` or the contents of the file `NAME_FILE` (a trailing newline dropped), not both.
fn secret(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
) -> Result<Option<SecretString>, String> {
    let file_name = format!("{name}_FILE");
    match (var(name), var(&file_name)) {
        (Some(_), Some(_)) => Err(format!("set {name} or {file_name}, not both")),
        (Some(value), None) => Ok(Some(SecretString::from(value))),
        (None, Some(path)) => {
            let value = std::fs::read_to_string(&path)
                .map_err(|error| format!("{file_name}: cannot read {path}: {error}"))?;
            let value = value.trim_end_matches(['\n', '\r']).to_owned();
            if value.trim().is_empty() {
                return Err(format!("{file_name}: {path} is empty"));
            }
            Ok(Some(SecretString::from(value)))
        }
        (None, None) => Ok(None),
    }
}

/// Okta from any address of the org (as the catalog reads it): a path naming an
/// authorization server (`/oauth2/default`, `/oauth2/aus...`) picks that server, anything
/// else the org authorization server, whose issuer is the org's address.
fn okta_preset(url: &str) -> Result<ProviderPreset, String> {
    let domain =
        okta_domain(url).map_err(|error| format!("IDP_PROVIDER_URL: {}", error.message))?;
    let server = url
        .split("/oauth2/")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()))
        .map_or(OktaServer::Org, |id| match id {
            "default" => OktaServer::Default,
            id => OktaServer::Custom(id.to_owned()),
        });
    Ok(ProviderPreset::Okta { domain, server })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use secrecy::ExposeSecret;

    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<Option<Declaration>, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        from_env(|name| vars.get(name).cloned())
    }

    #[test]
    fn nothing_set_declares_nothing() {
        assert!(read(&[]).unwrap().is_none());
        assert!(read(&[("IDP_NAME", "  ")]).unwrap().is_none());
    }

    #[test]
    fn okta_reads_the_admin_console_address() {
        let declared = read(&[
            ("IDP_PROVIDER", "okta"),
            ("IDP_PROVIDER_URL", "https://acme-admin.okta.com/"),
            ("IDP_CLIENT_ID", "0oa1"),
            ("IDP_CLIENT_SECRET", "s3cret"),
            ("IDP_SERVICE_ACCOUNT", "00tok"),
            ("IDP_SCOPES", "openid profile,email groups"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(
            declared.preset,
            ProviderPreset::Okta {
                domain: "acme.okta.com".into(),
                server: OktaServer::Org
            }
        );
        assert_eq!(
            declared.scopes.unwrap(),
            ["openid", "profile", "email", "groups"]
        );
        assert_eq!(declared.service_account.unwrap().expose_secret(), "00tok");
        let custom = read(&[
            ("IDP_PROVIDER", "okta"),
            (
                "IDP_PROVIDER_URL",
                "https://acme.okta.com/oauth2/aus1x2/.well-known/openid-configuration",
            ),
            ("IDP_CLIENT_ID", "0oa1"),
            ("IDP_CLIENT_SECRET", "s3cret"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(
            custom.preset,
            ProviderPreset::Okta {
                domain: "acme.okta.com".into(),
                server: OktaServer::Custom("aus1x2".into())
            }
        );
    }

    #[test]
    fn secrets_come_from_files_too() {
        let dir = std::env::temp_dir().join(format!("idp-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("secret");
        std::fs::write(&file, "from-a-file\n").unwrap();
        let declared = read(&[
            ("IDP_PROVIDER", "oidc"),
            ("IDP_PROVIDER_URL", "https://id.example.com"),
            ("IDP_CLIENT_ID", "c"),
            ("IDP_CLIENT_SECRET_FILE", file.to_str().unwrap()),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(declared.client_secret.expose_secret(), "from-a-file");
        assert_eq!(
            declared.discovery_uri.as_deref(),
            Some("https://id.example.com")
        );
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn half_set_declarations_say_what_is_missing() {
        let base = [
            ("IDP_PROVIDER", "okta"),
            ("IDP_PROVIDER_URL", "acme.okta.com"),
            ("IDP_CLIENT_ID", "0oa1"),
        ];
        let error = read(&base).err().unwrap();
        assert!(error.contains("neither IDP_CLIENT_SECRET"), "{error}");
        let error = read(&[("IDP_CLIENT_ID", "x")]).err().unwrap();
        assert!(error.contains("IDP_PROVIDER is required"), "{error}");
        let mut wrong = base.to_vec();
        wrong.push(("IDP_CLIENT_SECRET", "s"));
        wrong[0] = ("IDP_PROVIDER", "azure");
        assert!(read(&wrong).err().unwrap().contains("okta or oidc"));
        let mut both = base.to_vec();
        both.extend([("IDP_CLIENT_SECRET", "s"), ("IDP_CLIENT_SECRET_FILE", "/x")]);
        assert!(read(&both).err().unwrap().contains("not both"));
        let mut bad_url = base.to_vec();
        bad_url[1] = ("IDP_PROVIDER_URL", "acme .okta.com");
        bad_url.push(("IDP_CLIENT_SECRET", "s"));
        assert!(read(&bad_url).err().unwrap().contains("IDP_PROVIDER_URL"));
    }
}
