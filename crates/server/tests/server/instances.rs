//! Several instances on one PostgreSQL database: a change made through one shows on the others
//! at once, not when their caches expire.

use crate::common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::TestApp;
use switchboard_db::testing::TestDb;
use switchboard_domain::admin::Role;

async fn public_config(app: &TestApp, deployment: &str) -> StatusCode {
    let request = Request::get(format!("/messenger/v1/deployments/{deployment}/config"))
        .header(header::ORIGIN, "https://customer.example")
        .body(Body::empty())
        .unwrap();
    app.send(request).await.status
}

#[tokio::test]
async fn a_change_on_one_instance_shows_on_the_others_within_a_second() {
    let db = TestDb::postgres().await;
    let first = TestApp::new(&db.conn);
    let second = TestApp::new(&db.conn);
    let token = first.token("admin", Role::Admin).await;
    let deployment = first
        .deployed_messenger(
            &token,
            serde_json::json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false}),
        )
        .await;
    // The second instance renders the config and caches it.
    assert_eq!(public_config(&second, &deployment).await, StatusCode::OK);
    assert_eq!(public_config(&second, &deployment).await, StatusCode::OK);

    // The first instance switches the deployment off.
    let path = format!("/api/v2/messenger/deployments/{deployment}");
    let mut current = first.api(Method::GET, &path, &token, None).await.json();
    current["status"] = "inactive".into();
    let saved = first.api(Method::PUT, &path, &token, Some(current)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

    // The second stops serving it well before its cache would have expired
    // (`CACHE_LIFETIME`, 5 s): the change reached it through the database's NOTIFY.
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let status = public_config(&second, &deployment).await;
        if status == StatusCode::NOT_FOUND {
            break;
        }
        assert_eq!(status, StatusCode::OK);
        assert!(
            Instant::now() < deadline,
            "the second instance still serves a deployment switched off on the first"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    db.close().await;
}
