//! `/api/v2/integrations`: install, settings with the discovery check, credentials, activation
//! and deletion, through the real router and a loopback provider.

use crate::common;

use axum::http::{Method, StatusCode};
use chrono::Utc;
use common::{TestApp, api_request};
use http_body_util::BodyExt;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde_json::{Value, json};
use switchboard_core::testing::provider;
use switchboard_db::entities::configuration;
use switchboard_db::test_on_each_engine;
use switchboard_domain::admin::Role;
use uuid::Uuid;

test_on_each_engine!(
    an_integration_goes_from_install_to_active,
    bad_settings_are_refused_field_by_field_and_change_nothing,
    a_failing_check_keeps_what_was_typed,
    integrations_in_use_cannot_be_deactivated_or_deleted,
    viewers_cannot_change_integrations,
    every_provider_profile_installs_from_the_api,
    settings_come_with_the_install_in_one_call,
);

fn settings(discovery_uri: &str) -> Value {
    json!({
        "name": "Local provider",
        "discoveryUri": discovery_uri,
        "scopes": ["openid", "profile", "email"],
        "maxRefreshTokenLifetimeSeconds": 3600,
        "allowedGroups": [],
        "clockSkewSeconds": 60,
    })
}

async fn install(app: &TestApp, token: &str) -> String {
    let answer = app
        .api(Method::POST, "/api/v2/integrations", token, Some(json!({})))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.json()["id"].as_str().unwrap().to_owned()
}

async fn an_integration_goes_from_install_to_active(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let base = provider().await;
    let installed = app
        .api(
            Method::POST,
            "/api/v2/integrations",
            &token,
            Some(json!({})),
        )
        .await;
    let body = installed.json();
    assert_eq!(body["status"], "inactive");
    assert_eq!(body["kind"], "openid-connect-messenger");
    assert_eq!(body["credentials"]["configured"], false);
    let id = body["id"].as_str().unwrap();
    let path = format!("/api/v2/integrations/{id}");

    let saved = app
        .api(
            Method::PUT,
            &path,
            &token,
            Some(settings(&format!("{base}/good"))),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let body = saved.json();
    assert_eq!(body["name"], "Local provider");
    assert_eq!(
        body["discoveryUri"],
        format!("{base}/good/.well-known/openid-configuration")
    );
    assert_eq!(body["lastCheck"]["ok"], true, "{body:#}");
    assert!(
        body["lastCheck"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["outcome"] == "pass")
    );

    let refused = app
        .api(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.json()["message"]
            .as_str()
            .unwrap()
            .contains("credentials"),
        "{}",
        refused.body
    );

    let secret = "s3cret-value-for-the-api-test";
    let credentials = app
        .api(
            Method::PUT,
            &format!("{path}/credentials"),
            &token,
            Some(json!({"clientId": "switchboard", "clientSecret": secret})),
        )
        .await;
    assert_eq!(credentials.status, StatusCode::OK, "{}", credentials.body);
    assert_eq!(credentials.json()["credentials"]["configured"], true);
    assert_eq!(credentials.json()["credentials"]["clientId"], "switchboard");
    assert!(
        !credentials.body.contains(secret),
        "the secret is write-only"
    );

    let active = app
        .api(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.body);
    assert_eq!(active.json()["status"], "active");

    let tested = app
        .api(Method::POST, &format!("{path}/test"), &token, None)
        .await;
    assert_eq!(tested.json()["lastCheck"]["ok"], true);
    let listed = app
        .api(Method::GET, "/api/v2/integrations", &token, None)
        .await;
    assert!(!listed.body.contains(secret));
    assert_eq!(listed.json().as_array().unwrap().len(), 1);

    let audit = app
        .api(
            Method::GET,
            "/api/v2/audit?object=integration",
            &token,
            None,
        )
        .await;
    assert!(!audit.body.contains(secret));
    let actions: Vec<String> = audit.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| format!("{} {}", event["action"].as_str().unwrap(), event["changes"]))
        .collect();
    for expected in [
        "integration.install",
        "integration.update",
        "integration.credentials",
        "client secret replaced",
        "integration.activate",
        "integration.test",
    ] {
        assert!(
            actions.iter().any(|a| a.contains(expected)),
            "{expected} in {actions:#?}"
        );
    }

    let deleted = app.api(Method::DELETE, &path, &token, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = app.api(Method::GET, &path, &token, None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.json()["error"], "not_found");
}

async fn bad_settings_are_refused_field_by_field_and_change_nothing(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let id = install(&app, &token).await;
    let path = format!("/api/v2/integrations/{id}");
    for (body, field, message) in [
        (json!({"name": ""}), "name", "Name is required."),
        (json!({"name": "x".repeat(10_000)}), "name", "at most 100"),
        (
            json!({"discoveryUri": "javascript:alert(1)"}),
            "discoveryUri",
            "must use https",
        ),
        (
            json!({"discoveryUri": "https://169.254.169.254/"}),
            "discoveryUri",
            "link-local",
        ),
        (
            json!({"discoveryUri": "https://u:p@acme.okta.com"}),
            "discoveryUri",
            "user name",
        ),
        (
            json!({"maxRefreshTokenLifetimeSeconds": 60}),
            "maxRefreshTokenLifetimeSeconds",
            "15 minutes",
        ),
        (
            json!({"clockSkewSeconds": 3600}),
            "clockSkewSeconds",
            "300 seconds",
        ),
        (
            json!({"scopes": ["two words"]}),
            "scopes",
            "not a valid scope",
        ),
    ] {
        let mut request = settings("https://acme.okta.com");
        for (key, value) in body.as_object().unwrap() {
            request[key] = value.clone();
        }
        let answer = app.api(Method::PUT, &path, &token, Some(request)).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            answer.body
        );
        let found = answer.field_error(field);
        assert!(found.contains(message), "{field}: {found}");
    }
    let unchanged = app.api(Method::GET, &path, &token, None).await.json();
    assert_eq!(unchanged["name"], "OpenID Connect");
    assert_eq!(unchanged["discoveryUri"], Value::Null);

    let whitespace = app
        .api(
            Method::PUT,
            &format!("{path}/credentials"),
            &token,
            Some(json!({"clientId": "x", "clientSecret": "   "})),
        )
        .await;
    assert_eq!(whitespace.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(whitespace.json()["fields"][0]["field"], "clientSecret");

    let malformed = app
        .api(Method::PATCH, &path, &token, Some(json!({"status": "on"})))
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json()["error"], "bad_request");

    let okta = app
        .api(
            Method::POST,
            "/api/v2/integrations",
            &token,
            Some(json!({"okta": {"domain": "acme .okta.com", "server": {"kind": "org"}}})),
        )
        .await;
    assert_eq!(okta.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(okta.json()["fields"][0]["field"], "oktaDomain");
    let okta = app
        .api(
            Method::POST,
            "/api/v2/integrations",
            &token,
            Some(json!({"okta": {"domain": "https://acme.okta.com", "server": {"kind": "custom", "id": "aus1x2"}}})),
        )
        .await;
    assert_eq!(okta.status, StatusCode::CREATED);
    assert_eq!(
        okta.json()["discoveryUri"],
        "https://acme.okta.com/oauth2/aus1x2/.well-known/openid-configuration"
    );
}

/// Each profile, as `{"provider": {...}}`: the Discovery URI its documented pattern gives, the
/// provider stored and shown, and refusals named by field.
async fn every_provider_profile_installs_from_the_api(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let install = |body: Value| {
        let (app, token) = (&app, &token);
        async move {
            app.api(Method::POST, "/api/v2/integrations", token, Some(body))
                .await
        }
    };
    for (provider, uri, name) in [
        (
            json!({"kind": "okta", "domain": "acme.okta.com"}),
            Some("https://acme.okta.com/oauth2/default/.well-known/openid-configuration"),
            "Okta (acme.okta.com)",
        ),
        (
            json!({"kind": "entra", "tenant": "contoso.onmicrosoft.com"}),
            Some(
                "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration",
            ),
            "Microsoft Entra ID (contoso.onmicrosoft.com)",
        ),
        (
            json!({"kind": "google"}),
            Some("https://accounts.google.com/.well-known/openid-configuration"),
            "Google",
        ),
        (
            json!({"kind": "auth0", "domain": "acme.us.auth0.com"}),
            Some("https://acme.us.auth0.com/.well-known/openid-configuration"),
            "Auth0 (acme.us.auth0.com)",
        ),
        (
            json!({"kind": "keycloak", "baseUrl": "https://sso.example.com", "realm": "acme"}),
            Some("https://sso.example.com/realms/acme/.well-known/openid-configuration"),
            "Keycloak (acme)",
        ),
        (json!({"kind": "oidc"}), None, "OpenID Connect"),
    ] {
        let kind = provider["kind"].clone();
        let answer = install(json!({ "provider": provider })).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let created = answer.json();
        assert_eq!(created["provider"], kind);
        assert_eq!(created["discoveryUri"].as_str(), uri, "{kind}");
        assert_eq!(created["name"], name);
        let id = created["id"].as_str().unwrap().to_owned();
        let shown = app
            .api(
                Method::GET,
                &format!("/api/v2/integrations/{id}"),
                &token,
                None,
            )
            .await;
        assert_eq!(shown.json()["provider"], kind);
    }
    let listed = app
        .api(Method::GET, "/api/v2/integrations", &token, None)
        .await;
    assert_eq!(listed.json().as_array().unwrap().len(), 6);

    for (body, field) in [
        (
            json!({"provider": {"kind": "entra", "tenant": "common"}}),
            "entraTenant",
        ),
        (
            json!({"provider": {"kind": "keycloak", "baseUrl": "https://sso.example.com", "realm": ""}}),
            "keycloakRealm",
        ),
        (
            json!({"provider": {"kind": "auth0", "domain": "10.1.2.3"}}),
            "auth0Domain",
        ),
        (
            json!({"provider": {"kind": "okta", "domain": "acme.okta.com"}, "okta": {"domain": "acme.okta.com", "server": {"kind": "org"}}}),
            "okta",
        ),
    ] {
        let refused = install(body.clone()).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            refused.body
        );
        assert_eq!(refused.json()["fields"][0]["field"], field, "{body}");
    }
    for body in [
        json!({"provider": {"kind": "google", "tenant": "x"}}),
        json!({"provider": {"kind": "azure"}}),
    ] {
        let refused = install(body.clone()).await;
        assert!(
            refused.status.is_client_error(),
            "{body}: {}",
            refused.status
        );
    }
    let listed = app
        .api(Method::GET, "/api/v2/integrations", &token, None)
        .await;
    assert_eq!(
        listed.json().as_array().unwrap().len(),
        6,
        "a refusal stored nothing"
    );
}

async fn a_failing_check_keeps_what_was_typed(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let base = provider().await;
    let id = install(&app, &token).await;
    let path = format!("/api/v2/integrations/{id}");
    let saved = app
        .api(
            Method::PUT,
            &path,
            &token,
            Some(settings(&format!("{base}/other-issuer"))),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    let body = saved.json();
    assert_eq!(body["name"], "Local provider", "the settings are saved");
    assert_eq!(body["lastCheck"]["ok"], false);
    let issuer = body["lastCheck"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == "issuer")
        .unwrap()
        .clone();
    assert_eq!(issuer["outcome"], "fail");
}

async fn integrations_in_use_cannot_be_deactivated_or_deleted(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let base = provider().await;
    let id = install(&app, &token).await;
    let path = format!("/api/v2/integrations/{id}");
    app.api(
        Method::PUT,
        &path,
        &token,
        Some(settings(&format!("{base}/good"))),
    )
    .await;
    app.api(
        Method::PUT,
        &format!("{path}/credentials"),
        &token,
        Some(json!({"clientId": "c", "clientSecret": "s"})),
    )
    .await;
    let active = app
        .api(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(active.status, StatusCode::OK, "{}", active.body);
    let now = Utc::now();
    configuration::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set("Support chat".into()),
        description: Set(String::new()),
        draft: Set(json!({"authentication": {"enabled": true, "integrationId": id}})),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(app.db())
    .await
    .unwrap();
    for answer in [
        app.api(
            Method::PATCH,
            &path,
            &token,
            Some(json!({"status": "inactive"})),
        )
        .await,
        app.api(Method::DELETE, &path, &token, None).await,
    ] {
        assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
        assert_eq!(answer.json()["error"], "conflict");
        assert!(
            answer.json()["message"]
                .as_str()
                .unwrap()
                .contains("Support chat")
        );
    }
}

async fn viewers_cannot_change_integrations(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let admin = app.token("admin", Role::Admin).await;
    let viewer = app.token("viewer", Role::Viewer).await;
    let id = install(&app, &admin).await;
    let path = format!("/api/v2/integrations/{id}");
    for (method, path, body) in [
        (
            Method::POST,
            "/api/v2/integrations".to_owned(),
            Some(json!({})),
        ),
        (
            Method::PUT,
            path.clone(),
            Some(settings("https://acme.okta.com")),
        ),
        (
            Method::PATCH,
            path.clone(),
            Some(json!({"status": "active"})),
        ),
        (Method::DELETE, path.clone(), None),
        (
            Method::PUT,
            format!("{path}/credentials"),
            Some(json!({"clientId": "c", "clientSecret": "s"})),
        ),
        (Method::POST, format!("{path}/test"), None),
    ] {
        let answer = app.api(method.clone(), &path, &viewer, body).await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            answer.body
        );
    }
    let read = app.api(Method::GET, &path, &viewer, None).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.json()["name"], "OpenID Connect", "nothing changed");
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let db = switchboard_db::testing::TestDb::sqlite().await;
    let app = TestApp::new(&db.conn);
    let answer = app.get("/api/v2/openapi.json", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    let document = answer.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    // Every operation the document names is a route the server answers (the router is built
    // from the same annotations, so no route can be missing from the document).
    let token = app.token("openapi", Role::Admin).await;
    let paths = document["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            // Every status the API can answer is documented, and every path parameter.
            let responses = operation["responses"].as_object().unwrap();
            let mut wanted = vec!["401", "503"];
            if operation.get("requestBody").is_some() {
                wanted.extend(["400", "413", "415", "422"]);
            }
            let named: Vec<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|parameter| parameter["in"] == "path")
                .map(|parameter| parameter["name"].as_str().unwrap())
                .collect();
            for segment in path.split('/').filter(|s| s.starts_with('{')) {
                let name = segment.trim_matches(['{', '}']);
                assert!(
                    named.contains(&name),
                    "{method} {path}: path parameter {name} undocumented"
                );
                wanted.extend(["400", "404"]);
            }
            for status in wanted {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} lacks {status}"
                );
            }
            let concrete = path
                .replace("{id}", &Uuid::new_v4().to_string())
                .replace("{before}", "1");
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // Only the head is read: an event stream's body never ends.
            let answer = app
                .open(api_request(
                    method.clone(),
                    &concrete,
                    &token,
                    Some(json!({})),
                ))
                .await;
            assert_ne!(
                answer.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            if answer.status() == StatusCode::NOT_FOUND {
                let body = answer.into_body().collect().await.unwrap().to_bytes();
                let body: Value = serde_json::from_slice(&body).unwrap_or_default();
                let unrouted = body["message"] == "No such route.";
                assert!(!unrouted, "{method} {path} is documented but not routed");
            }
            operations += 1;
        }
    }
    assert!(operations >= 30, "only {operations} operations documented");
    for (path, method) in [
        ("/api/v2/integrations", "post"),
        (
            "/api/v2/messenger/configurations/{id}/versions/draft/publish",
            "post",
        ),
        ("/api/v2/conversations/{id}/read", "post"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path}");
    }
    let malformed = app
        .api(Method::GET, "/api/v2/integrations/not-an-id", &token, None)
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST, "as documented");
    assert_eq!(
        malformed.json()["error"],
        "bad_request",
        "in the API's error shape"
    );
    let unknown = app
        .api(Method::GET, "/api/v2/no-such-thing", &token, None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["error"], "not_found");
    let integration = &document["components"]["schemas"]["Integration"]["properties"];
    for field in [
        "discoveryUri",
        "maxRefreshTokenLifetimeSeconds",
        "credentials",
        "lastCheck",
    ] {
        assert!(integration.get(field).is_some(), "Integration.{field}");
    }
    assert!(
        integration.get("clientSecret").is_none(),
        "secrets are write-only"
    );
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    db.close().await;
}

/// `POST /api/v2/integrations` with the settings: one call installs, saves and checks; a bad
/// field refuses the whole request and stores nothing.
async fn settings_come_with_the_install_in_one_call(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let base = provider().await;
    let created = app
        .api(
            Method::POST,
            "/api/v2/integrations",
            &token,
            Some(json!({
                "name": "Local provider",
                "discoveryUri": format!("{base}/good"),
                "scopes": ["openid", "email"],
                "allowedGroups": ["support"],
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = created.json();
    assert_eq!(body["name"], "Local provider");
    assert_eq!(body["scopes"], json!(["openid", "email"]));
    assert_eq!(body["allowedGroups"], json!(["support"]));
    assert_eq!(body["maxRefreshTokenLifetimeSeconds"], 86400, "the default");
    assert_eq!(body["lastCheck"]["ok"], true, "{}", body["lastCheck"]);

    for (bad, field) in [
        (
            json!({"name": "x", "clockSkewSeconds": 999}),
            "clockSkewSeconds",
        ),
        (json!({"discoveryUri": "https://10.0.0.1"}), "discoveryUri"),
        (
            json!({"provider": {"kind": "auth0", "domain": "acme.us.auth0.com"}, "maxRefreshTokenLifetimeSeconds": 1}),
            "maxRefreshTokenLifetimeSeconds",
        ),
    ] {
        let refused = app
            .api(
                Method::POST,
                "/api/v2/integrations",
                &token,
                Some(bad.clone()),
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            refused.body
        );
        assert_eq!(refused.json()["fields"][0]["field"], field, "{bad}");
    }
    let listed = app
        .api(Method::GET, "/api/v2/integrations", &token, None)
        .await;
    assert_eq!(
        listed.json().as_array().unwrap().len(),
        1,
        "the refused ones left nothing"
    );
}
