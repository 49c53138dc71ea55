//! The discovery check against small loopback servers: a good provider passes every line, and
//! each broken document fails with its own message.

use std::time::Duration;

use switchboard_core::discovery::{DiscoveryUri, GuardedClient, check};
use switchboard_core::testing::provider;
use switchboard_domain::integration::{CheckOutcome, CheckReport};

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
    assert_eq!(report.scopes_supported, ["openid", "profile", "email"]);
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
