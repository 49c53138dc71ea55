//! Who is asking: every request passes through [`identify`], which turns a session cookie or an
//! `Authorization: Bearer` API token into a [`Principal`] in the request's extensions. Console
//! pages without one are sent to `/login` by [`console_requires_session`]; server functions and
//! the REST API refuse on their own (401, and 403 for a viewer's change).
//!
//! The sign-in, sign-out and first-admin forms are in [`forms`].

pub mod forms;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use secrecy::{ExposeSecret, SecretString};
use switchboard_core::admins::Principal;
use switchboard_core::{admin_sessions, api_tokens};

use crate::{AppState, WebSettings};

/// The session cookie's name over plain http (development).
const COOKIE: &str = "switchboard_session";
/// Over https: the `__Host-` prefix makes browsers insist on Secure, Path=/ and no Domain.
const SECURE_COOKIE: &str = "__Host-switchboard_session";

/// The session token a request came with, kept so sign-out can end exactly that session.
#[derive(Clone)]
pub struct SessionToken(pub SecretString);

pub fn cookie_name(web: &WebSettings) -> &'static str {
    if web.secure_cookies {
        SECURE_COOKIE
    } else {
        COOKIE
    }
}

/// The `Set-Cookie` value that stores a new session.
pub fn session_cookie(
    web: &WebSettings,
    token: &SecretString,
    max_age_seconds: i64,
) -> HeaderValue {
    let secure = if web.secure_cookies { "; Secure" } else { "" };
    HeaderValue::try_from(format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}",
        cookie_name(web),
        token.expose_secret()
    ))
    .expect("session tokens are base64url")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn expired_cookie(web: &WebSettings) -> HeaderValue {
    let secure = if web.secure_cookies { "; Secure" } else { "" };
    HeaderValue::try_from(format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        cookie_name(web)
    ))
    .expect("static cookie text")
}

/// The value of cookie `name`, if the request carries it.
pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<SecretString> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| SecretString::from(value.to_owned()))
}

pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<SecretString> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| SecretString::from(token.trim().to_owned()))
}

/// Resolves the caller; see the module documentation.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let db = state.services.db();
    let now = Utc::now();
    let resolved = if let Some(token) = bearer_token(request.headers()) {
        api_tokens::authenticate(db, &token, now).await
    } else if let Some(token) = cookie_value(request.headers(), cookie_name(&state.web)) {
        let policy = state.services.settings().sessions;
        let principal = admin_sessions::resolve(db, &token, policy, now).await;
        request.extensions_mut().insert(SessionToken(token));
        principal
    } else {
        Ok(None)
    };
    match resolved {
        Ok(Some(principal)) => {
            request.extensions_mut().insert(principal);
        }
        Ok(None) => {}
        Err(error) => {
            tracing::error!(%error, "cannot check the caller's credentials");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "The database is not answering; try again shortly.",
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// Sends a visit to a console page without a session to `/login?next=<the page>`.
pub async fn console_requires_session(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_console_page = path == "/admin" || path.starts_with("/admin/");
    if is_console_page && request.extensions().get::<Principal>().is_none() {
        let wanted = request
            .uri()
            .path_and_query()
            .map_or(path, |pq| pq.as_str());
        let next_param =
            url::form_urlencoded::byte_serialize(wanted.as_bytes()).collect::<String>();
        return Redirect::to(&format!("/login?next={next_param}")).into_response();
    }
    next.run(request).await
}

/// Where to go after sign-in: the `next` page when it is a page of this site, else the console.
///
/// `next` is resolved against the base URL the way a browser resolves a `Location`, which
/// drops tabs and newlines and reads `/\` as `//`, and only a result on our own origin is
/// kept. So `/%09/evil.example` (a browser turns `/\t/evil.example` into `//evil.example`)
/// and every other trick to leave the site end at the console. The path comes back
/// percent-encoded, so it is always a valid header value.
pub fn safe_next(base_url: &str, next: Option<&str>) -> String {
    const CONSOLE: &str = "/admin/integrations";
    let Ok(base) = url::Url::parse(base_url) else {
        return CONSOLE.to_owned();
    };
    let Some(next) = next.filter(|next| next.starts_with('/')) else {
        return CONSOLE.to_owned();
    };
    match base.join(next) {
        Ok(target) if target.origin() == base.origin() => {
            target[url::Position::BeforePath..].to_owned()
        }
        _ => CONSOLE.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_pages_stay_on_this_site() {
        const BASE: &str = "http://127.0.0.1:3000";
        assert_eq!(
            safe_next(BASE, Some("/admin/audit?page=2")),
            "/admin/audit?page=2"
        );
        assert_eq!(
            safe_next(BASE, Some("/admin/conversations/a b")),
            "/admin/conversations/a%20b"
        );
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\t//evil.example",
            "admin",
            "http://127.0.0.1:3001/admin",
        ] {
            assert_eq!(
                safe_next(BASE, Some(hostile)),
                "/admin/integrations",
                "{hostile:?}"
            );
        }
        assert_eq!(safe_next(BASE, None), "/admin/integrations");
        // Control characters never reach the Location header (DEL used to panic there).
        let del = safe_next(BASE, Some("/admin/audit\u{7f}x"));
        assert!(HeaderValue::from_str(&del).is_ok(), "{del:?}");
        assert!(del.starts_with("/admin/audit"), "{del:?}");
    }

    #[test]
    fn cookies_and_bearer_tokens_are_read_from_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("theme=dark; switchboard_session=abc123"),
        );
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer sbt_xyz"),
        );
        assert_eq!(
            cookie_value(&headers, COOKIE).unwrap().expose_secret(),
            "abc123"
        );
        assert!(cookie_value(&headers, SECURE_COOKIE).is_none());
        assert_eq!(bearer_token(&headers).unwrap().expose_secret(), "sbt_xyz");
    }

    #[test]
    fn https_cookies_are_secure_and_host_prefixed() {
        let token = SecretString::from("t0ken".to_owned());
        let web = WebSettings {
            base_url: "https://chat.example.com".into(),
            secure_cookies: true,
            reload_socket: None,
            trusted_proxies: Default::default(),
        };
        let cookie = session_cookie(&web, &token, 60);
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.starts_with("__Host-switchboard_session=t0ken;"));
        for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
        let plain = WebSettings {
            base_url: "http://127.0.0.1:3000".into(),
            secure_cookies: false,
            reload_socket: None,
            trusted_proxies: Default::default(),
        };
        assert!(
            !session_cookie(&plain, &token, 60)
                .to_str()
                .unwrap()
                .contains("Secure")
        );
    }
}
