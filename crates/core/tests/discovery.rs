//! The discovery check against small loopback servers: a good provider passes every line, and
//! each broken document fails with its own message.

use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use switchboard_core::discovery::{DiscoveryUri, GuardedClient, check};
use switchboard_domain::integration::{CheckOutcome, CheckReport};

/// Serves `/{case}/.well-known/openid-configuration` and `/{case}/jwks` on a free port.
async fn provider() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/{case}/.well-known/openid-configuration", get(document))
        .route("/{case}/jwks", get(jwks))
        .with_state(base.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

fn good_document(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    })
}

async fn document(State(base): State<String>, Path(case): Path<String>) -> Response {
    let issuer = format!("{base}/{case}");
    let mut document = good_document(&issuer);
    match case.as_str() {
        "not-json" => return "<html>Welcome</html>".into_response(),
        "huge" => return Json(json!({ "padding": "x".repeat(600 * 1024) })).into_response(),
        "redirects" => {
            return (
                StatusCode::FOUND,
                [(header::LOCATION, "https://elsewhere.example/")],
            )
                .into_response();
        }
        "slow" => tokio::time::sleep(Duration::from_secs(3)).await,
        "no-jwks" => {
            document.as_object_mut().unwrap().remove("jwks_uri");
        }
        "other-issuer" => document["issuer"] = json!("https://login.other.example"),
        "trailing-slash" => document["issuer"] = json!(format!("{issuer}/")),
        "no-pkce" => document["code_challenge_methods_supported"] = json!(["plain"]),
        "private-key-jwt-only" => {
            document["token_endpoint_auth_methods_supported"] = json!(["private_key_jwt"])
        }
        "minimal" => {
            let object = document.as_object_mut().unwrap();
            for key in [
                "end_session_endpoint",
                "code_challenge_methods_supported",
                "scopes_supported",
            ] {
                object.remove(key);
            }
        }
        _ => {}
    }
    Json(document).into_response()
}

async fn jwks(Path(case): Path<String>) -> Response {
    let use_ = if case == "encryption-keys-only" {
        "enc"
    } else {
        "sig"
    };
    Json(json!({ "keys": [{ "kty": "RSA", "use": use_, "kid": "k1", "n": "sXch", "e": "AQAB" }] }))
        .into_response()
}

use axum::Json;

async fn run(case: &str, scopes: &[&str]) -> CheckReport {
    let base = provider().await;
    let uri = DiscoveryUri::parse("discoveryUri", &format!("{base}/{case}"), true).unwrap();
    let client = GuardedClient::with_timeout(true, Duration::from_millis(800));
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    check(&client, &uri, &scopes).await
}

fn line(report: &CheckReport, id: &str) -> (CheckOutcome, String) {
    let item = report
        .items
        .iter()
        .find(|item| item.id == id)
        .unwrap_or_else(|| panic!("no {id} line in {report:#?}"));
    (item.outcome, item.message.clone())
}

#[tokio::test]
async fn a_good_provider_passes_every_line() {
    let report = run("good", &["openid", "profile", "email"]).await;
    assert!(report.ok, "{report:#?}");
    assert_eq!(report.items.len(), 9);
    assert!(
        report
            .items
            .iter()
            .all(|item| item.outcome == CheckOutcome::Pass),
        "{report:#?}"
    );
    assert!(report.issuer.unwrap().ends_with("/good"));
}

#[tokio::test]
async fn each_broken_document_fails_with_its_own_message() {
    for (case, id, expected) in [
        ("not-json", "document", "not JSON"),
        ("huge", "document", "larger than 512 KiB"),
        (
            "redirects",
            "document",
            "redirect (302) to https://elsewhere.example/",
        ),
        ("slow", "document", "no answer within 0.8 s"),
        ("no-jwks", "endpoints", "Jwks_uri is missing"),
        (
            "other-issuer",
            "issuer",
            "names issuer https://login.other.example",
        ),
        ("trailing-slash", "issuer", "must match exactly"),
        ("no-pkce", "pkce", "does not offer PKCE with S256"),
        (
            "private-key-jwt-only",
            "token_auth",
            "accepts only private_key_jwt",
        ),
        ("encryption-keys-only", "jwks", "no signing key"),
    ] {
        let report = run(case, &["openid"]).await;
        assert!(!report.ok, "{case} passed: {report:#?}");
        let (outcome, message) = line(&report, id);
        assert_eq!(outcome, CheckOutcome::Fail, "{case}: {message}");
        assert!(message.contains(expected), "{case}: {message}");
    }
}

#[tokio::test]
async fn missing_optional_parts_only_warn() {
    let report = run("minimal", &["openid", "groups"]).await;
    assert!(report.ok, "{report:#?}");
    for id in ["end_session", "pkce", "scopes"] {
        assert_eq!(line(&report, id).0, CheckOutcome::Warn, "{id}");
    }
    let report = run("good", &["openid", "groups"]).await;
    let (outcome, message) = line(&report, "scopes");
    assert_eq!(outcome, CheckOutcome::Warn);
    assert!(message.contains("groups"), "{message}");
}

#[tokio::test]
async fn loopback_providers_need_the_insecure_flag() {
    let base = provider().await;
    let uri = DiscoveryUri::parse("discoveryUri", &format!("{base}/good"), true).unwrap();
    let report = check(&GuardedClient::new(false), &uri, &["openid".into()]).await;
    let (outcome, message) = line(&report, "document");
    assert_eq!(outcome, CheckOutcome::Fail);
    assert!(message.contains("is not allowed"), "{message}");
}
