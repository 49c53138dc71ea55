//! Three real instances on one PostgreSQL database behind nginx (`scripts/cluster.sh`): whatever
//! one instance starts, another finishes; a change made through one shows on the others at once;
//! the sign-in limits are counted once; and one instance killed under load loses nothing.

use crate::common;
use crate::visitor_sign_in::{deploy_with, query, result};

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::cluster::Cluster;
use common::{PASSWORD, TestApp, read_until};
use leptos::server_fn::ServerFn;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use sea_orm_migration::MigratorTrait;
use serde_json::{Value, json};
use switchboard_app::pages::integration_catalog::InstallIntegration;
use switchboard_core::testing::issuer::{CLIENT_ID, CLIENT_SECRET, TestIssuer};
use switchboard_db::entities::{integration, message, sign_in_failure};
use switchboard_domain::admin::Role;
use url::Url;

const CUSTOMER: &str = "https://customer.example";

/// The deployment's public config as a customer page asks for it: the status, whether the
/// page may read it (CORS), and the body.
async fn public_config(app: &TestApp, deployment: &str) -> (StatusCode, bool, String) {
    let request = Request::get(format!("/messenger/v1/deployments/{deployment}/config"))
        .header(header::ORIGIN, CUSTOMER)
        .body(Body::empty())
        .unwrap();
    let answer = app.send(request).await;
    let readable = answer.header(header::ACCESS_CONTROL_ALLOW_ORIGIN) == Some(CUSTOMER);
    (answer.status, readable, answer.body)
}

/// Waits until `done` holds on every app, failing after a second (a change travels by
/// PostgreSQL's NOTIFY; the caches would take 5 s on their own).
async fn on_every_instance_within_a_second(
    apps: &[TestApp],
    what: &str,
    done: impl AsyncFn(&TestApp) -> bool,
) {
    let started = Instant::now();
    for app in apps {
        while !done(app).await {
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "{what}: an instance still shows the old state after a second"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A form post as the console sends it, from the client address `peer`.
async fn login_from(app: &TestApp, peer: &str, email: &str, password: &str) -> StatusCode {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("email", email), ("password", password)])
        .finish();
    let request = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, app.origin())
        .body(Body::from(body))
        .unwrap();
    app.send_from(peer, request).await.status
}

/// A visitor's anonymous messenger session on `deployment`: its bearer token.
pub(crate) async fn visitor(app: &TestApp, deployment: &str) -> String {
    let request = Request::post("/messenger/v1/sessions")
        .header(header::ORIGIN, CUSTOMER)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({"deploymentId": deployment}).to_string()))
        .unwrap();
    let answer = app.send(request).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.json()["token"].as_str().unwrap().to_owned()
}

/// The id of the conversation a visitor's session is in.
async fn conversation_of(app: &TestApp, session: &str) -> String {
    let request = messenger_request(Method::GET, "/messenger/v1/conversation", session, None);
    let answer = app.send(request).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.json()["id"].as_str().unwrap().to_owned()
}

pub(crate) fn messenger_request(
    method: Method,
    path: &str,
    session: &str,
    body: Option<Value>,
) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header(header::ORIGIN, CUSTOMER)
        .header(header::AUTHORIZATION, format!("Bearer {session}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.map_or_else(Body::empty, |body| Body::from(body.to_string())))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn whichever_instance_answers_everything_works() {
    let cluster = Cluster::up(3).await;
    let apps: Vec<TestApp> = (1..=3).map(|i| cluster.instance(i)).collect();

    // The three started together on an empty database and migrated it once.
    let applied = switchboard_db::Migrator::get_applied_migrations(&cluster.db)
        .await
        .unwrap();
    assert_eq!(applied.len(), switchboard_db::Migrator::migrations().len());
    for i in 1..=3 {
        assert!(
            !cluster.log(i).contains("ERROR"),
            "instance {i}:\n{}",
            cluster.log(i)
        );
    }

    // An admin signs in on one instance and works through the others.
    apps[0].admin("ada@example.com", Role::Admin).await;
    let cookie = apps[0].sign_in("ada@example.com").await;
    let page = apps[1].get("/admin/integrations", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("ada@example.com"),
        "signed in on the second instance"
    );
    let install = Request::post(InstallIntegration::PATH)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, &cluster.base)
        .header(header::COOKIE, &cookie)
        .body(Body::from(json!({"preset": {"kind": "oidc"}}).to_string()))
        .unwrap();
    let installed = apps[2].send(install).await;
    assert_eq!(installed.status, StatusCode::OK, "{}", installed.body);
    assert_eq!(
        integration::Entity::find()
            .count(&cluster.db)
            .await
            .unwrap(),
        1
    );

    // A visitor's sign-in starts on the first instance and finishes on the second.
    let issuer = TestIssuer::start().await;
    let token = apps[0].token("setup", Role::Admin).await;
    let (integration, deployment) = deploy_with(
        &apps[0],
        &token,
        &issuer.issuer,
        (CLIENT_ID, CLIENT_SECRET),
        &[],
        false,
    )
    .await;
    let finished = sign_in(&apps[0], &apps[1], &issuer, &deployment, &cluster.base).await;
    assert_eq!(finished.status, StatusCode::OK, "{}", finished.body);
    let session = result(&finished)["session"]["token"]
        .as_str()
        .expect("a messenger session")
        .to_owned();

    // A stream held by the third instance hears what the first and second store.
    let mut stream = apps[2]
        .open(messenger_request(
            Method::GET,
            "/messenger/v1/events",
            &session,
            None,
        ))
        .await;
    assert_eq!(stream.status(), StatusCode::OK);
    let posted = apps[0]
        .send(messenger_request(
            Method::POST,
            "/messenger/v1/messages",
            &session,
            Some(json!({"text": "written through the first"})),
        ))
        .await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    let conversation = conversation_of(&apps[1], &session).await;
    let reply = apps[1]
        .api(
            Method::POST,
            &format!("/api/v2/conversations/{conversation}/messages"),
            &token,
            Some(json!({"text": "answered through the second"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    read_until(
        stream.body_mut(),
        &[
            "written through the first".into(),
            "answered through the second".into(),
        ],
    )
    .await;

    // Changes show on every instance within a second: a published configuration...
    for app in &apps {
        assert!(public_config(app, &deployment).await.2.contains("\"Hi\""));
    }
    let saved = apps[0]
        .api(
            Method::GET,
            &format!("/api/v2/messenger/deployments/{deployment}"),
            &token,
            None,
        )
        .await
        .json();
    let configuration = saved["configuration"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v2/messenger/configurations/{configuration}/versions/draft");
    let mut draft = apps[0].api(Method::GET, &path, &token, None).await.json();
    draft["appearance"]["greeting"] = "Welcome back".into();
    let put = apps[0].api(Method::PUT, &path, &token, Some(draft)).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let published = apps[0]
        .api(Method::POST, &format!("{path}/publish"), &token, None)
        .await;
    assert!(published.status.is_success(), "{}", published.body);
    on_every_instance_within_a_second(&apps, "a publish", async |app| {
        public_config(app, &deployment)
            .await
            .2
            .contains("Welcome back")
    })
    .await;

    // ...a deployment's domains...
    let deployment_path = format!("/api/v2/messenger/deployments/{deployment}");
    let mut changed = saved.clone();
    changed["allowedDomains"] = json!(["elsewhere.example"]);
    let put = apps[2]
        .api(Method::PUT, &deployment_path, &token, Some(changed))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    on_every_instance_within_a_second(&apps, "new domains", async |app| {
        !public_config(app, &deployment).await.1
    })
    .await;
    let put = apps[2]
        .api(Method::PUT, &deployment_path, &token, Some(saved))
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);

    // ...and an integration's settings saved again: every instance drops the provider
    // metadata it cached for the old ones (each has it from a sign-in of its own), while the
    // keys, fetched once, serve them all.
    for app in &apps[1..] {
        let answer = sign_in(app, app, &issuer, &deployment, &cluster.base).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    let path = format!("/api/v2/integrations/{integration}");
    let current = apps[0].api(Method::GET, &path, &token, None).await.json();
    let settings = json!({
        "name": current["name"], "discoveryUri": current["discoveryUri"],
        "scopes": current["scopes"], "allowedGroups": current["allowedGroups"],
        "maxRefreshTokenLifetimeSeconds": current["maxRefreshTokenLifetimeSeconds"],
        "clockSkewSeconds": current["clockSkewSeconds"],
    });
    let saved = apps[0]
        .api(Method::PUT, &path, &token, Some(settings))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let (documents, keys) = (issuer.discovery_fetches(), issuer.jwks_fetches());
    for (n, app) in apps.iter().enumerate() {
        let answer = sign_in(app, app, &issuer, &deployment, &cluster.base).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(
            issuer.discovery_fetches(),
            documents + n + 1,
            "instance {} read the provider's document again",
            n + 1
        );
    }
    assert_eq!(
        issuer.jwks_fetches(),
        keys + 1,
        "one instance fetched the keys, for all"
    );

    // The provider rotates its keys: the first instance to see a token signed by the new one
    // fetches them, and the others take that fetch instead of each making their own.
    issuer.rotate_keys();
    let keys = issuer.jwks_fetches();
    for app in &apps {
        let answer = sign_in(app, app, &issuer, &deployment, &cluster.base).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    assert_eq!(
        issuer.jwks_fetches(),
        keys + 1,
        "a rotation costs the provider one fetch"
    );

    // The sign-in limits count failures once, whichever instance saw them: per account...
    apps[0].admin("grace@example.com", Role::Admin).await;
    let limits = apps[0].services.settings().sign_in;
    for n in 0..limits.per_account {
        let app = &apps[n as usize % 3];
        let status = login_from(app, "198.51.100.1:1", "grace@example.com", "guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    for app in &apps {
        let status = login_from(app, "198.51.100.2:1", "grace@example.com", PASSWORD).await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "the account is locked everywhere"
        );
    }
    // ...and per client address, which reaches the instances through the proxy.
    let proxy = cluster.proxy();
    let peer = "203.0.113.9:1";
    for n in 0..limits.per_client {
        let email = format!("nobody{n}@example.com");
        let status = login_from(&proxy, peer, &email, "guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    for app in apps.iter().chain([&proxy]) {
        let status = login_from(app, peer, "someone@example.com", "guess").await;
        assert_eq!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "the address is limited everywhere"
        );
    }
    let counted = sign_in_failure::Entity::find()
        .filter(sign_in_failure::Column::ClientAddress.eq("203.0.113.9"))
        .count(&cluster.db)
        .await
        .unwrap();
    assert_eq!(
        counted, limits.per_client,
        "the client's own address was counted"
    );
    cluster.down().await;
}

/// A visitor's sign-in started on `start` and finished on `finish`: the callback's answer.
async fn sign_in(
    start: &TestApp,
    finish: &TestApp,
    issuer: &TestIssuer,
    deployment: &str,
    base: &str,
) -> common::Answer {
    let started = start
        .get(
            &format!("/messenger/auth/start?deployment={deployment}"),
            None,
        )
        .await;
    assert_eq!(started.status, StatusCode::FOUND, "{}", started.body);
    let location = Url::parse(started.location().unwrap()).unwrap();
    assert_eq!(
        query(&location, "redirect_uri"),
        format!("{base}/messenger/auth/callback"),
        "the provider sends the visitor back to the proxy"
    );
    let code = issuer.authorize(&location);
    let callback = format!(
        "/messenger/auth/callback?code={code}&state={}",
        query(&location, "state")
    );
    finish
        .get(&callback, Some(&started.session_cookie().unwrap()))
        .await
}

/// One visitor's event stream read the way a browser's `EventSource` reads it: when the
/// connection drops it reconnects, sending `Last-Event-ID`. Records every message id given;
/// returns how many times it reconnected.
async fn follow(
    client: reqwest::Client,
    base: String,
    session: String,
    seen: Arc<Mutex<Vec<i64>>>,
    stop: Arc<AtomicBool>,
) -> usize {
    let mut reconnects = 0;
    while !stop.load(Ordering::Relaxed) {
        let last = seen.lock().unwrap().last().copied();
        let mut request = client
            .get(format!("{base}/messenger/v1/events"))
            .header(header::ORIGIN, CUSTOMER)
            .header(header::AUTHORIZATION, format!("Bearer {session}"));
        if let Some(last) = last {
            request = request.header("last-event-id", last.to_string());
        }
        if let Ok(mut response) = request.send().await
            && response.status() == StatusCode::OK
        {
            let mut buffer = String::new();
            loop {
                let chunk = tokio::select! {
                    chunk = response.chunk() => chunk,
                    () = tokio::time::sleep(Duration::from_millis(100)) => {
                        if stop.load(Ordering::Relaxed) { return reconnects; }
                        continue;
                    }
                };
                let Ok(Some(chunk)) = chunk else { break };
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let event: String = buffer.drain(..end + 2).collect();
                    let field = |name: &str| {
                        event
                            .lines()
                            .find_map(|line| line.strip_prefix(name))
                            .map(str::trim)
                    };
                    if field("event:") == Some("message")
                        && let Some(id) = field("id:").and_then(|id| id.parse().ok())
                    {
                        seen.lock().unwrap().push(id);
                    }
                }
            }
        }
        reconnects += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    reconnects
}

/// A visitor writing as fast as answers come; returns the texts the server acknowledged (201).
async fn write(
    client: reqwest::Client,
    base: String,
    session: String,
    name: String,
    stop: Arc<AtomicBool>,
) -> Vec<String> {
    // One message per 1.1 s, counting the visitor's hello before the first: never 10 within
    // any 10 s, so the messenger's burst limit cannot refuse one.
    let pause = Duration::from_millis(1100);
    let mut acknowledged = vec![];
    for n in 0.. {
        tokio::time::sleep(pause).await;
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let text = format!("{name} #{n}");
        let sent = client
            .post(format!("{base}/messenger/v1/messages"))
            .header(header::ORIGIN, CUSTOMER)
            .header(header::AUTHORIZATION, format!("Bearer {session}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(json!({"text": text}).to_string())
            .send()
            .await;
        match sent {
            Ok(answer) if answer.status() == StatusCode::CREATED => acknowledged.push(text),
            Ok(answer) => assert_eq!(
                answer.status(),
                StatusCode::BAD_GATEWAY,
                "only a request cut off with its instance fails"
            ),
            // Cut off with the instance that had it: not acknowledged, maybe stored.
            Err(_) => {}
        }
    }
    acknowledged
}

#[tokio::test(flavor = "multi_thread")]
async fn an_instance_killed_under_load_loses_nothing() {
    // Each writes about once a second, under the messenger's limit of 10 messages in 10 s.
    const VISITORS: usize = 30;
    let cluster = Cluster::up(3).await;
    let proxy = cluster.proxy();
    let token = proxy.token("setup", Role::Admin).await;
    let chat = proxy
        .deployed_messenger(
            &token,
            json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false}),
        )
        .await;
    let issuer = TestIssuer::start().await;
    let (_, signing) = deploy_with(
        &proxy,
        &token,
        &issuer.issuer,
        (CLIENT_ID, CLIENT_SECRET),
        &[],
        false,
    )
    .await;

    // Visitors, each with a conversation, an event stream and a writer, all through the proxy.
    let client = reqwest::Client::new();
    let stop_writing = Arc::new(AtomicBool::new(false));
    let stop_reading = Arc::new(AtomicBool::new(false));
    let mut visitors = vec![];
    for v in 0..VISITORS {
        let session = visitor(&proxy, &chat).await;
        let first = proxy
            .send(messenger_request(
                Method::POST,
                "/messenger/v1/messages",
                &session,
                Some(json!({"text": format!("visitor {v} says hello")})),
            ))
            .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        let conversation: uuid::Uuid = conversation_of(&proxy, &session).await.parse().unwrap();
        let seen = Arc::new(Mutex::new(vec![]));
        let reader = tokio::spawn(follow(
            client.clone(),
            cluster.base.clone(),
            session.clone(),
            seen.clone(),
            stop_reading.clone(),
        ));
        let writer = tokio::spawn(write(
            client.clone(),
            cluster.base.clone(),
            session,
            format!("visitor {v}"),
            stop_writing.clone(),
        ));
        visitors.push((conversation, seen, reader, writer));
    }

    // Sign-ins in flight: started on the instances that will survive, and through the proxy
    // (which may hand them to the one that will not).
    let mut sign_ins = vec![];
    for app in [
        cluster.instance(1),
        cluster.instance(3),
        cluster.proxy(),
        cluster.proxy(),
    ] {
        let start = app
            .get(&format!("/messenger/auth/start?deployment={signing}"), None)
            .await;
        assert_eq!(start.status, StatusCode::FOUND, "{}", start.body);
        let location = Url::parse(start.location().unwrap()).unwrap();
        let code = issuer.authorize(&location);
        sign_ins.push((location, code, start.session_cookie().unwrap()));
    }

    tokio::time::sleep(Duration::from_secs(1)).await;
    let before_kill: usize = visitors
        .iter()
        .map(|(_, seen, ..)| seen.lock().unwrap().len())
        .sum();
    cluster.kill(2).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    // The sign-ins finish on whichever instance the proxy picks.
    for (location, code, cookie) in &sign_ins {
        let callback = format!(
            "/messenger/auth/callback?code={code}&state={}",
            query(location, "state")
        );
        let finished = proxy.get(&callback, Some(cookie)).await;
        assert_eq!(finished.status, StatusCode::OK, "{}", finished.body);
        assert!(
            result(&finished)["session"]["token"].is_string(),
            "{}",
            finished.body
        );
    }

    stop_writing.store(true, Ordering::Relaxed);
    let mut acknowledged: HashMap<uuid::Uuid, Vec<String>> = HashMap::new();
    let mut readers = vec![];
    for (conversation, seen, reader, writer) in visitors {
        acknowledged.insert(conversation, writer.await.unwrap());
        readers.push((conversation, seen, reader));
    }

    // Every acknowledged message is stored; every stored message reaches its stream once.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut stored_total = 0;
    for (conversation, seen, _) in &readers {
        let stored: Vec<message::Model> = message::Entity::find()
            .filter(message::Column::ConversationId.eq(*conversation))
            .order_by_asc(message::Column::Id)
            .all(&cluster.db)
            .await
            .unwrap();
        stored_total += stored.len();
        for text in &acknowledged[conversation] {
            assert!(
                stored.iter().any(|row| &row.text == text),
                "{text} was acknowledged but is not stored"
            );
        }
        let ids: Vec<i64> = stored.iter().map(|row| row.id).collect();
        loop {
            let got = seen.lock().unwrap().clone();
            if got.len() >= ids.len() {
                assert_eq!(got, ids, "the stream gives each message once, in order");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "a stream still misses messages: it has {} of {}",
                got.len(),
                ids.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    stop_reading.store(true, Ordering::Relaxed);
    let mut reconnects = 0;
    let mut readers_left = vec![];
    for (conversation, _, reader) in readers {
        reconnects += reader.await.unwrap();
        readers_left.push(conversation);
    }
    let acknowledged_total: usize = acknowledged.values().map(Vec::len).sum();
    println!(
        "{acknowledged_total} messages acknowledged, {stored_total} stored (with the greetings), \
         {before_kill} delivered before the kill, {reconnects} stream reconnections"
    );
    assert!(
        reconnects > 0,
        "the kill cut some streams, which came back through the proxy"
    );
    assert!(
        stored_total > before_kill,
        "visitors went on writing after the kill"
    );

    // The killed instance comes back (a restart, or an upgraded binary) and serves at once.
    cluster.start(2).await;
    let conversation = &readers_left[0];
    let listed = cluster
        .instance(2)
        .api(
            Method::GET,
            &format!("/api/v2/conversations/{conversation}/messages"),
            &token,
            None,
        )
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    cluster.down().await;
}
