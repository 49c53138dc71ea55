//! An integration's life: installed from the catalog (inactive), configured, tested against its
//! provider, switched on, and deleted once nothing uses it. Every change is audited with the
//! names of the fields it touched.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};
use serde_json::{Value, json};
use switchboard_db::entities::{configuration, configuration_version, integration};
use switchboard_domain::FieldError;
use switchboard_domain::integration::{CheckReport, Status};
use switchboard_domain::integration_settings::{
    CredentialsState, DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_REFRESH_LIFETIME_SECONDS, DEFAULT_SCOPES,
    Integration, IntegrationSettings,
};
use switchboard_domain::provider::ProviderPreset;
use uuid::Uuid;

use crate::admins::Principal;
use crate::discovery::{self, DiscoveryUri};
use crate::{Error, Services, Store, audit, rows};

/// Creates an inactive integration from the catalog: a provider profile and its answers.
pub async fn install(
    services: &Services,
    preset: ProviderPreset,
    by: &Principal,
) -> Result<Integration, Error> {
    by.require_change()?;
    let db = services.db();
    let discovery_uri = discovery::preset_discovery_uri(&preset)
        .map_err(|error| Error::Invalid(vec![error]))?
        .map(|uri| uri.as_str().to_owned());
    let row = integration::ActiveModel::installed(
        &preset.integration_name(),
        preset.kind(),
        discovery_uri,
    )
    .insert(db)
    .await?;
    let note = format!("provider: {}", preset.kind().label());
    record(db, by, "integration.install", row.id, vec![note]).await?;
    to_domain(row)
}

/// Settings sent along with an install; each absent one is the catalog's default (the
/// Discovery URI: the one the preset derives).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallSettings {
    pub name: Option<String>,
    pub discovery_uri: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub max_refresh_token_lifetime_seconds: Option<i64>,
    pub allowed_groups: Option<Vec<String>>,
    pub clock_skew_seconds: Option<i32>,
}

/// Installs from the catalog and saves `given` in one go, with the discovery check (with
/// nothing given, a plain [`install`]). Every field is checked before anything is stored, so
/// a refused request leaves nothing behind.
pub async fn install_configured(
    services: &Services,
    preset: ProviderPreset,
    given: InstallSettings,
    by: &Principal,
) -> Result<Integration, Error> {
    if given == InstallSettings::default() {
        return install(services, preset, by).await;
    }
    by.require_change()?;
    let derived = discovery::preset_discovery_uri(&preset)
        .map_err(|error| Error::Invalid(vec![error]))?
        .map(|uri| uri.as_str().to_owned());
    let settings = IntegrationSettings {
        name: given.name.unwrap_or_else(|| preset.integration_name()),
        discovery_uri: given.discovery_uri.or(derived).unwrap_or_default(),
        scopes: given
            .scopes
            .unwrap_or_else(|| DEFAULT_SCOPES.map(str::to_owned).to_vec()),
        max_refresh_token_lifetime_seconds: given
            .max_refresh_token_lifetime_seconds
            .unwrap_or(DEFAULT_REFRESH_LIFETIME_SECONDS),
        allowed_groups: given.allowed_groups.unwrap_or_default(),
        clock_skew_seconds: given
            .clock_skew_seconds
            .unwrap_or(DEFAULT_CLOCK_SKEW_SECONDS),
    };
    checked(services, &settings)?;
    let installed = install(services, preset, by).await?;
    update(services, installed.id, &settings, by).await
}

/// The settings tidied and their Discovery URI parsed, or every field error at once.
fn checked(
    services: &Services,
    settings: &IntegrationSettings,
) -> Result<(IntegrationSettings, DiscoveryUri), Error> {
    let allow_loopback = services.settings().allow_insecure_localhost;
    match (
        settings.validated(),
        DiscoveryUri::parse("discoveryUri", &settings.discovery_uri, allow_loopback),
    ) {
        (Ok(tidy), Ok(uri)) => Ok((tidy, uri)),
        (Err(mut errors), Err(error)) => {
            errors.insert(1.min(errors.len()), error);
            Err(Error::Invalid(errors))
        }
        (Err(errors), Ok(_)) => Err(Error::Invalid(errors)),
        (Ok(_), Err(error)) => Err(Error::Invalid(vec![error])),
    }
}

/// One integration, as the console and the API show it.
pub async fn get(store: &impl Store, id: Uuid) -> Result<Integration, Error> {
    let db = store.db();
    to_domain(find(db, id).await?)
}

/// Saves the settings (every field checked, all problems reported at once), then runs the
/// discovery check and stores its result. A failing check does not undo the save: what the
/// admin typed is kept, and the checklist says what to fix.
pub async fn update(
    services: &Services,
    id: Uuid,
    settings: &IntegrationSettings,
    by: &Principal,
) -> Result<Integration, Error> {
    by.require_change()?;
    let (tidy, uri) = checked(services, settings)?;
    let db = services.db();
    let row = find(db, id).await?;
    let before = to_domain(row.clone())?;
    let declared_change = before.name != tidy.name
        || before.discovery_uri.as_deref() != Some(uri.as_str())
        || before.scopes != tidy.scopes;
    if declared_change {
        super::declared::refuse_if_managed(&row, by)?;
    }
    let mut changed = Vec::new();
    let mut note = |differs: bool, label: &str| {
        if differs {
            changed.push(label.to_owned());
        }
    };
    note(before.name != tidy.name, "name");
    note(
        before.discovery_uri.as_deref() != Some(uri.as_str()),
        "discovery URI",
    );
    note(before.scopes != tidy.scopes, "scopes");
    note(
        before.max_refresh_token_lifetime_seconds != tidy.max_refresh_token_lifetime_seconds,
        "max refresh token lifetime",
    );
    note(
        before.allowed_groups != tidy.allowed_groups,
        "allowed groups",
    );
    note(
        before.clock_skew_seconds != tidy.clock_skew_seconds,
        "clock skew allowance",
    );

    let report = discovery::check(services.discovery(), &uri, &tidy.scopes).await;
    let mut update: integration::ActiveModel = row.into();
    update.name = Set(tidy.name.clone());
    update.discovery_uri = Set(Some(uri.as_str().to_owned()));
    update.scopes = Set(json!(tidy.scopes));
    update.max_refresh_token_lifetime_seconds = Set(tidy.max_refresh_token_lifetime_seconds);
    update.allowed_groups = Set(json!(tidy.allowed_groups));
    update.clock_skew_seconds = Set(tidy.clock_skew_seconds);
    store_check(&mut update, &report);
    update.updated_at = Set(Utc::now());
    let row = update.update(db).await?;
    // Metadata and keys cached for the old settings must not outlive them, on any instance.
    services.integration_changed(id).await;
    changed.push(format!(
        "connection test {}",
        if report.ok { "passed" } else { "failed" }
    ));
    record(db, by, "integration.update", id, changed).await?;
    to_domain(row)
}

/// Runs the discovery check again and stores the result.
pub async fn test_connection(
    services: &Services,
    id: Uuid,
    by: &Principal,
) -> Result<Integration, Error> {
    by.require_change()?;
    let db = services.db();
    let row = find(db, id).await?;
    let allow_loopback = services.settings().allow_insecure_localhost;
    let Some(stored) = row.discovery_uri.clone() else {
        return Err(Error::Invalid(vec![FieldError::new(
            "discoveryUri",
            "Set the Discovery URI and save before testing the connection.",
        )]));
    };
    let uri = DiscoveryUri::parse("discoveryUri", &stored, allow_loopback)
        .map_err(|error| Error::Invalid(vec![error]))?;
    let scopes: Vec<String> = serde_json::from_value(row.scopes.clone()).unwrap_or_default();
    let report = discovery::check(services.discovery(), &uri, &scopes).await;
    let mut update: integration::ActiveModel = row.into();
    store_check(&mut update, &report);
    let row = update.update(db).await?;
    let outcome = if report.ok { "passed" } else { "failed" };
    record(
        db,
        by,
        "integration.test",
        id,
        vec![format!("connection test {outcome}")],
    )
    .await?;
    to_domain(row)
}

/// Switches an integration on (only with a passing check and credentials) or off (only when
/// no messenger configuration uses it).
pub async fn set_status(
    services: &Services,
    id: Uuid,
    status: Status,
    by: &Principal,
) -> Result<Integration, Error> {
    by.require_change()?;
    let db = services.db();
    let row = find(db, id).await?;
    let current = to_domain(row.clone())?;
    if current.status == status {
        return Ok(current);
    }
    match status {
        Status::Active => {
            let missing = current.activation_blockers();
            if !missing.is_empty() {
                return Err(Error::Invalid(vec![FieldError::new(
                    "status",
                    format!(
                        "To activate this integration, it needs {}.",
                        missing.join(" and ")
                    ),
                )]));
            }
        }
        Status::Inactive => refuse_if_used(db, id, "deactivate").await?,
    }
    let mut update: integration::ActiveModel = row.into();
    update.status = Set(status.as_str().to_owned());
    update.updated_at = Set(Utc::now());
    let row = update.update(db).await?;
    let action = match status {
        Status::Active => "integration.activate",
        Status::Inactive => "integration.deactivate",
    };
    record(
        db,
        by,
        action,
        id,
        vec![format!("status: {}", status.as_str())],
    )
    .await?;
    services.public_config_changed();
    to_domain(row)
}

/// Deletes an integration that no messenger configuration uses, and forgets what was cached
/// of its provider.
pub async fn delete(services: &Services, id: Uuid, by: &Principal) -> Result<(), Error> {
    by.require_change()?;
    let db = services.db();
    let row = find(db, id).await?;
    super::declared::refuse_if_managed(&row, by)?;
    refuse_if_used(db, id, "delete").await?;
    integration::Entity::delete_by_id(id).exec(db).await?;
    services.integration_changed(id).await;
    record(
        db,
        by,
        "integration.delete",
        id,
        vec![format!("name: {}", row.name)],
    )
    .await?;
    Ok(())
}

/// The names of the messenger configurations whose draft or published versions sign in
/// through integration `id`.
pub async fn used_by(store: &impl Store, id: Uuid) -> Result<Vec<String>, Error> {
    let db = store.db();
    let uses = |content: &Value| {
        content
            .pointer("/authentication/integrationId")
            .and_then(Value::as_str)
            .is_some_and(|used| used == id.to_string())
    };
    let versions = configuration_version::Entity::find().all(db).await?;
    let mut names: Vec<String> = configuration::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|config| {
            uses(&config.draft)
                || versions
                    .iter()
                    .any(|version| version.configuration_id == config.id && uses(&version.content))
        })
        .map(|config| config.name)
        .collect();
    names.sort();
    Ok(names)
}

async fn refuse_if_used(db: &DatabaseConnection, id: Uuid, verb: &str) -> Result<(), Error> {
    let names = used_by(db, id).await?;
    if names.is_empty() {
        return Ok(());
    }
    Err(Error::Conflict(format!(
        "Cannot {verb} this integration: messenger configurations use it ({}). Point them at another integration first.",
        names.join(", ")
    )))
}

fn store_check(update: &mut integration::ActiveModel, report: &CheckReport) {
    update.last_check = Set(Some(json!(report)));
    update.last_checked_at = Set(Some(report.checked_at));
}

pub(super) async fn find(db: &DatabaseConnection, id: Uuid) -> Result<integration::Model, Error> {
    rows::require::<integration::Entity, _>(db, id, "integration").await
}

async fn record(
    db: &DatabaseConnection,
    by: &Principal,
    action: &str,
    id: Uuid,
    changes: Vec<String>,
) -> Result<(), Error> {
    audit::record_change(db, by, action, ("integration", id), changes).await
}

pub(crate) fn to_domain(row: integration::Model) -> Result<Integration, Error> {
    let corrupt = |what: &str| Error::Corrupt(format!("integration {}: {what}", row.id));
    Ok(Integration {
        id: row.id,
        kind: rows::stored("integration", row.id, &row.kind)?,
        provider: rows::stored("integration", row.id, &row.provider)?,
        status: rows::stored("integration", row.id, &row.status)?,
        scopes: serde_json::from_value(row.scopes.clone()).map_err(|_| corrupt("scopes"))?,
        allowed_groups: serde_json::from_value(row.allowed_groups.clone())
            .map_err(|_| corrupt("allowed groups"))?,
        last_check: row
            .last_check
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|_| corrupt("last check"))?,
        credentials: CredentialsState {
            configured: row.client_secret_sealed.is_some() && row.client_id.is_some(),
            okta_api_token_configured: row.okta_api_token_sealed.is_some(),
            client_id: row.client_id,
            updated_at: row.credentials_updated_at,
        },
        name: row.name,
        discovery_uri: row.discovery_uri,
        max_refresh_token_lifetime_seconds: row.max_refresh_token_lifetime_seconds,
        clock_skew_seconds: row.clock_skew_seconds,
        created_at: row.created_at,
        updated_at: row.updated_at,
        managed_by_environment: row.managed_by.is_some(),
    })
}
