//! Presence: an agent is online while a console tab of theirs is in use and they have not set
//! themselves "Away"; the messenger's greeting says whether anyone is; new conversations go
//! round-robin to the agents online when the configuration says so; and a signed-in visitor
//! who wrote while no one was online gets the replies by email too (sent to a real SMTP
//! server, aiosmtpd, on loopback).

use crate::common;
use crate::inbox::{agent, visitor, visitor_says};

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::TestApp;
use leptos::server_fn::ServerFn;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use switchboard_app::components::activity::TabInUse;
use switchboard_app::components::layout::SetAway;
use switchboard_core::mail::Mailer;
use switchboard_core::messenger_sessions::{self, NewSession};
use switchboard_core::{Settings, presence};
use switchboard_db::entities::{console_tab, conversation};
use switchboard_db::test_on_each_engine;
use switchboard_domain::admin::Role;
use switchboard_domain::conversation::Identity;
use uuid::Uuid;

test_on_each_engine!(
    a_console_tab_in_use_makes_its_admin_online,
    new_conversations_go_round_robin_to_agents_online,
    replies_go_by_email_when_no_one_was_online,
);

fn no_sign_in() -> Value {
    json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false})
}

/// Calls a console server function as the admin of `cookie`, as the console does.
async fn call(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> Value {
    let answer = app.post_form(path, form, Some(cookie)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.json()
}

/// Sets the admin of `cookie` away or back, as the console's button does.
async fn set_away(app: &TestApp, cookie: &str, away: bool) -> Value {
    call(app, cookie, SetAway::PATH, &[("away", &away.to_string())]).await
}

/// Console tab `tab` of the admin of `cookie` says whether it is in use, as the console does.
async fn tab_says(app: &TestApp, cookie: &str, tab: Uuid, in_use: bool) -> Value {
    let (tab, in_use) = (tab.to_string(), in_use.to_string());
    call(
        app,
        cookie,
        TabInUse::PATH,
        &[("tab", &tab), ("in_use", &in_use)],
    )
    .await
}

/// What the messenger frame on the customer's page was told of the agents.
async fn frame_says_online(app: &TestApp, deployment: &str) -> bool {
    let path = format!("/messenger/frame?deployment={deployment}&origin=https://customer.example");
    let frame = app.get(&path, None).await;
    assert_eq!(frame.status, StatusCode::OK, "{}", frame.body);
    if frame.body.contains(r#""agentsOnline":true"#) {
        true
    } else {
        assert!(
            frame.body.contains(r#""agentsOnline":false"#),
            "{}",
            frame.body
        );
        false
    }
}

async fn a_console_tab_in_use_makes_its_admin_online(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("ci", Role::Admin).await;
    let deployment = app.deployed_messenger(&token, no_sign_in()).await;
    let (ada_id, ada) = agent(&app, "ada@example.com", Role::Admin).await;
    let (_, bob) = agent(&app, "bob@example.com", Role::Admin).await;
    let (_, vic) = agent(&app, "vic@example.com", Role::Viewer).await;
    assert!(!presence::anyone_online(db).await.unwrap());
    assert!(!frame_says_online(&app, &deployment).await);

    // An open stream is not someone at the console: a tab in the background keeps it open too.
    let _stream = app
        .open(
            Request::get("/api/v2/events")
                .header(header::COOKIE, &ada)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(!presence::anyone_online(db).await.unwrap());
    // A viewer in use is someone who cannot answer.
    tab_says(&app, &vic, Uuid::new_v4(), true).await;
    assert!(!presence::anyone_online(db).await.unwrap());

    let (first, second) = (Uuid::new_v4(), Uuid::new_v4());
    assert_eq!(
        tab_says(&app, &ada, first, true).await,
        json!({"away": false, "online": true})
    );
    assert!(frame_says_online(&app, &deployment).await);
    // One tab going to the background does not speak for another still in use, nor does
    // another admin's word about a tab of the same id.
    tab_says(&app, &ada, second, true).await;
    tab_says(&app, &ada, first, false).await;
    tab_says(&app, &bob, second, false).await;
    assert!(presence::anyone_online(db).await.unwrap());
    assert_eq!(
        tab_says(&app, &ada, second, false).await,
        json!({"away": false, "online": false})
    );
    assert!(!frame_says_online(&app, &deployment).await);

    // A tab closed without a word stops counting once its last word runs out.
    tab_says(&app, &ada, first, true).await;
    assert!(presence::anyone_online(db).await.unwrap());
    console_tab::Entity::update_many()
        .col_expr(
            console_tab::Column::ActiveUntil,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .exec(db)
        .await
        .unwrap();
    assert!(!presence::anyone_online(db).await.unwrap());
    // ... and is forgotten when its admin's next tab speaks.
    tab_says(&app, &ada, second, true).await;
    let kept = console_tab::Entity::find()
        .filter(console_tab::Column::AdminId.eq(ada_id.parse::<Uuid>().unwrap()))
        .all(db)
        .await
        .unwrap();
    assert_eq!(
        kept.iter().map(|row| row.tab).collect::<Vec<_>>(),
        [second],
        "{kept:?}"
    );

    // "Away" holds however many tabs are in use, until set back.
    assert_eq!(
        set_away(&app, &ada, true).await,
        json!({"away": true, "online": false})
    );
    assert!(!presence::anyone_online(db).await.unwrap());
    assert!(!frame_says_online(&app, &deployment).await);
    assert_eq!(
        set_away(&app, &ada, false).await,
        json!({"away": false, "online": true})
    );
    assert!(frame_says_online(&app, &deployment).await);

    // Presence belongs to people: a token can neither set one nor be in use.
    tab_says(&app, &ada, second, false).await;
    let tab = format!("tab={}&in_use=true", Uuid::new_v4());
    for (path, form) in [(SetAway::PATH, "away=true"), (TabInUse::PATH, tab.as_str())] {
        let by_token = app
            .send(
                Request::post(path)
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::ORIGIN, app.origin())
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(form.to_owned()))
                    .unwrap(),
            )
            .await;
        assert_eq!(by_token.status, StatusCode::FORBIDDEN, "{}", by_token.body);
    }
    assert!(!presence::anyone_online(db).await.unwrap());
}

/// Who each conversation, oldest first, is assigned to (an email, or "no one").
async fn assignees(app: &TestApp, token: &str) -> Vec<String> {
    let listed = app
        .api(Method::GET, "/api/v2/conversations?filter=all", token, None)
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let mut rows: Vec<Value> = listed.json().as_array().unwrap().clone();
    rows.reverse();
    rows.iter()
        .map(|row| {
            row["assignee"]["email"]
                .as_str()
                .unwrap_or("no one")
                .to_owned()
        })
        .collect()
}

async fn new_conversations_go_round_robin_to_agents_online(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let token = app.token("ci", Role::Admin).await;
    let deployment = app.deployed_messenger(&token, no_sign_in()).await;
    let (_, ada) = agent(&app, "ada@example.com", Role::Admin).await;
    let (_, bob) = agent(&app, "bob@example.com", Role::Admin).await;
    let (_, vic) = agent(&app, "vic@example.com", Role::Viewer).await;
    for agent in [&ada, &bob, &vic] {
        tab_says(&app, agent, Uuid::new_v4(), true).await;
    }
    let start = async |text: &str| {
        let session = visitor(&app, &deployment).await;
        visitor_says(&app, &session, text).await;
        session
    };

    // Off by default: the conversation waits in "Unassigned".
    start("first").await;
    assert_eq!(assignees(&app, &token).await, ["no one"]);

    app.republish(&token, &deployment, |draft| {
        draft["assignRoundRobin"] = json!(true);
    })
    .await;
    let returning = start("second").await;
    start("third").await;
    start("fourth").await;
    let taken = assignees(&app, &token).await;
    assert_eq!(
        taken,
        [
            "no one",
            "ada@example.com",
            "bob@example.com",
            "ada@example.com"
        ]
    );
    // A message in a conversation that has begun is not a new conversation: no one else is
    // given anything (the list is by latest activity, so compare the sets).
    visitor_says(&app, &returning, "still me").await;
    let mut again = assignees(&app, &token).await;
    again.sort();
    let mut taken = taken;
    taken.sort();
    assert_eq!(again, taken);
    // The next one goes to bob, whose last was longest ago.
    start("fifth").await;
    assert_eq!(
        assignees(&app, &token).await.last().unwrap(),
        "bob@example.com"
    );

    // An agent who is away is skipped; with everyone away, no one gets it.
    set_away(&app, &ada, true).await;
    start("sixth").await;
    start("seventh").await;
    set_away(&app, &bob, true).await;
    start("eighth").await;
    let all = assignees(&app, &token).await;
    assert_eq!(
        all[all.len() - 3..],
        ["bob@example.com", "bob@example.com", "no one"],
        "{all:?}"
    );
    // The viewer, online all along, was never given one.
    assert!(!all.iter().any(|email| email.starts_with("vic")));
}

/// An SMTP server on loopback that keeps what it receives in a Maildir.
struct SmtpSink {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl SmtpSink {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = std::env::temp_dir().join(format!("switchboard-mail-{}", Uuid::new_v4()));
        // Debian's Python, which python3-aiosmtpd (scripts/setup.sh --test) installs for.
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .spawn()
            .expect("aiosmtpd (python3-aiosmtpd, installed by scripts/setup.sh --test)");
        let sink = Self {
            child,
            port,
            maildir,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return sink;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not start listening on port {port}");
    }

    /// Every email received so far, as sent.
    fn received(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return vec![];
        };
        entries
            .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
            .collect()
    }

    /// Waits up to 10 s for the `count`th email.
    async fn wait_for(&self, count: usize) -> Vec<String> {
        for _ in 0..100 {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{count} emails expected, got {:?}", self.received());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

/// A signed-in visitor's session with `email`, vouched for by the provider or not.
async fn signed_in(app: &TestApp, deployment: &str, email: &str, verified: bool) -> String {
    let identity = Identity {
        issuer: "https://idp.example".into(),
        subject: Uuid::new_v4().to_string(),
        email: Some(email.into()),
        email_verified: verified,
        name: None,
        groups: vec![],
    };
    let session = messenger_sessions::create(
        app.db(),
        app.services.keyring(),
        NewSession {
            deployment_id: deployment.parse().unwrap(),
            integration_id: None,
            identity: Some(&identity),
            refresh_token: None,
            lifetime: chrono::Duration::hours(1),
            longest: chrono::Duration::hours(1),
            id_token: None,
            post_logout_redirect_uri: None,
            provider_sid: None,
        },
    )
    .await
    .unwrap();
    session.token
}

/// The agent's reply to the conversation of the visitor with `email`.
async fn reply_to(app: &TestApp, token: &str, email: &str, text: &str) {
    let rows = conversation::Entity::find()
        .filter(conversation::Column::Status.eq("open"))
        .all(app.db())
        .await
        .unwrap();
    let row = rows
        .iter()
        .find(|row| row.identity.as_ref().unwrap()["email"] == email)
        .unwrap();
    let path = format!("/api/v2/conversations/{}/messages", row.id);
    let sent = app
        .api(Method::POST, &path, token, Some(json!({"text": text})))
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
}

async fn replies_go_by_email_when_no_one_was_online(db: &DatabaseConnection) {
    let sink = SmtpSink::start().await;
    let url = format!("smtp://127.0.0.1:{}", sink.port);
    let settings = Settings {
        allow_insecure_localhost: true,
        mailer: Some(Mailer::new(&url, "Support <support@example.com>").unwrap()),
        ..Settings::default()
    };
    let app = TestApp::with_settings(db, settings);
    let token = app.token("ci", Role::Admin).await;
    let deployment = app.deployed_messenger(&token, no_sign_in()).await;
    let (_, ada) = agent(&app, "ada@example.com", Role::Admin).await;
    let frame = app
        .get(
            &format!("/messenger/frame?deployment={deployment}&origin=https://customer.example"),
            None,
        )
        .await;
    assert!(
        frame.body.contains(r#""emailReplies":true"#),
        "{}",
        frame.body
    );

    // Someone online: the reply comes in the messenger only.
    let tab = Uuid::new_v4();
    tab_says(&app, &ada, tab, true).await;
    let answered = signed_in(&app, &deployment, "answered@example.com", true).await;
    visitor_says(&app, &answered, "Hello?").await;
    reply_to(&app, &token, "answered@example.com", "Right here.").await;
    tab_says(&app, &ada, tab, false).await;

    // No one online: a verified address gets the reply by email, an unverified one does not.
    let unverified = signed_in(&app, &deployment, "maybe@example.com", false).await;
    visitor_says(&app, &unverified, "Anyone?").await;
    let waiting = signed_in(&app, &deployment, "grace@example.com", true).await;
    visitor_says(&app, &waiting, "Is anyone there?").await;
    reply_to(&app, &token, "maybe@example.com", "Sorry for the wait.").await;
    reply_to(
        &app,
        &token,
        "grace@example.com",
        "Yes: your order ships today.",
    )
    .await;

    sink.wait_for(1).await;
    // The other replies were stored before this one: had they been sent, they would be here.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let received = sink.received();
    assert_eq!(received.len(), 1, "{received:?}");
    let email = &received[0];
    assert!(email.contains("To: grace@example.com"), "{email}");
    assert!(
        email.contains("From: Support <support@example.com>"),
        "{email}"
    );
    assert!(
        email.contains("Subject: A reply to your message"),
        "{email}"
    );
    assert!(email.contains("Yes: your order ships today."), "{email}");

    // The promise holds for that conversation's later replies, and ends once the visitor
    // writes while someone is online.
    tab_says(&app, &ada, tab, true).await;
    visitor_says(&app, &waiting, "Thanks!").await;
    let row = conversation::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .find(|row| row.identity.as_ref().unwrap()["email"] == "grace@example.com")
        .unwrap();
    assert!(!row.reply_by_email);
}
