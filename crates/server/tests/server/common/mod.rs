//! `TestApp`: the whole application on a fresh database in one line, driven through the real
//! router without a socket (or, for the multi-instance tests, a real instance over HTTP: see
//! [`cluster`]), with helpers for the requests tests make most.

pub mod cluster;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use clap::Parser;
use http_body_util::BodyExt;
use sea_orm::DatabaseConnection;
use secrecy::{ExposeSecret, SecretString};
use switchboard_core::{Services, admins};
use switchboard_domain::admin::Role;
use switchboard_server::config::Cli;
use switchboard_server::{AppParts, AppState, WebSettings, routes};
use tower::ServiceExt;

/// The origin the test app believes it is served from (the default base URL).
pub const BASE: &str = "http://127.0.0.1:3000";
pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub services: Services,
    target: Target,
    /// The public base URL the app believes it is served from: console forms come from it.
    origin: String,
}

/// Where requests go.
enum Target {
    /// In-process, through the router.
    Router(Router),
    /// A running instance (or the proxy in front of several) at this address.
    Remote {
        address: String,
        client: reqwest::Client,
    },
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    pub fn location(&self) -> Option<&str> {
        self.header(header::LOCATION)
    }

    /// The `name=value` part of the session cookie this answer sets.
    pub fn session_cookie(&self) -> Option<String> {
        let cookie = self.header(header::SET_COOKIE)?;
        let pair = cookie.split(';').next()?.to_owned();
        (!pair.ends_with('=')).then_some(pair)
    }

    /// The message of the API's error for `field` (a 422 answer), failing the test without one.
    pub fn field_error(&self, field: &str) -> String {
        let fields = self.json()["fields"].clone();
        fields
            .as_array()
            .into_iter()
            .flatten()
            .find(|error| error["field"] == field)
            .and_then(|error| error["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| panic!("no {field} error in {}", self.body))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

impl TestApp {
    pub fn new(db: &DatabaseConnection) -> Self {
        Self::with_web(db, WebSettings::new(BASE.to_owned()))
    }

    /// The app presenting itself with `web` (another base URL, trusted proxies).
    pub fn with_web(db: &DatabaseConnection, web: WebSettings) -> Self {
        Self::build(db, Services::for_tests(db.clone()), web)
    }

    /// The app on services a test set up itself (other settings).
    pub fn with_services(db: &DatabaseConnection, services: Services) -> Self {
        Self::build(db, services, WebSettings::new(BASE.to_owned()))
    }

    /// The app whose use cases run with `settings` (a throw-away key).
    pub fn with_settings(db: &DatabaseConnection, settings: switchboard_core::Settings) -> Self {
        let keyring = switchboard_core::secrets::Keyring::generate();
        Self::with_services(db, Services::new(db.clone(), keyring, settings))
    }

    /// The app serving the site files (`/pkg/...`) from `site`.
    pub fn with_site(db: &DatabaseConnection, site: &std::path::Path) -> Self {
        let site = site.to_str().expect("a UTF-8 path");
        Self::build_from(
            db,
            Services::for_tests(db.clone()),
            WebSettings::new(BASE.to_owned()),
            &["switchboard", "--site-root", site],
        )
    }

    fn build(db: &DatabaseConnection, services: Services, web: WebSettings) -> Self {
        Self::build_from(db, services, web, &["switchboard"])
    }

    fn build_from(
        db: &DatabaseConnection,
        services: Services,
        web: WebSettings,
        arguments: &[&str],
    ) -> Self {
        services.delivery().listen(db);
        let Cli { config, .. } = Cli::parse_from(arguments);
        let router = routes::router(AppState::new(AppParts {
            services: services.clone(),
            leptos: routes::leptos_options(&config),
            web: Arc::new(web),
            messenger: Default::default(),
            console_streams: Arc::default(),
            stopping: Default::default(),
        }));
        Self {
            services,
            target: Target::Router(router),
            origin: BASE.to_owned(),
        }
    }

    /// A running server at `address` (an instance, or the proxy), which is served publicly at
    /// `origin`, on the database `db` it uses.
    pub fn remote(address: &str, origin: &str, db: &DatabaseConnection) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            services: Services::for_tests(db.clone()),
            target: Target::Remote {
                address: address.to_owned(),
                client,
            },
            origin: origin.to_owned(),
        }
    }

    /// Sends `request` as if it came over a connection from `peer` (`203.0.113.5:4000`).
    /// A running server sees the test's loopback address; the proxy in front of it reports
    /// `peer` as the client, as it would for a request from there.
    pub async fn send_from(&self, peer: &str, mut request: Request<Body>) -> Answer {
        let peer: std::net::SocketAddr = peer.parse().unwrap();
        match self.target {
            Target::Router(_) => {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
            }
            Target::Remote { .. } => {
                let forwarded = peer.ip().to_string().parse().unwrap();
                request.headers_mut().insert("x-forwarded-for", forwarded);
            }
        }
        self.send(request).await
    }

    /// The public base URL: where console forms say they come from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn db(&self) -> &DatabaseConnection {
        self.services.db()
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        let response = self.open(request).await;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    /// The response with its body still streaming (server-sent events).
    pub async fn open(&self, request: Request<Body>) -> axum::response::Response {
        match &self.target {
            Target::Router(router) => router.clone().oneshot(request).await.unwrap(),
            Target::Remote { address, client } => over_http(client, address, request).await,
        }
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Answer {
        let mut request = Request::get(path);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// A form post as the console's own pages send it (same origin).
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> Answer {
        self.post_form_from(path, form, cookie, &self.origin).await
    }

    pub async fn post_form_from(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        origin: &str,
    ) -> Answer {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, origin);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    /// Creates an admin with [`PASSWORD`].
    pub async fn admin(&self, email: &str, role: Role) {
        let password = SecretString::from(PASSWORD.to_owned());
        admins::create(self.db(), email, &password, role, "test")
            .await
            .unwrap();
    }

    /// Signs in through `POST /login` and returns the session cookie.
    pub async fn sign_in(&self, email: &str) -> String {
        let answer = self
            .post_form("/login", &[("email", email), ("password", PASSWORD)], None)
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        answer.session_cookie().expect("a session cookie")
    }

    /// An admin of `role`, signed in.
    pub async fn signed_in(&self, role: Role) -> String {
        let email = format!("{}@example.com", role.as_str());
        self.admin(&email, role).await;
        self.sign_in(&email).await
    }

    /// A JSON API call with `Authorization: Bearer token`.
    pub async fn api(
        &self,
        method: axum::http::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> Answer {
        self.send(api_request(method, path, token, body)).await
    }

    /// A new API token's value.
    pub async fn token(&self, name: &str, role: Role) -> String {
        let (_, token) = switchboard_core::api_tokens::create(self.db(), name, role, "test")
            .await
            .unwrap();
        token.expose_secret().to_owned()
    }
}

impl TestApp {
    /// An active integration against the loopback test provider; returns its id.
    pub async fn active_integration(&self, token: &str) -> String {
        let base = switchboard_core::testing::provider().await;
        let settings = serde_json::json!({
            "name": "Test provider",
            "discoveryUri": format!("{base}/good"),
            "scopes": ["openid", "profile", "email"],
            "maxRefreshTokenLifetimeSeconds": 3600,
            "allowedGroups": [],
            "clockSkewSeconds": 60,
        });
        self.integration_with(token, settings, ("switchboard", "secret"))
            .await
    }

    /// An integration with `settings` and the client credentials, set active; returns its id.
    pub async fn integration_with(
        &self,
        token: &str,
        settings: serde_json::Value,
        (client_id, client_secret): (&str, &str),
    ) -> String {
        use axum::http::Method;
        use serde_json::json;
        let created = self
            .api(Method::POST, "/api/v2/integrations", token, Some(json!({})))
            .await;
        let id = created.json()["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v2/integrations/{id}");
        let saved = self.api(Method::PUT, &path, token, Some(settings)).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        let credentials = json!({"clientId": client_id, "clientSecret": client_secret});
        self.api(
            Method::PUT,
            &format!("{path}/credentials"),
            token,
            Some(credentials),
        )
        .await;
        let active = self
            .api(
                Method::PATCH,
                &path,
                token,
                Some(json!({"status": "active"})),
            )
            .await;
        assert_eq!(active.status, StatusCode::OK, "{}", active.body);
        id
    }

    /// Changes the draft of the configuration `deployment` serves with `change`, and publishes
    /// it.
    pub async fn republish(
        &self,
        token: &str,
        deployment: &str,
        change: impl FnOnce(&mut serde_json::Value),
    ) {
        use axum::http::Method;
        use serde_json::json;
        let path = format!("/api/v2/messenger/deployments/{deployment}");
        let served = self.api(Method::GET, &path, token, None).await.json();
        let configuration = served["configuration"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v2/messenger/configurations/{configuration}");
        let mut saved = self.api(Method::GET, &path, token, None).await.json();
        change(&mut saved["draft"]);
        let input = json!({"name": saved["name"], "draft": saved["draft"]});
        let put = self.api(Method::PUT, &path, token, Some(input)).await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.body);
        let publish = format!("{path}/versions/draft/publish");
        let published = self.api(Method::POST, &publish, token, None).await;
        assert!(published.status.is_success(), "{}", published.body);
    }

    /// A configuration with `authentication`, published, deployed as "Website" on
    /// `customer.example`; returns the deployment id.
    pub async fn deployed_messenger(
        &self,
        token: &str,
        authentication: serde_json::Value,
    ) -> String {
        use axum::http::Method;
        use serde_json::json;
        let created = self
            .api(
                Method::POST,
                "/api/v2/messenger/configurations",
                token,
                Some(json!({"name": "Chat", "draft": {
                    "authentication": authentication,
                    "appearance": {"primaryColor": "#0f766e", "launcherLabel": "Chat", "greeting": "Hi", "defaultLanguage": "en"},
                    "sessionLifetimeSeconds": 3600
                }})),
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let configuration = created.json()["id"].as_str().unwrap().to_owned();
        self.api(
            Method::POST,
            &format!("/api/v2/messenger/configurations/{configuration}/versions/draft/publish"),
            token,
            None,
        )
        .await;
        let deployment = self
            .api(
                Method::POST,
                "/api/v2/messenger/deployments",
                token,
                Some(json!({
                    "name": "Website",
                    "configuration": {"id": configuration, "version": null},
                    "allowedDomains": ["customer.example"],
                    "allowAllDomains": false,
                    "status": "active",
                })),
            )
            .await;
        assert_eq!(
            deployment.status,
            StatusCode::CREATED,
            "{}",
            deployment.body
        );
        deployment.json()["id"].as_str().unwrap().to_owned()
    }
}

/// `request` sent to the server at `address`; the answer's body streams as it arrives.
async fn over_http(
    client: &reqwest::Client,
    address: &str,
    request: Request<Body>,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let body = body.collect().await.unwrap().to_bytes();
    let sent = client
        .request(parts.method, format!("{address}{path}"))
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .unwrap_or_else(|error| panic!("{address}{path}: {error}"));
    let mut answer = axum::response::Response::builder().status(sent.status());
    for (name, value) in sent.headers() {
        answer = answer.header(name, value);
    }
    let chunks = futures_util::stream::unfold(sent, |mut sent| async move {
        match sent.chunk().await {
            Ok(Some(chunk)) => Some((Ok(chunk), sent)),
            Ok(None) => None,
            Err(error) => Some((Err(error), sent)),
        }
    });
    answer.body(Body::from_stream(chunks)).unwrap()
}

/// The request [`TestApp::api`] sends.
pub fn api_request(
    method: axum::http::Method,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> Request<Body> {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap()
}

/// Reads an event stream until it has said every one of `wanted`, or fails after 10 s.
pub async fn read_until(body: &mut Body, wanted: &[String]) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !wanted.iter().all(|text| seen.contains(text.as_str())) {
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .unwrap_or_else(|_| panic!("waited for {wanted:?}; the stream said:\n{seen}"))
            .expect("the stream goes on")
            .unwrap();
        if let Ok(data) = frame.into_data() {
            seen.push_str(&String::from_utf8_lossy(&data));
        }
    }
    seen
}
