//! The visitor's groups, for the integration's allowed groups: from the ID token's `groups`
//! claim, else from userinfo, else from the provider's own API when its profile has one
//! (Okta's users API with an API token; Microsoft Graph for Entra ID's group overage).

use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use url::Url;

use super::Failure;
use super::provider::unreachable;
use crate::discovery::GuardedClient;

/// Okta's groups of user `subject`, through `GET {origin}/api/v1/users/{sub}/groups`.
/// Anything but a list of groups, each with a name, fails the sign-in: a lookup that cannot be
/// read must not count as "no groups" somewhere a rule might treat that kindly.
pub async fn okta_groups(
    http: &GuardedClient,
    issuer: &str,
    subject: &str,
    api_token: &SecretString,
) -> Result<Vec<String>, Failure> {
    let url = okta_groups_url(issuer, subject)?;
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
    let unreadable = || {
        Failure::new(
            "group_lookup_failed",
            "Okta's groups API did not answer with a list of groups.",
        )
    };
    response
        .body
        .as_array()
        .ok_or_else(unreadable)?
        .iter()
        .map(|group| {
            group
                .pointer("/profile/name")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(unreadable)
        })
        .collect()
}

/// `{origin}/api/v1/users/{sub}/groups`, with `sub` as exactly one path segment: a subject
/// that could climb the path (`..`, `/`, `\`) or is empty is refused, and every other
/// character outside the unreserved set is percent-encoded.
fn okta_groups_url(issuer: &str, subject: &str) -> Result<Url, Failure> {
    if subject.is_empty()
        || subject == "."
        || subject == ".."
        || subject.contains(['/', '\\'])
        || subject.chars().any(char::is_control)
    {
        return Err(Failure::new(
            "group_lookup_failed",
            "The user's subject cannot be looked up in Okta's users API.",
        ));
    }
    let encoded: String = subject
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect();
    let mut url = Url::parse(issuer).map_err(Failure::internal)?;
    url.set_query(None);
    url.set_fragment(None);
    url.set_path(&format!("/api/v1/users/{encoded}/groups"));
    Ok(url)
}

/// Where Microsoft Graph answers unless `SWITCHBOARD_MICROSOFT_GRAPH_URL` names a national
/// cloud's.
pub const MICROSOFT_GRAPH: &str = "https://graph.microsoft.com";

/// Entra ID's groups of user `object_id` when the token left them out (group overage):
/// `POST {graph}/v1.0/users/{oid}/getMemberGroups` with a token of the app's own (scope
/// [`graph_scope`]), which gives group object IDs as the `groups` claim does. Anything
/// unreadable fails the sign-in, as for Okta.
pub async fn graph_groups(
    http: &GuardedClient,
    graph: &Url,
    app_token: &SecretString,
    object_id: &str,
) -> Result<Vec<String>, Failure> {
    let is_guid =
        object_id.len() == 36 && object_id.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if !is_guid {
        return Err(Failure::new(
            "group_lookup_failed",
            "The ID token signals too many groups but has no object ID (oid) to look them up with.",
        ));
    }
    let mut url = graph.clone();
    url.set_path(&format!("/v1.0/users/{object_id}/getMemberGroups"));
    let body = json!({"securityEnabledOnly": false});
    let response = http
        .post_json_authorized(&url, &body, app_token.expose_secret())
        .await
        .map_err(unreachable)?;
    if matches!(response.status, 401 | 403) {
        return Err(Failure::new(
            "group_lookup_failed",
            format!(
                "Microsoft Graph refused the group look-up (HTTP {}); grant the app the GroupMember.Read.All application permission.",
                response.status
            ),
        ));
    }
    let unreadable = || {
        Failure::new(
            "group_lookup_failed",
            format!(
                "Microsoft Graph answered HTTP {} without a list of groups.",
                response.status
            ),
        )
    };
    if !(200..300).contains(&response.status) {
        return Err(unreadable());
    }
    response
        .body
        .get("value")
        .and_then(Value::as_array)
        .ok_or_else(unreadable)?
        .iter()
        .map(|id| id.as_str().map(str::to_owned).ok_or_else(unreadable))
        .collect()
}

/// The scope of an app token for Microsoft Graph at `graph`: `{graph}/.default`.
pub fn graph_scope(graph: &Url) -> String {
    format!("{}/.default", graph.as_str().trim_end_matches('/'))
}

/// Whether an Entra ID token says its groups did not fit (`_claim_names.groups`, or
/// `hasgroups` in implicit-flow tokens).
pub fn signals_group_overage(claims: &serde_json::Map<String, Value>) -> bool {
    claims
        .get("_claim_names")
        .and_then(|names| names.get("groups"))
        .is_some()
        || claims.get("hasgroups").and_then(Value::as_bool) == Some(true)
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
    fn the_subject_is_one_path_segment() {
        let url = okta_groups_url("https://acme.okta.com/oauth2/default", "00u1ab?x=1#y").unwrap();
        assert_eq!(
            url.as_str(),
            "https://acme.okta.com/api/v1/users/00u1ab%3Fx%3D1%23y/groups"
        );
        for hostile in ["..", ".", "", "../../admin", "a/b", "a\\b", "a\nb"] {
            let failure = okta_groups_url("https://acme.okta.com", hostile).unwrap_err();
            assert_eq!(failure.reason, "group_lookup_failed", "{hostile:?}");
        }
        // A dot inside a subject is harmless and kept.
        assert!(
            okta_groups_url("https://acme.okta.com", "a..b")
                .unwrap()
                .path()
                .ends_with("/users/a..b/groups")
        );
    }

    #[tokio::test]
    async fn answers_that_are_not_a_list_of_groups_fail_closed() {
        use axum::Router;
        use axum::routing::get;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new()
            .route(
                "/api/v1/users/ok/groups",
                get(|| async { axum::Json(serde_json::json!([{"profile": {"name": "support"}}])) }),
            )
            .route(
                "/api/v1/users/object/groups",
                get(|| async { axum::Json(serde_json::json!({"errorCode": "E0000007"})) }),
            )
            .route(
                "/api/v1/users/nameless/groups",
                get(|| async { axum::Json(serde_json::json!([{"id": "00g1"}])) }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let http = GuardedClient::new(true);
        let token = SecretString::from("t".to_owned());
        assert_eq!(
            okta_groups(&http, &base, "ok", &token).await.unwrap(),
            ["support"]
        );
        for subject in ["object", "nameless"] {
            let failure = okta_groups(&http, &base, subject, &token)
                .await
                .unwrap_err();
            assert_eq!(failure.reason, "group_lookup_failed", "{subject}");
        }
    }

    #[tokio::test]
    async fn entra_overage_reads_groups_from_microsoft_graph() {
        use axum::Router;
        use axum::http::{HeaderMap, StatusCode};
        use axum::routing::post;
        const OID: &str = "6a1b2c3d-0000-4000-8000-00000000abcd";
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new().route(
            &format!("/v1.0/users/{OID}/getMemberGroups"),
            post(|headers: HeaderMap, body: String| async move {
                let authorized = headers.get("authorization").and_then(|v| v.to_str().ok())
                    == Some("Bearer app-token");
                if authorized && body.contains("securityEnabledOnly") {
                    (
                        StatusCode::OK,
                        axum::Json(json!({"value": ["g-support", "g-sales"]})),
                    )
                } else {
                    let denied = json!({"error": {"code": "Authorization_RequestDenied"}});
                    (StatusCode::FORBIDDEN, axum::Json(denied))
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let http = GuardedClient::new(true);
        let graph = Url::parse(&base).unwrap();
        let token = SecretString::from("app-token".to_owned());
        let groups = graph_groups(&http, &graph, &token, OID).await.unwrap();
        assert_eq!(groups, ["g-support", "g-sales"]);

        let wrong = SecretString::from("stale".to_owned());
        let failure = graph_groups(&http, &graph, &wrong, OID).await.unwrap_err();
        assert!(
            failure.detail.contains("GroupMember.Read.All"),
            "{}",
            failure.detail
        );
        let unknown = "6a1b2c3d-0000-4000-8000-000000000000";
        let failure = graph_groups(&http, &graph, &token, unknown)
            .await
            .unwrap_err();
        assert_eq!(failure.reason, "group_lookup_failed");
        let failure = graph_groups(&http, &graph, &token, "../me")
            .await
            .unwrap_err();
        assert!(failure.detail.contains("oid"));
        assert_eq!(
            graph_scope(&Url::parse("https://graph.microsoft.com").unwrap()),
            "https://graph.microsoft.com/.default"
        );
    }

    #[test]
    fn overage_is_read_from_the_claim_names() {
        let claims = |value: serde_json::Value| value.as_object().unwrap().clone();
        assert!(signals_group_overage(&claims(
            json!({"_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {}}})
        )));
        assert!(signals_group_overage(&claims(json!({"hasgroups": true}))));
        assert!(!signals_group_overage(&claims(json!({"groups": ["a"]}))));
    }

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
