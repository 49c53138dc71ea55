//! `/api/v2/messenger/configurations`: drafts, versions, and the sign-in rules.

use crate::common;

use axum::http::{Method, StatusCode};
use chrono::Utc;
use common::TestApp;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use serde_json::{Value, json};
use switchboard_db::entities::{deployment, integration};
use switchboard_db::test_on_each_engine;
use switchboard_domain::admin::Role;
use uuid::Uuid;

test_on_each_engine!(
    drafts_become_numbered_versions_on_publish,
    sign_in_needs_an_active_integration,
    configurations_served_by_deployments_cannot_be_deleted,
    viewers_cannot_change_configurations,
    unknown_fields_are_refused_by_name,
);

const ROOT: &str = "/api/v2/messenger/configurations";

fn input(name: &str, draft: Value) -> Value {
    json!({ "name": name, "description": "On the help pages", "draft": draft })
}

fn draft(integration: Option<&str>, greeting: &str) -> Value {
    json!({
        "authentication": {
            "enabled": integration.is_some(),
            "integrationId": integration,
            "allowSessionUpgrade": true
        },
        "appearance": {
            "primaryColor": "#0f766e",
            "launcherLabel": "Ask us",
            "greeting": greeting,
            "defaultLanguage": "en"
        },
        "sessionLifetimeSeconds": 3600
    })
}

async fn drafts_become_numbered_versions_on_publish(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let integration = app.active_integration(&token).await;
    let created = app
        .api(
            Method::POST,
            ROOT,
            &token,
            Some(input("Support", draft(Some(&integration), "Hello"))),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["versions"], json!([]));

    let publish = format!("{ROOT}/{id}/versions/draft/publish");
    let first = app.api(Method::POST, &publish, &token, None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.json()["versions"][0]["version"], 1);
    assert_eq!(
        first.json()["versions"][0]["appearance"]["greeting"],
        "Hello"
    );
    assert_eq!(first.json()["versions"][0]["publishedBy"], "token:admin");

    // Editing the draft leaves version 1 as it was.
    let edited = app
        .api(
            Method::PUT,
            &format!("{ROOT}/{id}/versions/draft"),
            &token,
            Some(draft(Some(&integration), "Welcome back")),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(
        edited.json()["draft"]["appearance"]["greeting"],
        "Welcome back"
    );
    assert_eq!(
        edited.json()["versions"][0]["appearance"]["greeting"],
        "Hello"
    );

    let second = app.api(Method::POST, &publish, &token, None).await;
    let versions = app
        .api(Method::GET, &format!("{ROOT}/{id}/versions"), &token, None)
        .await
        .json();
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert_eq!(versions[1]["version"], 2);
    assert_eq!(versions[1]["appearance"]["greeting"], "Welcome back");

    let audit = app
        .api(
            Method::GET,
            "/api/v2/audit?object=messenger_configuration",
            &token,
            None,
        )
        .await
        .json();
    let lines: Vec<String> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["action"].as_str().unwrap(), e["changes"]))
        .collect();
    for expected in [
        "messenger_configuration.create",
        "messenger_configuration.publish",
        "version 2",
        "greeting",
    ] {
        assert!(
            lines.iter().any(|l| l.contains(expected)),
            "{expected} in {lines:#?}"
        );
    }
}

async fn sign_in_needs_an_active_integration(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let mut without = draft(None, "Hi");
    without["authentication"]["enabled"] = json!(true);
    let refused = app
        .api(Method::POST, ROOT, &token, Some(input("Support", without)))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["fields"][0]["field"], "integrationId");

    let inactive = app
        .api(
            Method::POST,
            "/api/v2/integrations",
            &token,
            Some(json!({})),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = app
        .api(
            Method::POST,
            ROOT,
            &token,
            Some(input("Support", draft(Some(&inactive), "Hi"))),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.json()["message"]
            .as_str()
            .unwrap()
            .contains("is inactive"),
        "{}",
        refused.body
    );

    let active = app.active_integration(&token).await;
    let created = app
        .api(
            Method::POST,
            ROOT,
            &token,
            Some(input("Support", draft(Some(&active), "Hi"))),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();

    // The integration is switched off behind the console's back: publishing is refused.
    let row = integration::Entity::find_by_id(active.parse::<Uuid>().unwrap())
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    let mut off: integration::ActiveModel = row.into();
    off.status = Set("inactive".into());
    off.update(app.db()).await.unwrap();
    let refused = app
        .api(
            Method::POST,
            &format!("{ROOT}/{id}/versions/draft/publish"),
            &token,
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.json()["message"]
            .as_str()
            .unwrap()
            .contains("is inactive")
    );
    let versions = app
        .api(Method::GET, &format!("{ROOT}/{id}/versions"), &token, None)
        .await;
    assert_eq!(versions.json(), json!([]));

    let bad = app
        .api(
            Method::POST,
            ROOT,
            &token,
            Some(json!({"name": "", "draft": {
                "authentication": {"enabled": false, "integrationId": null, "allowSessionUpgrade": false},
                "appearance": {"primaryColor": "teal", "launcherLabel": "", "greeting": "", "defaultLanguage": "en"},
                "sessionLifetimeSeconds": 5
            }})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        fields,
        [
            "name",
            "primaryColor",
            "launcherLabel",
            "sessionLifetimeSeconds"
        ]
    );
}

async fn configurations_served_by_deployments_cannot_be_deleted(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let created = app
        .api(
            Method::POST,
            ROOT,
            &token,
            Some(input("Support", draft(None, "Hi"))),
        )
        .await;
    let id: Uuid = created.json()["id"].as_str().unwrap().parse().unwrap();
    let now = Utc::now();
    deployment::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set("Help centre".into()),
        description: Set(String::new()),
        configuration_id: Set(id),
        configuration_version: Set(None),
        allowed_domains: Set(json!(["help.example.com"])),
        allow_all_domains: Set(false),
        status: Set("active".into()),
        created_at: Set(now),
        updated_at: Set(now),
        page_sign_in: Set(false),
        page_redirect_uris: Set(None),
    }
    .insert(app.db())
    .await
    .unwrap();
    let refused = app
        .api(Method::DELETE, &format!("{ROOT}/{id}"), &token, None)
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.json()["message"]
            .as_str()
            .unwrap()
            .contains("Help centre")
    );

    let other = app
        .api(
            Method::POST,
            ROOT,
            &token,
            Some(input("Unused", draft(None, "Hi"))),
        )
        .await;
    let other = other.json()["id"].as_str().unwrap().to_owned();
    let deleted = app
        .api(Method::DELETE, &format!("{ROOT}/{other}"), &token, None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.api(Method::GET, &format!("{ROOT}/{other}"), &token, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn viewers_cannot_change_configurations(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let admin = app.token("admin", Role::Admin).await;
    let viewer = app.token("viewer", Role::Viewer).await;
    let created = app
        .api(
            Method::POST,
            ROOT,
            &admin,
            Some(input("Support", draft(None, "Hi"))),
        )
        .await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    for (method, path, body) in [
        (
            Method::POST,
            ROOT.to_owned(),
            Some(input("X", draft(None, "Hi"))),
        ),
        (
            Method::PUT,
            format!("{ROOT}/{id}"),
            Some(input("X", draft(None, "Hi"))),
        ),
        (
            Method::PUT,
            format!("{ROOT}/{id}/versions/draft"),
            Some(draft(None, "X")),
        ),
        (
            Method::POST,
            format!("{ROOT}/{id}/versions/draft/publish"),
            None,
        ),
        (Method::DELETE, format!("{ROOT}/{id}"), None),
    ] {
        let answer = app.api(method.clone(), &path, &viewer, body).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    let read = app
        .api(Method::GET, &format!("{ROOT}/{id}"), &viewer, None)
        .await;
    assert_eq!(read.json()["name"], "Support");
    assert_eq!(read.json()["versions"], json!([]));
}

/// A misspelt field is refused (422, naming its path) instead of silently dropped, nested or
/// not, and nothing is stored; what the API itself answered may be sent back as it was.
async fn unknown_fields_are_refused_by_name(db: &DatabaseConnection) {
    use axum::body::Body;
    use axum::http::{Request, header};
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let mut body = input("Help", draft(None, "Hi"));
    body["draft"]["appearance"]["colour"] = json!("#000000");
    body["descripton"] = json!("typo");
    let refused = app.api(Method::POST, ROOT, &token, Some(body)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let mut named: Vec<String> = refused.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|field| field["field"].as_str().unwrap().to_owned())
        .collect();
    named.sort();
    assert_eq!(named, ["descripton", "draft.appearance.colour"]);
    let listed = app.api(Method::GET, ROOT, &token, None).await;
    assert_eq!(listed.json(), json!([]), "nothing stored");

    // What a GET answered goes back unchanged.
    let created = app
        .api(
            Method::POST,
            ROOT,
            &token,
            Some(input("Help", draft(None, "Hi"))),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let read = created.json();
    let path = format!("{ROOT}/{}", read["id"].as_str().unwrap());
    let again = app.api(Method::PUT, &path, &token, Some(read)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);

    // A body that is not declared JSON is 415; a malformed one 400.
    let plain = Request::post(ROOT)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(
        app.send(plain).await.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let broken = Request::post(ROOT)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"name\": "))
        .unwrap();
    let broken = app.send(broken).await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert_eq!(broken.json()["error"], "bad_request");
}
