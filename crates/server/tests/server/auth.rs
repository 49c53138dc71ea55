//! Admin sign-in, sessions, roles, CSRF and security headers, through the real router.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{BASE, PASSWORD, TestApp};
use leptos::server_fn::ServerFn;
use sea_orm::{DatabaseConnection, EntityTrait};
use switchboard_app::pages::canned_replies::{DeleteCannedReply, SaveCannedReply};
use switchboard_app::pages::configuration::{PublishConfiguration, SaveConfiguration};
use switchboard_app::pages::conversation::{
    AgentTyping, AssignConversation, CloseConversation, ReplyToConversation,
};
use switchboard_app::pages::deployment::SaveDeployment;
use switchboard_app::pages::integration::{
    DeleteIntegration, SaveIntegrationCredentials, SetIntegrationActive, TestIntegration,
    UpdateIntegration,
};
use switchboard_app::pages::integration_catalog::InstallIntegration;
use switchboard_app::pages::tokens::RevokeApiToken;
use switchboard_core::{audit, first_admin};
use switchboard_db::entities::api_token;
use switchboard_db::test_on_each_engine;
use switchboard_domain::admin::Role;

test_on_each_engine!(
    console_pages_send_anonymous_visitors_to_login_and_back,
    signing_in_opens_the_console_and_signing_out_ends_it,
    wrong_credentials_get_one_generic_message,
    repeated_failures_are_rate_limited_per_account_and_per_client,
    viewers_are_refused_every_change,
    the_api_requires_credentials,
    the_setup_link_creates_the_first_admin_once,
);

async fn actions(app: &TestApp) -> Vec<String> {
    audit::list(app.db(), None, 0)
        .await
        .unwrap()
        .events
        .into_iter()
        .map(|event| event.action)
        .collect()
}

async fn console_pages_send_anonymous_visitors_to_login_and_back(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    for path in [
        "/admin/integrations",
        "/admin/messenger/configurations",
        "/admin/messenger/deployments",
        "/admin/conversations",
        "/admin/audit?object=admin",
        "/admin/tokens",
    ] {
        let answer = app.get(path, None).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
        let next = url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>();
        assert_eq!(
            answer.location(),
            Some(format!("/login?next={next}").as_str())
        );
    }
    app.admin("ada@example.com", Role::Admin).await;
    let answer = app
        .post_form(
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", "/admin/audit?object=admin"),
            ],
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), Some("/admin/audit?object=admin"));
    // A `next` pointing elsewhere is ignored: the form is no open redirect.
    let answer = app
        .post_form(
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
            None,
        )
        .await;
    assert_eq!(answer.location(), Some("/admin/integrations"));
}

async fn signing_in_opens_the_console_and_signing_out_ends_it(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    app.admin("Ada@Example.com", Role::Admin).await;
    let answer = app
        .post_form(
            "/login",
            &[("email", " ada@example.COM "), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let set_cookie = answer.header(header::SET_COOKIE).unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let cookie = answer.session_cookie().unwrap();

    let page = app.get("/admin/integrations", Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("ada@example.com"),
        "the header names the admin"
    );
    assert!(page.body.contains("Sign out"));

    let answer = app.post_form("/logout", &[], Some(&cookie)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), Some("/login"));
    assert!(
        answer
            .header(header::SET_COOKIE)
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = app.get("/admin/integrations", Some(&cookie)).await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "the old cookie no longer works"
    );

    let actions = actions(&app).await;
    assert!(actions.contains(&"admin.sign_in".to_owned()), "{actions:?}");
    assert!(
        actions.contains(&"admin.sign_out".to_owned()),
        "{actions:?}"
    );
}

async fn wrong_credentials_get_one_generic_message(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    app.admin("ada@example.com", Role::Admin).await;
    let wrong_password = app
        .post_form(
            "/login",
            &[
                ("email", "ada@example.com"),
                ("password", "not the password"),
            ],
            None,
        )
        .await;
    let unknown_email = app
        .post_form(
            "/login",
            &[("email", "nobody@example.com"), ("password", PASSWORD)],
            None,
        )
        .await;
    for answer in [&wrong_password, &unknown_email] {
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert!(answer.body.contains("Wrong email or password."));
        assert!(
            answer.body.contains(r#"action="/login""#),
            "the form is shown again"
        );
        assert!(answer.session_cookie().is_none());
    }
    assert!(
        wrong_password.body.contains("ada@example.com"),
        "the email is kept"
    );
    assert!(
        !wrong_password.body.contains("not the password"),
        "the password is not"
    );
    let actions = actions(&app).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "admin.sign_in_failed")
            .count(),
        2
    );
}

async fn repeated_failures_are_rate_limited_per_account_and_per_client(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    app.admin("ada@example.com", Role::Admin).await;
    let limits = app.services.settings().sign_in;
    for _ in 0..limits.per_account {
        let answer = app
            .post_form(
                "/login",
                &[("email", "ada@example.com"), ("password", "guess")],
                None,
            )
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    // Locked: even the right password is refused until the window passes.
    let answer = app
        .post_form(
            "/login",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    let retry_after: i64 = answer.header(header::RETRY_AFTER).unwrap().parse().unwrap();
    assert!(retry_after > 0 && retry_after <= limits.window.num_seconds());
    assert!(answer.body.contains("Too many failed sign-ins"));

    // Per client: the same address failing on many accounts is stopped too.
    for n in limits.per_account..limits.per_client {
        let email = format!("user{n}@example.com");
        let answer = app
            .post_form("/login", &[("email", &email), ("password", "guess")], None)
            .await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    let answer = app
        .post_form(
            "/login",
            &[("email", "fresh@example.com"), ("password", "guess")],
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
}

/// Calls a server function the way the console does: a JSON body for those that take JSON
/// (`{...}`), a form body for the others.
async fn call_server_fn(app: &TestApp, path: &str, body: &str, cookie: Option<&str>) -> StatusCode {
    let content_type = if body.starts_with('{') {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    let mut request = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ORIGIN, BASE);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    app.send(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .status
}

/// Arguments every server function accepts (each ignores those it does not take), so a test
/// reaches its access check rather than a decoding error.
fn arguments(path: &str, id: &str) -> String {
    if path == SaveConfiguration::PATH {
        serde_json::json!({ "id": id, "input": { "name": "x" } }).to_string()
    } else if path == SaveDeployment::PATH {
        serde_json::json!({
            "id": id,
            "input": { "name": "x", "configuration": { "id": id, "version": null }, "status": "active" }
        })
        .to_string()
    } else if path == SaveCannedReply::PATH {
        "input[name]=x&input[text]=x".to_owned()
    } else if path == InstallIntegration::PATH {
        serde_json::json!({ "preset": { "kind": "oidc" } }).to_string()
    } else if path == UpdateIntegration::PATH {
        serde_json::json!({
            "id": id,
            "settings": {
                "name": "x", "discoveryUri": "https://acme.okta.com", "scopes": ["openid"],
                "maxRefreshTokenLifetimeSeconds": 3600, "allowedGroups": [], "clockSkewSeconds": 60
            }
        })
        .to_string()
    } else {
        format!(
            "id={id}&page=0&token=x&active=true&client_id=c&client_secret=s&okta_api_token=&text=x&before=1&filter=all&q=&to_me=true&away=true&tab={id}&in_use=true"
        )
    }
}

/// Server functions anyone may call: the sign-in and setup pages use them before sign-in, and
/// the header asks who (if anyone) is signed in.
const PUBLIC_SERVER_FNS: [&str; 3] = ["setup_pending", "setup_link_is_valid", "signed_in_admin"];

async fn viewers_are_refused_every_change(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let viewer = app.signed_in(Role::Viewer).await;
    let (token, _) = switchboard_core::api_tokens::create(app.db(), "ci", Role::Admin, "test")
        .await
        .unwrap();
    let id = token.id.to_string();

    // Every server function refuses a caller without a session.
    let mut checked = 0;
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        if PUBLIC_SERVER_FNS.iter().any(|name| path.contains(name)) || method != Method::POST {
            continue;
        }
        let status = call_server_fn(&app, path, &arguments(path, &id), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} without a session");
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} server functions found");

    // The state-changing ones refuse a viewer with 403 and change nothing.
    for path in [
        RevokeApiToken::PATH,
        InstallIntegration::PATH,
        UpdateIntegration::PATH,
        TestIntegration::PATH,
        SaveIntegrationCredentials::PATH,
        SetIntegrationActive::PATH,
        DeleteIntegration::PATH,
        SaveConfiguration::PATH,
        PublishConfiguration::PATH,
        SaveDeployment::PATH,
        ReplyToConversation::PATH,
        CloseConversation::PATH,
        AgentTyping::PATH,
        AssignConversation::PATH,
        SaveCannedReply::PATH,
        DeleteCannedReply::PATH,
    ] {
        let status = call_server_fn(&app, path, &arguments(path, &id), Some(&viewer)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path} as a viewer");
    }
    let viewer_token = app.token("viewer-script", Role::Viewer).await;
    let answer = app
        .send(
            Request::delete(format!("/api/v2/tokens/{id}"))
                .header(header::AUTHORIZATION, format!("Bearer {viewer_token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.json()["error"], "forbidden");
    let row = api_token::Entity::find_by_id(token.id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert!(row.revoked_at.is_none(), "the token survived the viewer");

    // An admin may.
    let admin = app.signed_in(Role::Admin).await;
    let status = call_server_fn(
        &app,
        RevokeApiToken::PATH,
        &format!("id={id}"),
        Some(&admin),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let row = api_token::Entity::find_by_id(token.id)
        .one(app.db())
        .await
        .unwrap()
        .unwrap();
    assert!(row.revoked_at.is_some());
}

async fn the_api_requires_credentials(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let call = |authorization: Option<String>| {
        let mut request = Request::get("/api/v2/audit");
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        request.body(Body::empty()).unwrap()
    };
    let anonymous = app.send(call(None)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.json()["error"], "unauthorized");
    let forged = app
        .send(call(Some("Bearer sbt_not-a-real-token".into())))
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);

    let token = app.token("reader", Role::Viewer).await;
    let answer = app.send(call(Some(format!("Bearer {token}")))).await;
    assert_eq!(answer.status, StatusCode::OK);
    let actions: Vec<_> = answer.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["action"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        actions.contains(&"api_token.create".to_owned()),
        "{actions:?}"
    );
    let stored = api_token::Entity::find().all(app.db()).await.unwrap();
    assert!(
        stored
            .iter()
            .all(|row| row.token_hash != token && !token.contains(&row.token_hash))
    );
    assert!(stored[0].last_used_at.is_some(), "use is recorded");

    // A session cookie works too, and a revoked token stops working at once.
    let admin = app.signed_in(Role::Admin).await;
    let id = stored[0].id;
    let revoke = app
        .send(
            Request::delete(format!("/api/v2/tokens/{id}"))
                .header(header::COOKIE, &admin)
                .header(header::ORIGIN, BASE)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(revoke.status, StatusCode::NO_CONTENT);
    let answer = app.send(call(Some(format!("Bearer {token}")))).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

async fn the_setup_link_creates_the_first_admin_once(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let login = app.get("/login", None).await;
    assert!(
        login.body.contains("No admin exists yet"),
        "sign-in says where the link is"
    );

    let token = first_admin::issue_setup_token(app.db())
        .await
        .unwrap()
        .unwrap();
    let token = secrecy::ExposeSecret::expose_secret(&token).to_owned();
    let page = app.get(&format!("/setup?token={token}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Repeat password"));

    let mismatch = app
        .post_form(
            "/setup",
            &[
                ("token", &token),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("password_again", "something else entirely"),
            ],
            None,
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::BAD_REQUEST);
    assert!(mismatch.body.contains("The two passwords differ."));

    let form = [
        ("token", token.as_str()),
        ("email", "ada@example.com"),
        ("password", PASSWORD),
        ("password_again", PASSWORD),
    ];
    let done = app.post_form("/setup", &form, None).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let cookie = done.session_cookie().unwrap();
    let console = app.get("/admin/integrations", Some(&cookie)).await;
    assert_eq!(console.status, StatusCode::OK);

    let again = app.post_form("/setup", &form, None).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    let page = app.get(&format!("/setup?token={token}"), None).await;
    assert!(page.body.contains("has been used or is not valid"));
    assert!(
        first_admin::issue_setup_token(app.db())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let db = switchboard_db::testing::TestDb::sqlite().await;
    let app = TestApp::new(&db.conn);
    app.admin("ada@example.com", Role::Admin).await;
    let cookie = app.sign_in("ada@example.com").await;
    let forged = app
        .post_form_from(
            "/login",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
            None,
            "https://evil.example",
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let forged = app
        .post_form_from("/logout", &[], Some(&cookie), "https://evil.example")
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let still_signed_in = app.get("/admin/tokens", Some(&cookie)).await;
    assert_eq!(still_signed_in.status, StatusCode::OK);
    let forged = app
        .send(
            Request::post(RevokeApiToken::PATH)
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", "cross-site")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("id=00000000-0000-0000-0000-000000000000"))
                .unwrap(),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    db.close().await;
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let db = switchboard_db::testing::TestDb::sqlite().await;
    let app = TestApp::new(&db.conn);
    let page = app.get("/login", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let policy = page
        .header(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_owned();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("script-src 'self' 'nonce-"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    // The nonce in the header is the one on the page's inline scripts.
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(page.body.contains(&format!("nonce=\"{nonce}\"")));
    assert_eq!(page.header(header::X_CONTENT_TYPE_OPTIONS), Some("nosniff"));
    assert_eq!(page.header(header::REFERRER_POLICY), Some("same-origin"));
    let another = app.get("/login", None).await;
    assert_ne!(
        another.header(header::CONTENT_SECURITY_POLICY),
        Some(policy.as_str())
    );

    let json = app.get("/api/v2/audit", None).await;
    let policy = json.header(header::CONTENT_SECURITY_POLICY).unwrap();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    db.close().await;
}
