//! The visitor's side of a conversation: `POST /messenger/v1/sessions` (an anonymous session),
//! `GET /messenger/v1/conversation` (the messages so far, or after `?after=` for a resume) and
//! `POST /messenger/v1/messages` (201 once stored).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard_core::delivery::Posted;
use switchboard_core::{Error, conversations, messenger_sessions};
use uuid::Uuid;

use super::cors;
use super::tokens::{authorize_session, error_response};
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSession {
    deployment_id: Uuid,
}

pub async fn start_anonymous(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let origin = cors::foreign_origin(&headers, &state.web.base_url);
    let Ok(request) = serde_json::from_slice::<NewSession>(&body) else {
        return error_response(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Send {\"deploymentId\": \"...\"}.",
        );
    };
    let db = state.services.db();
    if let Some(origin) = origin {
        let allowed = cors::deployment_allows(&state, request.deployment_id, origin)
            .await
            .unwrap_or(false);
        if !allowed {
            return error_response(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "This site is not one of the deployment's allowed domains.",
            );
        }
    }
    let response = match messenger_sessions::start_anonymous(
        db,
        state.services.keyring(),
        request.deployment_id,
    )
    .await
    {
        Ok(session) => (StatusCode::CREATED, Json(session)).into_response(),
        Err(Error::Forbidden) => error_response(
            StatusCode::FORBIDDEN,
            "sign_in_required",
            "This messenger asks visitors to sign in first.",
        ),
        Err(error) => core_error(error),
    };
    cors::allow(response, origin)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upgrade {
    anonymous_token: String,
}

/// `POST /messenger/v1/sessions/upgrade` with the signed-in session as bearer and
/// `{"anonymousToken": ...}`: the anonymous conversation goes on, authenticated.
pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (session, origin) = match authorize_session(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Ok(request) = serde_json::from_slice::<Upgrade>(&body) else {
        return error_response(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Send {\"anonymousToken\": \"...\"}.",
        );
    };
    let db = state.services.db();
    let response = match messenger_sessions::upgrade(db, &session, &request.anonymous_token).await {
        Ok(conversation) => {
            Json(serde_json::json!({ "conversationId": conversation })).into_response()
        }
        Err(Error::Forbidden) => error_response(
            StatusCode::FORBIDDEN,
            "upgrade_not_allowed",
            "This messenger does not carry anonymous conversations over to signed-in ones.",
        ),
        Err(Error::Conflict(message)) => error_response(StatusCode::CONFLICT, "conflict", &message),
        Err(error) => core_error(error),
    };
    cors::allow(response, origin.as_deref())
}

#[derive(Debug, Deserialize)]
pub struct After {
    after: Option<i64>,
}

pub async fn conversation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<After>,
) -> Response {
    let (session, origin) = match authorize_session(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let messages = match session.conversation_id {
        Some(id) => conversations::messages(state.services.db(), id, query.after).await,
        None => Ok(vec![]),
    };
    let response = match messages {
        Ok(messages) => Json(serde_json::json!({
            "id": session.conversation_id,
            "deploymentId": session.deployment_id,
            "identity": session.identity,
            "messages": messages,
        }))
        .into_response(),
        Err(error) => core_error(error),
    };
    cors::allow(response, origin.as_deref())
}

#[derive(Debug, Deserialize)]
pub struct NewMessage {
    text: String,
}

pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (session, origin) = match authorize_session(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let response = match serde_json::from_slice::<NewMessage>(&body) {
        Err(_) => error_response(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Send {\"text\": \"...\"}.",
        ),
        Ok(request) => {
            match conversations::post_from_visitor(state.services.db(), &session, &request.text)
                .await
            {
                Ok((conversation_id, message)) => {
                    let posted = Posted {
                        conversation_id,
                        message_id: message.id,
                    };
                    let services = &state.services;
                    services.delivery().publish(services.db(), posted).await;
                    (StatusCode::CREATED, Json(message)).into_response()
                }
                Err(error) => core_error(error),
            }
        }
    };
    cors::allow(response, origin.as_deref())
}

fn core_error(error: Error) -> Response {
    match error {
        Error::Invalid(fields) => {
            let message = fields
                .iter()
                .map(|field| field.message.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            error_response(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &message)
        }
        Error::TooFast(message) => {
            error_response(StatusCode::TOO_MANY_REQUESTS, "rate_limited", &message)
        }
        Error::NotFound(what) => error_response(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("No active {what} has this id."),
        ),
        other => {
            tracing::error!(error = %other, "messenger request failed");
            error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The messenger is unavailable; try again shortly.",
            )
        }
    }
}
