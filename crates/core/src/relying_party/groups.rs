//! The visitor's groups, for the integration's allowed groups: from the ID token's `groups`
//! claim, else from userinfo, else (Okta, with an API token) from Okta's users API.

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use url::Url;

use super::Failure;
use super::provider::unreachable;
use crate::discovery::GuardedClient;

/// Okta's groups of user `subject`, through `GET {origin}/api/v1/users/{sub}/groups`.
pub async fn okta_groups(
    http: &GuardedClient,
    issuer: &str,
    subject: &str,
    api_token: &SecretString,
) -> Result<Vec<String>, Failure> {
    let mut url = Url::parse(issuer).map_err(Failure::internal)?;
    url.set_path("");
    url.path_segments_mut()
        .map_err(|()| Failure::internal("the issuer cannot have a path"))?
        .extend(["api", "v1", "users", subject, "groups"]);
    let response = http
        .get_json_authorized(&url, "SSWS", api_token.expose_secret())
        .await
        .map_err(unreachable)?;
    if !(200..300).contains(&response.status) {
        return Err(Failure::new(
            "group_lookup_failed",
            format!(
                "Okta's groups API answered HTTP {} for this user; check the Okta API token.",
                response.status
            ),
        ));
    }
    Ok(response
        .body
        .as_array()
        .map(|groups| {
            groups
                .iter()
                .filter_map(|group| group.pointer("/profile/name").and_then(Value::as_str))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default())
}

/// Passes when no group is required, or the visitor is in one of them.
pub fn check_allowed(allowed: &[String], groups: &[String]) -> Result<(), Failure> {
    if allowed.is_empty() || groups.iter().any(|group| allowed.contains(group)) {
        return Ok(());
    }
    Err(Failure::new(
        "group_denied",
        format!(
            "The user is in none of the allowed groups ({}); their groups: {}.",
            allowed.join(", "),
            if groups.is_empty() {
                "none".to_owned()
            } else {
                groups.join(", ")
            }
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_groups_need_one_match() {
        let allowed = vec!["support".to_owned()];
        assert!(check_allowed(&[], &[]).is_ok());
        assert!(check_allowed(&allowed, &["support".to_owned(), "x".to_owned()]).is_ok());
        let denied = check_allowed(&allowed, &["sales".to_owned()]).unwrap_err();
        assert_eq!(denied.reason, "group_denied");
        assert!(denied.detail.contains("sales"));
    }
}
