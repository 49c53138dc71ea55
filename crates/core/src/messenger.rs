//! Messenger configurations: a draft the admin edits, and numbered published versions that
//! deployments serve. Sign-in may only point at an active integration, checked on save and
//! again on publish (the integration may have been switched off in between).

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait, prelude::Expr, sea_query::Func,
};
use switchboard_db::entities::{configuration, configuration_version, deployment, integration};
use switchboard_domain::integration::Status;
use switchboard_domain::messenger::{
    Configuration, ConfigurationInput, ConfigurationSummary, PublishedVersion, VersionContent,
};
use switchboard_domain::{FieldError, Validation, validation};
use uuid::Uuid;

use crate::admins::Principal;
use crate::{Error, Services, Store, audit, rows};

/// Creates a configuration whose draft is `input.draft`; nothing is published yet.
pub async fn create(
    store: &impl Store,
    input: &ConfigurationInput,
    by: &Principal,
) -> Result<Configuration, Error> {
    let db = store.db();
    by.require_change()?;
    check(db, input).await?;
    let now = Utc::now();
    let row = configuration::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(input.name.trim().to_owned()),
        description: Set(input.description.trim().to_owned()),
        draft: Set(serde_json::json!(input.draft)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    record(
        db,
        by,
        "messenger_configuration.create",
        row.id,
        vec![format!("name: {}", row.name)],
    )
    .await?;
    get(db, row.id).await
}

/// One configuration with its draft and every published version.
pub async fn get(store: &impl Store, id: Uuid) -> Result<Configuration, Error> {
    let db = store.db();
    let row = find(db, id).await?;
    let versions = configuration_version::Entity::find()
        .filter(configuration_version::Column::ConfigurationId.eq(id))
        .order_by_asc(configuration_version::Column::Version)
        .all(db)
        .await?;
    assemble(row, versions)
}

/// Every configuration in full, by name: two queries, whatever their number.
pub async fn all(store: &impl Store) -> Result<Vec<Configuration>, Error> {
    let db = store.db();
    let mut versions: HashMap<Uuid, Vec<configuration_version::Model>> = HashMap::new();
    for version in configuration_version::Entity::find()
        .order_by_asc(configuration_version::Column::Version)
        .all(db)
        .await?
    {
        versions
            .entry(version.configuration_id)
            .or_default()
            .push(version);
    }
    configuration::Entity::find()
        .order_by_asc(configuration::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|row| {
            let own = versions.remove(&row.id).unwrap_or_default();
            assemble(row, own)
        })
        .collect()
}

/// A configuration from its row and its version rows (oldest first).
fn assemble(
    row: configuration::Model,
    versions: Vec<configuration_version::Model>,
) -> Result<Configuration, Error> {
    let id = row.id;
    let versions = versions
        .into_iter()
        .map(|version| {
            Ok(PublishedVersion {
                content: content(&version.content, id)?,
                version: version.version,
                published_by: version.published_by,
                published_at: version.published_at,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(Configuration {
        draft: content(&row.draft, id)?,
        id,
        name: row.name,
        description: row.description,
        versions,
    })
}

/// Saves the names and the draft. Published versions, and so deployments, do not change.
pub async fn update(
    store: &impl Store,
    id: Uuid,
    input: &ConfigurationInput,
    by: &Principal,
) -> Result<Configuration, Error> {
    let db = store.db();
    by.require_change()?;
    let transaction = db.begin().await?;
    let row = find(&transaction, id).await?;
    save(&transaction, row, input, by).await?;
    transaction.commit().await?;
    get(db, id).await
}

/// Replaces the draft alone, keeping the name and description: the read and the write are one
/// transaction, so a rename saved meanwhile is not undone.
pub async fn update_draft(
    store: &impl Store,
    id: Uuid,
    draft: VersionContent,
    by: &Principal,
) -> Result<Configuration, Error> {
    let db = store.db();
    by.require_change()?;
    let transaction = db.begin().await?;
    let row = find(&transaction, id).await?;
    let input = ConfigurationInput {
        name: row.name.clone(),
        description: row.description.clone(),
        draft,
    };
    save(&transaction, row, &input, by).await?;
    transaction.commit().await?;
    get(db, id).await
}

async fn save<C: ConnectionTrait>(
    db: &C,
    row: configuration::Model,
    input: &ConfigurationInput,
    by: &Principal,
) -> Result<(), Error> {
    let id = row.id;
    check(db, input).await?;
    let mut changed = Vec::new();
    if row.name != input.name.trim() {
        changed.push("name".to_owned());
    }
    if row.description != input.description.trim() {
        changed.push("description".to_owned());
    }
    let before = content(&row.draft, id)?;
    changed.extend(
        before
            .differences(&input.draft)
            .into_iter()
            .map(str::to_owned),
    );
    let mut update: configuration::ActiveModel = row.into();
    update.name = Set(input.name.trim().to_owned());
    update.description = Set(input.description.trim().to_owned());
    update.draft = Set(serde_json::json!(input.draft));
    update.updated_at = Set(Utc::now());
    update.update(db).await?;
    record(db, by, "messenger_configuration.update", id, changed).await
}

/// Turns the draft into the next version (1, 2, ...).
pub async fn publish(
    services: &Services,
    id: Uuid,
    by: &Principal,
) -> Result<Configuration, Error> {
    let published = publish_version(services.db(), id, by).await?;
    services.public_config_changed();
    Ok(published)
}

async fn publish_version(
    db: &DatabaseConnection,
    id: Uuid,
    by: &Principal,
) -> Result<Configuration, Error> {
    by.require_change()?;
    let current = get(db, id).await?;
    current.draft.validate().map_err(Error::Invalid)?;
    check_integration(db, &current.draft).await?;
    if current.draft.authentication.enabled {
        refuse_open_deployments(db, id).await?;
    }
    let next = current
        .versions
        .last()
        .map_or(1, |latest| latest.version + 1);
    configuration_version::ActiveModel {
        configuration_id: Set(id),
        version: Set(next),
        content: Set(serde_json::json!(current.draft)),
        published_by: Set(by.name.clone()),
        published_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    record(
        db,
        by,
        "messenger_configuration.publish",
        id,
        vec![format!("version {next}")],
    )
    .await?;
    get(db, id).await
}

/// Deletes a configuration no deployment serves.
pub async fn delete(store: &impl Store, id: Uuid, by: &Principal) -> Result<(), Error> {
    let db = store.db();
    by.require_change()?;
    let row = find(db, id).await?;
    let mut users: Vec<String> = deployment::Entity::find()
        .filter(deployment::Column::ConfigurationId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|deployment| deployment.name)
        .collect();
    if !users.is_empty() {
        users.sort();
        return Err(Error::Conflict(format!(
            "Cannot delete this configuration: messenger deployments serve it ({}). Point them at another configuration first.",
            users.join(", ")
        )));
    }
    configuration::Entity::delete_by_id(id).exec(db).await?;
    record(
        db,
        by,
        "messenger_configuration.delete",
        id,
        vec![format!("name: {}", row.name)],
    )
    .await?;
    Ok(())
}

async fn check<C: ConnectionTrait>(db: &C, input: &ConfigurationInput) -> Result<(), Error> {
    let mut validation = Validation::new();
    validation
        .check(validation::name("name", &input.name))
        .check(validation::description("description", &input.description));
    let mut errors = validation.finish().err().unwrap_or_default();
    errors.extend(input.draft.validate().err().unwrap_or_default());
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    check_integration(db, &input.draft).await
}

/// A version with sign-in must not reach a deployment that follows the latest version and
/// allows all domains (see [`crate::deployments::ALLOW_ALL_WITH_SIGN_IN`]).
async fn refuse_open_deployments(db: &DatabaseConnection, id: Uuid) -> Result<(), Error> {
    let mut open: Vec<String> = deployment::Entity::find()
        .filter(deployment::Column::ConfigurationId.eq(id))
        .filter(deployment::Column::ConfigurationVersion.is_null())
        .filter(deployment::Column::AllowAllDomains.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|deployment| deployment.name)
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    open.sort();
    Err(Error::Conflict(format!(
        "Cannot publish a version with sign-in: messenger deployments that allow all domains serve the latest version ({}). List their allowed domains first.",
        open.join(", ")
    )))
}

/// With sign-in on, the integration must exist and be active.
async fn check_integration<C: ConnectionTrait>(
    db: &C,
    content: &VersionContent,
) -> Result<(), Error> {
    let authentication = &content.authentication;
    let Some(id) = authentication
        .integration_id
        .filter(|_| authentication.enabled)
    else {
        return Ok(());
    };
    let problem = match integration::Entity::find_by_id(id).one(db).await? {
        None => "The chosen OAuth integration no longer exists; pick another.".to_owned(),
        Some(row) if row.status != Status::Active.as_str() => format!(
            "The OAuth integration {} is inactive; activate it or pick another.",
            row.name
        ),
        Some(_) => return Ok(()),
    };
    Err(Error::Invalid(vec![FieldError::new(
        "integrationId",
        problem,
    )]))
}

fn content(json: &serde_json::Value, id: Uuid) -> Result<VersionContent, Error> {
    serde_json::from_value(json.clone())
        .map_err(|error| Error::Corrupt(format!("configuration {id}: {error}")))
}

pub(crate) async fn find<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<configuration::Model, Error> {
    rows::require::<configuration::Entity, _>(db, id, "messenger configuration").await
}

async fn record<C: ConnectionTrait>(
    db: &C,
    by: &Principal,
    action: &str,
    id: Uuid,
    changes: Vec<String>,
) -> Result<(), Error> {
    audit::record_change(db, by, action, ("messenger_configuration", id), changes).await
}

/// Every configuration, by name, with its newest published version.
pub async fn list_configurations(store: &impl Store) -> Result<Vec<ConfigurationSummary>, Error> {
    let db = store.db();
    let latest: HashMap<Uuid, i32> = configuration_version::Entity::find()
        .select_only()
        .column(configuration_version::Column::ConfigurationId)
        .expr(Func::max(Expr::col(configuration_version::Column::Version)))
        .group_by(configuration_version::Column::ConfigurationId)
        .into_tuple::<(Uuid, i32)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let rows = configuration::Entity::find()
        .order_by_asc(configuration::Column::Name)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| ConfigurationSummary {
            latest_version: latest.get(&row.id).copied(),
            id: row.id,
            name: row.name,
            description: row.description,
            updated_at: row.updated_at,
        })
        .collect())
}
