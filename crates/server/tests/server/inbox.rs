//! Working the inbox: assignment (to oneself, to another admin, to no one), the inbox's parts
//! ("Mine", "Unassigned", "All", "Closed") and search by identity and message text, on SQLite
//! (FTS5) and PostgreSQL (full-text indexes); canned replies.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Utc;
use common::{Answer, TestApp, read_until};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use switchboard_db::entities::{admin, audit_event, conversation, message};
use switchboard_db::test_on_each_engine;
use switchboard_domain::admin::Role;
use uuid::Uuid;

test_on_each_engine!(
    conversations_are_assigned_and_the_inbox_has_parts,
    assignment_is_checked,
    search_finds_identities_and_messages,
    canned_replies_are_kept_by_name,
    the_console_hears_the_inbox_live,
    console_streams_need_a_caller_and_are_capped,
);

/// A JSON call from the console, with the admin's session cookie.
pub(crate) async fn as_admin(
    app: &TestApp,
    cookie: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::COOKIE, cookie)
        .header(header::ORIGIN, app.origin());
    let request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    };
    app.send(request.unwrap()).await
}

/// An admin of `role` with the email `email`, signed in: their id and session cookie.
pub(crate) async fn agent(app: &TestApp, email: &str, role: Role) -> (String, String) {
    app.admin(email, role).await;
    let cookie = app.sign_in(email).await;
    let row = admin::Entity::find()
        .filter(admin::Column::Email.eq(email))
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    (row.id.to_string(), cookie)
}

/// `count` conversations, each from a new anonymous visitor; their ids, oldest first.
async fn conversations(app: &TestApp, token: &str, count: usize) -> Vec<String> {
    let authentication =
        json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false});
    let deployment = app.deployed_messenger(token, authentication).await;
    let mut ids = vec![];
    for n in 0..count {
        let session = visitor(app, &deployment).await;
        visitor_says(app, &session, &format!("Visitor {n}")).await;
        let id: Uuid = conversation::Entity::find()
            .all(app.db())
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.id)
            .find(|id| !ids.contains(&id.to_string()))
            .unwrap();
        ids.push(id.to_string());
    }
    ids
}

/// A new anonymous visitor's messenger session on `deployment`.
pub(crate) async fn visitor(app: &TestApp, deployment: &str) -> String {
    let session = app
        .send(
            Request::post("/messenger/v1/sessions")
                .header(header::ORIGIN, "https://customer.example")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"deploymentId": deployment}).to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(session.status, StatusCode::CREATED, "{}", session.body);
    session.json()["token"].as_str().unwrap().to_owned()
}

/// The visitor of `session` posts `text`, or with an empty `text` says they are typing.
pub(crate) async fn visitor_says(app: &TestApp, session: &str, text: &str) -> Answer {
    let (path, body) = if text.is_empty() {
        ("/messenger/v1/typing", json!({}))
    } else {
        ("/messenger/v1/messages", json!({ "text": text }))
    };
    let sent = app
        .send(
            Request::post(path)
                .header(header::ORIGIN, "https://customer.example")
                .header(header::AUTHORIZATION, format!("Bearer {session}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await;
    assert!(sent.status.is_success(), "{path}: {}", sent.body);
    sent
}

/// The ids of a part of the inbox, as the caller with `cookie` sees it, newest activity first.
async fn part(app: &TestApp, cookie: &str, query: &str) -> Vec<String> {
    let path = format!("/api/v2/conversations?{query}");
    let answer = as_admin(app, cookie, Method::GET, &path, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
    let mut ids: Vec<String> = answer
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|id| (*id).clone()).collect();
    ids.sort();
    ids
}

async fn assign(app: &TestApp, cookie: &str, id: &str, to: Value) -> Answer {
    let path = format!("/api/v2/conversations/{id}/assignee");
    as_admin(
        app,
        cookie,
        Method::POST,
        &path,
        Some(json!({"adminId": to})),
    )
    .await
}

async fn assign_events(db: &DatabaseConnection) -> Vec<(String, Value)> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("conversation.assign"))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|event| (event.actor, event.changes))
        .collect()
}

async fn conversations_are_assigned_and_the_inbox_has_parts(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("setup", Role::Admin).await;
    let (ada, ada_cookie) = agent(&app, "ada@example.com", Role::Admin).await;
    let (bob, bob_cookie) = agent(&app, "bob@example.com", Role::Admin).await;
    agent(&app, "vic@example.com", Role::Viewer).await;
    let ids = conversations(&app, &token, 3).await;
    let [first, second, third] = [&ids[0], &ids[1], &ids[2]];

    // Viewers cannot answer, so they are not offered.
    let agents = app.api(Method::GET, "/api/v2/agents", &token, None).await;
    assert_eq!(agents.status, StatusCode::OK, "{}", agents.body);
    assert_eq!(
        agents.json(),
        json!([{"id": ada, "email": "ada@example.com"}, {"id": bob, "email": "bob@example.com"}])
    );

    let taken = assign(&app, &ada_cookie, first, json!(ada)).await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    assert_eq!(taken.json(), json!({"id": ada, "email": "ada@example.com"}));
    let given = assign(&app, &ada_cookie, second, json!(bob)).await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.body);

    assert_eq!(
        part(&app, &ada_cookie, "filter=mine").await,
        sorted(&[first])
    );
    assert_eq!(
        part(&app, &bob_cookie, "filter=mine").await,
        sorted(&[second])
    );
    assert_eq!(
        part(&app, &bob_cookie, "filter=unassigned").await,
        sorted(&[third])
    );
    assert_eq!(
        part(&app, &bob_cookie, "filter=all").await,
        sorted(&[first, second, third])
    );
    assert_eq!(
        part(&app, &bob_cookie, "").await,
        sorted(&[first, second, third])
    );
    assert!(part(&app, &bob_cookie, "filter=closed").await.is_empty());

    // The inbox and the conversation both say who has it.
    let inbox = as_admin(
        &app,
        &bob_cookie,
        Method::GET,
        "/api/v2/conversations",
        None,
    )
    .await;
    let line = inbox
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == *first)
        .cloned();
    assert_eq!(line.unwrap()["assignee"]["email"], "ada@example.com");

    // Closed conversations leave "Mine" and "Unassigned" for "Closed".
    let closed = Uuid::parse_str(first).unwrap();
    conversation::Entity::update_many()
        .col_expr(conversation::Column::Status, Expr::value("closed"))
        .filter(conversation::Column::Id.eq(closed))
        .exec(db)
        .await
        .unwrap();
    assert!(part(&app, &ada_cookie, "filter=mine").await.is_empty());
    assert_eq!(
        part(&app, &ada_cookie, "filter=closed").await,
        sorted(&[first])
    );

    // Unassigning puts it back; taking what one has changes nothing.
    let released = assign(&app, &bob_cookie, second, Value::Null).await;
    assert_eq!(
        (released.status, released.json()),
        (StatusCode::OK, Value::Null)
    );
    assert_eq!(
        part(&app, &ada_cookie, "filter=unassigned").await,
        sorted(&[second, third])
    );
    let again = assign(&app, &ada_cookie, first, json!(ada)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);

    assert_eq!(
        assign_events(db).await,
        [
            (
                "ada@example.com".to_owned(),
                json!(["assignee: no one -> ada@example.com"])
            ),
            (
                "ada@example.com".to_owned(),
                json!(["assignee: no one -> bob@example.com"])
            ),
            (
                "bob@example.com".to_owned(),
                json!(["assignee: bob@example.com -> no one"])
            ),
        ]
    );
}

async fn assignment_is_checked(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("setup", Role::Admin).await;
    let (_, cookie) = agent(&app, "ada@example.com", Role::Admin).await;
    let (vic, vic_cookie) = agent(&app, "vic@example.com", Role::Viewer).await;
    let ids = conversations(&app, &token, 1).await;

    let viewer = assign(&app, &cookie, &ids[0], json!(vic)).await;
    assert_eq!(
        viewer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        viewer.body
    );
    assert_eq!(
        viewer.field_error("adminId"),
        "vic@example.com is a viewer and cannot answer conversations."
    );
    let stranger = Uuid::new_v4();
    let unknown = assign(&app, &cookie, &ids[0], json!(stranger)).await;
    assert_eq!(
        unknown.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unknown.body
    );
    assert_eq!(
        unknown.field_error("adminId"),
        format!("No admin has the id {stranger}.")
    );
    let missing = assign(&app, &cookie, &Uuid::new_v4().to_string(), Value::Null).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    let by_viewer = assign(&app, &vic_cookie, &ids[0], Value::Null).await;
    assert_eq!(
        by_viewer.status,
        StatusCode::FORBIDDEN,
        "{}",
        by_viewer.body
    );
    let path = format!("/api/v2/conversations/{}/assignee", ids[0]);
    let typo = as_admin(
        &app,
        &cookie,
        Method::POST,
        &path,
        Some(json!({"admin": null})),
    )
    .await;
    assert_eq!(
        typo.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        typo.body
    );
    let cross_site = app
        .send(
            Request::post(&path)
                .header(header::COOKIE, &cookie)
                .header(header::ORIGIN, "https://evil.example")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"adminId": null}).to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);

    let bad_filter = as_admin(
        &app,
        &cookie,
        Method::GET,
        "/api/v2/conversations?filter=yours",
        None,
    )
    .await;
    assert_eq!(
        bad_filter.status,
        StatusCode::BAD_REQUEST,
        "{}",
        bad_filter.body
    );
    assert!(bad_filter.body.contains("filter"), "{}", bad_filter.body);
    assert!(assign_events(db).await.is_empty(), "nothing was changed");
}

/// A conversation stored as a signed-in visitor's, with `texts` as their messages.
async fn stored(
    db: &DatabaseConnection,
    deployment: Uuid,
    identity: Option<Value>,
    texts: &[&str],
) -> String {
    let now = Utc::now();
    let id = Uuid::new_v4();
    conversation::ActiveModel {
        id: Set(id),
        deployment_id: Set(deployment),
        identity: Set(identity),
        status: Set("open".into()),
        created_at: Set(now),
        last_activity_at: Set(now),
        agent_read_id: Set(0),
        person: Set(None),
        visitor_typing_at: Set(None),
        assignee_id: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    for text in texts {
        message::ActiveModel {
            conversation_id: Set(id),
            author: Set("visitor".into()),
            text: Set((*text).to_owned()),
            created_at: Set(now),
            authenticated: Set(true),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    id.to_string()
}

async fn search_finds_identities_and_messages(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("setup", Role::Admin).await;
    let (_, cookie) = agent(&app, "ada@example.com", Role::Admin).await;
    let anonymous = conversations(&app, &token, 1).await.remove(0);
    let deployment = conversation::Entity::find()
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .deployment_id;
    let identity = |name: &str, email: &str, subject: &str| {
        json!({"issuer": "https://idp.example", "subject": subject, "email": email,
               "emailVerified": true, "name": name, "groups": []})
    };
    let grace = stored(
        db,
        deployment,
        Some(identity("Grace Hopper", "grace@navy.example", "00u42grace")),
        &["My invoice is wrong", "Order #7731 never came"],
    )
    .await;
    let linus = stored(
        db,
        deployment,
        Some(identity("Linus Zoë", "linus@kernel.example", "00u7linus")),
        &["I want a refund, please."],
    )
    .await;

    let search = |q: &str| {
        let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
        format!("q={q}")
    };
    for (q, expected) in [
        ("grace", vec![&grace]),
        ("HOPPER", vec![&grace]),
        ("navy.example", vec![&grace]),
        ("grace@navy.example", vec![&grace]),
        ("00u7linus", vec![&linus]),
        ("refund", vec![&linus]),
        ("ref", vec![&linus]),
        ("order 7731", vec![&grace]),
        ("Visitor 0", vec![&anonymous]),
        ("zoë", vec![&linus]),
        ("example", vec![&grace, &linus]),
        ("refund grace", vec![]),
        ("nothing-like-this", vec![]),
    ] {
        assert_eq!(
            part(&app, &cookie, &search(q)).await,
            sorted(&expected),
            "search {q:?}"
        );
    }
    // Punctuation alone looks for nothing, so it finds everything.
    assert_eq!(part(&app, &cookie, &search("  ?* ")).await.len(), 3);
    // A part and a search together.
    assert!(
        part(
            &app,
            &cookie,
            &format!("filter=closed&{}", search("refund"))
        )
        .await
        .is_empty()
    );

    // A conversation that gains an identity is found by it, and no longer by what it had.
    let renamed = Uuid::parse_str(&linus).unwrap();
    conversation::Entity::update_many()
        .col_expr(
            conversation::Column::Identity,
            Expr::value(identity("Ken Thompson", "ken@unix.example", "00u9ken")),
        )
        .filter(conversation::Column::Id.eq(renamed))
        .exec(db)
        .await
        .unwrap();
    assert_eq!(
        part(&app, &cookie, &search("thompson")).await,
        sorted(&[&linus])
    );
    assert!(part(&app, &cookie, &search("kernel")).await.is_empty());
    // Messages sent through the messenger are found at once.
    assert_eq!(
        part(&app, &cookie, &search("visitor")).await,
        sorted(&[&anonymous])
    );

    let long = as_admin(
        &app,
        &cookie,
        Method::GET,
        &format!("/api/v2/conversations?{}", search(&"x".repeat(201))),
        None,
    )
    .await;
    assert_eq!(
        long.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        long.body
    );
    assert!(
        long.field_error("q").contains("at most 200 characters"),
        "{}",
        long.body
    );
}

async fn canned_replies_are_kept_by_name(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let viewer = app.token("viewer", Role::Viewer).await;
    let path = "/api/v2/canned-replies";
    let body = json!({"name": "/thanks", "text": "Thank you for writing!\n"});
    let created = app.api(Method::POST, path, &token, Some(body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(
        created.json()["name"],
        "thanks",
        "the slash is what one types, not the name"
    );
    assert_eq!(created.json()["text"], "Thank you for writing!");
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let other = json!({"name": "refund", "text": "Refunds take five days."});
    let second = app.api(Method::POST, path, &token, Some(other)).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);

    let taken = app
        .api(
            Method::POST,
            path,
            &token,
            Some(json!({"name": "thanks", "text": "Again"})),
        )
        .await;
    assert_eq!(
        taken.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        taken.body
    );
    assert_eq!(
        taken.field_error("name"),
        "A canned reply named /thanks exists already; pick another name."
    );
    let bad = app
        .api(
            Method::POST,
            path,
            &token,
            Some(json!({"name": "Two Words", "text": " "})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(
        bad.field_error("name").contains("lowercase letters"),
        "{}",
        bad.body
    );
    assert_eq!(bad.field_error("text"), "Write a message first.");
    let by_viewer = app
        .api(
            Method::POST,
            path,
            &viewer,
            Some(json!({"name": "hi", "text": "Hi"})),
        )
        .await;
    assert_eq!(
        by_viewer.status,
        StatusCode::FORBIDDEN,
        "{}",
        by_viewer.body
    );

    let one = format!("{path}/{id}");
    let renamed = app
        .api(
            Method::PUT,
            &one,
            &token,
            Some(json!({"name": "ty", "text": "Thanks!"})),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    let onto_other = app
        .api(
            Method::PUT,
            &one,
            &token,
            Some(json!({"name": "refund", "text": "x"})),
        )
        .await;
    assert_eq!(
        onto_other.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        onto_other.body
    );

    // Everyone reads them (viewers too), by name.
    let list = app.api(Method::GET, path, &viewer, None).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let names: Vec<_> = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].clone())
        .collect();
    assert_eq!(names, [json!("refund"), json!("ty")]);

    let deleted = app.api(Method::DELETE, &one, &token, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    let gone = app.api(Method::DELETE, &one, &token, None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{}", gone.body);

    let actions: Vec<String> = audit_event::Entity::find()
        .filter(audit_event::Column::ObjectType.eq("canned_reply"))
        .order_by_asc(audit_event::Column::At)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|event| format!("{} {}", event.action, event.changes))
        .collect();
    assert_eq!(
        actions,
        [
            r#"canned_reply.create ["name: thanks"]"#,
            r#"canned_reply.create ["name: refund"]"#,
            r#"canned_reply.update ["name: thanks -> ty","text"]"#,
            r#"canned_reply.delete ["name: ty"]"#,
        ]
    );
}

/// `GET /api/v2/events` with the session `cookie`: the open stream's body.
async fn console_events(app: &TestApp, cookie: &str) -> Body {
    let request = Request::get("/api/v2/events")
        .header(header::COOKIE, cookie)
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .body(Body::empty())
        .unwrap();
    let response = app.open(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    // Each event must go out as it happens: a compressor would hold it back.
    assert!(!response.headers().contains_key(header::CONTENT_ENCODING));
    response.into_body()
}

async fn the_console_hears_the_inbox_live(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let (ada, cookie) = agent(&app, "ada@example.com", Role::Admin).await;
    let authentication =
        json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false});
    let deployment = app.deployed_messenger(&token, authentication).await;
    let session = visitor(&app, &deployment).await;
    let mut stream = console_events(&app, &cookie).await;

    let id = visitor_says(&app, &session, "Where is my parcel?")
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let conversation = conversation::Entity::find()
        .one(app.db())
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let heard = read_until(&mut stream, &["Where is my parcel?".into()]).await;
    let data = heard
        .lines()
        .find_map(|line| line.strip_prefix("data:"))
        .expect("the message event has data");
    let announced: Value = serde_json::from_str(data.trim()).unwrap();
    assert_eq!(announced["conversationId"], conversation.as_str());
    assert_eq!(announced["assigneeId"], Value::Null);
    assert_eq!(announced["visitor"], "Anonymous visitor");
    assert_eq!(announced["message"]["id"], id);
    assert_eq!(announced["message"]["author"], "visitor");
    assert!(heard.contains("event: message"), "{heard}");

    // The visitor typing, an agent reading, an assignment: each names the conversation.
    let signal = format!(r#"{{"conversationId":"{conversation}"}}"#);
    visitor_says(&app, &session, "").await;
    let typing = read_until(&mut stream, &["event: typing".into()]).await;
    assert!(typing.contains(&signal), "{typing}");
    let path = format!("/api/v2/conversations/{conversation}/read");
    let read = as_admin(
        &app,
        &cookie,
        Method::POST,
        &path,
        Some(json!({"upTo": id})),
    )
    .await;
    assert_eq!(read.status, StatusCode::NO_CONTENT, "{}", read.body);
    let heard = read_until(&mut stream, &["event: read".into()]).await;
    assert!(heard.contains(&signal), "{heard}");
    assert_eq!(
        assign(&app, &cookie, &conversation, json!(ada))
            .await
            .status,
        StatusCode::OK
    );
    let heard = read_until(&mut stream, &["event: conversation".into()]).await;
    assert!(heard.contains(&signal), "{heard}");

    // The agent's own reply is announced too, now with the assignee.
    let path = format!("/api/v2/conversations/{conversation}/messages");
    let reply = json!({"text": "It left this morning."});
    let sent = as_admin(&app, &cookie, Method::POST, &path, Some(reply)).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    let heard = read_until(&mut stream, &["It left this morning.".into()]).await;
    assert!(
        heard.contains(&format!(r#""assigneeId":"{ada}""#)),
        "{heard}"
    );
    assert!(heard.contains(r#""author":"agent""#), "{heard}");
}

async fn console_streams_need_a_caller_and_are_capped(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let anonymous = app
        .open(Request::get("/api/v2/events").body(Body::empty()).unwrap())
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // An API token opens one as well as a session does.
    let token = app.token("reader", Role::Viewer).await;
    let with_token = app
        .open(
            Request::get("/api/v2/events")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(with_token.status(), StatusCode::OK);

    let (_, cookie) = agent(&app, "ada@example.com", Role::Admin).await;
    let mut open = vec![];
    for _ in 0..switchboard_server::api::events::PER_ADMIN {
        open.push(console_events(&app, &cookie).await);
    }
    let request = || {
        Request::get("/api/v2/events")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap()
    };
    let refused = app.send(request()).await;
    assert_eq!(
        refused.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        refused.body
    );
    assert!(refused.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(refused.json()["error"], "rate_limited");
    // Closing a tab gives its place back.
    open.pop();
    assert_eq!(app.open(request()).await.status(), StatusCode::OK);
}
