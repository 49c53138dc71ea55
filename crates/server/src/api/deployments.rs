//! `/api/v2/messenger/deployments`: where published configurations run, with their snippet.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use switchboard_core::deployments;
use switchboard_domain::deployment::{Deployment, DeploymentInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiError, Caller, IdPath, JsonBody};
use crate::AppState;
use crate::error::Body as Error;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
}

#[utoipa::path(get, path = "/api/v2/messenger/deployments", tag = "messenger deployments",
    responses((status = 200, body = [Deployment]), (status = 401, body = Error)))]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
) -> Result<Json<Vec<Deployment>>, ApiError> {
    Ok(Json(
        deployments::all(&state.services, &state.web.base_url).await?,
    ))
}

/// Creates a deployment; the answer carries its snippet.
#[utoipa::path(post, path = "/api/v2/messenger/deployments", tag = "messenger deployments",
    request_body = DeploymentInput,
    responses(
        (status = 201, body = Deployment), (status = 401, body = Error), (status = 403, body = Error),
        (status = 422, body = Error, description = "Field errors: domains, an unpublished configuration, ..."),
    ))]
pub(super) async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    JsonBody(input): JsonBody<DeploymentInput>,
) -> Result<(StatusCode, Json<Deployment>), ApiError> {
    let created =
        deployments::create(&state.services, &state.web.base_url, &input, &caller).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(get, path = "/api/v2/messenger/deployments/{id}", tag = "messenger deployments",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Deployment), (status = 401, body = Error), (status = 404, body = Error)))]
pub(super) async fn show(
    State(state): State<AppState>,
    _: Caller,
    IdPath(id): IdPath,
) -> Result<Json<Deployment>, ApiError> {
    Ok(Json(
        deployments::get(&state.services, &state.web.base_url, id).await?,
    ))
}

#[utoipa::path(put, path = "/api/v2/messenger/deployments/{id}", tag = "messenger deployments",
    params(("id" = Uuid, Path)), request_body = DeploymentInput,
    responses(
        (status = 200, body = Deployment), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error), (status = 422, body = Error),
    ))]
pub(super) async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
    JsonBody(input): JsonBody<DeploymentInput>,
) -> Result<Json<Deployment>, ApiError> {
    Ok(Json(
        deployments::update(&state.services, &state.web.base_url, id, &input, &caller).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v2/messenger/deployments/{id}", tag = "messenger deployments",
    params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error),
    ))]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    deployments::delete(&state.services, id, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}
