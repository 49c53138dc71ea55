//! The visitor's side of a conversation: `POST /messenger/v1/sessions` (an anonymous session),
//! `GET /messenger/v1/conversation` (the latest messages, `?before=&limit=` for older pages,
//! `?after=` for a resume), `POST /messenger/v1/messages` (201 once stored) and
//! `POST /messenger/v1/typing` (a signal for the agents, never stored as a message),
//! `GET /messenger/v1/transcript` (the visitor's latest conversation, as a download), and
//! `POST /messenger/v1/attachments?name=` (a file as the body; 201 with its message) with
//! `GET /messenger/v1/attachments/{id}` (a file of the visitor's conversations).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use switchboard_core::attachments::Upload;
use switchboard_core::conversations::VisitorPage;
use switchboard_core::{Error, conversations, messenger_sessions};
use switchboard_domain::conversation::page_limit;
use uuid::Uuid;

use super::cors;
use super::tokens::authorize_session;
use crate::AppState;
use crate::attachments::{self, UploadQuery};
use crate::error::HttpError;
use crate::transcripts::{self, TranscriptQuery};

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
    let Ok(request) = serde_json::from_slice::<NewSession>(&body) else {
        return HttpError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Send {\"deploymentId\": \"...\"}.",
        )
        .into_response();
    };
    if let Err(refused) = cors::require_allowed(&state, &headers, request.deployment_id).await {
        return refused;
    }
    let db = state.services.db();
    match messenger_sessions::start_anonymous(db, state.services.keyring(), request.deployment_id)
        .await
    {
        Ok(session) => (StatusCode::CREATED, Json(session)).into_response(),
        Err(Error::Forbidden) => HttpError::new(
            StatusCode::FORBIDDEN,
            "sign_in_required",
            "This messenger asks visitors to sign in first.",
        )
        .into_response(),
        Err(error) => HttpError::from(error).into_response(),
    }
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
    let session = match authorize_session(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Ok(request) = serde_json::from_slice::<Upgrade>(&body) else {
        return HttpError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Send {\"anonymousToken\": \"...\"}.",
        )
        .into_response();
    };
    let db = state.services.db();
    match messenger_sessions::upgrade(db, &session, &request.anonymous_token).await {
        Ok(conversation) => {
            Json(serde_json::json!({ "conversationId": conversation })).into_response()
        }
        Err(Error::Forbidden) => HttpError::new(
            StatusCode::FORBIDDEN,
            "upgrade_not_allowed",
            "This messenger does not carry anonymous conversations over to signed-in ones.",
        )
        .into_response(),
        Err(Error::Conflict(message)) => {
            HttpError::new(StatusCode::CONFLICT, "conflict", message).into_response()
        }
        Err(error) => HttpError::from(error).into_response(),
    }
}

/// The query of `GET /messenger/v1/conversation`, read by hand so a bad value gets a clear
/// message instead of a bare rejection.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    after: Option<String>,
    before: Option<String>,
    limit: Option<String>,
}

impl PageQuery {
    fn page(&self) -> Result<VisitorPage, String> {
        let number = |name: &str, value: &Option<String>| -> Result<Option<i64>, String> {
            value
                .as_deref()
                .map(|text| {
                    text.parse::<i64>().map_err(|_| {
                        format!("{name} must be a message id (a number); got {text:?}.")
                    })
                })
                .transpose()
        };
        let limit = number("limit", &self.limit)?;
        let limit = page_limit(limit).map_err(|error| error.message)?;
        match (
            number("after", &self.after)?,
            number("before", &self.before)?,
        ) {
            (Some(_), Some(_)) => {
                Err("Ask for messages after an id or before one, not both.".into())
            }
            (Some(after), None) => Ok(VisitorPage::After(after)),
            (None, Some(before)) => Ok(VisitorPage::Before(before, limit)),
            (None, None) => Ok(VisitorPage::Latest(limit)),
        }
    }
}

pub async fn conversation(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Response {
    let session = match authorize_session(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match query.page() {
        Err(message) => {
            HttpError::new(StatusCode::BAD_REQUEST, "invalid_request", &message).into_response()
        }
        Ok(page) => match conversations::for_visitor(&state.services, &session, page).await {
            Ok(conversation) => Json(conversation).into_response(),
            Err(Error::Invalid(fields)) => HttpError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                fields
                    .iter()
                    .map(|field| field.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
            .into_response(),
            Err(error) => HttpError::from(error).into_response(),
        },
    }
}

/// `POST /messenger/v1/typing`: the visitor is typing. At most
/// [`switchboard_core::TYPING_PER_MINUTE`] a minute per session; the console shows it for a few
/// seconds.
pub async fn typing(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let session = match authorize_session(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match conversations::visitor_typing(&state.services, &session).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => HttpError::from(error).into_response(),
    }
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
    let session = match authorize_session(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match serde_json::from_slice::<NewMessage>(&body) {
        Err(_) => HttpError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Send {\"text\": \"...\"}.",
        )
        .into_response(),
        Ok(request) => {
            match conversations::post_from_visitor(&state.services, &session, &request.text).await {
                Ok((_, message)) => (StatusCode::CREATED, Json(message)).into_response(),
                Err(error) => HttpError::from(error).into_response(),
            }
        }
    }
}

/// `GET /messenger/v1/transcript?format=text|json`.
pub async fn transcript(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<TranscriptQuery>, QueryRejection>,
) -> Response {
    let session = match authorize_session(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let format = match transcripts::format(query) {
        Ok(format) => format,
        Err(refused) => return refused.into_response(),
    };
    match conversations::visitor_transcript(&state.services, &session).await {
        Ok(transcript) => transcripts::download(&transcript, format),
        Err(error) => HttpError::from(error).into_response(),
    }
}

/// `POST /messenger/v1/attachments?name=photo.png` with the file as the body.
pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<UploadQuery>, QueryRejection>,
    body: axum::body::Bytes,
) -> Response {
    let session = match authorize_session(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let name = match attachments::name(query) {
        Ok(name) => name,
        Err(refused) => return refused.into_response(),
    };
    let upload = Upload {
        name: &name,
        bytes: &body,
    };
    match conversations::post_file_from_visitor(&state.services, &session, upload).await {
        Ok((_, message)) => (StatusCode::CREATED, Json(message)).into_response(),
        Err(error) => HttpError::from(error).into_response(),
    }
}

/// `GET /messenger/v1/attachments/{id}`: a file of the visitor's own conversations.
pub async fn attachment(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let session = match authorize_session(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let Ok(id) = id.parse::<Uuid>() else {
        return HttpError::not_found("attachment").into_response();
    };
    match switchboard_core::attachments::for_visitor(&state.services, &session, id).await {
        Ok(file) => attachments::download(file),
        Err(error) => HttpError::from(error).into_response(),
    }
}
