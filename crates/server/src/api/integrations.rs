//! `/api/v2/integrations`: the same use cases and messages as the console's Integrations page.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use secrecy::SecretString;
use serde::Deserialize;
use switchboard_core::integrations::{self, InstallSettings, NewCredentials};
use switchboard_core::sign_in_log;
use switchboard_domain::FieldError;
use switchboard_domain::integration::Status;
use switchboard_domain::integration_settings::{Integration, IntegrationSettings};
use switchboard_domain::provider::{OktaServer, ProviderPreset};
use switchboard_domain::sign_in::SignInAttempt;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiError, Caller, IdPath, JsonBody};
use crate::AppState;
use crate::error::Body as Error;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, install))
        .routes(routes!(show, update, set_status, remove))
        .routes(routes!(set_credentials))
        .routes(routes!(test_connection))
        .routes(routes!(sign_ins))
}

/// The latest sign-in attempts through an integration (at most 50), newest first, with the
/// reason code of each failure.
#[utoipa::path(get, path = "/api/v2/integrations/{id}/signins", tag = "integrations",
    responses((status = 200, body = [SignInAttempt]), (status = 401, body = Error),
        (status = 404, body = Error)))]
pub(super) async fn sign_ins(
    State(state): State<AppState>,
    _: Caller,
    IdPath(id): IdPath,
) -> Result<Json<Vec<SignInAttempt>>, ApiError> {
    Ok(Json(sign_in_log::latest(&state.services, id).await?))
}

/// Every integration, by name.
#[utoipa::path(get, path = "/api/v2/integrations", tag = "integrations",
    responses((status = 200, body = [Integration]), (status = 401, body = Error)))]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
) -> Result<Json<Vec<Integration>>, ApiError> {
    Ok(Json(integrations::all(&state.services).await?))
}

/// `POST /api/v2/integrations`: `{}` installs a generic OpenID Connect integration;
/// `{"provider": {"kind": "entra", "tenant": "contoso.onmicrosoft.com"}}` one set up from a
/// provider profile. `{"okta": {"domain": ..., "server": ...}}` is the older spelling of
/// `{"provider": {"kind": "okta", ...}}` and keeps working.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct InstallRequest {
    provider: Option<ProviderPreset>,
    okta: Option<OktaPreset>,
    /// The settings, in the same call; absent ones take the defaults (the Discovery URI: the
    /// one the provider derives). With any of them the discovery check runs at once.
    name: Option<String>,
    discovery_uri: Option<String>,
    scopes: Option<Vec<String>>,
    max_refresh_token_lifetime_seconds: Option<i64>,
    allowed_groups: Option<Vec<String>>,
    clock_skew_seconds: Option<i32>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct OktaPreset {
    domain: String,
    server: OktaServer,
}

#[utoipa::path(post, path = "/api/v2/integrations", tag = "integrations", request_body = InstallRequest,
    responses(
        (status = 201, body = Integration, description = "Installed, inactive"),
        (status = 401, body = Error), (status = 403, body = Error),
        (status = 422, body = Error, description = "A preset answer the provider's pattern refuses"),
    ))]
pub(super) async fn install(
    State(state): State<AppState>,
    Caller(caller): Caller,
    JsonBody(request): JsonBody<InstallRequest>,
) -> Result<(StatusCode, Json<Integration>), ApiError> {
    let preset = match (request.provider, request.okta) {
        (Some(_), Some(_)) => {
            return Err(switchboard_core::Error::Invalid(vec![FieldError::new(
                "okta",
                "Give the provider once: either `provider` or the older `okta`, not both.",
            )])
            .into());
        }
        (Some(preset), None) => preset,
        (None, Some(okta)) => ProviderPreset::Okta {
            domain: okta.domain,
            server: okta.server,
        },
        (None, None) => ProviderPreset::Oidc {},
    };
    let given = InstallSettings {
        name: request.name,
        discovery_uri: request.discovery_uri,
        scopes: request.scopes,
        max_refresh_token_lifetime_seconds: request.max_refresh_token_lifetime_seconds,
        allowed_groups: request.allowed_groups,
        clock_skew_seconds: request.clock_skew_seconds,
    };
    let integration =
        integrations::install_configured(&state.services, preset, given, &caller).await?;
    Ok((StatusCode::CREATED, Json(integration)))
}

/// One integration; credentials appear only as `configured`.
#[utoipa::path(get, path = "/api/v2/integrations/{id}", tag = "integrations", params(("id" = Uuid, Path)),
    responses((status = 200, body = Integration), (status = 401, body = Error), (status = 404, body = Error)))]
pub(super) async fn show(
    State(state): State<AppState>,
    _: Caller,
    IdPath(id): IdPath,
) -> Result<Json<Integration>, ApiError> {
    Ok(Json(integrations::get(&state.services, id).await?))
}

/// Saves the settings, then runs the discovery check; a failing check keeps the settings and
/// reports in `lastCheck`.
#[utoipa::path(put, path = "/api/v2/integrations/{id}", tag = "integrations", params(("id" = Uuid, Path)),
    request_body = IntegrationSettings,
    responses(
        (status = 200, body = Integration), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error), (status = 422, body = Error, description = "Field errors"),
    ))]
pub(super) async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
    JsonBody(settings): JsonBody<IntegrationSettings>,
) -> Result<Json<Integration>, ApiError> {
    Ok(Json(
        integrations::update(&state.services, id, &settings, &caller).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StatusChange {
    status: Status,
}

/// Activates (needs a passing check and credentials) or deactivates (refused while a
/// messenger configuration uses it).
#[utoipa::path(patch, path = "/api/v2/integrations/{id}", tag = "integrations", params(("id" = Uuid, Path)),
    request_body = StatusChange,
    responses(
        (status = 200, body = Integration), (status = 401, body = Error), (status = 403, body = Error),
        (status = 409, body = Error, description = "In use; the message names the configurations"),
        (status = 422, body = Error, description = "What activation still needs"),
    ))]
pub(super) async fn set_status(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
    JsonBody(change): JsonBody<StatusChange>,
) -> Result<Json<Integration>, ApiError> {
    Ok(Json(
        integrations::set_status(&state.services, id, change.status, &caller).await?,
    ))
}

/// Deletes an integration no messenger configuration uses.
#[utoipa::path(delete, path = "/api/v2/integrations/{id}", tag = "integrations", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error), (status = 409, body = Error, description = "In use"),
    ))]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
) -> Result<StatusCode, ApiError> {
    integrations::delete(&state.services, id, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT .../credentials`; the secret is write-only: answers never contain it.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct CredentialsRequest {
    client_id: String,
    #[schema(value_type = String, format = Password)]
    client_secret: SecretString,
    /// Okta only: for group look-ups. Absent keeps the stored one.
    #[schema(value_type = Option<String>, format = Password)]
    okta_api_token: Option<SecretString>,
}

#[utoipa::path(put, path = "/api/v2/integrations/{id}/credentials", tag = "integrations",
    params(("id" = Uuid, Path)), request_body = CredentialsRequest,
    responses(
        (status = 200, body = Integration), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error), (status = 422, body = Error),
    ))]
pub(super) async fn set_credentials(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
    JsonBody(request): JsonBody<CredentialsRequest>,
) -> Result<Json<Integration>, ApiError> {
    let services = &state.services;
    let credentials = NewCredentials {
        client_id: request.client_id,
        client_secret: request.client_secret,
        okta_api_token: request.okta_api_token,
    };
    integrations::set_credentials(&services, services.keyring(), id, &credentials, &caller).await?;
    Ok(Json(integrations::get(&services, id).await?))
}

/// Runs the discovery check again and stores the result.
#[utoipa::path(post, path = "/api/v2/integrations/{id}/test", tag = "integrations", params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = Integration), (status = 401, body = Error), (status = 403, body = Error),
        (status = 404, body = Error), (status = 422, body = Error, description = "No Discovery URI yet"),
    ))]
pub(super) async fn test_connection(
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdPath(id): IdPath,
) -> Result<Json<Integration>, ApiError> {
    Ok(Json(
        integrations::test_connection(&state.services, id, &caller).await?,
    ))
}
