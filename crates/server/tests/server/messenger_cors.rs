//! The messenger API's one CORS layer: every answer under `/messenger/v1/` is readable by the
//! calling page (errors, 404, 413 and 429 included), except where the deployment refuses that
//! origin, and preflights are answered before anything else runs.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, TestApp};
use sea_orm::DatabaseConnection;
use serde_json::json;
use switchboard_db::test_on_each_engine;
use switchboard_domain::admin::Role;

test_on_each_engine!(every_messenger_answer_carries_cors);

const PAGE: &str = "https://customer.example";

async fn from(app: &TestApp, origin: &str, method: Method, path: &str, body: String) -> Answer {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::ORIGIN, origin)
        .header("sec-fetch-site", "cross-site");
    if !body.is_empty() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    app.send(request.body(Body::from(body)).unwrap()).await
}

fn readable_by(answer: &Answer, origin: &str) -> bool {
    answer.header(header::ACCESS_CONTROL_ALLOW_ORIGIN) == Some(origin)
        && answer
            .header(header::VARY)
            .is_some_and(|vary| vary.contains("Origin"))
}

async fn every_messenger_answer_carries_cors(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let authentication =
        json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false});
    let deployment = app.deployed_messenger(&token, authentication).await;

    let preflight = from(
        &app,
        PAGE,
        Method::OPTIONS,
        "/messenger/v1/messages",
        String::new(),
    )
    .await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);
    assert!(readable_by(&preflight, PAGE));
    assert!(
        preflight
            .header(header::ACCESS_CONTROL_ALLOW_HEADERS)
            .is_some_and(|allowed| allowed.contains("authorization"))
    );

    let started = from(
        &app,
        PAGE,
        Method::POST,
        "/messenger/v1/sessions",
        json!({"deploymentId": deployment}).to_string(),
    )
    .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    assert!(readable_by(&started, PAGE));

    for (method, path, body, status) in [
        (
            Method::POST,
            "/messenger/v1/messages".to_owned(),
            json!({"text": "hi"}).to_string(),
            StatusCode::UNAUTHORIZED,
        ),
        (
            Method::GET,
            "/messenger/v1/nothing-here".to_owned(),
            String::new(),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::GET,
            format!("/messenger/v1/deployments/{}/config", uuid::Uuid::new_v4()),
            String::new(),
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/messenger/v1/messages".to_owned(),
            "x".repeat(40 * 1024),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            Method::POST,
            "/messenger/v1/sessions".to_owned(),
            "{".to_owned(),
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let answer = from(&app, PAGE, method, &path, body).await;
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        assert!(
            readable_by(&answer, PAGE),
            "{path} {status}: not readable by the page"
        );
    }

    // Another site may not use the deployment: refused, and unreadable there.
    let elsewhere = "https://elsewhere.example";
    let refused = from(
        &app,
        elsewhere,
        Method::POST,
        "/messenger/v1/sessions",
        json!({"deploymentId": deployment}).to_string(),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.json()["error"], "origin_not_allowed");
    assert_eq!(refused.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), None);
    let config = from(
        &app,
        elsewhere,
        Method::GET,
        &format!("/messenger/v1/deployments/{deployment}/config"),
        String::new(),
    )
    .await;
    assert_eq!(config.status, StatusCode::OK);
    assert_eq!(config.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), None);

    // The rate limiter's answer is readable too.
    let mut limited = None;
    for _ in 0..200 {
        let answer = from(
            &app,
            PAGE,
            Method::POST,
            "/messenger/v1/sessions",
            "{".to_owned(),
        )
        .await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(answer);
            break;
        }
    }
    let limited = limited.expect("the limiter answers 429 within 200 requests");
    assert!(readable_by(&limited, PAGE), "429 not readable by the page");
    assert!(limited.header(header::RETRY_AFTER).is_some());
}
