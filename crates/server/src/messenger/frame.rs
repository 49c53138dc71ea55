//! `GET /messenger/frame?deployment={id}&origin={host page origin}`: the messenger itself, in
//! an iframe the loader puts on the customer's page. Only pages on the deployment's allowed
//! domains may frame it (CSP `frame-ancestors`), and it speaks only to that origin.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use switchboard_core::{deployments, presence};
use url::Url;
use uuid::Uuid;

use switchboard_domain::deployment::FrameConfig;
use switchboard_domain::urls;

use super::pages::{self, data_block, escape};
use crate::AppState;

/// The frame's markup; `{{label}}`, `{{greeting}}` and `{{config}}` are filled in.
const TEMPLATE: &str = include_str!("../../templates/frame.html");

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
    let served = match deployments::served(&state.services, id).await {
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
    let agents_online = match presence::anyone_online(state.services.db()).await {
        Ok(online) => online,
        Err(error) => {
            // Saying replies come later holds either way.
            tracing::warn!(%error, "cannot tell whether agents are online");
            false
        }
    };
    let content = &served.content;
    let appearance = &content.appearance;
    let authentication = &content.authentication;
    let config = FrameConfig {
        deployment_id: id,
        host_origin: origin.clone(),
        authentication: authentication.enabled,
        anonymous_allowed: !authentication.enabled || authentication.allow_session_upgrade,
        upgrade: authentication.enabled && authentication.allow_session_upgrade,
        clear_on_sign_out: content.clear_on_sign_out,
        sign_in_url: urls::sign_in_start(&state.web.base_url, id),
        primary_color: appearance.primary_color.clone(),
        agents_online,
        email_replies: state.services.settings().mailer.is_some(),
    };
    let body = pages::fill(
        TEMPLATE,
        &[
            ("label", &escape(&appearance.launcher_label)),
            ("greeting", &escape(&appearance.greeting)),
            ("config", &data_block("switchboard-config", &config)),
        ],
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
