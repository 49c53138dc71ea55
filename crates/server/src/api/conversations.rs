//! `/api/v2/conversations`: the inbox, and one conversation's messages with the agent's reply.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use switchboard_core::conversations;
use switchboard_core::delivery::Posted;
use switchboard_domain::conversation::{ConversationSummary, Message};
use uuid::Uuid;

use super::error::Body as Error;
use super::{ApiError, Caller, JsonBody};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list))
        .route("/{id}/messages", get(messages).post(reply))
}

/// Conversations, newest activity first (200 at most).
#[utoipa::path(get, path = "/api/v2/conversations", tag = "conversations",
    responses((status = 200, body = [ConversationSummary]), (status = 401, body = Error)))]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
) -> Result<Json<Vec<ConversationSummary>>, ApiError> {
    Ok(Json(conversations::list(state.services.db()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(super) struct After {
    /// Only messages with a greater id (to resume after the last one seen).
    after: Option<i64>,
}

/// A conversation's messages, oldest first (500 per call; ask again after the last id).
#[utoipa::path(get, path = "/api/v2/conversations/{id}/messages", tag = "conversations",
    params(("id" = Uuid, Path), After),
    responses((status = 200, body = [Message]), (status = 401, body = Error), (status = 404, body = Error)))]
pub(super) async fn messages(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<Uuid>,
    Query(query): Query<After>,
) -> Result<Json<Vec<Message>>, ApiError> {
    let db = state.services.db();
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
    Path(id): Path<Uuid>,
    JsonBody(reply): JsonBody<Reply>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    let services = &state.services;
    let message = conversations::post_from_agent(services.db(), id, &reply.text, &caller).await?;
    let posted = Posted {
        conversation_id: id,
        message_id: message.id,
    };
    services.delivery().publish(services.db(), posted).await;
    Ok((StatusCode::CREATED, Json(message)))
}
