//! The defects an outside review found in the console, the limits and the messenger runtime,
//! each driven through the real router: redirects after sign-in, parallel password guesses,
//! clients behind a proxy, the CSRF exemption, what a viewer may do, body sizes, HSTS,
//! http origins, "allow all domains" with sign-in, event stream caps, and log retention.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::{Duration, Utc};
use common::{Answer, BASE, PASSWORD, TestApp};
use leptos::server_fn::ServerFn;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, PaginatorTrait, Set};
use serde_json::{Value, json};
use switchboard_app::pages::conversation::LoadConversation;
use switchboard_app::pages::integration::SaveIntegrationCredentials;
use switchboard_core::audit;
use switchboard_core::retention::{self, Retention};
use switchboard_db::entities::{audit_event, auth_flow, sign_in_attempt};
use switchboard_db::test_on_each_engine;
use switchboard_domain::admin::Role;
use switchboard_server::WebSettings;
use switchboard_server::client_address::TrustedProxies;

test_on_each_engine!(
    sign_in_never_redirects_off_the_site,
    parallel_guesses_are_counted_before_they_are_checked,
    limits_count_the_client_behind_a_trusted_proxy,
    a_bearer_header_lifts_csrf_only_without_the_cookie,
    a_viewer_changes_nothing_by_looking,
    oversized_bodies_are_refused_with_413,
    https_base_urls_send_hsts,
    http_pages_are_not_allowed_domains,
    allow_all_domains_refuses_sign_in,
    event_streams_are_capped_per_session,
    logs_keep_entries_for_their_retention,
);

const EVIL: &str = "https://evil.example";

fn login(email: &str, password: &str, next: Option<&str>) -> Request<Body> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("email", email)
        .append_pair("password", password);
    if let Some(next) = next {
        form.append_pair("next", next);
    }
    Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, BASE)
        .body(Body::from(form.finish()))
        .unwrap()
}

async fn audit_changes(app: &TestApp, action: &str) -> Vec<String> {
    audit::list(app.db(), None, 0)
        .await
        .unwrap()
        .events
        .into_iter()
        .filter(|event| event.action == action)
        .flat_map(|event| event.changes)
        .collect()
}

async fn sign_in_never_redirects_off_the_site(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    app.admin("ada@example.com", Role::Admin).await;
    for hostile in [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\\evil.example",
        "//evil.example",
        " //evil.example",
        "https://evil.example/admin",
    ] {
        let answer = app
            .send(login("ada@example.com", PASSWORD, Some(hostile)))
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{hostile:?}");
        assert_eq!(
            answer.location(),
            Some("/admin/integrations"),
            "{hostile:?}"
        );
    }
    // A control character used to make the handler panic after a successful sign-in.
    let answer = app
        .send(login(
            "ada@example.com",
            PASSWORD,
            Some("/admin/audit\u{7f}"),
        ))
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(answer.location().unwrap().starts_with("/admin/audit"));
    assert!(answer.session_cookie().is_some());
}

async fn parallel_guesses_are_counted_before_they_are_checked(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    app.admin("ada@example.com", Role::Admin).await;
    let allowed = app.services.settings().sign_in.per_account as usize;
    let guesses = (0..40).map(|n| app.send(login("ada@example.com", &format!("guess {n}"), None)));
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|answer| answer.status == StatusCode::UNAUTHORIZED)
        .count();
    let limited = answers
        .iter()
        .filter(|answer| answer.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(
        checked <= allowed,
        "{checked} parallel guesses were checked"
    );
    assert_eq!(checked + limited, answers.len());
    let failures = audit_changes(&app, "admin.sign_in_failed").await;
    assert!(failures.len() <= allowed, "{failures:?}");
    // The limit still holds afterwards, for the right password too.
    let answer = app.send(login("ada@example.com", PASSWORD, None)).await;
    assert_eq!(
        answer.status == StatusCode::TOO_MANY_REQUESTS,
        checked == allowed
    );
}

async fn limits_count_the_client_behind_a_trusted_proxy(db: &DatabaseConnection) {
    let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
    let app = TestApp::with_web(
        db,
        WebSettings::new(BASE.to_owned()).with_trusted_proxies(proxies),
    );
    let through = |forwarded: &str| {
        let mut request = login("nobody@example.com", "guess", None);
        request
            .headers_mut()
            .insert("x-forwarded-for", forwarded.parse().unwrap());
        request
    };
    // Through our proxy: the client it names, not the proxy; the client's own claim before
    // it ("1.1.1.1") is ignored.
    app.send_from("10.0.0.2:5000", through("1.1.1.1, 198.51.100.7"))
        .await;
    // Straight from the internet: the header is the client's own word and counts for nothing.
    app.send_from("203.0.113.5:5000", through("198.51.100.8"))
        .await;
    // IPv6 clients are counted by their /64.
    app.send_from("[2001:db8:1:2::5]:5000", through("198.51.100.9"))
        .await;
    let changes = audit_changes(&app, "admin.sign_in_failed").await;
    for expected in [
        "from 198.51.100.7",
        "from 203.0.113.5",
        "from 2001:db8:1:2::/64",
    ] {
        assert!(changes.iter().any(|c| c == expected), "{changes:?}");
    }

    // The messenger's per-address limit counts clients behind the proxy one by one.
    let start = |forwarded: &str| {
        Request::get(format!(
            "/messenger/auth/start?deployment={}",
            uuid::Uuid::new_v4()
        ))
        .header("x-forwarded-for", forwarded)
        .body(Body::empty())
        .unwrap()
    };
    for _ in 0..120 {
        let answer = app.send_from("10.0.0.2:5000", start("198.51.100.20")).await;
        assert_ne!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    }
    let limited = app.send_from("10.0.0.2:5000", start("198.51.100.20")).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let neighbour = app.send_from("10.0.0.2:5000", start("198.51.100.21")).await;
    assert_ne!(neighbour.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn a_bearer_header_lifts_csrf_only_without_the_cookie(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let cookie = app.signed_in(Role::Admin).await;
    let token = app.token("deploy", Role::Admin).await;
    let install = |authorization: Option<String>, cookie: Option<&str>| {
        let mut request = Request::post("/api/v2/integrations")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ORIGIN, EVIL)
            .header("sec-fetch-site", "cross-site");
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        app.send(request.body(Body::from("{}")).unwrap())
    };
    // Another scheme, with the admin's cookie doing the authenticating: a forgery.
    let basic = install(Some("Basic Zm9vOmJhcg==".into()), Some(&cookie)).await;
    assert_eq!(basic.status, StatusCode::FORBIDDEN, "{}", basic.body);
    // A bearer token with the cookie riding along is checked too.
    let both = install(Some(format!("Bearer {token}")), Some(&cookie)).await;
    assert_eq!(both.status, StatusCode::FORBIDDEN, "{}", both.body);
    // An API client: bearer token, no cookie.
    let api = install(Some(format!("Bearer {token}")), None).await;
    assert_eq!(api.status, StatusCode::CREATED, "{}", api.body);
}

/// A visitor's conversation with one message on an anonymous messenger; its id.
async fn conversation(app: &TestApp, token: &str) -> String {
    let authentication =
        json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false});
    let deployment = app.deployed_messenger(token, authentication).await;
    let visitor = |path: &str, session: Option<&str>, body: Value| {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ORIGIN, "https://customer.example");
        if let Some(session) = session {
            request = request.header(header::AUTHORIZATION, format!("Bearer {session}"));
        }
        app.send(request.body(Body::from(body.to_string())).unwrap())
    };
    let session = visitor(
        "/messenger/v1/sessions",
        None,
        json!({"deploymentId": deployment}),
    )
    .await;
    assert_eq!(session.status, StatusCode::CREATED, "{}", session.body);
    let session = session.json()["token"].as_str().unwrap().to_owned();
    let sent = visitor(
        "/messenger/v1/messages",
        Some(&session),
        json!({"text": "Hello?"}),
    )
    .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    let list = app
        .api(Method::GET, "/api/v2/conversations", token, None)
        .await;
    list.json()[0]["id"].as_str().unwrap().to_owned()
}

async fn unread(app: &TestApp, token: &str) -> u64 {
    let list = app
        .api(Method::GET, "/api/v2/conversations", token, None)
        .await;
    list.json()[0]["unread"].as_u64().unwrap()
}

async fn a_viewer_changes_nothing_by_looking(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let id = conversation(&app, &token).await;
    assert_eq!(unread(&app, &token).await, 1);
    let viewer = app.signed_in(Role::Viewer).await;
    let load = |cookie: String| {
        let request = Request::post(LoadConversation::PATH)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, BASE)
            .header(header::COOKIE, cookie)
            .body(Body::from(format!("id={id}")))
            .unwrap();
        app.send(request)
    };
    let seen = load(viewer.clone()).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    assert!(seen.body.contains("Hello?"));
    assert_eq!(unread(&app, &token).await, 1, "a viewer marked it read");
    // An admin opening it does mark it read (so the check above can fail).
    let admin = app.signed_in(Role::Admin).await;
    assert_eq!(load(admin).await.status, StatusCode::OK);
    assert_eq!(unread(&app, &token).await, 0);

    // Test sign-in stores a flow and writes the sign-in log: not for viewers.
    let integration = app.active_integration(&token).await;
    let answer = app
        .get(
            &format!("/admin/integrations/{integration}/test-sign-in"),
            Some(&viewer),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    assert!(answer.body.contains("forbidden"));
    assert_eq!(auth_flow::Entity::find().count(app.db()).await.unwrap(), 0);
}

fn assert_too_large(answer: &Answer) {
    assert_eq!(
        answer.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.body
    );
    assert_eq!(answer.json()["error"], "payload_too_large");
    assert!(answer.json()["message"].as_str().unwrap().contains("KiB"));
}

async fn oversized_bodies_are_refused_with_413(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let cookie = app.signed_in(Role::Admin).await;
    let token = app.token("deploy", Role::Admin).await;
    let post = |path: &str, content_type: &str, body: Body, cookie: Option<&str>| {
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, content_type)
            .header(header::ORIGIN, BASE);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        app.send(request.body(body).unwrap())
    };
    let form = "application/x-www-form-urlencoded";
    // A server function beyond axum's own 2 MB limit used to answer 500.
    let huge = format!(
        "id={}&client_id={}",
        uuid::Uuid::new_v4(),
        "x".repeat(3 << 20)
    );
    assert_too_large(
        &post(
            SaveIntegrationCredentials::PATH,
            form,
            Body::from(huge),
            Some(&cookie),
        )
        .await,
    );
    // The console's own limit is far smaller.
    let large = format!("email=a%40example.com&password={}", "x".repeat(100 << 10));
    assert_too_large(&post("/login", form, Body::from(large), None).await);
    // The messenger takes a message, not a book.
    let message = json!({"text": "x".repeat(40 << 10)}).to_string();
    assert_too_large(
        &post(
            "/messenger/v1/messages",
            "application/json",
            Body::from(message),
            None,
        )
        .await,
    );
    // A streamed body without Content-Length is cut off at the limit too.
    let chunks = (0..40).map(|_| Ok::<_, std::io::Error>(vec![b' '; 64 << 10]));
    let streamed = Request::post("/api/v2/integrations")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    assert_too_large(&app.send(streamed).await);
    // Bodies within the limits still work.
    let normal = app
        .api(
            Method::POST,
            "/api/v2/integrations",
            &token,
            Some(json!({})),
        )
        .await;
    assert_eq!(normal.status, StatusCode::CREATED, "{}", normal.body);
}

async fn https_base_urls_send_hsts(db: &DatabaseConnection) {
    let secure = TestApp::with_web(db, WebSettings::new("https://chat.example.com".into()));
    let answer = secure.get("/healthz", None).await;
    assert_eq!(
        answer.header(header::STRICT_TRANSPORT_SECURITY),
        Some("max-age=31536000")
    );
    let login = secure.get("/login", None).await;
    assert!(login.header(header::STRICT_TRANSPORT_SECURITY).is_some());
    let plain = TestApp::new(db);
    let answer = plain.get("/healthz", None).await;
    assert_eq!(answer.header(header::STRICT_TRANSPORT_SECURITY), None);
}

async fn http_pages_are_not_allowed_domains(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let authentication =
        json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false});
    let deployment = app.deployed_messenger(&token, authentication).await;
    let (on, id) = (&app, &deployment);
    let frame = move |origin: &str| {
        let path = format!(
            "/messenger/frame?deployment={id}&origin={}",
            url::form_urlencoded::byte_serialize(origin.as_bytes()).collect::<String>()
        );
        async move { on.get(&path, None).await }
    };
    assert_eq!(
        frame("https://customer.example").await.status,
        StatusCode::OK
    );
    // Anyone on the visitor's network can answer for http://customer.example.
    assert_eq!(
        frame("http://customer.example").await.status,
        StatusCode::FORBIDDEN
    );
    let config = |origin: &str| {
        let request = Request::get(format!("/messenger/v1/deployments/{deployment}/config"))
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .unwrap();
        app.send(request)
    };
    assert_eq!(
        config("https://customer.example")
            .await
            .header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("https://customer.example")
    );
    assert_eq!(
        config("http://customer.example")
            .await
            .header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        None
    );
    // Written out with http:// by the admin, the http site is allowed.
    let path = format!("/api/v2/messenger/deployments/{deployment}");
    let mut input = app.api(Method::GET, &path, &token, None).await.json();
    input["allowedDomains"] = json!(["http://customer.example"]);
    let saved = app.api(Method::PUT, &path, &token, Some(input)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(
        saved.json()["allowedDomains"],
        json!(["http://customer.example"])
    );
    assert_eq!(
        frame("http://customer.example").await.status,
        StatusCode::OK
    );
}

async fn allow_all_domains_refuses_sign_in(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let integration = app.active_integration(&token).await;
    let signed =
        json!({"enabled": true, "integrationId": integration, "allowSessionUpgrade": false});
    let deployment = app.deployed_messenger(&token, signed.clone()).await;
    let path = format!("/api/v2/messenger/deployments/{deployment}");
    let mut input = app.api(Method::GET, &path, &token, None).await.json();
    input["allowAllDomains"] = json!(true);
    let refused = app.api(Method::PUT, &path, &token, Some(input)).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused
            .field_error("allowAllDomains")
            .contains("any site could frame")
    );

    // Without sign-in, allowing all domains is fine; publishing sign-in to it later is not.
    let open = json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false});
    let public = app.deployed_messenger(&token, open).await;
    let path = format!("/api/v2/messenger/deployments/{public}");
    let mut input = app.api(Method::GET, &path, &token, None).await.json();
    input["allowAllDomains"] = json!(true);
    let saved = app.api(Method::PUT, &path, &token, Some(input)).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let configuration = saved.json()["configuration"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let config_path = format!("/api/v2/messenger/configurations/{configuration}");
    let mut config = app
        .api(Method::GET, &config_path, &token, None)
        .await
        .json();
    config["draft"]["authentication"] = signed;
    let draft = app
        .api(Method::PUT, &config_path, &token, Some(config))
        .await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.body);
    let publish = app
        .api(
            Method::POST,
            &format!("{config_path}/versions/draft/publish"),
            &token,
            None,
        )
        .await;
    assert_eq!(publish.status, StatusCode::CONFLICT, "{}", publish.body);
    assert!(
        publish.json()["message"]
            .as_str()
            .unwrap()
            .contains("Website")
    );
}

async fn event_streams_are_capped_per_session(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let authentication =
        json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false});
    let deployment = app.deployed_messenger(&token, authentication).await;
    let started = app
        .send(
            Request::post("/messenger/v1/sessions")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"deploymentId": deployment}).to_string()))
                .unwrap(),
        )
        .await;
    let session = started.json()["token"].as_str().unwrap().to_owned();
    let open = || {
        app.open(
            Request::get("/messenger/v1/events")
                .header(header::AUTHORIZATION, format!("Bearer {session}"))
                .body(Body::empty())
                .unwrap(),
        )
    };
    let mut streams = Vec::new();
    for _ in 0..5 {
        let stream = open().await;
        assert_eq!(stream.status(), StatusCode::OK);
        streams.push(stream);
    }
    let refused = open().await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key(header::RETRY_AFTER));
    // A closed stream gives its place back.
    streams.pop();
    assert_eq!(open().await.status(), StatusCode::OK);
}

async fn logs_keep_entries_for_their_retention(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("admin", Role::Admin).await;
    let integration: uuid::Uuid = app.active_integration(&token).await.parse().unwrap();
    let now = Utc::now();
    for days in [1, 100] {
        sign_in_attempt::ActiveModel {
            id: Set(uuid::Uuid::new_v4()),
            integration_id: Set(integration),
            deployment_id: Set(None),
            purpose: Set("visitor".into()),
            at: Set(now - Duration::days(days)),
            succeeded: Set(false),
            reason: Set(Some("state_mismatch".into())),
            detail: Set(None),
            subject: Set(None),
        }
        .insert(app.db())
        .await
        .unwrap();
    }
    for days in [1, 400] {
        audit_event::ActiveModel {
            at: Set(now - Duration::days(days)),
            actor: Set("test".into()),
            action: Set(format!("test.{days}_days_ago")),
            object_type: Set("test".into()),
            object_id: Set(None),
            changes: Set(json!([])),
            ..Default::default()
        }
        .insert(app.db())
        .await
        .unwrap();
    }
    let pruned = retention::prune(app.db(), Retention::default(), now)
        .await
        .unwrap();
    assert_eq!(pruned.sign_in_attempts, 1);
    assert_eq!(pruned.audit_events, 1);
    let attempts = sign_in_attempt::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(attempts.len(), 1);
    assert!(attempts[0].at > now - Duration::days(2));
    let actions: Vec<String> = audit_event::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|event| event.action)
        .collect();
    assert!(actions.contains(&"test.1_days_ago".to_owned()));
    assert!(!actions.contains(&"test.400_days_ago".to_owned()));
}
