//! The HTTP surface, exercised through the real router without opening a socket.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use http_body_util::BodyExt;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde_json::json;
use switchboard_core::{Services, audit};
use switchboard_db::entities::integration;
use switchboard_db::test_on_each_engine;
use switchboard_db::testing::TestDb;
use switchboard_server::config::Cli;
use switchboard_server::{AppState, routes};
use tower::ServiceExt;
use uuid::Uuid;

fn app(db: &DatabaseConnection) -> Router {
    use clap::Parser;
    let Cli { config, .. } = Cli::parse_from(["switchboard"]);
    routes::router(AppState {
        services: Services::new(db.clone()),
        leptos: routes::leptos_options(&config),
    })
}

async fn get(app: &Router, path: &str) -> (StatusCode, Option<String>, String) {
    let response = app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|value| value.to_str().unwrap().to_owned());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        location,
        String::from_utf8_lossy(&body).into_owned(),
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
    let (status, _, body) = get(&app(db), "/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn healthz_fails_when_the_database_is_gone() {
    let db = TestDb::sqlite().await;
    let app = app(&db.conn);
    // The clone shares the pool: closing it takes the database away from the app too.
    db.conn.clone().close().await.unwrap();
    let (status, _, body) = get(&app, "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "database unavailable");
}

async fn pages_render_their_empty_states(db: &DatabaseConnection) {
    let app = app(db);
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
        ("/admin/audit", "Audit log", "No audit events yet"),
    ] {
        let (status, _, body) = get(&app, path).await;
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
    let app = app(&db.conn);
    for path in ["/", "/admin"] {
        let (status, location, _) = get(&app, path).await;
        assert!(status.is_redirection(), "{path} answers {status}");
        assert_eq!(location.as_deref(), Some("/admin/integrations"));
    }
    db.close().await;
}

#[tokio::test]
async fn unknown_paths_answer_404_with_the_console_page() {
    let db = TestDb::sqlite().await;
    let (status, _, body) = get(&app(&db.conn), "/admin/no-such-page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Page not found"));
    db.close().await;
}

async fn integrations_page_lists_stored_integrations(db: &DatabaseConnection) {
    let now = Utc::now();
    integration::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set("Okta production".into()),
        kind: Set("openid-connect-messenger".into()),
        status: Set("inactive".into()),
        discovery_uri: Set(Some(
            "https://acme.okta.com/.well-known/openid-configuration".into(),
        )),
        scopes: Set(json!(["openid"])),
        max_refresh_token_lifetime_seconds: Set(3600),
        allowed_groups: Set(json!([])),
        clock_skew_seconds: Set(60),
        client_id: Set(None),
        client_secret_sealed: Set(None),
        okta_api_token_sealed: Set(None),
        credentials_updated_at: Set(None),
        last_check: Set(None),
        last_checked_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap();
    let (status, _, body) = get(&app(db), "/admin/integrations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Okta production"));
    assert!(body.contains("acme.okta.com"));
    assert!(body.contains("Never run"));
    assert!(!body.contains("No integrations installed yet"));
}

async fn audit_page_filters_by_object(db: &DatabaseConnection) {
    for (object_type, actor) in [
        ("integration", "ada@example.com"),
        ("admin", "grace@example.com"),
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
    let app = app(db);
    let (_, _, all) = get(&app, "/admin/audit").await;
    assert!(all.contains("ada@example.com") && all.contains("grace@example.com"));
    let (status, _, filtered) = get(&app, "/admin/audit?object=admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(filtered.contains("grace@example.com"));
    assert!(!filtered.contains("ada@example.com"));
}
