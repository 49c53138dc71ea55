//! Integrations declared at start-up by the environment (`IDP_*`, the convention reverse
//! proxies use): created or updated to match, checked, and switched on when the check passes.
//! Restarting with the same declaration changes nothing (no audit entry); changing it updates
//! the one integration; instances starting together on one database create one between them
//! (`managed_by` is unique). What the environment declares is read-only in the console and
//! the API ([`refuse_if_managed`]).

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, SqlErr};
use secrecy::{ExposeSecret, SecretString};
use switchboard_db::entities::integration;
use switchboard_domain::admin::Role;
use switchboard_domain::integration::Status;
use switchboard_domain::integration_settings::{DEFAULT_SCOPES, Integration, IntegrationSettings};
use switchboard_domain::provider::ProviderPreset;
use uuid::Uuid;

use super::credentials::{NewCredentials, open_client_secret};
use super::lifecycle::{self, to_domain};
use crate::admins::{Principal, PrincipalKind};
use crate::{Error, Services, Store, audit, discovery};

/// The `managed_by` of an integration the environment declares.
pub const ENVIRONMENT: &str = "environment";

/// What the environment declares.
#[derive(Debug)]
pub struct Declaration {
    pub preset: ProviderPreset,
    /// For the generic profile: the issuer or Discovery URI (`IDP_PROVIDER_URL`).
    pub discovery_uri: Option<String>,
    /// `IDP_NAME`; the preset's name when absent.
    pub name: Option<String>,
    /// `IDP_SCOPES`; the default scopes when absent.
    pub scopes: Option<Vec<String>>,
    pub client_id: String,
    pub client_secret: SecretString,
    /// `IDP_SERVICE_ACCOUNT`: Okta's API token for group look-ups.
    pub service_account: Option<SecretString>,
}

/// What start-up did with the declaration.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    /// The names of what changed.
    Updated(Vec<String>),
    Unchanged,
}

/// The audit log's actor for what the environment does.
pub fn environment() -> Principal {
    Principal {
        id: Uuid::nil(),
        name: "environment (IDP_*)".to_owned(),
        role: Role::Admin,
        kind: PrincipalKind::System,
    }
}

/// Makes the environment's integration match `declaration`, then switches it on if its
/// connection test passes. Returns what changed and the integration; why it is not active (if
/// it is not) is in its checklist and `activation_blockers`.
pub async fn declare(
    services: &Services,
    declaration: &Declaration,
) -> Result<(Outcome, Integration), Error> {
    let by = environment();
    let db = services.db();
    let allow_loopback = services.settings().allow_insecure_localhost;
    let uri = match discovery::preset_discovery_uri(&declaration.preset) {
        Ok(Some(uri)) => uri,
        Ok(None) => {
            let given = declaration.discovery_uri.as_deref().unwrap_or_default();
            discovery::DiscoveryUri::parse("IDP_PROVIDER_URL", given, allow_loopback)
                .map_err(|error| Error::Invalid(vec![error]))?
        }
        Err(error) => return Err(Error::Invalid(vec![error])),
    };
    let uri = uri.as_str().to_owned();
    let (row, created) = match managed(services).await? {
        Some(row) => (row, false),
        None => match insert(services, declaration, &uri).await {
            Ok(row) => (row, true),
            // Another instance created it a moment ago.
            Err(Error::Database(error))
                if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
            {
                let row = managed(services).await?;
                (row.ok_or(Error::NotFound("declared integration"))?, false)
            }
            Err(error) => return Err(error),
        },
    };
    let id = row.id;
    let current = to_domain(row.clone())?;
    let have = current.settings();
    let wanted = IntegrationSettings {
        name: declaration
            .name
            .clone()
            .unwrap_or_else(|| declaration.preset.integration_name()),
        discovery_uri: uri,
        scopes: declaration
            .scopes
            .clone()
            .unwrap_or_else(|| DEFAULT_SCOPES.map(str::to_owned).to_vec()),
        ..have.clone()
    };
    let mut changed = Vec::new();
    let provider_differs = current.provider != declaration.preset.kind();
    if provider_differs || have != wanted || current.last_check.is_none() {
        if provider_differs {
            let mut update: integration::ActiveModel = row.clone().into();
            update.provider = Set(declaration.preset.kind().as_str().to_owned());
            update.update(db).await?;
        }
        lifecycle::update(services, id, &wanted, &by).await?;
        changed.push("settings".to_owned());
    }
    let row = lifecycle::find(db, id).await?;
    if credentials_differ(services, &row, declaration)? {
        let credentials = NewCredentials {
            client_id: declaration.client_id.clone(),
            client_secret: declaration.client_secret.clone(),
            okta_api_token: declaration.service_account.clone(),
        };
        super::set_credentials(services, services.keyring(), id, &credentials, &by).await?;
        changed.push("credentials".to_owned());
    }
    let mut integration = lifecycle::get(services, id).await?;
    if integration.status != Status::Active {
        // A check that failed before may pass now (the provider came up).
        if !changed.is_empty() || !integration.last_check.as_ref().is_some_and(|c| c.ok) {
            integration = lifecycle::test_connection(services, id, &by).await?;
        }
        if integration.activation_blockers().is_empty() {
            integration = lifecycle::set_status(services, id, Status::Active, &by).await?;
            changed.push("status".to_owned());
        }
    }
    let outcome = if created {
        Outcome::Created
    } else if changed.is_empty() {
        Outcome::Unchanged
    } else {
        Outcome::Updated(changed)
    };
    Ok((outcome, integration))
}

/// Refuses a change to what the environment declares, unless the environment makes it.
pub(super) fn refuse_if_managed(row: &integration::Model, by: &Principal) -> Result<(), Error> {
    if row.managed_by.is_some() && by.kind != PrincipalKind::System {
        return Err(Error::Conflict(
            "This integration is declared by the server's environment (the IDP_* variables): change them and restart the server.".to_owned(),
        ));
    }
    Ok(())
}

async fn managed(store: &impl Store) -> Result<Option<integration::Model>, Error> {
    Ok(integration::Entity::find()
        .filter(integration::Column::ManagedBy.eq(ENVIRONMENT))
        .one(store.db())
        .await?)
}

async fn insert(
    services: &Services,
    declaration: &Declaration,
    uri: &str,
) -> Result<integration::Model, Error> {
    let preset = &declaration.preset;
    let name = declaration
        .name
        .clone()
        .unwrap_or_else(|| preset.integration_name());
    let row = integration::ActiveModel {
        managed_by: Set(Some(ENVIRONMENT.to_owned())),
        ..integration::ActiveModel::installed(&name, preset.kind(), Some(uri.to_owned()))
    }
    .insert(services.db())
    .await?;
    let note = format!(
        "provider: {}, declared by the environment",
        preset.kind().label()
    );
    audit::record_change(
        services.db(),
        &environment(),
        "integration.install",
        ("integration", row.id),
        vec![note],
    )
    .await?;
    Ok(row)
}

fn credentials_differ(
    services: &Services,
    row: &integration::Model,
    declaration: &Declaration,
) -> Result<bool, Error> {
    if row.client_id.as_deref() != Some(declaration.client_id.trim()) {
        return Ok(true);
    }
    let secret = open_client_secret(services.keyring(), row)?;
    if secret.as_ref().map(ExposeSecret::expose_secret)
        != Some(declaration.client_secret.expose_secret())
    {
        return Ok(true);
    }
    let Some(wanted) = &declaration.service_account else {
        return Ok(false);
    };
    let stored = super::open_okta_api_token(services.keyring(), row)?;
    Ok(stored.is_none_or(|stored| stored.expose_secret() != wanted.expose_secret()))
}
