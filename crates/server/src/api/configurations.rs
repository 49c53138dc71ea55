//! `/api/v2/messenger/configurations`: drafts, numbered published versions, and the same rules
//! and messages as the console.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use switchboard_core::messenger;
use switchboard_domain::messenger::{
    Configuration, ConfigurationInput, PublishedVersion, VersionContent,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiError, Caller, IdPath, JsonBody};
use crate::AppState;
use crate::error::Body as Error;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(versions))
        .routes(routes!(draft, update_draft))
        .routes(routes!(publish))
}

/// Every configuration with its draft and versions, by name.
#[utoipa::path(get, path = "/api/v2/messenger/configurations", tag = "messenger configurations",
    responses((status = 200, body = [Configuration]), (status = 401, body = Error)))]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
) -> Result<Json<Vec<Configuration>>, ApiError> {
    Ok(Json(messenger::all(&state.services).await?))
}

/// Creates a configuration; nothing is published until `.../versions/draft/publish`.
#[utoipa::path(post, path = "/api/v2/messenger/configurations", tag = "messenger configurations",
    request_body = ConfigurationInput,
    responses(
        (status = 201, body = Configuration), (status = 401, body = Error), (status = 403, body = Error),
        (status = 422, body = Error, description = "Field errors, or an inactive OAuth integration"),
    ))]
pub(super) async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    JsonBody(input): JsonBody<ConfigurationInput>,
) -> Result<(StatusCode, Json<Configuration>), ApiError> {
    let created = messenger::create(&state.services, &input, &caller).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v2/messenger/configurations/{id}", tag = "messenger configurations",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Configuration), (status = 401, body = Error), (status = 404, body = Error)))]
pub(super) async fn show(
    State(state): State<AppState>,
    _: Caller,
    IdPath(id): IdPath,
) -> Result<Json<Configuration>, ApiError> {
    Ok(Json(messenger::get(&state.services, id).await?))
}

/// Saves the names and the draft; deployments keep serving their published version.
#[utoipa::path(put, path = "/api/v2/messenger/configurations/{id}", tag = "messenger configurations",
    params(("id" = Uuid, Path)), request_body = ConfigurationInput,
    responses(
        (status = 200, body = Configuration), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error), (status = 422, body = Error),
    ))]
pub(super) async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
    JsonBody(input): JsonBody<ConfigurationInput>,
) -> Result<Json<Configuration>, ApiError> {
    Ok(Json(
        messenger::update(&state.services, id, &input, &caller).await?,
    ))
}

/// Deletes a configuration no deployment serves.
#[utoipa::path(delete, path = "/api/v2/messenger/configurations/{id}", tag = "messenger configurations",
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error), (status = 409, body = Error, description = "Deployments serve it"),
    ))]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    messenger::delete(&state.services, id, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The published versions, oldest first.
#[utoipa::path(get, path = "/api/v2/messenger/configurations/{id}/versions", tag = "messenger configurations",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = [PublishedVersion]), (status = 401, body = Error), (status = 404, body = Error)))]
pub(super) async fn versions(
    State(state): State<AppState>,
    _: Caller,
    IdPath(id): IdPath,
) -> Result<Json<Vec<PublishedVersion>>, ApiError> {
    Ok(Json(messenger::get(&state.services, id).await?.versions))
}

#[utoipa::path(get, path = "/api/v2/messenger/configurations/{id}/versions/draft", tag = "messenger configurations",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = VersionContent), (status = 401, body = Error), (status = 404, body = Error)))]
pub(super) async fn draft(
    State(state): State<AppState>,
    _: Caller,
    IdPath(id): IdPath,
) -> Result<Json<VersionContent>, ApiError> {
    Ok(Json(messenger::get(&state.services, id).await?.draft))
}

/// Replaces the draft only.
#[utoipa::path(put, path = "/api/v2/messenger/configurations/{id}/versions/draft", tag = "messenger configurations",
    params(("id" = Uuid, Path)), request_body = VersionContent,
    responses(
        (status = 200, body = Configuration), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error), (status = 422, body = Error),
    ))]
pub(super) async fn update_draft(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
    JsonBody(draft): JsonBody<VersionContent>,
) -> Result<Json<Configuration>, ApiError> {
    let db = state.services.db();
    Ok(Json(messenger::update_draft(db, id, draft, &caller).await?))
}

/// Turns the draft into the next numbered version.
#[utoipa::path(post, path = "/api/v2/messenger/configurations/{id}/versions/draft/publish", tag = "messenger configurations",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Configuration), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error), (status = 422, body = Error, description = "The OAuth integration became inactive"),
    ))]
pub(super) async fn publish(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
) -> Result<Json<Configuration>, ApiError> {
    Ok(Json(
        messenger::publish(&state.services, id, &caller).await?,
    ))
}
