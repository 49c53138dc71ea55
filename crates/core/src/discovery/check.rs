//! The discovery check: fetch the provider's document and its keys, and say line by line what
//! will and will not work for sign-in.

use chrono::Utc;
use serde_json::Value;
use switchboard_domain::integration::{CheckItem, CheckOutcome, CheckReport};
use url::Url;

use super::{DiscoveryUri, GuardedClient, check_target};

/// Runs every rule against the document at `uri`, for an integration asking for `scopes`.
pub async fn check(client: &GuardedClient, uri: &DiscoveryUri, scopes: &[String]) -> CheckReport {
    let mut items = Vec::new();
    let document = match client.get_json(uri.url()).await {
        Ok(Value::Object(document)) => {
            items.push(pass(
                "document",
                "Discovery document fetched and read as JSON.",
            ));
            document
        }
        Ok(_) => {
            items.push(fail(
                "document",
                "The discovery document is JSON but not an object.",
            ));
            return report(items, None, vec![]);
        }
        Err(error) => {
            items.push(fail(
                "document",
                format!("Cannot fetch the discovery document: {error}."),
            ));
            return report(items, None, vec![]);
        }
    };
    let text = |key: &str| document.get(key).and_then(Value::as_str);
    let list = |key: &str| -> Option<Vec<&str>> {
        document
            .get(key)
            .and_then(Value::as_array)
            .map(|values| values.iter().filter_map(Value::as_str).collect())
    };

    let expected = uri.issuer();
    let issuer = text("issuer").map(str::to_owned);
    items.push(match issuer.as_deref() {
        Some(found) if super::names_issuer(found, &expected) => pass("issuer", format!("Issuer is {found}, as the URI implies.")),
        Some(found) => fail(
            "issuer",
            format!("The document names issuer {found}, but its URI implies {expected}; they must match exactly (watch trailing slashes)."),
        ),
        None => fail("issuer", "The document has no issuer."),
    });

    let mut problems = Vec::new();
    for key in ["authorization_endpoint", "token_endpoint", "jwks_uri"] {
        match text(key).map(Url::parse) {
            None => problems.push(format!("{key} is missing")),
            Some(Err(_)) => problems.push(format!("{key} is not a URL")),
            Some(Ok(url)) => {
                if check_target(&url, client.allows_loopback()).is_err() {
                    problems.push(format!("{key} must use https to a public host"));
                }
            }
        }
    }
    items.push(if problems.is_empty() {
        pass(
            "endpoints",
            "Authorization, token and JWKS endpoints are present and use https.",
        )
    } else {
        fail(
            "endpoints",
            format!("{}.", capitalise(&problems.join("; "))),
        )
    });

    items.push(match list("response_types_supported") {
        Some(types) if types.contains(&"code") => {
            pass("response_type", "The authorization code flow is supported.")
        }
        Some(_) => fail(
            "response_type",
            "The provider does not support the authorization code flow (response type `code`).",
        ),
        None => fail(
            "response_type",
            "The document does not list response_types_supported.",
        ),
    });

    items.push(match list("code_challenge_methods_supported") {
        Some(methods) if methods.contains(&"S256") => pass("pkce", "PKCE with S256 is supported."),
        Some(_) => fail(
            "pkce",
            "The provider does not offer PKCE with S256, which Switchboard always uses.",
        ),
        None => warn(
            "pkce",
            "The document does not say whether PKCE is supported; Switchboard sends S256 anyway.",
        ),
    });

    items.push(match list("scopes_supported") {
        Some(supported) => {
            let missing: Vec<_> = scopes
                .iter()
                .filter(|s| !supported.contains(&s.as_str()))
                .cloned()
                .collect();
            if missing.is_empty() {
                pass("scopes", "Every chosen scope is offered by the provider.")
            } else {
                warn(
                    "scopes",
                    format!(
                        "The provider does not list {}; it may refuse or ignore them.",
                        missing.join(", ")
                    ),
                )
            }
        }
        None => warn(
            "scopes",
            "The document does not list its scopes; the chosen ones cannot be checked.",
        ),
    });

    items.push(match list("token_endpoint_auth_methods_supported") {
        None => pass("token_auth", "The token endpoint accepts client_secret_basic (the default)."),
        Some(methods) if methods.contains(&"client_secret_basic") => pass("token_auth", "The token endpoint accepts client_secret_basic."),
        Some(methods) if methods.contains(&"client_secret_post") => pass("token_auth", "The token endpoint accepts client_secret_post."),
        Some(methods) => fail(
            "token_auth",
            format!("The token endpoint accepts only {}; Switchboard needs client_secret_basic or client_secret_post.", methods.join(", ")),
        ),
    });

    if let Some(Ok(jwks_uri)) = text("jwks_uri").map(Url::parse) {
        items.push(match client.get_json(&jwks_uri).await {
            Ok(jwks) => {
                let signing = signing_keys(&jwks);
                if signing > 0 {
                    pass("jwks", format!("The JWKS has {signing} signing key(s)."))
                } else {
                    fail(
                        "jwks",
                        "The JWKS has no signing key, so no ID token could be verified.",
                    )
                }
            }
            Err(error) => fail("jwks", format!("Cannot fetch the JWKS: {error}.")),
        });
    }

    items.push(if let Some(end_session) = text("end_session_endpoint") {
        match Url::parse(end_session) {
            Ok(url) if check_target(&url, client.allows_loopback()).is_ok() => {
                pass("end_session", "The provider offers sign-out (end_session_endpoint).")
            }
            _ => warn("end_session", "The end_session_endpoint is not an https URL, so Switchboard ignores it: signing out of the messenger will not sign the visitor out of the provider."),
        }
    } else {
        warn("end_session", "No end_session_endpoint: signing out of the messenger will not sign the visitor out of the provider.")
    });
    let scopes_supported = list("scopes_supported")
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect();
    report(items, issuer, scopes_supported)
}

/// Keys a signature can be checked with: RSA, EC or OKP keys not reserved for encryption.
fn signing_keys(jwks: &Value) -> usize {
    jwks.get("keys")
        .and_then(Value::as_array)
        .map_or(0, |keys| {
            keys.iter()
                .filter(|key| {
                    matches!(
                        key.get("kty").and_then(Value::as_str),
                        Some("RSA" | "EC" | "OKP")
                    ) && key.get("use").and_then(Value::as_str) != Some("enc")
                })
                .count()
        })
}

fn report(
    items: Vec<CheckItem>,
    issuer: Option<String>,
    scopes_supported: Vec<String>,
) -> CheckReport {
    CheckReport {
        ok: items.iter().all(|item| item.outcome != CheckOutcome::Fail),
        checked_at: Utc::now(),
        issuer,
        scopes_supported,
        items,
    }
}

fn item(id: &str, outcome: CheckOutcome, message: impl Into<String>) -> CheckItem {
    CheckItem {
        id: id.to_owned(),
        outcome,
        message: message.into(),
    }
}

fn pass(id: &str, message: impl Into<String>) -> CheckItem {
    item(id, CheckOutcome::Pass, message)
}

fn warn(id: &str, message: impl Into<String>) -> CheckItem {
    item(id, CheckOutcome::Warn, message)
}

fn fail(id: &str, message: impl Into<String>) -> CheckItem {
    item(id, CheckOutcome::Fail, message)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
