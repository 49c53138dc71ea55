//! Who is asking: every request passes through [`identify`], which turns a session cookie or an
//! `Authorization: Bearer` API token into a [`Principal`] in the request's extensions. Console
//! pages without one are sent to `/login` by [`console_requires_session`]; server functions and
//! the REST API refuse on their own (401, and 403 for a viewer's change).
//!
//! The sign-in, sign-out and first-admin forms are in [`forms`].

pub mod forms;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use secrecy::SecretString;
use switchboard_core::admins::Principal;
use switchboard_core::{admin_sessions, api_tokens};

use crate::{AppState, cookies};

/// The session token a request came with, kept so sign-out can end exactly that session.
#[derive(Clone)]
pub struct SessionToken(pub SecretString);

pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<SecretString> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| SecretString::from(token.trim().to_owned()))
}

/// Resolves the caller; see the module documentation.
pub async fn identify(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    match caller(&state, request.headers()).await {
        Ok(Caller { principal, session }) => {
            if let Some(token) = session {
                request.extensions_mut().insert(SessionToken(token));
            }
            if let Some(principal) = principal {
                request.extensions_mut().insert(principal);
            }
        }
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

/// Who a request's credentials name, and the session token it came with.
pub(crate) struct Caller {
    pub principal: Option<Principal>,
    pub session: Option<SecretString>,
}

/// The caller behind `headers`: an API token when there is one, else the session cookie. Long
/// requests (the console's event stream) ask again now and then, so a revoked token or an
/// ended session stops them too.
pub(crate) async fn caller(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Caller, switchboard_core::Error> {
    let db = state.services.db();
    let now = Utc::now();
    if let Some(token) = bearer_token(headers) {
        let principal = api_tokens::authenticate(db, &token, now).await?;
        return Ok(Caller {
            principal,
            session: None,
        });
    }
    let Some(token) = cookies::value(headers, &cookies::session_name(&state.web)) else {
        return Ok(Caller {
            principal: None,
            session: None,
        });
    };
    let policy = state.services.settings().sessions;
    let principal = admin_sessions::resolve(db, &token, policy, now).await?;
    Ok(Caller {
        principal,
        session: Some(token),
    })
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
    use axum::http::HeaderValue;
    use secrecy::ExposeSecret;

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
    fn bearer_tokens_are_read_from_headers() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer sbt_xyz"),
        );
        assert_eq!(bearer_token(&headers).unwrap().expose_secret(), "sbt_xyz");
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic eHk="),
        );
        assert!(bearer_token(&headers).is_none());
    }
}
