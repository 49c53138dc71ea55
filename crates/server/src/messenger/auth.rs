//! Sign-in in the popup: `GET /messenger/auth/start` sends the browser to the provider,
//! `GET /messenger/auth/callback` finishes and hands the session to the messenger frame that
//! opened the popup. An admin's "Test sign-in" runs the same flow without creating a session.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use serde::Deserialize;
use switchboard_core::admins::Principal;
use switchboard_core::discovery::provider_wait;
use switchboard_core::relying_party::{Callback, Failure, Finished, Started, flow};
use uuid::Uuid;

use super::pages::{self, data_block, escape};
use crate::client_address::ClientAddress;
use crate::{AppState, WebSettings, cookies};

#[derive(Debug, Deserialize)]
pub struct StartQuery {
    deployment: Option<String>,
}

/// `GET /messenger/auth/start?deployment={id}`.
pub async fn start(State(state): State<AppState>, Query(query): Query<StartQuery>) -> Response {
    let Some(id) = query.deployment.and_then(|id| id.parse::<Uuid>().ok()) else {
        return pages::sign_in_failed(&Failure::new(
            "invalid_request",
            "The sign-in link names no messenger deployment.",
        ));
    };
    match flow::start_visitor(&state.services, &state.web.base_url, id).await {
        Ok(started) => redirect(&state.web, started),
        Err(failure) => pages::sign_in_failed(&failure),
    }
}

/// `GET /admin/integrations/{id}/test-sign-in`: the console's "Test sign-in". It stores a
/// sign-in flow and writes the sign-in log, so it is for admins who may change things; the
/// console layer sends visitors without a session to the sign-in page.
pub async fn test_sign_in(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Path(id): Path<Uuid>,
) -> Response {
    if !principal.is_some_and(|Extension(principal)| principal.role.can_change()) {
        return pages::sign_in_failed(&Failure::new(
            "forbidden",
            "Viewers cannot run Test sign-in; ask an admin.",
        ));
    }
    match flow::start_test(&state.services, &state.web.base_url, id).await {
        Ok(started) => redirect(&state.web, started),
        Err(failure) => pages::sign_in_failed(&failure),
    }
}

/// `GET /messenger/auth/callback?code=..&state=..`.
pub async fn callback(
    State(state): State<AppState>,
    Extension(client): Extension<ClientAddress>,
    Query(query): Query<Callback>,
    headers: HeaderMap,
) -> Response {
    let name = query
        .state
        .as_deref()
        .map(|value| cookies::sign_in_binding_name(&state.web, value));
    let binding = name
        .as_deref()
        .and_then(|name| cookies::value(&headers, name));
    let started = std::time::Instant::now();
    let (finished, provider_wait) = provider_wait::measured(flow::finish(
        &state.services,
        &state.web.base_url,
        &query,
        binding.as_ref().map(ExposeSecret::expose_secret),
        &client.to_string(),
    ))
    .await;
    let timing = server_timing(provider_wait, started.elapsed());
    let response = match finished {
        Ok(Finished::Visitor {
            deployment_id,
            session,
        }) => signed_in(deployment_id, &session),
        Ok(Finished::Test {
            integration_id,
            claims,
            checks,
        }) => test_result(integration_id, &claims, &checks),
        Err(failure) => pages::sign_in_failed(&failure),
    };
    let mut response = match name {
        Some(name) => {
            let removal = cookies::sign_in_binding_removal(&state.web, name);
            (cookies::set(removal), response).into_response()
        }
        None => response,
    };
    response.headers_mut().insert(SERVER_TIMING, timing);
    response
}

const SERVER_TIMING: HeaderName = HeaderName::from_static("server-timing");

/// `Server-Timing` of a callback: the time spent waiting on the provider (token endpoint,
/// userinfo) and in all, so a slow sign-in shows in the browser's tools whose time it was.
fn server_timing(provider: std::time::Duration, total: std::time::Duration) -> HeaderValue {
    let ms = |duration: std::time::Duration| duration.as_secs_f64() * 1000.0;
    let value = format!(
        "provider;dur={:.2};desc=\"Provider requests\", total;dur={:.2}",
        ms(provider),
        ms(total)
    );
    HeaderValue::from_str(&value).expect("digits and ASCII")
}

/// 302 to the provider, with the cookie that binds the flow to this browser.
fn redirect(web: &WebSettings, started: Started) -> Response {
    let cookie = cookies::sign_in_binding(
        web,
        started.state.expose_secret(),
        &started.browser_binding,
        flow::FLOW_LIFETIME.num_seconds(),
    );
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(started.authorization_url.as_str()) {
        headers.insert(header::LOCATION, location);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    (cookies::set(cookie), response).into_response()
}

fn signed_in(
    deployment_id: Uuid,
    session: &switchboard_domain::sign_in::MessengerSession,
) -> Response {
    let name = session
        .identity
        .as_ref()
        .and_then(|identity| identity.name.clone().or_else(|| identity.email.clone()))
        .unwrap_or_else(|| "you".to_owned());
    let body = format!(
        r#"<main class="popup"><h1>Signed in</h1><p>Signed in as {name}. This window closes by itself; if it does not, close it and return to the page.</p></main>{data}<script src="/messenger/callback.js"></script>"#,
        name = escape(&name),
        data = data_block(
            "switchboard-result",
            &serde_json::json!({
                "type": "switchboard:signed-in",
                "deploymentId": deployment_id,
                "session": session,
            }),
        ),
    );
    pages::page(StatusCode::OK, "en", "Signed in", &body, "'none'")
}

fn test_result(
    integration_id: Uuid,
    claims: &serde_json::Map<String, serde_json::Value>,
    checks: &[switchboard_domain::sign_in::TestCheck],
) -> Response {
    let checklist: String = checks
        .iter()
        .map(|check| {
            format!(
                "<li><strong>{}</strong>: {} {}</li>",
                escape(&check.label),
                if check.passed { "passed." } else { "failed." },
                escape(&check.detail)
            )
        })
        .collect();
    let rows: String = claims
        .iter()
        .map(|(name, value)| {
            let shown = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            format!(
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                escape(name),
                escape(&shown)
            )
        })
        .collect();
    let body = format!(
        r#"<main class="popup"><h1>Test sign-in passed</h1>
<h2>Checklist</h2><ul>{checklist}</ul>
<h2>Claims</h2><table><tbody>{rows}</tbody></table>
<p>No messenger session was created.</p></main>{data}<script src="/messenger/callback.js"></script>"#,
        data = data_block(
            "switchboard-result",
            &serde_json::json!({
                "type": "switchboard:test-sign-in",
                "integrationId": integration_id,
                "claims": claims,
                "checks": checks,
            }),
        ),
    );
    pages::page(StatusCode::OK, "en", "Test sign-in", &body, "'none'")
}

/// `POST /messenger/auth/backchannel-logout`: the provider's back-channel logout
/// (`logout_token` in a form body). 200 when the token holds, whatever it ended; 400 with
/// `{"error": "invalid_request", "error_description": ...}` when it does not, ending nothing.
pub async fn backchannel_logout(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> Response {
    let token = url::form_urlencoded::parse(&body)
        .find(|(name, _)| name == "logout_token")
        .map(|(_, value)| value.into_owned());
    let outcome = match token {
        Some(token) => {
            switchboard_core::relying_party::back_channel::logout(&state.services, &token)
                .await
                .map(|_| ())
        }
        None => Err(Failure::new(
            "invalid_request",
            "The request carries no logout_token.",
        )),
    };
    let mut response = match outcome {
        Ok(()) => StatusCode::OK.into_response(),
        Err(failure) => {
            tracing::warn!(reason = %failure, "refused a back-channel logout");
            let status = if failure.reason == "internal_error" {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::BAD_REQUEST
            };
            (
                status,
                axum::Json(serde_json::json!({
                    "error": failure.reason,
                    "error_description": failure.detail,
                })),
            )
                .into_response()
        }
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
