//! Integrations with OpenID Connect providers: listing, the lifecycle (install, settings,
//! connection test, activation, deletion) and the sealed credentials.

mod credentials;
pub mod declared;
mod lifecycle;

pub use credentials::{
    NewCredentials, client_secret_context, okta_api_token_context, open_client_secret,
    reseal_credentials, set_credentials,
};
pub(crate) use credentials::{open_okta_api_token, open_sealed, reseal};
pub(crate) use lifecycle::to_domain;
pub use lifecycle::{
    InstallSettings, delete, get, install, install_configured, set_status, test_connection, update,
    used_by,
};
use sea_orm::{EntityTrait, QueryOrder};
use switchboard_db::entities::integration;
use switchboard_domain::integration::{IntegrationSummary, host_of};

use crate::{Error, Store, rows};

/// Every integration in full, by name.
pub async fn all(
    store: &impl Store,
) -> Result<Vec<switchboard_domain::integration_settings::Integration>, Error> {
    let db = store.db();
    integration::Entity::find()
        .order_by_asc(integration::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(lifecycle::to_domain)
        .collect()
}

/// Every integration, by name.
pub async fn list(store: &impl Store) -> Result<Vec<IntegrationSummary>, Error> {
    let db = store.db();
    integration::Entity::find()
        .order_by_asc(integration::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(summary)
        .collect()
}

fn summary(row: integration::Model) -> Result<IntegrationSummary, Error> {
    Ok(IntegrationSummary {
        id: row.id,
        kind: rows::stored("integration", row.id, &row.kind)?,
        provider: rows::stored("integration", row.id, &row.provider)?,
        status: rows::stored("integration", row.id, &row.status)?,
        provider_host: row.discovery_uri.as_deref().and_then(host_of),
        last_check_ok: row
            .last_check
            .as_ref()
            .and_then(|check| check.get("ok"))
            .and_then(serde_json::Value::as_bool),
        last_checked_at: row.last_checked_at,
        name: row.name,
    })
}
