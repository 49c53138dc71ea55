//! `/api/v2/conversations`: the inbox (its parts, search, assignment), one conversation's messages with the agent's reply, the
//! agent's signals to the visitor (typing, read up to a message), and transcripts.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use switchboard_core::attachments::Upload;
use switchboard_core::conversations;
use switchboard_core::inbox::{self, InboxQuery};
use switchboard_domain::conversation::{ConversationSummary, Message, page_limit};
use switchboard_domain::inbox::{Agent, InboxFilter};
use switchboard_domain::transcript::Transcript;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{ApiError, Caller, IdPath, JsonBody};
use crate::AppState;
use crate::attachments::{self, UploadQuery};
use crate::error::Body as Error;
use crate::transcripts::{self, TranscriptQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(agents))
        .routes(routes!(assign))
        .routes(routes!(messages, reply))
        .routes(routes!(typing))
        .routes(routes!(read))
        .routes(routes!(transcript))
        .routes(routes!(upload))
        .routes(routes!(attachment))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(super) struct ListQuery {
    /// A part of the inbox: `mine` and `unassigned` (open ones only), `all` (the default) or
    /// `closed`.
    filter: Option<InboxFilter>,
    /// Words to find in the visitor's name, email or subject, or in a message; each matches
    /// the words it begins, and all must match.
    q: Option<String>,
}

/// Conversations, newest activity first (200 at most): a part of the inbox, optionally
/// searched.
#[utoipa::path(get, path = "/api/v2/conversations", tag = "conversations",
    params(ListQuery),
    responses((status = 200, body = [ConversationSummary]), (status = 400, body = Error),
        (status = 401, body = Error), (status = 422, body = Error)))]
pub(super) async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<ConversationSummary>>, ApiError> {
    let Query(query) = query.map_err(|rejection| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            rejection.body_text(),
        )
    })?;
    let query = InboxQuery {
        filter: query.filter.unwrap_or_default(),
        q: query.q.unwrap_or_default(),
    };
    Ok(Json(inbox::list(&state.services, &query, &caller).await?))
}

/// The admins conversations can be given to (viewers cannot answer), by email.
#[utoipa::path(get, path = "/api/v2/agents", tag = "conversations",
    responses((status = 200, body = [Agent]), (status = 401, body = Error)))]
pub(super) async fn agents(
    State(state): State<AppState>,
    _: Caller,
) -> Result<Json<Vec<Agent>>, ApiError> {
    Ok(Json(inbox::agents(&state.services).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Assignee {
    /// The admin to give the conversation to; `null` to give it to no one.
    admin_id: Option<Uuid>,
}

/// Gives the conversation to an admin, or to no one; answers the assignee (`null` for none).
#[utoipa::path(post, path = "/api/v2/conversations/{id}/assignee", tag = "conversations",
    params(("id" = Uuid, Path)), request_body = Assignee,
    responses((status = 200, body = Option<Agent>), (status = 401, body = Error),
        (status = 403, body = Error), (status = 404, body = Error), (status = 422, body = Error)))]
pub(super) async fn assign(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
    JsonBody(assignee): JsonBody<Assignee>,
) -> Result<Json<Option<Agent>>, ApiError> {
    let agent = inbox::assign(&state.services, id, assignee.admin_id, &caller).await?;
    Ok(Json(agent))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(super) struct After {
    /// Only messages with a greater id (to resume after the last one seen).
    after: Option<i64>,
    /// Only the `limit` messages before this id (to page back through the history).
    before: Option<i64>,
    /// With `before`: how many (1 to 100, 50 by default).
    limit: Option<i64>,
}

/// A conversation's messages, oldest first: after `after` (500 per call; ask again after the
/// last id), or the `limit` before `before`.
#[utoipa::path(get, path = "/api/v2/conversations/{id}/messages", tag = "conversations",
    params(("id" = Uuid, Path), After),
    responses((status = 200, body = [Message]), (status = 401, body = Error), (status = 404, body = Error)))]
pub(super) async fn messages(
    State(state): State<AppState>,
    _: Caller,
    IdPath(id): IdPath,
    Query(query): Query<After>,
) -> Result<Json<Vec<Message>>, ApiError> {
    let db = state.services.db();
    if let Some(before) = query.before {
        let limit = page_limit(query.limit).map_err(|error| {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_request", error.message)
        })?;
        let (messages, _) = conversations::older(db, id, before, limit).await?;
        return Ok(Json(messages));
    }
    let messages = conversations::messages(db, id, query.after).await?;
    if messages.is_empty() && query.after.is_none() {
        // An empty answer must mean "no messages", never "no such conversation".
        conversations::require(db, id).await?;
    }
    Ok(Json(messages))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Reply {
    text: String,
}

/// An agent's reply; 201 once stored.
#[utoipa::path(post, path = "/api/v2/conversations/{id}/messages", tag = "conversations",
    params(("id" = Uuid, Path)), request_body = Reply,
    responses((status = 201, body = Message), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error), (status = 422, body = Error)))]
pub(super) async fn reply(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
    JsonBody(reply): JsonBody<Reply>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let message = conversations::post_from_agent(&state.services, id, &reply.text, &caller).await?;
    Ok((StatusCode::CREATED, Json(message)))
}

/// The agent is typing: the visitor's messenger shows it for a few seconds. Never stored; at
/// most 30 a minute per conversation (429 beyond).
#[utoipa::path(post, path = "/api/v2/conversations/{id}/typing", tag = "conversations",
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error), (status = 429, body = Error)))]
pub(super) async fn typing(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    conversations::agent_typing(&state.services, id, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Read {
    /// The newest message id the agent has seen.
    up_to: i64,
}

/// Marks the conversation read up to a message; the visitor's messenger shows "Seen".
#[utoipa::path(post, path = "/api/v2/conversations/{id}/read", tag = "conversations",
    params(("id" = Uuid, Path)), request_body = Read,
    responses((status = 204), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error)))]
pub(super) async fn read(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
    JsonBody(read): JsonBody<Read>,
) -> Result<StatusCode, ApiError> {
    conversations::mark_read(&state.services, id, read.up_to, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The whole conversation as a file to keep: the visitor's identity, the times, every message.
/// JSON, or plain text with `?format=text`; sent as a download, never cached.
#[utoipa::path(get, path = "/api/v2/conversations/{id}/transcript", tag = "conversations",
    params(("id" = Uuid, Path), TranscriptQuery),
    responses(
        (status = 200, content((Transcript = "application/json"), (String = "text/plain"))),
        (status = 400, body = Error), (status = 401, body = Error), (status = 404, body = Error)))]
pub(super) async fn transcript(
    State(state): State<AppState>,
    _: Caller,
    IdPath(id): IdPath,
    query: Result<Query<TranscriptQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let format = transcripts::format(query)?;
    let transcript = conversations::transcript(&state.services, id).await?;
    Ok(transcripts::download(&transcript, format))
}

/// An agent sends a file: its bytes as the body, `?name=` its name. An image or PDF of the kinds
/// and size the conversation's messenger configuration allows (by default the five kinds, up
/// to 10 MB), known by its content, not its name; 201 with the message that carries it.
#[utoipa::path(post, path = "/api/v2/conversations/{id}/attachments", tag = "conversations",
    params(("id" = Uuid, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Message), (status = 400, body = Error), (status = 401, body = Error),
        (status = 403, body = Error), (status = 404, body = Error), (status = 413, body = Error),
        (status = 422, body = Error)))]
pub(super) async fn upload(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
    query: Result<Query<UploadQuery>, QueryRejection>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let name = attachments::name(query)?;
    let upload = Upload {
        name: &name,
        bytes: &body,
    };
    let message = conversations::post_file_from_agent(&state.services, id, upload, &caller).await?;
    Ok((StatusCode::CREATED, Json(message)))
}

/// A file sent in any conversation, as a download under which nothing runs.
#[utoipa::path(get, path = "/api/v2/attachments/{id}", tag = "conversations",
    params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "application/octet-stream"),
        (status = 401, body = Error), (status = 404, body = Error)))]
pub(super) async fn attachment(
    State(state): State<AppState>,
    _: Caller,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let file = switchboard_core::attachments::for_agent(&state.services, id).await?;
    Ok(attachments::download(file))
}
