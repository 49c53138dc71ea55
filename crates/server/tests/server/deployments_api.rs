//! `/api/v2/messenger/deployments` and the public deployment config the messenger loads.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, BASE, TestApp};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use switchboard_db::test_on_each_engine;
use switchboard_domain::admin::Role;

test_on_each_engine!(
    a_deployment_serves_its_published_version,
    bad_deployments_are_refused_field_by_field,
    only_active_published_deployments_are_served,
    viewers_cannot_change_deployments,
    a_change_reaches_the_public_config_at_once,
);

const CONFIGURATIONS: &str = "/api/v2/messenger/configurations";
const DEPLOYMENTS: &str = "/api/v2/messenger/deployments";

/// A configuration with sign-in through an active integration; published once when `publish`.
async fn configuration(app: &TestApp, token: &str, publish: bool) -> String {
    let integration = app.active_integration(token).await;
    let created = app
        .api(
            Method::POST,
            CONFIGURATIONS,
            token,
            Some(json!({"name": "Support", "draft": draft(&integration, "Hello")})),
        )
        .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    if publish {
        let published = app
            .api(
                Method::POST,
                &format!("{CONFIGURATIONS}/{id}/versions/draft/publish"),
                token,
                None,
            )
            .await;
        assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    }
    id
}

fn draft(integration: &str, greeting: &str) -> Value {
    json!({
        "authentication": {"enabled": true, "integrationId": integration, "allowSessionUpgrade": false},
        "appearance": {"primaryColor": "#0f766e", "launcherLabel": "Ask us", "greeting": greeting, "defaultLanguage": "en"},
        "sessionLifetimeSeconds": 3600
    })
}

fn deployment(configuration: &str, version: Option<i32>, domains: &[&str]) -> Value {
    json!({
        "name": "Help centre",
        "configuration": {"id": configuration, "version": version},
        "allowedDomains": domains,
        "allowAllDomains": false,
        "status": "active",
    })
}

async fn public(app: &TestApp, id: &str, headers: &[(&str, &str)]) -> Answer {
    let mut request = Request::get(format!("/messenger/v1/deployments/{id}/config"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

async fn a_deployment_serves_its_published_version(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let configuration = configuration(&app, &token, true).await;
    let created = app
        .api(
            Method::POST,
            DEPLOYMENTS,
            &token,
            Some(deployment(
                &configuration,
                None,
                &["WWW.example.com", "*.shop.example", ""],
            )),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = created.json();
    let id = body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        body["allowedDomains"],
        json!(["www.example.com", "*.shop.example"])
    );
    assert_eq!(
        body["snippet"],
        format!(r#"<script src="{BASE}/messenger.js" data-deployment-id="{id}" async></script>"#)
    );

    let config = public(&app, &id, &[]).await;
    assert_eq!(config.status, StatusCode::OK, "{}", config.body);
    let served = config.json();
    assert_eq!(served["configurationVersion"], 1);
    assert_eq!(served["appearance"]["greeting"], "Hello");
    assert_eq!(served["authentication"]["enabled"], true);
    assert_eq!(
        served["authentication"]["signInUrl"],
        format!("{BASE}/messenger/auth/start?deployment={id}")
    );
    assert!(!config.body.contains("integrationId") && !config.body.contains("secret"));
    let etag = config.header(header::ETAG).unwrap().to_owned();
    assert!(
        config
            .header(header::CACHE_CONTROL)
            .unwrap()
            .contains("max-age")
    );

    let again = public(&app, &id, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let allowed = public(&app, &id, &[("origin", "https://eu.shop.example")]).await;
    assert_eq!(
        allowed.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("https://eu.shop.example")
    );
    let foreign = public(&app, &id, &[("origin", "https://evil.example")]).await;
    assert_eq!(foreign.status, StatusCode::OK);
    assert_eq!(foreign.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), None);

    // A draft edit changes nothing for visitors until it is published.
    let integration = app
        .api(Method::GET, "/api/v2/integrations", &token, None)
        .await
        .json()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.api(
        Method::PUT,
        &format!("{CONFIGURATIONS}/{configuration}/versions/draft"),
        &token,
        Some(draft(&integration, "Welcome back")),
    )
    .await;
    assert_eq!(
        public(&app, &id, &[]).await.json()["appearance"]["greeting"],
        "Hello"
    );
    app.api(
        Method::POST,
        &format!("{CONFIGURATIONS}/{configuration}/versions/draft/publish"),
        &token,
        None,
    )
    .await;
    let latest = public(&app, &id, &[]).await;
    assert_eq!(latest.json()["appearance"]["greeting"], "Welcome back");
    assert_eq!(latest.json()["configurationVersion"], 2);
    assert_ne!(latest.header(header::ETAG), Some(etag.as_str()));

    // Pinned to version 1, it serves version 1.
    let pinned = app
        .api(
            Method::PUT,
            &format!("{DEPLOYMENTS}/{id}"),
            &token,
            Some(deployment(&configuration, Some(1), &["www.example.com"])),
        )
        .await;
    assert_eq!(pinned.status, StatusCode::OK, "{}", pinned.body);
    assert_eq!(
        public(&app, &id, &[]).await.json()["appearance"]["greeting"],
        "Hello"
    );
}

async fn bad_deployments_are_refused_field_by_field(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let published = configuration(&app, &token, true).await;
    let unpublished = configuration(&app, &token, false).await;
    for (body, field, message) in [
        (
            deployment(&published, None, &["ftp://www.example.com"]),
            "allowedDomains",
            "with https:// or http://",
        ),
        (
            deployment(&published, None, &["www.example.com/help"]),
            "allowedDomains",
            "without a path",
        ),
        (
            deployment(&published, None, &["*.com"]),
            "allowedDomains",
            "every site",
        ),
        (
            deployment(&published, None, &[]),
            "allowedDomains",
            "at least one allowed domain",
        ),
        (
            deployment(&unpublished, None, &["www.example.com"]),
            "configuration",
            "publish it first",
        ),
        (
            deployment(&published, Some(7), &["www.example.com"]),
            "configuration",
            "Version 7",
        ),
        (
            page_side(&published, true, &[]),
            "pageRedirectUris",
            "List the redirect URIs",
        ),
        (
            page_side(&published, true, &["https://elsewhere.example/signed-in"]),
            "pageRedirectUris",
            "not on one of this deployment's allowed domains",
        ),
        (
            page_side(&published, false, &["/signed-in"]),
            "pageRedirectUris",
            "not an absolute http(s) URL",
        ),
        (
            page_side(&published, true, &["https://www.example.com/#done"]),
            "pageRedirectUris",
            "no #fragment",
        ),
    ] {
        let answer = app.api(Method::POST, DEPLOYMENTS, &token, Some(body)).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            answer.body
        );
        let found = answer.field_error(field);
        assert!(found.contains(message), "{field}: {found}");
    }
    // This configuration signs visitors in, so "allow all domains" would let any site frame a
    // one-click sign-in.
    let mut everywhere = deployment(&published, None, &[]);
    everywhere["allowAllDomains"] = json!(true);
    let answer = app
        .api(Method::POST, DEPLOYMENTS, &token, Some(everywhere))
        .await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    assert!(
        answer
            .field_error("allowAllDomains")
            .contains("signs visitors in")
    );
}

async fn only_active_published_deployments_are_served(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let configuration = configuration(&app, &token, true).await;
    let mut body = deployment(&configuration, None, &["www.example.com"]);
    body["status"] = json!("inactive");
    let created = app.api(Method::POST, DEPLOYMENTS, &token, Some(body)).await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    for unknown in [
        id.as_str(),
        "00000000-0000-0000-0000-000000000000",
        "not-a-uuid",
    ] {
        let answer = public(&app, unknown, &[]).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{unknown}");
        assert_eq!(answer.json()["error"], "not_found");
    }
}

async fn viewers_cannot_change_deployments(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let admin = app.token("admin", Role::Admin).await;
    let viewer = app.token("viewer", Role::Viewer).await;
    let configuration = configuration(&app, &admin, true).await;
    let body = deployment(&configuration, None, &["www.example.com"]);
    let created = app
        .api(Method::POST, DEPLOYMENTS, &admin, Some(body.clone()))
        .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    for (method, path, body) in [
        (Method::POST, DEPLOYMENTS.to_owned(), Some(body.clone())),
        (Method::PUT, format!("{DEPLOYMENTS}/{id}"), Some(body)),
        (Method::DELETE, format!("{DEPLOYMENTS}/{id}"), None),
    ] {
        let answer = app.api(method.clone(), &path, &viewer, body).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    let list = app.api(Method::GET, DEPLOYMENTS, &viewer, None).await;
    assert_eq!(list.json().as_array().unwrap().len(), 1);
}

/// A cached public config does not outlive a change, whoever makes it: here the use case is
/// called directly, with no HTTP request that a middleware could have noticed.
async fn a_change_reaches_the_public_config_at_once(db: &DatabaseConnection) {
    use switchboard_core::admins::{Principal, PrincipalKind};
    use switchboard_core::deployments;
    use switchboard_domain::deployment::DeploymentInput;
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let configuration = configuration(&app, &token, true).await;
    let body = deployment(&configuration, None, &["www.example.com"]);
    let created = app
        .api(Method::POST, DEPLOYMENTS, &token, Some(body.clone()))
        .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let origin = [("origin", "https://help.example.com")];
    let before = public(&app, &id, &origin).await;
    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(before.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), None);

    let mut input: DeploymentInput = serde_json::from_value(body).unwrap();
    input.allowed_domains.push("help.example.com".into());
    let admin = Principal {
        id: uuid::Uuid::new_v4(),
        name: "config-as-code".into(),
        role: Role::Admin,
        kind: PrincipalKind::ApiToken,
    };
    let deployment_id = id.parse().unwrap();
    deployments::update(&app.services, BASE, deployment_id, &input, &admin)
        .await
        .unwrap();
    let after = public(&app, &id, &origin).await;
    assert_eq!(
        after.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("https://help.example.com"),
        "the cached config was served after the change"
    );
}

/// A deployment on www.example.com with page-side sign-in `on` and these redirect URIs.
fn page_side(configuration: &str, on: bool, redirect_uris: &[&str]) -> Value {
    let mut body = deployment(configuration, None, &["www.example.com"]);
    body["pageSignIn"] = json!(on);
    body["pageRedirectUris"] = json!(redirect_uris);
    body
}
