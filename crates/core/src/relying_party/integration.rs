//! What a flow needs of its integration: the row, the provider's metadata, the opened client
//! secret and the scopes to ask for.

use sea_orm::EntityTrait;
use secrecy::SecretString;
use switchboard_db::entities::integration;
use switchboard_domain::integration::CheckReport;
use switchboard_domain::integration::Status;
use switchboard_domain::integration_settings::requested_scopes;
use uuid::Uuid;

use super::Failure;
use super::provider::Metadata;
use crate::deployments::Served;
use crate::discovery::DiscoveryUri;
use crate::integrations::open_client_secret;
use crate::{Services, deployments};

/// What deployment `id` serves, and the integration its visitors sign in with.
pub(super) async fn signing_deployment(
    services: &Services,
    id: Uuid,
) -> Result<(Served, Uuid), Failure> {
    let served = deployments::served(services.db(), id)
        .await?
        .ok_or_else(|| {
            Failure::new(
                "deployment_unavailable",
                "No active messenger deployment has this id.",
            )
        })?;
    let authentication = &served.content.authentication;
    let integration_id = authentication
        .integration_id
        .filter(|_| authentication.enabled)
        .ok_or_else(|| {
            Failure::new(
                "sign_in_disabled",
                "This messenger's configuration does not use sign-in.",
            )
        })?;
    Ok((served, integration_id))
}

/// Integration `id`, which visitors may sign in with only while it is active.
pub(super) async fn active_integration(
    services: &Services,
    id: Uuid,
) -> Result<integration::Model, Failure> {
    let row = integration_row(services, id).await?;
    if row.status != Status::Active.as_str() {
        return Err(Failure::new(
            "integration_inactive",
            "The integration this messenger signs in with is inactive.",
        ));
    }
    Ok(row)
}

pub(super) async fn integration_row(
    services: &Services,
    id: Uuid,
) -> Result<integration::Model, Failure> {
    integration::Entity::find_by_id(id)
        .one(services.db())
        .await?
        .ok_or_else(|| Failure::new("integration_unavailable", "The integration was deleted."))
}

pub(super) async fn metadata(
    services: &Services,
    row: &integration::Model,
) -> Result<std::sync::Arc<Metadata>, Failure> {
    let stored = row.discovery_uri.as_deref().unwrap_or_default();
    let uri = DiscoveryUri::parse(
        "discoveryUri",
        stored,
        services.settings().allow_insecure_localhost,
    )
    .map_err(|error| Failure::new("integration_incomplete", error.message))?;
    services.providers().metadata(row.id, &uri).await
}

pub(super) fn client_secret(
    services: &Services,
    row: &integration::Model,
) -> Result<SecretString, Failure> {
    open_client_secret(services.keyring(), row)?.ok_or_else(|| {
        Failure::new(
            "integration_incomplete",
            "The integration has no client secret yet.",
        )
    })
}

/// The scopes a sign-in asks for ([`requested_scopes`]), with what the last connection test
/// found the provider to support.
pub(super) fn scopes(row: &integration::Model) -> Vec<String> {
    let chosen: Vec<String> = serde_json::from_value(row.scopes.clone()).unwrap_or_default();
    let supported = row
        .last_check
        .clone()
        .and_then(|check| serde_json::from_value::<CheckReport>(check).ok())
        .map(|check| check.scopes_supported)
        .unwrap_or_default();
    requested_scopes(&chosen, &supported)
}
