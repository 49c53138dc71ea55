//! A stand-in OpenID provider on loopback for tests (feature `testing`): it serves a good
//! discovery document and JWKS under `/good`, and one broken variant under each other name
//! (`/not-json`, `/huge`, `/redirects`, `/slow`, `/no-jwks`, `/other-issuer`, ...), so a test
//! can point an integration at exactly the fault it wants. [`issuer::TestIssuer`] is a whole
//! provider for sign-in tests.

pub mod issuer;

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

/// Serves `/{case}/.well-known/openid-configuration` and `/{case}/jwks` on a free port.
pub async fn provider() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/{case}/.well-known/openid-configuration", get(document))
        .route("/{case}/jwks", get(jwks))
        .with_state(base.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

pub fn good_document(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    })
}

async fn document(State(base): State<String>, Path(case): Path<String>) -> Response {
    let issuer = format!("{base}/{case}");
    let mut document = good_document(&issuer);
    match case.as_str() {
        "not-json" => return "<html>Welcome</html>".into_response(),
        "huge" => return Json(json!({ "padding": "x".repeat(600 * 1024) })).into_response(),
        "redirects" => {
            return (
                StatusCode::FOUND,
                [(header::LOCATION, "https://elsewhere.example/")],
            )
                .into_response();
        }
        "slow" => tokio::time::sleep(Duration::from_secs(3)).await,
        "no-jwks" => {
            document.as_object_mut().unwrap().remove("jwks_uri");
        }
        "other-issuer" => document["issuer"] = json!("https://login.other.example"),
        "trailing-slash" => document["issuer"] = json!(format!("{issuer}/")),
        "no-pkce" => document["code_challenge_methods_supported"] = json!(["plain"]),
        "private-key-jwt-only" => {
            document["token_endpoint_auth_methods_supported"] = json!(["private_key_jwt"])
        }
        "minimal" => {
            let object = document.as_object_mut().unwrap();
            for key in [
                "end_session_endpoint",
                "code_challenge_methods_supported",
                "scopes_supported",
            ] {
                object.remove(key);
            }
        }
        _ => {}
    }
    Json(document).into_response()
}

async fn jwks(Path(case): Path<String>) -> Response {
    let use_ = if case == "encryption-keys-only" {
        "enc"
    } else {
        "sig"
    };
    Json(json!({ "keys": [{ "kty": "RSA", "use": use_, "kid": "k1", "n": "sXch", "e": "AQAB" }] }))
        .into_response()
}
