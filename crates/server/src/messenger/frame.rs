//! `GET /messenger/frame?deployment={id}&origin={host page origin}`: the messenger itself, in
//! an iframe the loader puts on the customer's page. Only pages on the deployment's allowed
//! domains may frame it (CSP `frame-ancestors`), and it speaks only to that origin.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use switchboard_core::deployments;
use url::Url;
use uuid::Uuid;

use super::pages::{self, data_block, escape};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct FrameQuery {
    deployment: Option<String>,
    origin: Option<String>,
}

pub async fn frame(State(state): State<AppState>, Query(query): Query<FrameQuery>) -> Response {
    let id = query.deployment.and_then(|id| id.parse::<Uuid>().ok());
    // The origin exactly as a browser serialises it, or nothing: it goes into a header.
    let origin = query.origin.filter(|origin| {
        Url::parse(origin).is_ok_and(|url| url.origin().ascii_serialization() == *origin)
    });
    let (Some(id), Some(origin)) = (id, origin) else {
        return unavailable(
            StatusCode::BAD_REQUEST,
            "This messenger link is incomplete.",
        );
    };
    let served = match deployments::served(state.services.db(), id).await {
        Ok(Some(served)) => served,
        Ok(None) => {
            return unavailable(StatusCode::NOT_FOUND, "This messenger is not available.");
        }
        Err(error) => {
            tracing::error!(%error, "cannot read a deployment for the messenger frame");
            return unavailable(
                StatusCode::SERVICE_UNAVAILABLE,
                "The messenger is unavailable; try again shortly.",
            );
        }
    };
    if !served.allows_origin(&origin).unwrap_or(false) {
        return unavailable(
            StatusCode::FORBIDDEN,
            "This messenger is not allowed on this site.",
        );
    }
    let content = &served.content;
    let appearance = &content.appearance;
    let authentication = &content.authentication;
    let base = &state.web.base_url;
    let config = serde_json::json!({
        "deploymentId": id,
        "hostOrigin": origin,
        "authentication": authentication.enabled,
        "anonymousAllowed": !authentication.enabled || authentication.allow_session_upgrade,
        "upgrade": authentication.enabled && authentication.allow_session_upgrade,
        "clearOnSignOut": content.clear_on_sign_out,
        "signInUrl": format!("{base}/messenger/auth/start?deployment={id}"),
        "primaryColor": appearance.primary_color,
    });
    let body = format!(
        r#"<div class="messenger">
<header class="bar"><h1>{label}</h1><button type="button" id="close" aria-label="Close messenger">×</button></header>
<main id="scroll">
<section class="account" aria-label="Account">
<p id="who" hidden>Signed in as <strong id="name"></strong></p>
<p id="notice" role="status"></p>
<button type="button" id="sign-in" class="primary" hidden>Sign in</button>
<button type="button" id="sign-out" hidden>Sign out</button>
<a id="provider-sign-out" target="_blank" rel="noopener" hidden>Also sign out of your identity provider</a>
</section>
<p id="older" class="hint" role="status" hidden></p>
<ol id="messages" class="messages" aria-label="Conversation" aria-live="polite">
<li class="agent greeting"><p>{greeting}</p></li>
</ol>
<p id="typing" class="typing" role="status"></p>
</main>
<form id="composer" class="composer">
<label for="message">Message</label>
<textarea id="message" rows="2" maxlength="4000" placeholder="Write a message. Enter sends, Shift+Enter starts a new line."></textarea>
<p id="composer-hint" class="hint" hidden></p>
<button type="submit" class="primary">Send</button>
</form>
</div>{data}<script src="/messenger/frame.js"></script>"#,
        label = escape(&appearance.launcher_label),
        greeting = escape(&appearance.greeting),
        data = data_block("switchboard-config", &config),
    );
    pages::page(
        StatusCode::OK,
        &appearance.default_language,
        &appearance.launcher_label,
        &body,
        &origin,
    )
}

fn unavailable(status: StatusCode, message: &str) -> Response {
    let body = format!(r#"<main class="popup"><p>{}</p></main>"#, escape(message));
    pages::page(status, "en", "Messenger unavailable", &body, "'none'")
}
