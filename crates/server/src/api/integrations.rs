//! `/api/v2/integrations`: the same use cases and messages as the console's Integrations page.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use secrecy::SecretString;
use serde::Deserialize;
use switchboard_core::discovery::OktaServer;
use switchboard_core::integrations::{self, NewCredentials, Preset};
use switchboard_domain::integration::Status;
use switchboard_domain::integration_settings::{Integration, IntegrationSettings};
use uuid::Uuid;

use super::{ApiError, Caller, JsonBody};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(list).post(install))
        .route(
            "/{id}",
            get(show).put(update).patch(set_status).delete(remove),
        )
        .route("/{id}/credentials", put(set_credentials))
        .route("/{id}/test", post(test_connection))
}

async fn list(
    State(state): State<AppState>,
    _: Caller,
) -> Result<Json<Vec<Integration>>, ApiError> {
    Ok(Json(integrations::all(state.services.db()).await?))
}

/// `POST /api/v2/integrations`: `{}` installs a plain OpenID Connect integration;
/// `{"okta": {"domain": "acme.okta.com", "server": {"kind": "default"}}}` the Okta preset.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct InstallRequest {
    okta: Option<OktaPreset>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct OktaPreset {
    domain: String,
    server: OktaServer,
}

async fn install(
    State(state): State<AppState>,
    Caller(caller): Caller,
    JsonBody(request): JsonBody<InstallRequest>,
) -> Result<(StatusCode, Json<Integration>), ApiError> {
    let preset = match request.okta {
        None => Preset::OpenIdConnect,
        Some(okta) => Preset::Okta {
            domain: okta.domain,
            server: okta.server,
        },
    };
    let integration = integrations::install(&state.services, preset, &caller).await?;
    Ok((StatusCode::CREATED, Json(integration)))
}

async fn show(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<Integration>, ApiError> {
    Ok(Json(integrations::get(state.services.db(), id).await?))
}

async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<Uuid>,
    JsonBody(settings): JsonBody<IntegrationSettings>,
) -> Result<Json<Integration>, ApiError> {
    Ok(Json(
        integrations::update(&state.services, id, &settings, &caller).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusChange {
    status: Status,
}

async fn set_status(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<Uuid>,
    JsonBody(change): JsonBody<StatusChange>,
) -> Result<Json<Integration>, ApiError> {
    let db = state.services.db();
    Ok(Json(
        integrations::set_status(db, id, change.status, &caller).await?,
    ))
}

async fn remove(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    integrations::delete(state.services.db(), id, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT .../credentials`; the secret is write-only: answers never contain it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CredentialsRequest {
    client_id: String,
    client_secret: SecretString,
    okta_api_token: Option<SecretString>,
}

async fn set_credentials(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<Uuid>,
    JsonBody(request): JsonBody<CredentialsRequest>,
) -> Result<Json<Integration>, ApiError> {
    let services = &state.services;
    let credentials = NewCredentials {
        client_id: request.client_id,
        client_secret: request.client_secret,
        okta_api_token: request.okta_api_token,
    };
    integrations::set_credentials(services.db(), services.keyring(), id, &credentials, &caller)
        .await?;
    Ok(Json(integrations::get(services.db(), id).await?))
}

async fn test_connection(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<Integration>, ApiError> {
    Ok(Json(
        integrations::test_connection(&state.services, id, &caller).await?,
    ))
}
