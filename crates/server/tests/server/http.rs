//! The HTTP surface, exercised through the real router without opening a socket.

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use switchboard_core::audit;
use switchboard_db::entities::integration;
use switchboard_db::test_on_each_engine;
use switchboard_db::testing::{TestDb, integration_row};
use switchboard_domain::admin::Role;

/// A page as a signed-in viewer sees it: (status, redirect target, body).
async fn get(app: &TestApp, path: &str) -> (StatusCode, Option<String>, String) {
    let cookie = app.signed_in(Role::Viewer).await;
    let answer = app.get(path, Some(&cookie)).await;
    (
        answer.status,
        answer.location().map(str::to_owned),
        answer.body,
    )
}

/// The text of the page's first `<h1>`, without the hydration markers Leptos leaves in it.
fn h1(html: &str) -> String {
    let start = html.find("<h1").expect("page has an h1");
    let open_end = start + html[start..].find('>').unwrap() + 1;
    let close = open_end + html[open_end..].find("</h1>").unwrap();
    html[open_end..close].replace("<!>", "")
}

test_on_each_engine!(
    healthz_answers_ok_while_the_database_answers,
    pages_render_their_empty_states,
    integrations_page_lists_stored_integrations,
    audit_page_filters_by_object,
);

async fn healthz_answers_ok_while_the_database_answers(db: &DatabaseConnection) {
    let answer = TestApp::new(db).get("/healthz", None).await;
    let (status, body) = (answer.status, answer.body);
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn healthz_fails_when_the_database_is_gone() {
    let db = TestDb::sqlite().await;
    let app = TestApp::new(&db.conn);
    // The clone shares the pool: closing it takes the database away from the app too.
    db.conn.clone().close().await.unwrap();
    let answer = app.get("/healthz", None).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.body, "database unavailable");
}

async fn pages_render_their_empty_states(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let cookie = app.signed_in(Role::Viewer).await;
    for (path, heading, empty) in [
        (
            "/admin/integrations",
            "Integrations",
            "No integrations installed yet",
        ),
        (
            "/admin/messenger/configurations",
            "Messenger Configurations",
            "No messenger configurations yet",
        ),
        (
            "/admin/messenger/deployments",
            "Messenger Deployments",
            "No messenger deployments yet",
        ),
        (
            "/admin/conversations",
            "Conversations",
            "No conversations yet",
        ),
        ("/admin/tokens", "API tokens", "No API tokens yet"),
    ] {
        let answer = app.get(path, Some(&cookie)).await;
        let (status, body) = (answer.status, answer.body);
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(h1(&body), heading, "{path} has its heading");
        assert!(body.contains(empty), "{path} shows its empty state");
        // The wasm bundle is referenced, so the page hydrates.
        assert!(body.contains("/pkg/switchboard"), "{path} loads the bundle");
    }
}

#[tokio::test]
async fn root_redirects_to_integrations() {
    let db = TestDb::sqlite().await;
    let app = TestApp::new(&db.conn);
    let cookie = app.signed_in(Role::Viewer).await;
    for path in ["/", "/admin"] {
        let answer = app.get(path, Some(&cookie)).await;
        assert!(
            answer.status.is_redirection(),
            "{path} answers {}",
            answer.status
        );
        assert_eq!(answer.location(), Some("/admin/integrations"));
    }
    db.close().await;
}

#[tokio::test]
async fn unknown_paths_answer_404_with_the_console_page() {
    let db = TestDb::sqlite().await;
    let (status, _, body) = get(&TestApp::new(&db.conn), "/admin/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"));
    db.close().await;
}

async fn integrations_page_lists_stored_integrations(db: &DatabaseConnection) {
    integration::ActiveModel {
        discovery_uri: Set(Some(
            "https://acme.okta.com/.well-known/openid-configuration".into(),
        )),
        ..integration_row("Okta production")
    }
    .insert(db)
    .await
    .unwrap();
    let (status, _, body) = get(&TestApp::new(db), "/admin/integrations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Okta production"));
    assert!(body.contains("acme.okta.com"));
    assert!(body.contains("Never run"));
    assert!(!body.contains("No integrations installed yet"));
}

async fn audit_page_filters_by_object(db: &DatabaseConnection) {
    for (object_type, actor) in [
        ("integration", "ada@example.com"),
        ("conversation", "grace@example.com"),
    ] {
        audit::record(
            db,
            audit::NewEvent {
                actor,
                action: "test.event",
                object_type,
                object_id: None,
                changes: vec![],
            },
        )
        .await
        .unwrap();
    }
    let app = TestApp::new(db);
    let cookie = app.signed_in(Role::Viewer).await;
    let all = app.get("/admin/audit", Some(&cookie)).await.body;
    assert!(all.contains("ada@example.com") && all.contains("grace@example.com"));
    let filtered = app
        .get("/admin/audit?object=conversation", Some(&cookie))
        .await;
    let (status, filtered) = (filtered.status, filtered.body);
    assert_eq!(status, StatusCode::OK);
    assert!(filtered.contains("grace@example.com"));
    assert!(!filtered.contains("ada@example.com"));
}

/// The loader's `window.Switchboard` is served with its types, and the loader defines every
/// method the types promise (read from the `Messenger` interface of the `.d.ts` itself).
#[tokio::test]
async fn the_loader_api_is_served_with_its_types() {
    let db = TestDb::sqlite().await;
    let app = TestApp::new(&db.conn);
    let types = app.get("/messenger/switchboard.d.ts", None).await;
    assert_eq!(types.status, StatusCode::OK);
    assert_eq!(
        types.header(axum::http::header::CONTENT_TYPE),
        Some("application/typescript; charset=utf-8")
    );
    // The readable source; what is served is its minified build.
    let loader = include_str!("../../../../public/messenger.js");
    let served = app.get("/messenger.js", None).await.body;
    assert!(
        served.len() < loader.len() * 2 / 3 && !served.contains("\n  "),
        "the loader goes out minified"
    );
    assert!(served.contains("Switchboard") && served.contains("data-deployment-id"));
    let interface = types
        .body
        .split("export interface Messenger {")
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .expect("the Messenger interface");
    let methods: Vec<&str> = interface
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("/**") && !line.starts_with('*'))
        .filter_map(|line| line.split_once('(').map(|(name, _)| name))
        .map(|name| name.split('<').next().unwrap_or(name))
        .collect();
    assert!(methods.len() >= 7, "{methods:?}");
    for method in methods {
        assert!(
            loader.contains(&format!("{method}: function")),
            "the loader has no {method}"
        );
    }
    db.close().await;
}
