//! Messaging: anonymous sessions, visitors' messages (stored before the 201, monotonic ids,
//! resume after an id, text kept as text, length and burst limits), agents' replies and the
//! inbox, on SQLite and PostgreSQL.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, TestApp, read_until};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use serde_json::{Value, json};
use switchboard_db::test_on_each_engine;
use switchboard_domain::admin::Role;

test_on_each_engine!(
    visitors_and_agents_exchange_messages,
    messages_are_checked_and_rate_limited,
    anonymous_sessions_need_a_configuration_that_allows_them,
    events_reach_readers_on_every_instance,
    a_stream_without_a_conversation_costs_nothing_when_others_write,
    a_transcript_holds_the_whole_conversation,
);

/// A messenger without sign-in (or with it, when `sign_in` names an integration); returns the
/// deployment id.
async fn deployment(app: &TestApp, token: &str, sign_in: Option<&str>) -> String {
    let authentication = match sign_in {
        Some(integration) => {
            json!({"enabled": true, "integrationId": integration, "allowSessionUpgrade": false})
        }
        None => json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false}),
    };
    app.deployed_messenger(token, authentication).await
}

/// A request from the customer's page.
async fn visitor(
    app: &TestApp,
    method: Method,
    path: &str,
    session: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::ORIGIN, "https://customer.example")
        .header("sec-fetch-site", "cross-site");
    if let Some(session) = session {
        request = request.header(header::AUTHORIZATION, format!("Bearer {session}"));
    }
    let request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    };
    app.send(request.unwrap()).await
}

async fn anonymous(app: &TestApp, deployment: &str) -> String {
    let answer = visitor(
        app,
        Method::POST,
        "/messenger/v1/sessions",
        None,
        Some(json!({"deploymentId": deployment})),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.json()["identity"], Value::Null);
    answer.json()["token"].as_str().unwrap().to_owned()
}

async fn send(app: &TestApp, session: &str, text: &str) -> Answer {
    visitor(
        app,
        Method::POST,
        "/messenger/v1/messages",
        Some(session),
        Some(json!({"text": text})),
    )
    .await
}

async fn visitors_and_agents_exchange_messages(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let deployment = deployment(&app, &token, None).await;
    let session = anonymous(&app, &deployment).await;

    let empty = visitor(
        &app,
        Method::GET,
        "/messenger/v1/conversation",
        Some(&session),
        None,
    )
    .await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert_eq!(empty.json()["messages"], json!([]));
    assert_eq!(empty.json()["id"], Value::Null);

    let mut ids = vec![];
    for text in ["Hello", "<script>alert(1)</script>", "Line one\nline two"] {
        let answer = send(&app, &session, text).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        assert_eq!(
            answer.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
            Some("https://customer.example")
        );
        assert_eq!(answer.json()["text"], text, "stored as text, unchanged");
        assert_eq!(answer.json()["author"], "visitor");
        assert_eq!(answer.json()["authenticated"], false);
        ids.push(answer.json()["id"].as_i64().unwrap());
    }
    assert!(
        ids.windows(2).all(|pair| pair[0] < pair[1]),
        "ids grow: {ids:?}"
    );

    let inbox = app
        .api(Method::GET, "/api/v2/conversations", &token, None)
        .await;
    assert_eq!(inbox.status, StatusCode::OK, "{}", inbox.body);
    let conversation = inbox.json()[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(inbox.json()[0]["identity"], Value::Null);
    assert_eq!(inbox.json()[0]["deploymentName"], "Website");

    let path = format!("/api/v2/conversations/{conversation}/messages");
    let reply = app
        .api(
            Method::POST,
            &path,
            &token,
            Some(json!({"text": "How can we help?"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.json()["author"], "agent");

    let all = visitor(
        &app,
        Method::GET,
        "/messenger/v1/conversation",
        Some(&session),
        None,
    )
    .await;
    let texts: Vec<Value> = all.json()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].clone())
        .collect();
    assert_eq!(
        texts,
        [
            json!("Hello"),
            json!("<script>alert(1)</script>"),
            json!("Line one\nline two"),
            json!("How can we help?")
        ]
    );
    assert_eq!(all.json()["id"], conversation.as_str());
    // Resume after the second message.
    let later = visitor(
        &app,
        Method::GET,
        &format!("/messenger/v1/conversation?after={}", ids[1]),
        Some(&session),
        None,
    )
    .await;
    assert_eq!(later.json()["messages"].as_array().unwrap().len(), 2);
    let agent_view = app
        .api(
            Method::GET,
            &format!("{path}?after={}", ids[2]),
            &token,
            None,
        )
        .await;
    assert_eq!(agent_view.json()[0]["text"], "How can we help?");

    // Viewers read but do not reply; unknown conversations are 404.
    let viewer = app.token("viewer", Role::Viewer).await;
    let refused = app
        .api(Method::POST, &path, &viewer, Some(json!({"text": "hi"})))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let unknown = app
        .api(
            Method::GET,
            &format!("/api/v2/conversations/{}/messages", uuid::Uuid::new_v4()),
            &viewer,
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

async fn messages_are_checked_and_rate_limited(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let deployment = deployment(&app, &token, None).await;
    let session = anonymous(&app, &deployment).await;
    let blank = send(&app, &session, "   \n ").await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(blank.json()["message"], "Write a message first.");
    let long = send(&app, &session, &"x".repeat(4001)).await;
    assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        long.json()["message"]
            .as_str()
            .unwrap()
            .contains("at most 4000")
    );
    for n in 0..10 {
        assert_eq!(
            send(&app, &session, &format!("message {n}")).await.status,
            StatusCode::CREATED
        );
    }
    let burst = send(&app, &session, "one too many").await;
    assert_eq!(
        burst.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        burst.body
    );
    assert_eq!(burst.json()["error"], "rate_limited");
    // Nothing refused was stored.
    let all = visitor(
        &app,
        Method::GET,
        "/messenger/v1/conversation",
        Some(&session),
        None,
    )
    .await;
    assert_eq!(all.json()["messages"].as_array().unwrap().len(), 10);

    let stranger = visitor(
        &app,
        Method::POST,
        "/messenger/v1/messages",
        Some("sbm_nope"),
        Some(json!({"text": "hi"})),
    )
    .await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);
}

async fn anonymous_sessions_need_a_configuration_that_allows_them(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let integration = app.active_integration(&token).await;
    let deployment = deployment(&app, &token, Some(&integration)).await;
    let refused = visitor(
        &app,
        Method::POST,
        "/messenger/v1/sessions",
        None,
        Some(json!({"deploymentId": deployment})),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(refused.json()["error"], "sign_in_required");
    let unknown = visitor(
        &app,
        Method::POST,
        "/messenger/v1/sessions",
        None,
        Some(json!({"deploymentId": uuid::Uuid::new_v4()})),
    )
    .await;
    assert_eq!(
        unknown.status,
        StatusCode::FORBIDDEN,
        "an unknown deployment allows no origin"
    );
}

fn events_request(session: &str, last_event_id: Option<i64>) -> Request<Body> {
    let mut request = Request::get("/messenger/v1/events")
        .header(header::AUTHORIZATION, format!("Bearer {session}"));
    if let Some(id) = last_event_id {
        request = request.header("last-event-id", id.to_string());
    }
    request.body(Body::empty()).unwrap()
}

async fn events_reach_readers_on_every_instance(db: &DatabaseConnection) {
    let writer = TestApp::new(db);
    // On PostgreSQL a second instance (its own delivery, its own listener) serves the reader;
    // SQLite runs one instance.
    let second;
    let reader = if db.get_database_backend() == DatabaseBackend::Postgres {
        second = TestApp::new(db);
        &second
    } else {
        &writer
    };
    let token = writer.token("admin", Role::Admin).await;
    let deployment = deployment(&writer, &token, None).await;
    let session = anonymous(&writer, &deployment).await;
    let first = send(&writer, &session, "first").await.json()["id"]
        .as_i64()
        .unwrap();

    let response = reader.open(events_request(&session, None)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    let mut body = response.into_body();
    read_until(
        &mut body,
        &[format!("id: {first}"), "\"text\":\"first\"".into()],
    )
    .await;

    let second_message = send(&writer, &session, "second").await.json()["id"]
        .as_i64()
        .unwrap();
    let inbox = writer
        .api(Method::GET, "/api/v2/conversations", &token, None)
        .await;
    let conversation = inbox.json()[0]["id"].as_str().unwrap().to_owned();
    let reply = writer
        .api(
            Method::POST,
            &format!("/api/v2/conversations/{conversation}/messages"),
            &token,
            Some(json!({"text": "an agent's answer"})),
        )
        .await;
    let reply_id = reply.json()["id"].as_i64().unwrap();
    let said = read_until(
        &mut body,
        &[
            format!("id: {second_message}"),
            format!("id: {reply_id}"),
            "an agent's answer".into(),
        ],
    )
    .await;
    assert!(said.contains("event: message"));

    // A reconnect with Last-Event-ID gets exactly what came after it.
    let resumed = reader.open(events_request(&session, Some(first))).await;
    let mut body = resumed.into_body();
    let said = read_until(&mut body, &[format!("id: {reply_id}")]).await;
    assert!(!said.contains(&format!("id: {first}\n")), "{said}");
    assert!(said.contains(&format!("id: {second_message}")));
}

/// A visitor who has not written yet holds a stream with no conversation: others' messages
/// must not make it ask the database anything, and its own first message still reaches it.
async fn a_stream_without_a_conversation_costs_nothing_when_others_write(db: &DatabaseConnection) {
    use http_body_util::BodyExt;
    use sea_orm::EntityTrait;
    use std::sync::{Arc, Mutex};
    use switchboard_db::entities::messenger_session;

    let statements = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut counted = db.clone();
    let log = statements.clone();
    counted.set_metric_callback(move |info| {
        log.lock().unwrap().push(format!("{:?}", info.statement));
    });
    let app = TestApp::new(&counted);
    let token = app.token("admin", Role::Admin).await;
    let deployment = deployment(&app, &token, None).await;
    let quiet = anonymous(&app, &deployment).await;
    let quiet_id = messenger_session::Entity::find()
        .one(db)
        .await
        .unwrap()
        .expect("the quiet session")
        .id
        .to_string();
    let mut stream = app.open(events_request(&quiet, None)).await.into_body();
    let waited = std::time::Duration::from_millis(200);
    assert!(
        tokio::time::timeout(waited, stream.frame()).await.is_err(),
        "no backlog"
    );

    let busy = anonymous(&app, &deployment).await;
    statements.lock().unwrap().clear();
    for n in 0..5 {
        let sent = send(&app, &busy, &format!("busy {n}")).await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    }
    // The stream works only while it is read: read it long enough to hear every notice.
    assert!(
        tokio::time::timeout(waited * 2, stream.frame())
            .await
            .is_err(),
        "others' messages are not the quiet visitor's"
    );
    let about_quiet: Vec<String> = statements
        .lock()
        .unwrap()
        .iter()
        .filter(|statement| statement.contains(&quiet_id))
        .cloned()
        .collect();
    assert!(
        about_quiet.is_empty(),
        "the quiet stream asked: {about_quiet:?}"
    );

    let first = send(&app, &quiet, "at last").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    read_until(&mut stream, &["at last".into()]).await;
}

async fn a_transcript_holds_the_whole_conversation(db: &DatabaseConnection) {
    use sea_orm::{EntityTrait, Set};
    use switchboard_db::entities::message;

    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let deployment = deployment(&app, &token, None).await;
    let session = anonymous(&app, &deployment).await;
    for text in ["Hello", "Line one\nline two"] {
        assert_eq!(send(&app, &session, text).await.status, StatusCode::CREATED);
    }
    let inbox = app
        .api(Method::GET, "/api/v2/conversations", &token, None)
        .await;
    let id = inbox.json()[0]["id"].as_str().unwrap().to_owned();
    let reply = app
        .api(
            Method::POST,
            &format!("/api/v2/conversations/{id}/messages"),
            &token,
            Some(json!({"text": "How can we help?"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let path = format!("/api/v2/conversations/{id}/transcript");

    // Viewers may download; the file is never cached.
    let viewer = app.token("viewer", Role::Viewer).await;
    let json = app.api(Method::GET, &path, &viewer, None).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    assert_eq!(
        json.header(header::CONTENT_DISPOSITION),
        Some(format!("attachment; filename=\"conversation-{id}.json\"").as_str())
    );
    assert_eq!(json.header(header::CACHE_CONTROL), Some("no-store"));
    let body = json.json();
    assert_eq!(body["conversationId"], id.as_str());
    assert_eq!(body["deploymentName"], "Website");
    assert_eq!(body["identity"], Value::Null);
    assert_eq!(body["status"], "open");
    let authors: Vec<_> = body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["author"].clone(), m["text"].clone()))
        .collect();
    assert_eq!(
        authors,
        [
            (json!("visitor"), json!("Hello")),
            (json!("visitor"), json!("Line one\nline two")),
            (json!("agent"), json!("How can we help?")),
        ]
    );

    let text = app
        .api(Method::GET, &format!("{path}?format=text"), &viewer, None)
        .await;
    assert_eq!(text.status, StatusCode::OK, "{}", text.body);
    assert_eq!(
        text.header(header::CONTENT_TYPE),
        Some("text/plain; charset=utf-8")
    );
    assert!(
        text.header(header::CONTENT_DISPOSITION)
            .is_some_and(|value| value.ends_with(".txt\""))
    );
    assert!(
        text.body
            .starts_with(&format!("Conversation {id} on Website\nVisitor: anonymous")),
        "{}",
        text.body
    );
    assert!(text.body.contains("Visitor:\n    Line one\n    line two\n"));
    assert!(text.body.ends_with("Agent:\n    How can we help?\n"));

    // The visitor downloads the same conversation from the messenger, with their session.
    let own = visitor(
        &app,
        Method::GET,
        "/messenger/v1/transcript?format=text",
        Some(&session),
        None,
    )
    .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    let kept = |body: &str| -> Vec<String> {
        let lines = body.lines().filter(|line| !line.starts_with("Exported "));
        lines.map(str::to_owned).collect()
    };
    assert_eq!(
        kept(&own.body),
        kept(&text.body),
        "the agent's transcript, word for word"
    );
    assert!(own.body.ends_with("Agent:\n    How can we help?\n"));
    let other = anonymous(&app, &deployment).await;
    let none = visitor(
        &app,
        Method::GET,
        "/messenger/v1/transcript",
        Some(&other),
        None,
    )
    .await;
    assert_eq!(
        none.status,
        StatusCode::NOT_FOUND,
        "another visitor sees nothing of it"
    );
    let signed_out = visitor(&app, Method::GET, "/messenger/v1/transcript", None, None).await;
    assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED);

    // Longer than one read of messages: every message is in it, in order.
    let conversation_id: uuid::Uuid = id.parse().unwrap();
    let many = (0..(switchboard_core::conversations::PAGE + 20)).map(|n| message::ActiveModel {
        conversation_id: Set(conversation_id),
        author: Set("visitor".into()),
        text: Set(format!("message {n}")),
        created_at: Set(chrono::Utc::now()),
        authenticated: Set(false),
        ..Default::default()
    });
    message::Entity::insert_many(many)
        .exec(app.db())
        .await
        .unwrap();
    let long = app.api(Method::GET, &path, &viewer, None).await.json();
    let messages = long["messages"].as_array().unwrap();
    assert_eq!(
        messages.len() as u64,
        switchboard_core::conversations::PAGE + 23
    );
    assert_eq!(messages.last().unwrap()["text"], "message 519");

    let refused = app
        .api(Method::GET, &format!("{path}?format=pdf"), &viewer, None)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        refused.json()["message"],
        "Ask for format=json or format=text."
    );
    let unknown = format!("/api/v2/conversations/{}/transcript", uuid::Uuid::new_v4());
    assert_eq!(
        app.api(Method::GET, &unknown, &viewer, None).await.status,
        StatusCode::NOT_FOUND
    );
    let anonymous = app
        .send(Request::builder().uri(&path).body(Body::empty()).unwrap())
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}
