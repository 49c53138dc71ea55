//! Visitor sign-in through the messenger: the popup flow (`/messenger/auth/start` and
//! `/messenger/auth/callback`) against a loopback provider that misbehaves in one way per
//! test, each failure with its reason code; sessions, refresh, sign-out, the page-side
//! exchange and the sign-in log.

use crate::common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, TestApp, read_until};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use switchboard_core::testing::issuer::{CLIENT_ID, CLIENT_SECRET, NAME, SUBJECT, TestIssuer};
use switchboard_db::entities::messenger_session;
use switchboard_db::test_on_each_engine;
use switchboard_domain::admin::Role;
use url::Url;

test_on_each_engine!(
    a_visitor_signs_in_at_the_real_oidc_provider,
    a_visitor_signs_in_and_out,
    the_provider_rotating_its_keys_costs_one_refetch,
    sign_ins_at_once_after_a_rotation_share_one_refetch,
    each_bad_id_token_fails_with_its_reason,
    state_is_single_use_and_bound_to_the_browser,
    userinfo_must_name_the_same_user,
    users_outside_the_allowed_groups_are_refused,
    a_foreign_iss_parameter_is_refused,
    a_refused_refresh_ends_the_session,
    pages_can_exchange_their_own_code,
    page_side_codes_need_a_server_nonce_and_pkce,
    a_back_channel_logout_ends_the_persons_sessions,
    sign_in_endpoints_are_rate_limited,
    an_anonymous_conversation_goes_on_signed_in,
    public_answers_name_reason_codes_only,
    a_refresh_checks_the_integration_and_the_groups_again,
    cached_provider_data_follows_the_integration,
    retired_keys_stop_being_trusted_within_their_max_age,
    anonymous_failures_cannot_flood_the_sign_in_log,
    one_person_has_one_conversation_on_every_device,
    two_devices_writing_at_once_share_one_conversation,
    a_closed_conversation_makes_way_for_a_new_one,
    the_upgrade_merges_into_the_persons_conversation,
    history_pages_back_in_bounded_pages,
    typing_and_read_signals_reach_the_visitor,
    email_verified_comes_from_the_provider,
    entra_group_overage_is_read_from_microsoft_graph,
    a_missing_refresh_token_is_named_in_the_sign_in_log,
);

type TweakFn = dyn Fn(&mut switchboard_core::testing::issuer::Tweak);

struct Setup {
    app: TestApp,
    token: String,
    issuer: TestIssuer,
    integration: String,
    deployment: String,
}

impl Setup {
    async fn new(db: &DatabaseConnection) -> Self {
        Self::with_groups(db, &[]).await
    }

    /// A messenger on a fresh test provider, allowing `groups`.
    async fn with_groups(db: &DatabaseConnection, groups: &[&str]) -> Self {
        Self::build(db, groups, false).await
    }

    /// A messenger whose anonymous conversations may continue signed in.
    async fn with_upgrade(db: &DatabaseConnection) -> Self {
        Self::build(db, &[], true).await
    }

    async fn build(db: &DatabaseConnection, groups: &[&str], upgrade: bool) -> Self {
        Self::build_on(TestApp::new(db), groups, upgrade).await
    }

    /// [`Setup::build`] on an app a test set up itself.
    async fn build_on(app: TestApp, groups: &[&str], upgrade: bool) -> Self {
        let issuer = TestIssuer::start().await;
        let token = app
            .token(&format!("setup {}", issuer.issuer), Role::Admin)
            .await;
        let (integration, deployment) = deploy_with(
            &app,
            &token,
            &issuer.issuer,
            (CLIENT_ID, CLIENT_SECRET),
            groups,
            upgrade,
        )
        .await;
        let setup = Self {
            app,
            token,
            issuer,
            integration,
            deployment,
        };
        setup.page_sign_in(true).await;
        setup
    }

    /// Turns page-side sign-in on (with the customer's page as its redirect URI) or off.
    async fn page_sign_in(&self, on: bool) {
        let path = format!("/api/v2/messenger/deployments/{}", self.deployment);
        let mut deployment = self
            .app
            .api(Method::GET, &path, &self.token, None)
            .await
            .json();
        deployment["pageSignIn"] = json!(on);
        deployment["pageRedirectUris"] = json!([PAGE_REDIRECT]);
        let saved = self
            .app
            .api(Method::PUT, &path, &self.token, Some(deployment))
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    }

    /// Starts a sign-in: the provider URL and the cookie the browser got.
    async fn start(&self) -> (Url, String) {
        let answer = self
            .app
            .get(
                &format!("/messenger/auth/start?deployment={}", self.deployment),
                None,
            )
            .await;
        assert_eq!(answer.status, StatusCode::FOUND, "{}", answer.body);
        let location = Url::parse(answer.location().unwrap()).unwrap();
        assert!(
            location
                .as_str()
                .starts_with(&format!("{}/authorize?", self.issuer.issuer))
        );
        let cookie = answer.session_cookie().expect("a flow cookie");
        (location, cookie)
    }

    /// A whole sign-in: start, log in at the provider, come back with the code.
    async fn sign_in(&self) -> Answer {
        let (location, cookie) = self.start().await;
        let code = self.issuer.authorize(&location);
        self.callback(&location, &code, &cookie, None).await
    }

    async fn callback(
        &self,
        location: &Url,
        code: &str,
        cookie: &str,
        iss: Option<&str>,
    ) -> Answer {
        let state = query(location, "state");
        let mut path = format!("/messenger/auth/callback?code={code}&state={state}");
        if let Some(iss) = iss {
            path.push_str(&format!("&iss={}", urlencode(iss)));
        }
        self.app.get(&path, Some(cookie)).await
    }

    async fn sign_ins(&self) -> Vec<Value> {
        let answer = self
            .app
            .api(
                Method::GET,
                &format!("/api/v2/integrations/{}/signins", self.integration),
                &self.token,
                None,
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answer.json().as_array().unwrap().clone()
    }

    async fn sessions(&self) -> u64 {
        messenger_session::Entity::find()
            .count(self.app.db())
            .await
            .unwrap()
    }

    /// Asserts a failed sign-in: the status, the reason on the page and in the sign-in log,
    /// and no session created.
    async fn assert_fails(&self, answer: &Answer, status: StatusCode, reason: &str) {
        assert_eq!(answer.status, status, "{}", answer.body);
        assert!(
            answer.body.contains(&format!(">{}<", html(reason))),
            "the page names {reason}: {}",
            answer.body
        );
        let latest = &self.sign_ins().await[0];
        assert_eq!(latest["succeeded"], false);
        assert_eq!(latest["reason"], reason, "{latest}");
        assert_eq!(self.sessions().await, 0, "nothing half-created");
    }

    async fn messenger(&self, method: Method, path: &str, session: &str) -> Answer {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {session}"))
            .body(Body::empty())
            .unwrap();
        self.app.send(request).await
    }
}

/// An active integration on the provider at `discovery`, and a messenger signing in through it
/// on `customer.example`: (integration, deployment).
async fn deploy(
    app: &TestApp,
    token: &str,
    discovery: &str,
    (client_id, client_secret): (&str, &str),
    groups: &[&str],
) -> (String, String) {
    deploy_with(
        app,
        token,
        discovery,
        (client_id, client_secret),
        groups,
        false,
    )
    .await
}

/// [`deploy`], choosing whether anonymous conversations may continue signed in.
pub(crate) async fn deploy_with(
    app: &TestApp,
    token: &str,
    discovery: &str,
    (client_id, client_secret): (&str, &str),
    groups: &[&str],
    upgrade: bool,
) -> (String, String) {
    let settings = json!({
        "name": "Test provider",
        "discoveryUri": discovery,
        "scopes": ["openid", "profile", "email", "offline_access"],
        "maxRefreshTokenLifetimeSeconds": 86400,
        "allowedGroups": groups,
        "clockSkewSeconds": 60,
    });
    let integration = app
        .integration_with(token, settings, (client_id, client_secret))
        .await;
    let authentication =
        json!({"enabled": true, "integrationId": integration, "allowSessionUpgrade": upgrade});
    let deployment = app.deployed_messenger(token, authentication).await;
    (integration, deployment)
}

pub(crate) fn query(url: &Url, name: &str) -> String {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The data the callback page hands to the messenger.
pub(crate) fn result(answer: &Answer) -> Value {
    let start = answer
        .body
        .find(r#"id="switchboard-result">"#)
        .expect("a result block")
        + r#"id="switchboard-result">"#.len();
    let end = start + answer.body[start..].find("</script>").unwrap();
    serde_json::from_str(&answer.body[start..end]).unwrap()
}

/// panva's oidc-provider, the end-to-end tests' provider, run by node for one test.
struct NodeProvider {
    child: std::process::Child,
    info: Value,
}

impl NodeProvider {
    fn start(redirect_uri: &str) -> Self {
        use std::io::BufRead;
        let end2end = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../end2end");
        let tsx = end2end.join("node_modules/.bin/tsx");
        assert!(
            tsx.exists(),
            "end2end's npm packages are missing: run ./scripts/test.sh, or npm ci in end2end/"
        );
        let mut child = std::process::Command::new(tsx)
            .args(["fixtures/standalone-provider.ts", redirect_uri])
            .current_dir(&end2end)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("node runs the provider");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info = serde_json::from_str(&line).unwrap_or_else(|_| panic!("provider said {line:?}"));
        Self { child, info }
    }

    fn text(&self, pointer: &str) -> String {
        self.info
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap()
            .to_owned()
    }
}

impl Drop for NodeProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Follows the provider's redirects and fills its login form, as a browser would, until the
/// provider sends the browser back to Switchboard; returns that URL.
async fn log_in_at(provider: &NodeProvider, authorization_url: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let issuer = provider.text("/issuer");
    let mut cookies: Vec<(String, String)> = vec![];
    let mut next = authorization_url.to_owned();
    let mut form: Option<Vec<(&str, String)>> = None;
    for _ in 0..10 {
        if next.starts_with(common::BASE) {
            return next;
        }
        let url = if next.starts_with('/') {
            format!("{issuer}{next}")
        } else {
            next.clone()
        };
        let cookie = cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let request = match form.take() {
            Some(fields) => client.post(&url).form(&fields),
            None => client.get(&url),
        };
        let response = request.header(header::COOKIE, cookie).send().await.unwrap();
        for set in response.headers().get_all(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            cookies.retain(|(known, _)| known != name);
            cookies.push((name.to_owned(), value.to_owned()));
        }
        if let Some(location) = response.headers().get(header::LOCATION) {
            next = location.to_str().unwrap().to_owned();
            continue;
        }
        let page = response.text().await.unwrap();
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no login form in {page}"));
        next = action.to_owned();
        form = Some(vec![
            ("username", provider.text("/user/username")),
            ("password", provider.text("/user/password")),
        ]);
    }
    panic!("the provider never sent the browser back");
}

async fn a_visitor_signs_in_at_the_real_oidc_provider(db: &DatabaseConnection) {
    let provider = NodeProvider::start(&format!("{}/messenger/auth/callback", common::BASE));
    let app = TestApp::new(db);
    let token = app.token("setup", Role::Admin).await;
    let (integration, deployment) = deploy(
        &app,
        &token,
        &provider.text("/issuer"),
        (
            &provider.text("/client/clientId"),
            &provider.text("/client/clientSecret"),
        ),
        &[],
    )
    .await;
    let start = app
        .get(
            &format!("/messenger/auth/start?deployment={deployment}"),
            None,
        )
        .await;
    assert_eq!(start.status, StatusCode::FOUND, "{}", start.body);
    let cookie = start.session_cookie().unwrap();
    let back = log_in_at(&provider, start.location().unwrap()).await;
    let back = Url::parse(&back).unwrap();
    assert_eq!(
        query(&back, "iss"),
        provider.text("/issuer"),
        "RFC 9207 iss is sent"
    );
    let answer = app
        .get(
            &format!("{}?{}", back.path(), back.query().unwrap()),
            Some(&cookie),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let identity = &result(&answer)["session"]["identity"];
    assert_eq!(identity["subject"], provider.text("/user/subject"));
    // oidc-provider keeps profile claims out of the ID token: these came from userinfo.
    assert_eq!(identity["name"], provider.text("/user/name"));
    assert_eq!(identity["email"], provider.text("/user/email"));
    // The token and userinfo requests are timed apart from the callback's own work.
    let timing = answer.header(header::HeaderName::from_static("server-timing"));
    let duration = |metric: &str| -> f64 {
        let entry = timing
            .and_then(|value| value.split(", ").find(|e| e.starts_with(metric)))
            .unwrap_or_else(|| panic!("no {metric} in Server-Timing {timing:?}"));
        entry
            .split("dur=")
            .nth(1)
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (waited, total) = (duration("provider;"), duration("total;"));
    assert!(waited > 0.0 && waited <= total, "{timing:?}");
    let log = app
        .api(
            Method::GET,
            &format!("/api/v2/integrations/{integration}/signins"),
            &token,
            None,
        )
        .await;
    assert_eq!(log.json()[0]["succeeded"], true, "{}", log.body);
}

async fn a_visitor_signs_in_and_out(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let (location, cookie) = setup.start().await;
    for (name, value) in [
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("code_challenge_method", "S256"),
        (
            "redirect_uri",
            "http://127.0.0.1:3000/messenger/auth/callback",
        ),
        ("scope", "openid profile email offline_access"),
    ] {
        assert_eq!(query(&location, name), value);
    }
    assert!(cookie.contains("switchboard_sign_in_"));
    let code = setup.issuer.authorize(&location);
    let answer = setup
        .callback(&location, &code, &cookie, Some(&setup.issuer.issuer))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.header(header::CACHE_CONTROL), Some("no-store"));
    let handed = result(&answer);
    assert_eq!(handed["type"], "switchboard:signed-in");
    assert_eq!(handed["deploymentId"], setup.deployment.as_str());
    assert_eq!(handed["session"]["identity"]["name"], NAME);
    assert_eq!(handed["session"]["identity"]["subject"], SUBJECT);
    assert_eq!(
        handed["session"]["identity"]["issuer"],
        setup.issuer.issuer.as_str()
    );
    let session = handed["session"]["token"].as_str().unwrap().to_owned();
    assert!(session.starts_with("sbm_"));
    // At rest: the session as a digest, the provider's refresh token sealed.
    let row = messenger_session::Entity::find()
        .one(setup.app.db())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(row.token_hash, session);
    let sealed = String::from_utf8(row.refresh_token_sealed.unwrap()).unwrap();
    let issued = setup.issuer.refresh_tokens();
    assert_eq!(issued.len(), 1);
    assert!(!sealed.contains(&issued[0]));

    let current = setup
        .messenger(Method::GET, "/messenger/v1/session", &session)
        .await;
    assert_eq!(current.status, StatusCode::OK, "{}", current.body);
    assert_eq!(current.json()["identity"]["email"], "ada@example.com");
    assert_eq!(current.json()["refreshable"], true);

    let refreshed = setup
        .messenger(Method::POST, "/messenger/v1/token/refresh", &session)
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    assert_eq!(refreshed.json()["identity"]["subject"], SUBJECT);

    let log = setup.sign_ins().await;
    assert_eq!(log[0]["succeeded"], true, "{log:?}");
    assert!(
        log.iter()
            .any(|entry| entry["purpose"] == "visitor" && entry["subject"] == SUBJECT)
    );

    let out = setup
        .messenger(Method::DELETE, "/messenger/v1/token", &session)
        .await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.body);
    // The provider's sign-out knows whose session it is, and returns to the messenger's page.
    let end_session = Url::parse(out.json()["endSessionUrl"].as_str().unwrap()).unwrap();
    assert_eq!(
        end_session.as_str().split('?').next(),
        Some(format!("{}/logout", setup.issuer.issuer).as_str())
    );
    assert_eq!(query(&end_session, "client_id"), CLIENT_ID);
    assert_eq!(
        query(&end_session, "post_logout_redirect_uri"),
        format!("{}/messenger/auth/signed-out", common::BASE)
    );
    let hint = query(&end_session, "id_token_hint");
    assert_eq!(hint.split('.').count(), 3, "a JWT: {hint}");
    let signed_out = setup.app.get("/messenger/auth/signed-out", None).await;
    assert_eq!(signed_out.status, StatusCode::OK);
    assert!(signed_out.body.contains("Signed out"));
    assert_eq!(
        setup.issuer.revoked().len(),
        1,
        "the refresh token is revoked"
    );
    let after = setup
        .messenger(Method::GET, "/messenger/v1/session", &session)
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.json()["error"], "session_expired");
}

async fn the_provider_rotating_its_keys_costs_one_refetch(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    assert_eq!(setup.sign_in().await.status, StatusCode::OK);
    let fetched = setup.issuer.jwks_fetches();
    assert_eq!(setup.sign_in().await.status, StatusCode::OK);
    assert_eq!(
        setup.issuer.jwks_fetches(),
        fetched,
        "keys come from the cache"
    );
    setup.issuer.rotate_keys();
    let answer = setup.sign_in().await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        setup.issuer.jwks_fetches(),
        fetched + 1,
        "one refetch for the new kid"
    );
}

/// Visitors signing in at the same moment, just after the provider rotated its keys: the first
/// to meet the new key fetches, the others wait for that fetch and use it (none is refused for
/// a key "refetched less than a minute ago").
async fn sign_ins_at_once_after_a_rotation_share_one_refetch(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    assert_eq!(setup.sign_in().await.status, StatusCode::OK);
    setup.issuer.rotate_keys();
    let fetched = setup.issuer.jwks_fetches();
    let answers = futures_util::future::join_all((0..6).map(|_| setup.sign_in())).await;
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    assert_eq!(
        setup.issuer.jwks_fetches(),
        fetched + 1,
        "one refetch for all"
    );
}

async fn each_bad_id_token_fails_with_its_reason(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let now = chrono::Utc::now().timestamp();
    let cases: Vec<(&str, Box<TweakFn>)> = vec![
        (
            "invalid_id_token: issuer mismatch",
            Box::new(|t| {
                t.claims.insert("iss".into(), json!("https://evil.example"));
            }),
        ),
        (
            "invalid_id_token: audience mismatch",
            Box::new(|t| {
                t.claims.insert("aud".into(), json!("another-client"));
            }),
        ),
        (
            "invalid_id_token: azp mismatch",
            Box::new(|t| {
                t.claims
                    .insert("aud".into(), json!([CLIENT_ID, "another-client"]));
            }),
        ),
        (
            "invalid_id_token: bad signature",
            Box::new(|t| t.corrupt_signature = true),
        ),
        (
            "invalid_id_token: alg none",
            Box::new(|t| t.unsigned = true),
        ),
        (
            "invalid_id_token: missing sub",
            Box::new(|t| {
                t.claims.insert("sub".into(), Value::Null);
            }),
        ),
        (
            "invalid_id_token: missing iat",
            Box::new(|t| {
                t.claims.insert("iat".into(), Value::Null);
            }),
        ),
        (
            "invalid_id_token: expired",
            Box::new(move |t| {
                t.claims.insert("exp".into(), json!(now - 120));
                t.claims.insert("iat".into(), json!(now - 420));
            }),
        ),
        (
            "clock_skew",
            Box::new(move |t| {
                t.claims.insert("iat".into(), json!(now + 300));
                t.claims.insert("exp".into(), json!(now + 900));
            }),
        ),
        (
            "invalid_id_token: nonce mismatch",
            Box::new(|t| {
                t.claims.insert("nonce".into(), json!("not-the-nonce"));
            }),
        ),
    ];
    for (reason, tweak) in cases {
        setup.issuer.tweak(|t| {
            *t = Default::default();
            tweak(t);
        });
        let answer = setup.sign_in().await;
        setup
            .assert_fails(&answer, StatusCode::BAD_REQUEST, reason)
            .await;
    }
    // A signing key the provider does not publish, even after the refetch.
    setup.issuer.tweak(|t| *t = Default::default());
    setup.issuer.rotate_keys();
    let answer = setup.sign_in().await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "a rotated key is found after a refetch"
    );
}

async fn state_is_single_use_and_bound_to_the_browser(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let (location, cookie) = setup.start().await;
    let code = setup.issuer.authorize(&location);
    assert_eq!(
        setup.callback(&location, &code, &cookie, None).await.status,
        StatusCode::OK
    );
    let sessions = setup.sessions().await;
    let again = setup.callback(&location, &code, &cookie, None).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert!(again.body.contains(">state_mismatch<"), "{}", again.body);
    assert_eq!(setup.sessions().await, sessions);

    let unknown = setup
        .app
        .get(
            "/messenger/auth/callback?code=x&state=made-up",
            Some(&cookie),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.body.contains(">state_mismatch<"));

    // Finished in another browser (without the start's cookie).
    let (location, _) = setup.start().await;
    let code = setup.issuer.authorize(&location);
    let stranger = setup.callback(&location, &code, "other=1", None).await;
    assert_eq!(stranger.status, StatusCode::BAD_REQUEST);
    assert!(stranger.body.contains(">state_mismatch<"));
    assert_eq!(setup.sessions().await, sessions);
}

async fn userinfo_must_name_the_same_user(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    // Without a name in the ID token, the name comes from userinfo, which must agree on `sub`.
    setup.issuer.tweak(|t| {
        t.claims.insert("name".into(), Value::Null);
        t.userinfo_subject = Some("someone-else".into());
    });
    let answer = setup.sign_in().await;
    setup
        .assert_fails(&answer, StatusCode::BAD_REQUEST, "userinfo_mismatch")
        .await;
    setup.issuer.tweak(|t| t.userinfo_subject = None);
    let answer = setup.sign_in().await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(result(&answer)["session"]["identity"]["name"], NAME);
}

async fn users_outside_the_allowed_groups_are_refused(db: &DatabaseConnection) {
    let setup = Setup::with_groups(db, &["administrators"]).await;
    let answer = setup.sign_in().await;
    setup
        .assert_fails(&answer, StatusCode::FORBIDDEN, "group_denied")
        .await;
    // The groups come from userinfo when the token has none.
    let setup = Setup::with_groups(db, &["support"]).await;
    setup.issuer.tweak(|t| {
        t.claims.insert("groups".into(), Value::Null);
    });
    let answer = setup.sign_in().await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        result(&answer)["session"]["identity"]["groups"],
        json!(["support", "engineering"])
    );
}

async fn a_foreign_iss_parameter_is_refused(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let (location, cookie) = setup.start().await;
    let code = setup.issuer.authorize(&location);
    let answer = setup
        .callback(&location, &code, &cookie, Some("https://evil.example"))
        .await;
    setup
        .assert_fails(&answer, StatusCode::BAD_REQUEST, "issuer_mismatch")
        .await;
}

async fn a_refused_refresh_ends_the_session(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let answer = setup.sign_in().await;
    let session = result(&answer)["session"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    setup.issuer.tweak(|t| t.refuse_refresh = true);
    let refused = setup
        .messenger(Method::POST, "/messenger/v1/token/refresh", &session)
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(refused.json()["error"], "refresh_failed");
    // The provider's own words go to the sign-in log, not to the page.
    assert!(
        !refused.json()["message"]
            .as_str()
            .unwrap()
            .contains("invalid_grant")
    );
    let after = setup
        .messenger(Method::GET, "/messenger/v1/session", &session)
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    let log = setup.sign_ins().await;
    assert_eq!(log[0]["purpose"], "refresh");
    assert_eq!(log[0]["reason"], "invalid_grant");
}

async fn pages_can_exchange_their_own_code(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let (code, nonce) = setup.page_code().await;
    let answer = exchange_from(&setup, PAGE, &code, &nonce, Some(PAGE_VERIFIER)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("https://customer.example")
    );
    assert_eq!(answer.json()["identity"]["subject"], SUBJECT);
    assert!(answer.json()["token"].as_str().unwrap().starts_with("sbm_"));

    // The nonce in the ID token must be the one the page sent.
    let (code, _) = setup.page_code().await;
    let other = setup.page_nonce().await;
    let wrong_nonce = exchange_from(&setup, PAGE, &code, &other, Some(PAGE_VERIFIER)).await;
    assert_eq!(wrong_nonce.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong_nonce.json()["error"],
        "invalid_id_token: nonce mismatch"
    );

    let (code, nonce) = setup.page_code().await;
    let elsewhere = exchange_from(
        &setup,
        "https://intruder.example",
        &code,
        &nonce,
        Some(PAGE_VERIFIER),
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    assert_eq!(elsewhere.json()["error"], "origin_not_allowed");
    assert_eq!(elsewhere.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), None);
    let nonce_elsewhere = setup.nonce_from("https://intruder.example").await;
    assert_eq!(nonce_elsewhere.status, StatusCode::FORBIDDEN);
    let log = setup.sign_ins().await;
    assert_eq!(
        log.iter()
            .filter(|entry| entry["purpose"] == "exchange")
            .count(),
        2
    );
}

async fn page_side_codes_need_a_server_nonce_and_pkce(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let refused = |answer: &Answer, reason: &str| {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
        assert_eq!(answer.json()["error"], reason, "{}", answer.body);
    };

    // A nonce the page made up, as a code obtained elsewhere would carry.
    let code = setup
        .issuer
        .grant("made-up-nonce", PAGE_VERIFIER, PAGE_REDIRECT);
    let made_up = exchange_from(&setup, PAGE, &code, "made-up-nonce", Some(PAGE_VERIFIER)).await;
    refused(&made_up, "nonce_unknown");

    // Issued nonces are single use.
    let (code, nonce) = setup.page_code().await;
    let first = exchange_from(&setup, PAGE, &code, &nonce, Some(PAGE_VERIFIER)).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let code = setup.issuer.grant(&nonce, PAGE_VERIFIER, PAGE_REDIRECT);
    let replayed = exchange_from(&setup, PAGE, &code, &nonce, Some(PAGE_VERIFIER)).await;
    refused(&replayed, "nonce_used");

    // Without PKCE, or with a verifier PKCE does not allow.
    let (code, nonce) = setup.page_code().await;
    refused(
        &exchange_from(&setup, PAGE, &code, &nonce, None).await,
        "pkce_required",
    );
    refused(
        &exchange_from(&setup, PAGE, &code, &nonce, Some("short")).await,
        "pkce_required",
    );

    // A nonce issued for another deployment of the same configuration.
    let other = setup.second_deployment().await;
    let issued = setup.nonce_for(&other, PAGE).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    let foreign = issued.json()["nonce"].as_str().unwrap().to_owned();
    let code = setup.issuer.grant(&foreign, PAGE_VERIFIER, PAGE_REDIRECT);
    refused(
        &exchange_from(&setup, PAGE, &code, &foreign, Some(PAGE_VERIFIER)).await,
        "nonce_unknown",
    );

    // Only the redirect URIs the deployment lists.
    let (code, nonce) = setup.page_code().await;
    let body = json!({"deploymentId": setup.deployment, "oauth": {
        "code": code, "redirectUri": "https://customer.example/elsewhere", "nonce": nonce,
        "codeVerifier": PAGE_VERIFIER, "iss": setup.issuer.issuer,
    }});
    let request = Request::post("/messenger/v1/token/exchange")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, PAGE)
        .body(Body::from(body.to_string()))
        .unwrap();
    let unlisted = setup.app.send_from("203.0.113.9:4000", request).await;
    refused(&unlisted, "invalid_request");
    assert!(
        unlisted.json()["message"]
            .as_str()
            .unwrap()
            .contains("redirect URI"),
        "{}",
        unlisted.body
    );

    // Ten minutes on, a nonce is no longer accepted.
    let (code, nonce) = setup.page_code().await;
    use sea_orm::sea_query::Expr;
    switchboard_db::entities::page_nonce::Entity::update_many()
        .col_expr(
            switchboard_db::entities::page_nonce::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .exec(setup.app.db())
        .await
        .unwrap();
    let late = exchange_from(&setup, PAGE, &code, &nonce, Some(PAGE_VERIFIER)).await;
    refused(&late, "nonce_unknown");
    assert!(
        late.json()["message"].as_str().unwrap().contains("nonce"),
        "{}",
        late.body
    );

    // With page-side sign-in off, neither nonces nor exchanges.
    let (code, nonce) = setup.page_code().await;
    setup.page_sign_in(false).await;
    let off = setup.nonce_from(PAGE).await;
    refused(&off, "page_sign_in_disabled");
    let off = exchange_from(&setup, PAGE, &code, &nonce, Some(PAGE_VERIFIER)).await;
    refused(&off, "page_sign_in_disabled");

    // Each refusal is in the sign-in log with its reason; only the one good exchange made a session.
    let reasons: Vec<String> = setup
        .sign_ins()
        .await
        .iter()
        .filter(|entry| entry["purpose"] == "exchange" && entry["succeeded"] == false)
        .map(|entry| entry["reason"].as_str().unwrap_or_default().to_owned())
        .collect();
    for reason in ["nonce_unknown", "nonce_used", "pkce_required"] {
        assert!(
            reasons.iter().any(|r| r == reason),
            "{reason} not logged: {reasons:?}"
        );
    }
    assert_eq!(setup.sessions().await, 1);
}

async fn sign_in_endpoints_are_rate_limited(db: &DatabaseConnection) {
    let app = TestApp::new(db);
    let path = format!("/messenger/auth/start?deployment={}", uuid::Uuid::new_v4());
    for _ in 0..120 {
        let answer = app.get(&path, None).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert!(answer.body.contains(">deployment_unavailable<"));
    }
    let limited = app.get(&path, None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = limited
        .header(header::RETRY_AFTER)
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait));
    // The public config is not limited: every page view needs it.
    let config = app
        .get(
            &format!("/messenger/v1/deployments/{}/config", uuid::Uuid::new_v4()),
            None,
        )
        .await;
    assert_eq!(config.status, StatusCode::NOT_FOUND);
}

async fn an_anonymous_conversation_goes_on_signed_in(db: &DatabaseConnection) {
    let setup = Setup::with_upgrade(db).await;
    let deployment = setup.deployment.clone();
    let post = |method: Method, path: &str, bearer: Option<&str>, body: Value| {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(bearer) = bearer {
            request = request.header(header::AUTHORIZATION, format!("Bearer {bearer}"));
        }
        setup
            .app
            .send(request.body(Body::from(body.to_string())).unwrap())
    };
    let anonymous = post(
        Method::POST,
        "/messenger/v1/sessions",
        None,
        json!({"deploymentId": deployment}),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::CREATED, "{}", anonymous.body);
    let anonymous = anonymous.json()["token"].as_str().unwrap().to_owned();
    let first = post(
        Method::POST,
        "/messenger/v1/messages",
        Some(&anonymous),
        json!({"text": "before"}),
    )
    .await;
    assert_eq!(first.json()["authenticated"], false);

    let signed_in = setup.sign_in().await;
    let session = result(&signed_in)["session"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let upgraded = post(
        Method::POST,
        "/messenger/v1/sessions/upgrade",
        Some(&session),
        json!({"anonymousToken": anonymous}),
    )
    .await;
    assert_eq!(upgraded.status, StatusCode::OK, "{}", upgraded.body);
    let second = post(
        Method::POST,
        "/messenger/v1/messages",
        Some(&session),
        json!({"text": "after"}),
    )
    .await;
    assert_eq!(second.json()["authenticated"], true);

    let history = setup
        .messenger(Method::GET, "/messenger/v1/conversation", &session)
        .await;
    let texts: Vec<String> = history.json()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(texts, ["before", "after"]);
    assert_eq!(history.json()["identity"]["subject"], SUBJECT);
    let inbox = setup
        .app
        .api(Method::GET, "/api/v2/conversations", &setup.token, None)
        .await;
    assert_eq!(
        inbox.json().as_array().unwrap().len(),
        1,
        "one conversation, not two"
    );
    assert_eq!(inbox.json()[0]["identity"]["name"], NAME);
    // The anonymous session is over.
    let old = setup
        .messenger(Method::GET, "/messenger/v1/session", &anonymous)
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
}

/// A session signed in through `setup`: its token.
async fn signed_in_session(setup: &Setup) -> String {
    let answer = setup.sign_in().await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    result(&answer)["session"]["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

const PAGE: &str = "https://customer.example";
const PAGE_VERIFIER: &str = "a-page-side-verifier-of-at-least-43-characters-long";
const PAGE_REDIRECT: &str = "https://customer.example/signed-in";

/// The page-side exchange from a page at `origin`.
async fn exchange_from(
    setup: &Setup,
    origin: &str,
    code: &str,
    nonce: &str,
    verifier: Option<&str>,
) -> Answer {
    exchange_as(setup, "203.0.113.9:4000", origin, code, nonce, verifier).await
}

/// The page-side exchange from the customer's page, over a connection from `peer`.
async fn exchange_as(
    setup: &Setup,
    peer: &str,
    origin: &str,
    code: &str,
    nonce: &str,
    verifier: Option<&str>,
) -> Answer {
    let mut oauth = json!({
        "code": code, "redirectUri": PAGE_REDIRECT, "nonce": nonce, "iss": setup.issuer.issuer,
    });
    if let Some(verifier) = verifier {
        oauth["codeVerifier"] = json!(verifier);
    }
    let body = json!({"deploymentId": setup.deployment, "oauth": oauth});
    let request = Request::post("/messenger/v1/token/exchange")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, origin)
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(body.to_string()))
        .unwrap();
    setup.app.send_from(peer, request).await
}

impl Setup {
    /// `POST /messenger/v1/token/nonce` for `deployment`, from a page at `origin`.
    async fn nonce_for(&self, deployment: &str, origin: &str) -> Answer {
        let request = Request::post("/messenger/v1/token/nonce")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ORIGIN, origin)
            .body(Body::from(json!({"deploymentId": deployment}).to_string()))
            .unwrap();
        self.app.send_from("203.0.113.9:4000", request).await
    }

    async fn nonce_from(&self, origin: &str) -> Answer {
        self.nonce_for(&self.deployment, origin).await
    }

    /// A nonce the server issues to the customer's page.
    async fn page_nonce(&self) -> String {
        let answer = self.nonce_from(PAGE).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let expires: chrono::DateTime<chrono::Utc> = answer.json()["expiresAt"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(expires > chrono::Utc::now() + chrono::Duration::minutes(9));
        answer.json()["nonce"].as_str().unwrap().to_owned()
    }

    /// A code the provider gave the customer's page for a fresh server nonce: (code, nonce).
    async fn page_code(&self) -> (String, String) {
        let nonce = self.page_nonce().await;
        (
            self.issuer.grant(&nonce, PAGE_VERIFIER, PAGE_REDIRECT),
            nonce,
        )
    }

    /// Another active deployment of the same configuration, on the same domain; its id.
    async fn second_deployment(&self) -> String {
        let path = format!("/api/v2/messenger/deployments/{}", self.deployment);
        let first = self.app.api(Method::GET, &path, &self.token, None).await;
        let created = self
            .app
            .api(
                Method::POST,
                "/api/v2/messenger/deployments",
                &self.token,
                Some(json!({
                    "name": "Other site",
                    "configuration": first.json()["configuration"],
                    "allowedDomains": ["customer.example"],
                    "status": "active",
                    "pageSignIn": true,
                    "pageRedirectUris": [PAGE_REDIRECT],
                })),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        created.json()["id"].as_str().unwrap().to_owned()
    }
}

async fn public_answers_name_reason_codes_only(db: &DatabaseConnection) {
    let setup = Setup::with_groups(db, &["vault-keepers"]).await;
    let answer = setup.sign_in().await;
    setup
        .assert_fails(&answer, StatusCode::FORBIDDEN, "group_denied")
        .await;
    for secret in ["vault-keepers", "support", "engineering"] {
        assert!(
            !answer.body.contains(secret),
            "the page names {secret}: {}",
            answer.body
        );
    }
    // The admin still learns why, in the sign-in log.
    let detail = setup.sign_ins().await[0]["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("vault-keepers") && detail.contains("engineering"));

    // The page-side exchange answers the same way.
    let (code, nonce) = setup.page_code().await;
    let answer = exchange_from(&setup, PAGE, &code, &nonce, Some(PAGE_VERIFIER)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    assert_eq!(answer.json()["error"], "group_denied");
    for secret in ["vault-keepers", "support", "engineering"] {
        assert!(!answer.body.contains(secret), "the answer names {secret}");
    }

    // A provider that stopped answering: no network error text on the page.
    let setup = Setup::new(db).await;
    let (location, cookie) = setup.start().await;
    let code = setup.issuer.authorize(&location);
    let integration: uuid::Uuid = setup.integration.parse().unwrap();
    let row = switchboard_db::entities::integration::Entity::find_by_id(integration)
        .one(setup.app.db())
        .await
        .unwrap()
        .unwrap();
    let mut moved: switchboard_db::entities::integration::ActiveModel = row.into();
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    moved.discovery_uri = sea_orm::Set(Some(
        "http://127.0.0.1:9/.well-known/openid-configuration".into(),
    ));
    sea_orm::ActiveModelTrait::update(moved, setup.app.db())
        .await
        .unwrap();
    let answer = setup.callback(&location, &code, &cookie, None).await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY, "{}", answer.body);
    assert!(answer.body.contains(">provider_unreachable<"));
    assert!(!answer.body.contains("127.0.0.1:9"), "{}", answer.body);
    assert!(
        !answer.body.to_lowercase().contains("connect"),
        "{}",
        answer.body
    );
}

async fn a_refresh_checks_the_integration_and_the_groups_again(db: &DatabaseConnection) {
    let setup = Setup::with_groups(db, &["support"]).await;
    let on = &setup;
    let refresh = move |session: String| async move {
        on.messenger(Method::POST, "/messenger/v1/token/refresh", &session)
            .await
    };

    // Left the allowed group; the refreshed tokens carry no ID token, userinfo says so.
    let session = signed_in_session(&setup).await;
    assert_eq!(refresh(session.clone()).await.status, StatusCode::OK);
    setup.issuer.tweak(|t| {
        t.refresh_without_id_token = true;
        t.userinfo_groups = Some(vec!["sales".into()]);
    });
    let refused = refresh(session.clone()).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(setup.sign_ins().await[0]["reason"], "group_denied");
    let after = setup
        .messenger(Method::GET, "/messenger/v1/session", &session)
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "the session ended");
    setup.issuer.tweak(|t| t.userinfo_groups = None);

    // Still in the group: a refresh without an ID token goes on.
    let session = signed_in_session(&setup).await;
    assert_eq!(refresh(session.clone()).await.status, StatusCode::OK);

    // The configuration stops signing in through this integration.
    let deployment = setup
        .app
        .api(
            Method::GET,
            &format!("/api/v2/messenger/deployments/{}", setup.deployment),
            &setup.token,
            None,
        )
        .await
        .json();
    let configuration = deployment["configuration"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v2/messenger/configurations/{configuration}");
    let mut config = setup
        .app
        .api(Method::GET, &path, &setup.token, None)
        .await
        .json();
    config["draft"]["authentication"] =
        json!({"enabled": false, "integrationId": null, "allowSessionUpgrade": false});
    let saved = setup
        .app
        .api(Method::PUT, &path, &setup.token, Some(config))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let published = setup
        .app
        .api(
            Method::POST,
            &format!("{path}/versions/draft/publish"),
            &setup.token,
            None,
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let refused = refresh(session).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(setup.sign_ins().await[0]["reason"], "integration_changed");

    // An integration switched off behind the console's back ends its sessions too.
    let setup = Setup::new(db).await;
    let session = signed_in_session(&setup).await;
    let integration: uuid::Uuid = setup.integration.parse().unwrap();
    switchboard_db::entities::integration::Entity::update_many()
        .col_expr(
            switchboard_db::entities::integration::Column::Status,
            sea_orm::sea_query::Expr::value("inactive"),
        )
        .filter(switchboard_db::entities::integration::Column::Id.eq(integration))
        .exec(setup.app.db())
        .await
        .unwrap();
    let refused = setup
        .messenger(Method::POST, "/messenger/v1/token/refresh", &session)
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(setup.sign_ins().await[0]["reason"], "integration_inactive");
}

async fn cached_provider_data_follows_the_integration(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    assert_eq!(setup.sign_in().await.status, StatusCode::OK);
    let path = format!("/api/v2/integrations/{}", setup.integration);
    let current = setup
        .app
        .api(Method::GET, &path, &setup.token, None)
        .await
        .json();
    let settings = json!({
        "name": current["name"],
        "discoveryUri": current["discoveryUri"],
        "scopes": current["scopes"],
        "maxRefreshTokenLifetimeSeconds": current["maxRefreshTokenLifetimeSeconds"],
        "allowedGroups": current["allowedGroups"],
        "clockSkewSeconds": current["clockSkewSeconds"],
    });
    let saved = setup
        .app
        .api(Method::PUT, &path, &setup.token, Some(settings))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    // Saving ran the discovery check (one JWKS fetch of its own); the next sign-in must not
    // use keys cached under the old settings.
    let before = setup.issuer.jwks_fetches();
    assert_eq!(setup.sign_in().await.status, StatusCode::OK);
    assert_eq!(
        setup.issuer.jwks_fetches(),
        before + 1,
        "keys fetched again"
    );
    assert_eq!(setup.sign_in().await.status, StatusCode::OK);
    assert_eq!(setup.issuer.jwks_fetches(), before + 1, "then cached again");
}

async fn retired_keys_stop_being_trusted_within_their_max_age(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    setup.issuer.tweak(|t| t.jwks_max_age = Some(1));
    assert_eq!(setup.sign_in().await.status, StatusCode::OK);
    // The provider stops publishing k1; a token still signed with it is refused once the
    // cached keys are older than the provider's max-age.
    setup.issuer.retire_signing_key();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let before = setup.sessions().await;
    let answer = setup.sign_in().await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert!(
        answer.body.contains(">unknown_signing_key<"),
        "{}",
        answer.body
    );
    assert_eq!(setup.sign_ins().await[0]["reason"], "unknown_signing_key");
    assert_eq!(
        setup.sessions().await,
        before,
        "no session for a retired key"
    );
}

async fn anonymous_failures_cannot_flood_the_sign_in_log(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let limit = switchboard_core::sign_in_log::FAILURES_PER_ADDRESS as usize;
    for n in 0..limit + 5 {
        let nonce = setup.page_nonce().await;
        let forged = format!("forged-{n}");
        let answer = exchange_as(
            &setup,
            "198.51.100.1:4000",
            PAGE,
            &forged,
            &nonce,
            Some(PAGE_VERIFIER),
        )
        .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
        assert_eq!(answer.json()["error"], "invalid_grant");
    }
    let logged = || async { sign_in_attempt_count(&setup).await };
    assert_eq!(logged().await, limit, "the flood is cut off at the limit");
    // Another address is still heard.
    let nonce = setup.page_nonce().await;
    exchange_as(
        &setup,
        "198.51.100.2:4000",
        PAGE,
        "forged-elsewhere",
        &nonce,
        Some(PAGE_VERIFIER),
    )
    .await;
    assert_eq!(logged().await, limit + 1);
}

async fn sign_in_attempt_count(setup: &Setup) -> usize {
    switchboard_db::entities::sign_in_attempt::Entity::find()
        .count(setup.app.db())
        .await
        .unwrap() as usize
}

impl Setup {
    /// A visitor's request with their messenger session.
    async fn visitor(
        &self,
        method: Method,
        path: &str,
        session: &str,
        body: Option<Value>,
    ) -> Answer {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {session}"))
            .header(header::ORIGIN, "https://customer.example");
        let request = match body {
            Some(body) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => request.body(Body::empty()),
        };
        self.app.send(request.unwrap()).await
    }

    /// The visitor's event stream, open.
    async fn events(&self, session: &str) -> Body {
        let request = Request::get("/messenger/v1/events")
            .header(header::AUTHORIZATION, format!("Bearer {session}"))
            .body(Body::empty())
            .unwrap();
        self.app.open(request).await.into_body()
    }

    async fn write(&self, session: &str, text: &str) -> i64 {
        let sent = self
            .visitor(
                Method::POST,
                "/messenger/v1/messages",
                session,
                Some(json!({"text": text})),
            )
            .await;
        assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
        sent.json()["id"].as_i64().unwrap()
    }

    async fn conversation(&self, session: &str, query: &str) -> Answer {
        self.visitor(
            Method::GET,
            &format!("/messenger/v1/conversation{query}"),
            session,
            None,
        )
        .await
    }

    async fn inbox(&self) -> Vec<Value> {
        let answer = self
            .app
            .api(Method::GET, "/api/v2/conversations", &self.token, None)
            .await;
        answer.json().as_array().unwrap().clone()
    }

    fn agent(&self) -> switchboard_core::admins::Principal {
        switchboard_core::admins::Principal {
            id: uuid::Uuid::new_v4(),
            name: "agent@example.com".into(),
            role: Role::Admin,
            kind: switchboard_core::admins::PrincipalKind::Admin,
        }
    }
}

fn texts(answer: &Answer) -> Vec<String> {
    answer.json()["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| message["text"].as_str().unwrap().to_owned())
        .collect()
}

async fn one_person_has_one_conversation_on_every_device(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let laptop = signed_in_session(&setup).await;
    setup.write(&laptop, "Written on the laptop").await;
    // The same person signs in on a phone: the history is there at once.
    let phone = signed_in_session(&setup).await;
    assert_ne!(laptop, phone);
    let on_phone = setup.conversation(&phone, "").await;
    assert_eq!(on_phone.status, StatusCode::OK, "{}", on_phone.body);
    assert_eq!(texts(&on_phone), ["Written on the laptop"]);
    let on_laptop = setup.conversation(&laptop, "").await;
    assert_eq!(on_phone.json()["id"], on_laptop.json()["id"]);

    // Live on both: the laptop's stream hears what the phone writes.
    let mut stream = setup.events(&laptop).await;
    read_until(&mut stream, &["Written on the laptop".into()]).await;
    setup.write(&phone, "And this on the phone").await;
    read_until(&mut stream, &["And this on the phone".into()]).await;
    assert_eq!(
        setup.inbox().await.len(),
        1,
        "one conversation in the console"
    );

    // The same person on another deployment (another site) is a separate conversation.
    let other = setup
        .app
        .deployed_messenger(
            &setup.token,
            json!({"enabled": true, "integrationId": setup.integration, "allowSessionUpgrade": false}),
        )
        .await;
    let start = setup
        .app
        .get(&format!("/messenger/auth/start?deployment={other}"), None)
        .await;
    let location = Url::parse(start.location().unwrap()).unwrap();
    let code = setup.issuer.authorize(&location);
    let answer = setup
        .callback(&location, &code, &start.session_cookie().unwrap(), None)
        .await;
    let elsewhere = result(&answer)["session"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(texts(&setup.conversation(&elsewhere, "").await).is_empty());
    setup.write(&elsewhere, "On the other site").await;
    setup.write(&phone, "Back on this site").await;
    let heard = read_until(&mut stream, &["Back on this site".into()]).await;
    assert!(!heard.contains("On the other site"), "{heard}");
    assert_eq!(setup.inbox().await.len(), 2);

    // Another person never sees it.
    setup.issuer.tweak(|t| {
        t.claims.insert("sub".into(), json!("grace-hopper"));
    });
    let other = signed_in_session(&setup).await;
    assert!(texts(&setup.conversation(&other, "").await).is_empty());
    setup.write(&other, "Someone else").await;
    assert_eq!(setup.inbox().await.len(), 3);
}

async fn a_closed_conversation_makes_way_for_a_new_one(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let laptop = signed_in_session(&setup).await;
    let phone = signed_in_session(&setup).await;
    setup.write(&laptop, "First question").await;
    let first: uuid::Uuid = setup.conversation(&laptop, "").await.json()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // The phone's stream is on the first conversation when the agent closes it.
    let mut stream = setup.events(&phone).await;
    read_until(&mut stream, &["First question".into()]).await;
    switchboard_core::conversations::close(&setup.app.services, first, &setup.agent())
        .await
        .unwrap();
    setup.write(&laptop, "A new question").await;
    let after = setup.conversation(&laptop, "").await;
    let second: uuid::Uuid = after.json()["id"].as_str().unwrap().parse().unwrap();
    assert_ne!(first, second, "a new conversation");
    // The visitor still sees the earlier history, and the phone followed along live.
    assert_eq!(texts(&after), ["First question", "A new question"]);
    read_until(&mut stream, &["A new question".into()]).await;
    // The console links the two.
    let console = switchboard_core::conversations::get(setup.app.db(), second, None)
        .await
        .unwrap();
    assert_eq!(console.earlier.len(), 1);
    assert_eq!(console.earlier[0].id, first);
    assert_eq!(console.messages.len(), 1);
}

async fn the_upgrade_merges_into_the_persons_conversation(db: &DatabaseConnection) {
    let setup = Setup::with_upgrade(db).await;
    let laptop = signed_in_session(&setup).await;
    setup.write(&laptop, "Signed in on the laptop").await;
    let anonymous = setup
        .app
        .send(
            Request::post("/messenger/v1/sessions")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"deploymentId": setup.deployment}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    let anonymous = anonymous.json()["token"].as_str().unwrap().to_owned();
    setup
        .write(&anonymous, "Asked on the phone before signing in")
        .await;
    let photo = setup
        .app
        .send(
            Request::post("/messenger/v1/attachments?name=receipt.pdf")
                .header(header::AUTHORIZATION, format!("Bearer {anonymous}"))
                .header(header::ORIGIN, "https://customer.example")
                .body(Body::from(&b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"[..]))
                .unwrap(),
        )
        .await;
    assert_eq!(photo.status, StatusCode::CREATED, "{}", photo.body);
    let file = format!(
        "/messenger/v1/attachments/{}",
        photo.json()["attachment"]["id"].as_str().unwrap()
    );
    let phone = signed_in_session(&setup).await;
    let upgraded = setup
        .visitor(
            Method::POST,
            "/messenger/v1/sessions/upgrade",
            &phone,
            Some(json!({"anonymousToken": anonymous})),
        )
        .await;
    assert_eq!(upgraded.status, StatusCode::OK, "{}", upgraded.body);
    // One history, in the order it was written.
    let merged = setup.conversation(&laptop, "").await;
    assert_eq!(
        texts(&merged),
        [
            "Signed in on the laptop",
            "Asked on the phone before signing in",
            "receipt.pdf"
        ]
    );
    assert_eq!(setup.inbox().await.len(), 1);
    // The file came along with its message.
    let fetched = setup.visitor(Method::GET, &file, &laptop, None).await;
    assert_eq!(fetched.status, StatusCode::OK, "{}", fetched.body);
    assert!(fetched.body.starts_with("%PDF-1.7"), "{}", fetched.body);
}

async fn history_pages_back_in_bounded_pages(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let session = signed_in_session(&setup).await;
    setup.write(&session, "Hello").await;
    let id: uuid::Uuid = setup.conversation(&session, "").await.json()["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    for n in 1..=120 {
        switchboard_core::conversations::post_from_agent(
            &setup.app.services,
            id,
            &format!("reply {n}"),
            &setup.agent(),
        )
        .await
        .unwrap();
    }
    let latest = setup.conversation(&session, "").await;
    assert_eq!(latest.json()["messages"].as_array().unwrap().len(), 50);
    assert_eq!(latest.json()["hasOlder"], true);
    assert_eq!(texts(&latest).last().unwrap(), "reply 120");
    let first = latest.json()["messages"][0]["id"].as_i64().unwrap();
    let older = setup
        .conversation(&session, &format!("?before={first}&limit=100"))
        .await;
    assert_eq!(older.status, StatusCode::OK, "{}", older.body);
    assert_eq!(texts(&older).len(), 71);
    assert_eq!(texts(&older)[0], "Hello");
    assert_eq!(older.json()["hasOlder"], false);
    for (query, problem) in [
        ("?before=abc", "must be a message id"),
        ("?before=1&limit=0", "between 1 and 100"),
        ("?before=1&limit=101", "between 1 and 100"),
        (
            &format!("?before={}", first + 100_000) as &str,
            "not in this conversation",
        ),
    ] {
        let answer = setup.conversation(&session, query).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            answer.json()["message"].as_str().unwrap().contains(problem),
            "{query}: {}",
            answer.body
        );
    }
    // Another person's message id is not a page boundary of this one.
    setup.issuer.tweak(|t| {
        t.claims.insert("sub".into(), json!("grace-hopper"));
    });
    let other = signed_in_session(&setup).await;
    let foreign = setup.write(&other, "Mine").await;
    let answer = setup
        .conversation(&session, &format!("?before={foreign}"))
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    // The console pages the same way, through the REST API.
    let page = setup
        .app
        .api(
            Method::GET,
            &format!("/api/v2/conversations/{id}/messages?before={first}&limit=10"),
            &setup.token,
            None,
        )
        .await;
    assert_eq!(page.json().as_array().unwrap().len(), 10);
}

async fn typing_and_read_signals_reach_the_visitor(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let session = signed_in_session(&setup).await;
    let message = setup.write(&session, "Anyone there?").await;
    let id = setup.conversation(&session, "").await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut stream = setup.events(&session).await;
    read_until(&mut stream, &["Anyone there?".into()]).await;
    let typing = setup
        .app
        .api(
            Method::POST,
            &format!("/api/v2/conversations/{id}/typing"),
            &setup.token,
            None,
        )
        .await;
    assert_eq!(typing.status, StatusCode::NO_CONTENT, "{}", typing.body);
    read_until(&mut stream, &["event: typing".into()]).await;
    let read = setup
        .app
        .api(
            Method::POST,
            &format!("/api/v2/conversations/{id}/read"),
            &setup.token,
            Some(json!({"upTo": message})),
        )
        .await;
    assert_eq!(read.status, StatusCode::NO_CONTENT, "{}", read.body);
    read_until(&mut stream, &[format!("{{\"upTo\":{message}}}")]).await;
    assert_eq!(
        setup.conversation(&session, "").await.json()["agentReadId"],
        message
    );
    // Signals are never messages.
    assert_eq!(
        texts(&setup.conversation(&session, "").await),
        ["Anyone there?"]
    );

    // The visitor typing shows in the console for a moment.
    let conversation: uuid::Uuid = id.parse().unwrap();
    let shown = |db| switchboard_core::conversations::get(db, conversation, None);
    assert!(!shown(setup.app.db()).await.unwrap().visitor_typing);
    let typed = setup
        .visitor(Method::POST, "/messenger/v1/typing", &session, None)
        .await;
    assert_eq!(typed.status, StatusCode::NO_CONTENT, "{}", typed.body);
    assert!(shown(setup.app.db()).await.unwrap().visitor_typing);
    // Beyond the limit: 429, and nothing else is affected.
    let limit = switchboard_core::TYPING_PER_MINUTE as usize;
    let mut refused = None;
    for _ in 0..limit {
        let answer = setup
            .visitor(Method::POST, "/messenger/v1/typing", &session, None)
            .await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(answer);
            break;
        }
    }
    assert!(refused.is_some(), "typing signals are limited");
    setup.write(&session, "Still here").await;
}

async fn email_verified_comes_from_the_provider(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let identity = |answer: &Answer| result(answer)["session"]["identity"].clone();
    let answer = setup.sign_in().await;
    assert_eq!(identity(&answer)["emailVerified"], true);
    setup.issuer.tweak(|t| {
        t.claims.insert("email_verified".into(), json!(false));
    });
    assert_eq!(identity(&setup.sign_in().await)["emailVerified"], false);
    // A provider that says nothing: not verified.
    setup.issuer.tweak(|t| {
        t.claims.insert("email_verified".into(), Value::Null);
    });
    assert_eq!(identity(&setup.sign_in().await)["emailVerified"], false);
    // Without an email in the token, userinfo's email and its flag count.
    setup.issuer.tweak(|t| {
        t.claims.insert("email".into(), Value::Null);
    });
    let answer = setup.sign_in().await;
    assert_eq!(identity(&answer)["email"], "ada@example.com");
    assert_eq!(identity(&answer)["emailVerified"], true);
}

async fn two_devices_writing_at_once_share_one_conversation(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let laptop = signed_in_session(&setup).await;
    let phone = signed_in_session(&setup).await;
    let (a, b) = tokio::join!(
        setup.write(&laptop, "From the laptop"),
        setup.write(&phone, "From the phone")
    );
    assert_ne!(a, b);
    assert_eq!(
        setup.inbox().await.len(),
        1,
        "one conversation for one person"
    );
    let mut seen = texts(&setup.conversation(&laptop, "").await);
    seen.sort();
    assert_eq!(seen, ["From the laptop", "From the phone"]);
}

/// A Microsoft Graph stand-in on loopback: `getMemberGroups` for [`GRAPH_USER`] with an app
/// token, 403 for anyone else.
async fn microsoft_graph() -> url::Url {
    use axum::extract::Path;
    use axum::http::HeaderMap;
    use axum::routing::post;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = url::Url::parse(&format!("http://{}", listener.local_addr().unwrap())).unwrap();
    let app = axum::Router::new().route(
        "/v1.0/users/{oid}/getMemberGroups",
        post(|Path(oid): Path<String>, headers: HeaderMap| async move {
            let bearer = headers.get("authorization").and_then(|v| v.to_str().ok());
            let app_token = bearer.is_some_and(|value| value.starts_with("Bearer app-"));
            if app_token && oid == GRAPH_USER {
                let groups = json!({"value": ["3f1c0000-0000-4000-8000-00000000c0de", "g-other"]});
                (StatusCode::OK, axum::Json(groups))
            } else {
                let denied = json!({"error": {"code": "Authorization_RequestDenied"}});
                (StatusCode::FORBIDDEN, axum::Json(denied))
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

const GRAPH_USER: &str = "6a1b2c3d-0000-4000-8000-00000000abcd";

/// Entra ID leaves the groups out of a token when the user has too many and says so in
/// `_claim_names`; the Entra profile then asks Microsoft Graph with a token of the app's own,
/// and not userinfo (Entra's has no groups).
async fn entra_group_overage_is_read_from_microsoft_graph(db: &DatabaseConnection) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use switchboard_db::entities::integration;
    let graph = microsoft_graph().await;
    let settings = switchboard_core::Settings {
        allow_insecure_localhost: true,
        microsoft_graph_url: Some(graph.clone()),
        ..Default::default()
    };
    let keyring = switchboard_core::secrets::Keyring::generate();
    let services = switchboard_core::Services::new(db.clone(), keyring, settings);
    let app = TestApp::with_services(db, services);
    let setup = Setup::build_on(app, &["3f1c0000-0000-4000-8000-00000000c0de"], false).await;
    let id: uuid::Uuid = setup.integration.parse().unwrap();
    integration::Entity::update_many()
        .col_expr(integration::Column::Provider, Expr::value("entra"))
        .filter(integration::Column::Id.eq(id))
        .exec(db)
        .await
        .unwrap();
    setup.issuer.tweak(|t| {
        t.claims.insert("groups".into(), Value::Null);
        t.claims
            .insert("_claim_names".into(), json!({"groups": "src1"}));
        t.claims.insert(
            "_claim_sources".into(),
            json!({"src1": {"endpoint": "https://graph.windows.net/t/users/x/getMemberObjects"}}),
        );
        t.claims.insert("oid".into(), json!(GRAPH_USER));
    });
    let answer = setup.sign_in().await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        result(&answer)["session"]["identity"]["groups"],
        json!(["3f1c0000-0000-4000-8000-00000000c0de", "g-other"])
    );
    let scope = format!("{}/.default", graph.as_str().trim_end_matches('/'));
    assert_eq!(setup.issuer.app_token_scopes(), [scope]);

    // Someone Graph will not answer for: the sign-in fails, and says why in the log.
    setup.issuer.tweak(|t| {
        t.claims
            .insert("oid".into(), json!("6a1b2c3d-0000-4000-8000-000000000000"));
    });
    let sessions = setup.sessions().await;
    let answer = setup.sign_in().await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert!(
        answer.body.contains(">group_lookup_failed<"),
        "{}",
        answer.body
    );
    assert_eq!(
        setup.sessions().await,
        sessions,
        "no session for the refused one"
    );
    let latest = &setup.sign_ins().await[0];
    assert_eq!(latest["reason"], "group_lookup_failed");
    assert!(
        latest["detail"]
            .as_str()
            .unwrap()
            .contains("GroupMember.Read.All"),
        "{latest}"
    );
}

/// Asked for `offline_access`, a provider whose app lacks the Refresh Token grant answers
/// without a refresh token: the sign-in works, and its log entry says what to enable.
async fn a_missing_refresh_token_is_named_in_the_sign_in_log(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let answer = setup.sign_in().await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(setup.sign_ins().await[0]["detail"], Value::Null);

    setup.issuer.tweak(|t| t.no_refresh_token = true);
    let answer = setup.sign_in().await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let latest = &setup.sign_ins().await[0];
    assert_eq!(latest["succeeded"], true);
    assert_eq!(
        latest["detail"],
        "The provider gave no refresh token: enable the Refresh Token grant for this app."
    );
}

/// `POST /messenger/auth/backchannel-logout` with `logout_token`, as the provider sends it.
async fn backchannel(setup: &Setup, token: &str) -> Answer {
    let body = format!("logout_token={}", urlencode(token));
    let request = Request::post("/messenger/auth/backchannel-logout")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    setup.app.send(request).await
}

fn logout_claims(setup: &Setup) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": setup.issuer.issuer,
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 120,
        "jti": uuid::Uuid::new_v4().to_string(),
        "sub": SUBJECT,
        "sid": "provider-session-1",
        "events": {switchboard_core::relying_party::back_channel::LOGOUT_EVENT: {}},
    })
}

async fn live(setup: &Setup, session: &str) -> bool {
    setup
        .messenger(Method::GET, "/messenger/v1/session", session)
        .await
        .status
        == StatusCode::OK
}

async fn a_back_channel_logout_ends_the_persons_sessions(db: &DatabaseConnection) {
    let setup = Setup::new(db).await;
    let first = signed_in_session(&setup).await;
    let second = signed_in_session(&setup).await;

    // Refusals end nothing.
    let refusal = |answer: &Answer| {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
        assert_eq!(answer.json()["error"], "invalid_request");
        answer.json()["error_description"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // A signature changed in its middle (the last character may only hold padding bits).
    let signed = setup.issuer.sign(&logout_claims(&setup));
    let (signing_input, signature) = signed.rsplit_once('.').unwrap();
    let mut signature: Vec<char> = signature.chars().collect();
    signature[20] = if signature[20] == 'A' { 'B' } else { 'A' };
    let forged = format!(
        "{signing_input}.{}",
        signature.into_iter().collect::<String>()
    );
    assert!(refusal(&backchannel(&setup, &forged).await).contains("does not verify"));
    let mut claims = logout_claims(&setup);
    claims["aud"] = json!("someone-else");
    assert!(refusal(&backchannel(&setup, &setup.issuer.sign(&claims)).await).contains("audience"));
    let mut claims = logout_claims(&setup);
    claims["nonce"] = json!("n");
    assert!(refusal(&backchannel(&setup, &setup.issuer.sign(&claims)).await).contains("nonce"));
    let mut claims = logout_claims(&setup);
    claims["events"] = json!({});
    assert!(refusal(&backchannel(&setup, &setup.issuer.sign(&claims)).await).contains("events"));
    let unsigned = {
        let signed = setup.issuer.sign(&logout_claims(&setup));
        let payload = signed.split('.').nth(1).unwrap().to_owned();
        // base64url of {"alg":"none"}
        format!("eyJhbGciOiJub25lIn0.{payload}.")
    };
    refusal(&backchannel(&setup, &unsigned).await);
    refusal(&backchannel(&setup, "not a token").await);
    assert!(live(&setup, &first).await && live(&setup, &second).await);

    // A valid token ends every session of that person, once.
    let token = setup.issuer.sign(&logout_claims(&setup));
    let answer = backchannel(&setup, &token).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(answer.header(header::CACHE_CONTROL), Some("no-store"));
    assert!(!live(&setup, &first).await && !live(&setup, &second).await);
    assert!(refusal(&backchannel(&setup, &token).await).contains("used already"));

    // A token naming only the provider's session ends the sessions signed in through it.
    setup.issuer.tweak(|t| {
        t.claims.insert("sid".into(), json!("provider-session-2"));
    });
    let through_it = signed_in_session(&setup).await;
    setup.issuer.tweak(|t| {
        t.claims.insert("sid".into(), json!("provider-session-3"));
    });
    let elsewhere = signed_in_session(&setup).await;
    let mut claims = logout_claims(&setup);
    claims.as_object_mut().unwrap().remove("sub");
    claims["sid"] = json!("provider-session-2");
    let answer = backchannel(&setup, &setup.issuer.sign(&claims)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(!live(&setup, &through_it).await);
    assert!(
        live(&setup, &elsewhere).await,
        "another provider session goes on"
    );
    let mut claims = logout_claims(&setup);
    claims.as_object_mut().unwrap().remove("sub");
    claims.as_object_mut().unwrap().remove("sid");
    assert!(refusal(&backchannel(&setup, &setup.issuer.sign(&claims)).await).contains("neither"));
}
