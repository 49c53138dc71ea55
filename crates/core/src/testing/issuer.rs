//! A complete OpenID provider on loopback for sign-in tests: discovery, JWKS, token endpoint
//! (checking client authentication and PKCE for real), userinfo and revocation. It signs
//! RS256 ID tokens with fixed test keys, and [`Tweak`] makes it misbehave in one chosen way:
//! a wrong `iss`, a foreign `aud`, an unsigned token, a rotated key, a clock ahead...

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use url::Url;

pub const CLIENT_ID: &str = "switchboard-test";
pub const CLIENT_SECRET: &str = "test-secret-7d2f";
pub const SUBJECT: &str = "ada-lovelace";
pub const NAME: &str = "Ada Lovelace";
pub const EMAIL: &str = "ada@example.com";

const KEY_1: &str = include_str!("k1.pem");
const KEY_2: &str = include_str!("k2.pem");

/// How the provider misbehaves; the default is a well-behaved provider.
#[derive(Debug, Clone, Default)]
pub struct Tweak {
    /// Claims to set in the ID token; `Value::Null` removes the claim.
    pub claims: Map<String, Value>,
    /// Send `alg: none` and no signature.
    pub unsigned: bool,
    /// Spoil the signature.
    pub corrupt_signature: bool,
    /// The `sub` userinfo answers with.
    pub userinfo_subject: Option<String>,
    /// Refuse every refresh with `invalid_grant`.
    pub refuse_refresh: bool,
    /// Answer refreshes without an ID token (access and refresh token only).
    pub refresh_without_id_token: bool,
    /// Grant codes without a refresh token (an app without the Refresh Token grant).
    pub no_refresh_token: bool,
    /// The groups userinfo answers with (`support`, `engineering` unless set).
    pub userinfo_groups: Option<Vec<String>>,
    /// The JWKS's `Cache-Control: max-age` (an hour unless set).
    pub jwks_max_age: Option<u32>,
}

#[derive(Debug)]
struct Grant {
    nonce: Option<String>,
    challenge: String,
    redirect_uri: String,
}

struct Provider {
    issuer: String,
    signing_key: &'static str,
    published: Vec<&'static str>,
    grants: HashMap<String, Grant>,
    refresh_tokens: Vec<String>,
    revoked: Vec<String>,
    tweak: Tweak,
    jwks_fetches: usize,
    discovery_fetches: usize,
    /// The scope of every client-credentials token granted.
    app_token_scopes: Vec<String>,
}

/// A running test provider.
#[derive(Clone)]
pub struct TestIssuer {
    pub issuer: String,
    state: Arc<Mutex<Provider>>,
}

impl std::fmt::Debug for TestIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestIssuer")
            .field("issuer", &self.issuer)
            .finish()
    }
}

impl TestIssuer {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(Provider {
            issuer: issuer.clone(),
            signing_key: "k1",
            published: vec!["k1"],
            grants: HashMap::new(),
            refresh_tokens: vec![],
            revoked: vec![],
            tweak: Tweak::default(),
            jwks_fetches: 0,
            discovery_fetches: 0,
            app_token_scopes: vec![],
        }));
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .route("/revoke", post(revoke))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { issuer, state }
    }

    /// Plays the visitor logging in: reads the authorization request and returns the code the
    /// provider would send to the redirect URI. Panics on a request a real provider refuses.
    pub fn authorize(&self, authorization_url: &Url) -> String {
        let query: HashMap<String, String> = authorization_url.query_pairs().into_owned().collect();
        assert_eq!(query["response_type"], "code");
        assert_eq!(query["client_id"], CLIENT_ID);
        assert_eq!(
            query["code_challenge_method"], "S256",
            "PKCE S256 is required"
        );
        assert!(query["scope"].split(' ').any(|scope| scope == "openid"));
        let code = uuid::Uuid::new_v4().to_string();
        self.lock().grants.insert(
            code.clone(),
            Grant {
                nonce: query.get("nonce").cloned(),
                challenge: query["code_challenge"].clone(),
                redirect_uri: query["redirect_uri"].clone(),
            },
        );
        code
    }

    /// Registers a code for a page-side sign-in the test builds itself.
    pub fn grant(&self, nonce: &str, verifier: &str, redirect_uri: &str) -> String {
        let code = uuid::Uuid::new_v4().to_string();
        self.lock().grants.insert(
            code.clone(),
            Grant {
                nonce: Some(nonce.to_owned()),
                challenge: URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
                redirect_uri: redirect_uri.to_owned(),
            },
        );
        code
    }

    /// Any claims (a logout token, say) signed as this provider signs its ID tokens.
    pub fn sign(&self, claims: &Value) -> String {
        signed(
            &self.lock(),
            claims.as_object().expect("claims are an object"),
        )
    }

    pub fn tweak(&self, change: impl FnOnce(&mut Tweak)) {
        change(&mut self.lock().tweak);
    }

    /// Signs with a new key from now on and publishes only that key.
    pub fn rotate_keys(&self) {
        let mut state = self.lock();
        state.signing_key = "k2";
        state.published = vec!["k2"];
    }

    /// Stops publishing the signing key but keeps signing with it, as a provider would after
    /// retiring a key it believes compromised while an attacker still holds it.
    pub fn retire_signing_key(&self) {
        let mut state = self.lock();
        state.published = vec!["k2"];
    }

    /// How many times the discovery document was fetched.
    pub fn discovery_fetches(&self) -> usize {
        self.lock().discovery_fetches
    }

    pub fn jwks_fetches(&self) -> usize {
        self.lock().jwks_fetches
    }

    /// Every refresh token issued and not revoked.
    pub fn refresh_tokens(&self) -> Vec<String> {
        self.lock().refresh_tokens.clone()
    }

    /// The scopes of the app tokens granted so far (client credentials).
    pub fn app_token_scopes(&self) -> Vec<String> {
        self.lock().app_token_scopes.clone()
    }

    pub fn revoked(&self) -> Vec<String> {
        self.lock().revoked.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Provider> {
        self.state.lock().unwrap()
    }
}

fn key(kid: &str) -> CoreRsaPrivateSigningKey {
    let pem = if kid == "k1" { KEY_1 } else { KEY_2 };
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.to_owned()))).unwrap()
}

type Shared = State<Arc<Mutex<Provider>>>;

async fn discovery(State(state): Shared) -> Json<Value> {
    let issuer = {
        let mut state = state.lock().unwrap();
        state.discovery_fetches += 1;
        state.issuer.clone()
    };
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "jwks_uri": format!("{issuer}/jwks"),
        "revocation_endpoint": format!("{issuer}/revoke"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
    }))
}

async fn jwks(State(state): Shared) -> Response {
    let mut state = state.lock().unwrap();
    state.jwks_fetches += 1;
    let keys: Vec<Value> = state
        .published
        .iter()
        .map(|kid| serde_json::to_value(key(kid).as_verification_key()).unwrap())
        .collect();
    let max_age = state.tweak.jwks_max_age.unwrap_or(3600);
    (
        [(header::CACHE_CONTROL, format!("public, max-age={max_age}"))],
        Json(json!({ "keys": keys })),
    )
        .into_response()
}

fn oauth_error(status: StatusCode, code: &str) -> Response {
    (
        status,
        Json(json!({"error": code, "error_description": format!("test provider: {code}")})),
    )
        .into_response()
}

async fn token(
    State(state): Shared,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(&expected)
    {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let mut state = state.lock().unwrap();
    if form.get("grant_type").map(String::as_str) == Some("client_credentials") {
        let scope = form.get("scope").cloned().unwrap_or_default();
        state.app_token_scopes.push(scope);
        return Json(json!({
            "access_token": format!("app-{}", uuid::Uuid::new_v4()),
            "token_type": "Bearer",
            "expires_in": 300,
        }))
        .into_response();
    }
    let nonce = match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let Some(grant) = form.get("code").and_then(|code| state.grants.remove(code)) else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
            };
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if challenge != grant.challenge || form.get("redirect_uri") != Some(&grant.redirect_uri)
            {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
            }
            grant.nonce
        }
        Some("refresh_token") => {
            let known = form
                .get("refresh_token")
                .is_some_and(|token| state.refresh_tokens.contains(token));
            if !known || state.tweak.refuse_refresh {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
            }
            None
        }
        _ => return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
    };
    let refreshing = form.get("grant_type").map(String::as_str) == Some("refresh_token");
    let refresh_token = format!("rt-{}", uuid::Uuid::new_v4());
    state.refresh_tokens.push(refresh_token.clone());
    let mut answer = json!({
        "access_token": format!("at-{}", uuid::Uuid::new_v4()),
        "token_type": "Bearer",
        "expires_in": 300,
        "refresh_token": refresh_token,
    });
    if !refreshing && state.tweak.no_refresh_token {
        answer.as_object_mut().unwrap().remove("refresh_token");
    }
    if !(refreshing && state.tweak.refresh_without_id_token) {
        answer["id_token"] = json!(id_token(&state, nonce.as_deref()));
    }
    Json(answer).into_response()
}

fn id_token(state: &Provider, nonce: Option<&str>) -> String {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "iss": state.issuer,
        "sub": SUBJECT,
        "aud": CLIENT_ID,
        "exp": now + 300,
        "iat": now,
        "name": NAME,
        "email": EMAIL,
        "email_verified": true,
        "groups": ["support", "engineering"],
    });
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    let claims = claims.as_object_mut().unwrap();
    for (name, value) in &state.tweak.claims {
        if value.is_null() {
            claims.remove(name);
        } else {
            claims.insert(name.clone(), value.clone());
        }
    }
    if state.tweak.unsigned {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        return format!("{header}.{payload}.");
    }
    signed(state, claims)
}

/// `claims` as a JWT signed with the provider's current key.
fn signed(state: &Provider, claims: &serde_json::Map<String, Value>) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap());
    let header = URL_SAFE_NO_PAD.encode(
        serde_json::to_vec(&json!({"alg": "RS256", "typ": "JWT", "kid": state.signing_key}))
            .unwrap(),
    );
    let signing_input = format!("{header}.{payload}");
    let mut signature = key(state.signing_key)
        .sign(
            &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            signing_input.as_bytes(),
        )
        .unwrap();
    if state.tweak.corrupt_signature {
        signature[10] ^= 0xff;
    }
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

async fn userinfo(State(state): Shared, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|value| value.starts_with("Bearer at-"));
    if !bearer {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let state = state.lock().unwrap();
    let subject = state
        .tweak
        .userinfo_subject
        .clone()
        .unwrap_or_else(|| SUBJECT.to_owned());
    let groups = state
        .tweak
        .userinfo_groups
        .clone()
        .unwrap_or_else(|| vec!["support".into(), "engineering".into()]);
    Json(json!({"sub": subject, "name": NAME, "email": EMAIL, "email_verified": true, "groups": groups}))
        .into_response()
}

async fn revoke(State(state): Shared, Form(form): Form<HashMap<String, String>>) -> StatusCode {
    if let Some(token) = form.get("token") {
        let mut state = state.lock().unwrap();
        state.refresh_tokens.retain(|known| known != token);
        state.revoked.push(token.clone());
    }
    StatusCode::OK
}
