//! Files in conversations: the visitor sends one from the messenger, the agent from the API;
//! each goes out as a download nothing can run from; bad files (a renamed program, too large,
//! a kind the configuration does not take) are refused with the reason and leave nothing
//! behind, in the database or in the attachments folder.

use crate::common;
use crate::inbox::{visitor, visitor_says};

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, TestApp};
use http_body_util::BodyExt;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use switchboard_core::Settings;
use switchboard_db::entities::{attachment, conversation, message};
use switchboard_db::test_on_each_engine;
use switchboard_domain::admin::Role;
use uuid::Uuid;

test_on_each_engine!(
    files_go_both_ways_as_downloads,
    bad_files_are_refused_and_leave_nothing,
    files_can_live_in_a_folder,
);

/// A tiny PNG: the signature and the start of its header, padded to `size` bytes.
fn png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.resize(size.max(bytes.len()), 0);
    bytes
}

const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n";

fn no_sign_in() -> Value {
    json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false})
}

/// The visitor of `session` sends `bytes` as `name`.
async fn visitor_sends(app: &TestApp, session: &str, name: &str, bytes: &[u8]) -> Answer {
    app.send(
        Request::post(format!("/messenger/v1/attachments?name={name}"))
            .header(header::ORIGIN, "https://customer.example")
            .header(header::AUTHORIZATION, format!("Bearer {session}"))
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(bytes.to_vec()))
            .unwrap(),
    )
    .await
}

/// A file as `request` gets it: status, headers and bytes.
async fn fetch(app: &TestApp, request: Request<Body>) -> (StatusCode, header::HeaderMap, Vec<u8>) {
    let answer = app.open(request).await;
    let (parts, body) = answer.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}

fn as_visitor(path: &str, session: &str) -> Request<Body> {
    Request::get(path)
        .header(header::ORIGIN, "https://customer.example")
        .header(header::AUTHORIZATION, format!("Bearer {session}"))
        .body(Body::empty())
        .unwrap()
}

fn as_token(path: &str, token: &str) -> Request<Body> {
    Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

async fn only_conversation(db: &DatabaseConnection) -> Uuid {
    let rows = conversation::Entity::find().all(db).await.unwrap();
    assert_eq!(rows.len(), 1);
    rows[0].id
}

async fn files_go_both_ways_as_downloads(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("ci", Role::Admin).await;
    let deployment = app.deployed_messenger(&token, no_sign_in()).await;
    let session = visitor(&app, &deployment).await;

    // The first message of a conversation may be a file.
    let sent = visitor_sends(&app, &session, "..%2Fholiday%20cat.png", &png(2048)).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    let message = sent.json();
    let file = &message["attachment"];
    assert_eq!(file["name"], "holiday cat.png");
    assert_eq!(file["contentType"], "image/png");
    assert_eq!(file["size"], 2048);
    assert_eq!(message["text"], "holiday cat.png");
    let id = file["id"].as_str().unwrap().to_owned();

    // The agent sees it in the conversation and fetches it.
    let conversation = only_conversation(db).await;
    let messages = app
        .api(
            Method::GET,
            &format!("/api/v2/conversations/{conversation}/messages"),
            &token,
            None,
        )
        .await;
    assert_eq!(messages.json()[0]["attachment"], *file, "{}", messages.body);
    let (status, headers, bytes) =
        fetch(&app, as_token(&format!("/api/v2/attachments/{id}"), &token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, png(2048));
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"holiday cat.png\"; filename*=UTF-8''holiday%20cat.png"
    );
    assert_eq!(
        headers[header::CONTENT_SECURITY_POLICY],
        "default-src 'none'; sandbox"
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

    // The agent answers with a PDF; the visitor fetches it from the messenger.
    let reply = app
        .send(
            Request::post(format!(
                "/api/v2/conversations/{conversation}/attachments?name=invoice.pdf"
            ))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/pdf")
            .body(Body::from(PDF))
            .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.json()["author"], "agent");
    let pdf = reply.json()["attachment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/messenger/v1/attachments/{pdf}");
    let (status, headers, bytes) = fetch(&app, as_visitor(&path, &session)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PDF);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"invoice.pdf\"")
    );

    // Another visitor, or none, gets nothing.
    let stranger = visitor(&app, &deployment).await;
    let (status, _, _) = fetch(&app, as_visitor(&path, &stranger)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = fetch(&app, as_visitor(&path, "sbm_nonsense")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// The app keeping attachments in a new folder of its own, and that folder.
fn keeping_files_in_a_folder(db: &DatabaseConnection) -> (TestApp, PathBuf) {
    let dir = std::env::temp_dir().join(format!("switchboard-files-{}", Uuid::new_v4()));
    let settings = Settings {
        attachments_dir: Some(dir.clone()),
        ..Settings::default()
    };
    (TestApp::with_settings(db, settings), dir)
}

async fn stored_counts(db: &DatabaseConnection) -> (u64, u64) {
    (
        attachment::Entity::find().count(db).await.unwrap(),
        message::Entity::find().count(db).await.unwrap(),
    )
}

fn folder_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn bad_files_are_refused_and_leave_nothing(db: &DatabaseConnection) {
    let (app, dir) = keeping_files_in_a_folder(db);
    let token = app.token("ci", Role::Admin).await;
    let deployment = app.deployed_messenger(&token, no_sign_in()).await;
    let session = visitor(&app, &deployment).await;
    visitor_says(&app, &session, "Here is the screenshot").await;
    let before = stored_counts(db).await;

    let refused = |answer: &Answer, status: StatusCode, says: &str| {
        assert_eq!(answer.status, status, "{}", answer.body);
        let message = answer.json()["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(message.contains(says), "{message:?} should say {says:?}");
    };
    // A program renamed to look like a picture.
    let program = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";
    let answer = visitor_sends(&app, &session, "cat.png", program).await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "whatever its name says",
    );
    // A page that would run scripts if served as one.
    let answer = visitor_sends(
        &app,
        &session,
        "cat.png",
        b"<html><script>alert(1)</script>",
    )
    .await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not one the messenger takes",
    );
    // No name, no bytes.
    let answer = visitor_sends(&app, &session, "", &png(100)).await;
    refused(&answer, StatusCode::BAD_REQUEST, "Name the file");
    let answer = visitor_sends(&app, &session, "empty.png", b"").await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "The file is empty.",
    );
    // Beyond any configuration's limit: refused before it is read.
    let huge = vec![0; switchboard_server::attachments::BODY_LIMIT + 1];
    let answer = visitor_sends(&app, &session, "huge.png", &huge).await;
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );

    // The configuration's own rules: 1 KB, images only.
    app.republish(&token, &deployment, |draft| {
        draft["attachments"] = json!({"types": ["image/png", "image/jpeg"], "maxBytes": 1024});
    })
    .await;
    let answer = visitor_sends(&app, &session, "big.png", &png(4096)).await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "The file is 4 KB; the limit is 1 KB.",
    );
    let answer = visitor_sends(&app, &session, "invoice.pdf", PDF).await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "does not take PDF document files; it takes: PNG image, JPEG image.",
    );
    // The agent is held to the same rules.
    let conversation = only_conversation(db).await;
    let answer = app
        .send(
            Request::post(format!(
                "/api/v2/conversations/{conversation}/attachments?name=a.pdf"
            ))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(PDF))
            .unwrap(),
        )
        .await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "does not take PDF document files",
    );
    // Rules outside the possible are refused when saved.
    let path = format!("/api/v2/messenger/deployments/{deployment}");
    let served = app.api(Method::GET, &path, &token, None).await.json();
    let configuration = served["configuration"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v2/messenger/configurations/{configuration}");
    let mut saved = app.api(Method::GET, &path, &token, None).await.json();
    saved["draft"]["attachments"] = json!({"types": ["text/html"], "maxBytes": 0});
    let input = json!({"name": saved["name"], "draft": saved["draft"]});
    let put = app.api(Method::PUT, &path, &token, Some(input)).await;
    assert_eq!(put.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", put.body);
    assert!(put.body.contains("attachmentTypes") && put.body.contains("attachmentMaxBytes"));

    // A file that passes its checks but whose message cannot be stored (the visitor's burst
    // limit) leaves no file in the folder either.
    let hurried = visitor(&app, &deployment).await;
    for n in 0..10 {
        visitor_says(&app, &hurried, &format!("message {n}")).await;
    }
    let answer = visitor_sends(&app, &hurried, "ok.png", &png(100)).await;
    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        answer.body
    );

    let after = stored_counts(db).await;
    assert_eq!(after.0, before.0, "no attachment row");
    assert_eq!(after.1, before.1 + 10, "only the ten texts were stored");
    assert_eq!(folder_files(&dir), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&dir);
}

async fn files_can_live_in_a_folder(db: &DatabaseConnection) {
    let (app, dir) = keeping_files_in_a_folder(db);
    let token = app.token("ci", Role::Admin).await;
    let deployment = app.deployed_messenger(&token, no_sign_in()).await;
    let session = visitor(&app, &deployment).await;
    let sent = visitor_sends(&app, &session, "cat.png", &png(5000)).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    let id: Uuid = sent.json()["attachment"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    // The row holds no bytes; the folder holds them whole, under the id.
    let row = attachment::Entity::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.data, None);
    assert_eq!(folder_files(&dir), [id.to_string()]);
    assert_eq!(std::fs::read(dir.join(id.to_string())).unwrap(), png(5000));
    let (status, _, bytes) =
        fetch(&app, as_token(&format!("/api/v2/attachments/{id}"), &token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, png(5000));

    // Deleting the deployment takes its conversations' files from the folder too, and only
    // theirs.
    let other = app.deployed_messenger(&token, no_sign_in()).await;
    let kept = visitor_sends(&app, &visitor(&app, &other).await, "dog.png", &png(100)).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
    let kept = kept.json()["attachment"]["id"].as_str().unwrap().to_owned();
    let deleted = app
        .api(
            Method::DELETE,
            &format!("/api/v2/messenger/deployments/{deployment}"),
            &token,
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(folder_files(&dir), [kept]);
    let _ = std::fs::remove_dir_all(&dir);
}
