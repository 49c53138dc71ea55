//! `/api/v2/canned-replies`: the short named texts agents insert into replies with `/name`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use switchboard_core::canned_replies;
use switchboard_domain::canned_reply::{CannedReply, CannedReplyInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiError, Caller, IdPath, JsonBody};
use crate::AppState;
use crate::error::Body as Error;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update, remove))
}

/// Every canned reply, by name.
#[utoipa::path(get, path = "/api/v2/canned-replies", tag = "conversations",
    responses((status = 200, body = [CannedReply]), (status = 401, body = Error)))]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
) -> Result<Json<Vec<CannedReply>>, ApiError> {
    Ok(Json(canned_replies::list(&state.services).await?))
}

/// Creates a canned reply; names are unique.
#[utoipa::path(post, path = "/api/v2/canned-replies", tag = "conversations",
    request_body = CannedReplyInput,
    responses((status = 201, body = CannedReply), (status = 401, body = Error),
        (status = 403, body = Error), (status = 422, body = Error)))]
pub(super) async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    JsonBody(input): JsonBody<CannedReplyInput>,
) -> Result<(StatusCode, Json<CannedReply>), ApiError> {
    let created = canned_replies::create(&state.services, &input, &caller).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(put, path = "/api/v2/canned-replies/{id}", tag = "conversations",
    params(("id" = Uuid, Path)), request_body = CannedReplyInput,
    responses((status = 200, body = CannedReply), (status = 401, body = Error),
        (status = 403, body = Error), (status = 404, body = Error), (status = 422, body = Error)))]
pub(super) async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
    JsonBody(input): JsonBody<CannedReplyInput>,
) -> Result<Json<CannedReply>, ApiError> {
    Ok(Json(
        canned_replies::update(&state.services, id, &input, &caller).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v2/canned-replies/{id}", tag = "conversations",
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error)))]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    canned_replies::delete(&state.services, id, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}
