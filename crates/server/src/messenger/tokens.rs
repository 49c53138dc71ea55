//! Messenger session endpoints: page-side sign-in (`POST /messenger/v1/token/nonce`, then
//! `POST /messenger/v1/token/exchange`),
//! `POST /messenger/v1/token/refresh`, `DELETE /messenger/v1/token` and
//! `GET /messenger/v1/session`. Errors are `{"error": reason, "message": text}`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use switchboard_core::messenger_sessions::Session;
use switchboard_core::relying_party::{PageSideCode, page_nonce, session};
use switchboard_core::{deployments, messenger_sessions};
use uuid::Uuid;

use super::cors;
use crate::AppState;
use crate::client_address::ClientAddress;
use crate::error::HttpError;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeRequest {
    deployment_id: Uuid,
    oauth: PageSideCode,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NonceRequest {
    deployment_id: Uuid,
}

/// A nonce for the page's own authorization request, single use, for 10 minutes.
pub async fn nonce(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: NonceRequest = match read(&body) {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    if let Err(response) = from_allowed_page(&state, &headers, request.deployment_id).await {
        return response;
    }
    match page_nonce::issue(&state.services, request.deployment_id).await {
        Ok(issued) => Json(issued).into_response(),
        Err(failure) => HttpError::sign_in(&failure).into_response(),
    }
}

pub async fn exchange(
    State(state): State<AppState>,
    Extension(client): Extension<ClientAddress>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: ExchangeRequest = match read(&body) {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    if let Err(response) = from_allowed_page(&state, &headers, request.deployment_id).await {
        return response;
    }
    let client = client.to_string();
    let exchanged = session::exchange(
        &state.services,
        request.deployment_id,
        &request.oauth,
        &client,
    )
    .await;
    match exchanged {
        Ok(session) => (StatusCode::OK, Json(session)).into_response(),
        Err(failure) => HttpError::sign_in(&failure).into_response(),
    }
}

fn read<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, HttpError> {
    serde_json::from_slice(body).map_err(|error| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            error.to_string(),
        )
    })
}

/// An active deployment, asked from our own pages or a page on one of its allowed domains.
async fn from_allowed_page(
    state: &AppState,
    headers: &HeaderMap,
    deployment_id: Uuid,
) -> Result<(), Response> {
    let served = match deployments::served(&state.services, deployment_id).await {
        Ok(Some(served)) => served,
        Ok(None) => {
            return Err(HttpError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "No active messenger deployment has this id.",
            )
            .into_response());
        }
        Err(error) => return Err(internal(error)),
    };
    if let Some(origin) = cors::foreign_origin(headers, &state.web.base_url)
        && !served.allows_origin(origin).unwrap_or(false)
    {
        return Err(cors::origin_refused());
    }
    Ok(())
}

pub async fn refresh(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = match authorize(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match session::refresh(&state.services, &token).await {
        Ok(session) => (StatusCode::OK, Json(session)).into_response(),
        Err(failure) => HttpError::new(
            StatusCode::UNAUTHORIZED,
            failure.reason.clone(),
            failure.public_message(),
        )
        .into_response(),
    }
}

pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = match authorize(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match session::sign_out(&state.services, &token).await {
        Ok(end_session) => Json(serde_json::json!({
            "signedOut": true,
            "endSessionUrl": end_session.map(String::from),
        }))
        .into_response(),
        Err(failure) => HttpError::sign_in(&failure).into_response(),
    }
}

pub async fn session(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let token = match authorize(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match messenger_sessions::find(&state.services, &token).await {
        Ok(Some(session)) => Json(serde_json::json!({
            "expiresAt": session.expires_at,
            "identity": session.identity,
            "refreshable": session.has_refresh_token,
        }))
        .into_response(),
        Ok(None) => session_ended(),
        Err(error) => internal(error),
    }
}

/// The bearer token of a live session, from a page the deployment allows.
async fn authorize(state: &AppState, headers: &HeaderMap) -> Result<String, Response> {
    let (token, _) = bearer_session(state, headers).await?;
    Ok(token)
}

/// The live session of the request's bearer token, from a page the deployment allows.
pub(super) async fn authorize_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Session, Response> {
    let (_, session) = bearer_session(state, headers).await?;
    Ok(session)
}

async fn bearer_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(String, Session), Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned())
        .ok_or_else(session_ended)?;
    let session = messenger_sessions::find(&state.services, &token)
        .await
        .map_err(internal)?
        .ok_or_else(session_ended)?;
    cors::require_allowed(state, headers, session.deployment_id).await?;
    Ok((token, session))
}

fn session_ended() -> Response {
    HttpError::new(
        StatusCode::UNAUTHORIZED,
        "session_expired",
        "No live messenger session has this token; sign in again.",
    )
    .into_response()
}

fn internal(error: switchboard_core::Error) -> Response {
    HttpError::from(error).into_response()
}
