//! Messenger deployments: a published configuration on the domains allowed to embed it, and
//! the public config the messenger loads.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use switchboard_db::entities::{configuration, configuration_version, deployment};
use switchboard_domain::allowed_domains::{DomainPattern, origin_allowed, parse_lines};
use switchboard_domain::deployment::{
    ConfigurationRef, Deployment, DeploymentInput, DeploymentSummary, PublicAuthentication,
    PublicConfig, snippet,
};
use switchboard_domain::integration::Status;
use switchboard_domain::messenger::VersionContent;
use switchboard_domain::{FieldError, Validation, validation};
use uuid::Uuid;

use crate::admins::Principal;
use crate::{Error, Services, Store, audit, rows};

/// Every deployment, by name, with the name of the configuration it serves.
pub async fn list(store: &impl Store) -> Result<Vec<DeploymentSummary>, Error> {
    let db = store.db();
    deployment::Entity::find()
        .find_also_related(configuration::Entity)
        .order_by_asc(deployment::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|(row, configuration)| {
            Ok(DeploymentSummary {
                status: rows::stored("deployment", row.id, &row.status)?,
                configuration_name: configuration.map(|c| c.name).unwrap_or_default(),
                configuration_version: row.configuration_version,
                id: row.id,
                name: row.name,
                updated_at: row.updated_at,
            })
        })
        .collect()
}

/// Creates a deployment after checking every field; see [`check`].
pub async fn create(
    services: &Services,
    base_url: &str,
    input: &DeploymentInput,
    by: &Principal,
) -> Result<Deployment, Error> {
    let created = insert(services.db(), base_url, input, by).await?;
    services.public_config_changed();
    Ok(created)
}

async fn insert(
    db: &DatabaseConnection,
    base_url: &str,
    input: &DeploymentInput,
    by: &Principal,
) -> Result<Deployment, Error> {
    by.require_change()?;
    let checked = check(db, input).await?;
    let now = Utc::now();
    let row = deployment::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(input.name.trim().to_owned()),
        description: Set(input.description.trim().to_owned()),
        configuration_id: Set(input.configuration.id),
        configuration_version: Set(input.configuration.version),
        allowed_domains: Set(serde_json::json!(checked.domains)),
        allow_all_domains: Set(input.allow_all_domains),
        status: Set(input.status.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        page_sign_in: Set(input.page_sign_in),
        page_redirect_uris: Set(Some(serde_json::json!(checked.redirect_uris))),
    }
    .insert(db)
    .await?;
    record(
        db,
        by,
        "messenger_deployment.create",
        row.id,
        vec![format!("name: {}", row.name)],
    )
    .await?;
    to_domain(row, base_url)
}

pub async fn get(store: &impl Store, base_url: &str, id: Uuid) -> Result<Deployment, Error> {
    let db = store.db();
    to_domain(find(db, id).await?, base_url)
}

/// Every deployment in full, by name.
pub async fn all(store: &impl Store, base_url: &str) -> Result<Vec<Deployment>, Error> {
    let db = store.db();
    deployment::Entity::find()
        .order_by_asc(deployment::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|row| to_domain(row, base_url))
        .collect()
}

pub async fn update(
    services: &Services,
    base_url: &str,
    id: Uuid,
    input: &DeploymentInput,
    by: &Principal,
) -> Result<Deployment, Error> {
    let updated = save(services.db(), base_url, id, input, by).await?;
    services.public_config_changed();
    Ok(updated)
}

async fn save(
    db: &DatabaseConnection,
    base_url: &str,
    id: Uuid,
    input: &DeploymentInput,
    by: &Principal,
) -> Result<Deployment, Error> {
    by.require_change()?;
    let Checked {
        domains,
        redirect_uris,
    } = check(db, input).await?;
    let row = find(db, id).await?;
    let before = to_domain(row.clone(), base_url)?;
    let changed: Vec<String> = [
        (before.name != input.name.trim(), "name"),
        (
            before.description != input.description.trim(),
            "description",
        ),
        (before.configuration != input.configuration, "configuration"),
        (before.allowed_domains != domains, "allowed domains"),
        (
            before.allow_all_domains != input.allow_all_domains,
            "allow all domains",
        ),
        (before.status != input.status, "status"),
        (
            before.page_sign_in != input.page_sign_in,
            "page-side sign-in",
        ),
        (
            before.page_redirect_uris != redirect_uris,
            "page-side redirect URIs",
        ),
    ]
    .into_iter()
    .filter(|(differs, _)| *differs)
    .map(|(_, name)| name.to_owned())
    .collect();
    let mut update: deployment::ActiveModel = row.into();
    update.name = Set(input.name.trim().to_owned());
    update.description = Set(input.description.trim().to_owned());
    update.configuration_id = Set(input.configuration.id);
    update.configuration_version = Set(input.configuration.version);
    update.allowed_domains = Set(serde_json::json!(domains));
    update.allow_all_domains = Set(input.allow_all_domains);
    update.status = Set(input.status.as_str().to_owned());
    update.page_sign_in = Set(input.page_sign_in);
    update.page_redirect_uris = Set(Some(serde_json::json!(redirect_uris)));
    update.updated_at = Set(Utc::now());
    let row = update.update(db).await?;
    record(db, by, "messenger_deployment.update", id, changed).await?;
    to_domain(row, base_url)
}

pub async fn delete(services: &Services, id: Uuid, by: &Principal) -> Result<(), Error> {
    by.require_change()?;
    let db = services.db();
    let row = find(db, id).await?;
    let transaction = db.begin().await?;
    // The database's cascade takes the conversations' file rows; files kept in the folder are
    // removed once that is done.
    let files = crate::attachments::in_folder_of(services, &transaction, id).await?;
    deployment::Entity::delete_by_id(id)
        .exec(&transaction)
        .await?;
    record(
        &transaction,
        by,
        "messenger_deployment.delete",
        id,
        vec![format!("name: {}", row.name)],
    )
    .await?;
    transaction.commit().await?;
    crate::attachments::remove_files(files).await;
    services.public_config_changed();
    Ok(())
}

/// A deployment that serves a published version: the row, the version's number and content.
#[derive(Debug, Clone)]
pub struct Served {
    pub deployment: deployment::Model,
    pub version: i32,
    pub content: VersionContent,
}

impl Served {
    pub fn patterns(&self) -> Result<Vec<DomainPattern>, Error> {
        patterns(&self.deployment)
    }

    /// The redirect URIs of the site's own sign-in, when page-side sign-in is on.
    pub fn page_redirect_uris(&self) -> Result<Option<Vec<String>>, Error> {
        if !self.deployment.page_sign_in {
            return Ok(None);
        }
        page_redirect_uris_of(&self.deployment).map(Some)
    }

    /// Whether a page on `origin` may use this deployment.
    pub fn allows_origin(&self, origin: &str) -> Result<bool, Error> {
        Ok(origin_allowed(
            origin,
            &self.patterns()?,
            self.deployment.allow_all_domains,
        ))
    }
}

/// What deployment `id` serves, or `None` for an unknown or inactive deployment (or one whose
/// configuration has no published version).
pub async fn served(store: &impl Store, id: Uuid) -> Result<Option<Served>, Error> {
    let db = store.db();
    let Some(row) = deployment::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    if row.status != Status::Active.as_str() {
        return Ok(None);
    }
    let mut versions = configuration_version::Entity::find()
        .filter(configuration_version::Column::ConfigurationId.eq(row.configuration_id))
        .order_by_desc(configuration_version::Column::Version);
    if let Some(pinned) = row.configuration_version {
        versions = versions.filter(configuration_version::Column::Version.eq(pinned));
    }
    let Some(version) = versions.one(db).await? else {
        return Ok(None);
    };
    let content: VersionContent = serde_json::from_value(version.content).map_err(|error| {
        Error::Corrupt(format!("configuration {}: {error}", row.configuration_id))
    })?;
    Ok(Some(Served {
        deployment: row,
        version: version.version,
        content,
    }))
}

/// What the messenger on a visitor's page loads, or `None` when the deployment serves nothing.
pub async fn public_config(
    store: &impl Store,
    base_url: &str,
    id: Uuid,
) -> Result<Option<(PublicConfig, Vec<DomainPattern>, bool)>, Error> {
    let db = store.db();
    let Some(served) = served(db, id).await? else {
        return Ok(None);
    };
    let patterns = served.patterns()?;
    let authentication = &served.content.authentication;
    let config = PublicConfig {
        deployment_id: id,
        configuration_version: served.version,
        appearance: served.content.appearance.clone(),
        authentication: PublicAuthentication {
            enabled: authentication.enabled,
            anonymous_allowed: !authentication.enabled || authentication.allow_session_upgrade,
            sign_in_url: authentication
                .enabled
                .then(|| switchboard_domain::urls::sign_in_start(base_url, id)),
        },
        session_lifetime_seconds: served.content.session_lifetime_seconds,
    };
    Ok(Some((
        config,
        patterns,
        served.deployment.allow_all_domains,
    )))
}

/// What a deployment stores, normalised: its allowed domains and page-side redirect URIs.
struct Checked {
    domains: Vec<String>,
    redirect_uris: Vec<String>,
}

/// Checks every field at once.
async fn check(db: &DatabaseConnection, input: &DeploymentInput) -> Result<Checked, Error> {
    let mut validation = Validation::new();
    validation
        .check(validation::name("name", &input.name))
        .check(validation::description("description", &input.description));
    let mut errors = validation.finish().err().unwrap_or_default();
    let patterns = match parse_lines("allowedDomains", &input.allowed_domains) {
        Ok(patterns) if patterns.is_empty() && !input.allow_all_domains => {
            errors.push(FieldError::new(
                "allowedDomains",
                "List at least one allowed domain, or choose Allow all domains.",
            ));
            vec![]
        }
        Ok(patterns) => patterns,
        Err(error) => {
            errors.push(error);
            vec![]
        }
    };
    let redirect_uris = page_redirect_uris(
        input.page_sign_in,
        &input.page_redirect_uris,
        &patterns,
        input.allow_all_domains,
    )
    .unwrap_or_else(|error| {
        errors.push(error);
        vec![]
    });
    let domains = patterns.into_iter().map(String::from).collect();
    let version_rows = configuration_version::Entity::find()
        .filter(configuration_version::Column::ConfigurationId.eq(input.configuration.id))
        .order_by_asc(configuration_version::Column::Version)
        .all(db)
        .await?;
    let versions: Vec<i32> = version_rows.iter().map(|version| version.version).collect();
    let served = version_rows.iter().rev().find(|row| {
        input
            .configuration
            .version
            .is_none_or(|pinned| row.version == pinned)
    });
    if input.allow_all_domains
        && let Some(served) = served
        && signs_in(&served.content)
    {
        errors.push(FieldError::new("allowAllDomains", ALLOW_ALL_WITH_SIGN_IN));
    }
    let exists = configuration::Entity::find_by_id(input.configuration.id)
        .one(db)
        .await?
        .is_some();
    let problem = match input.configuration.version {
        _ if !exists => Some("Pick a messenger configuration.".to_owned()),
        _ if versions.is_empty() => {
            Some("This configuration has no published version yet; publish it first.".to_owned())
        }
        Some(pinned) if !versions.contains(&pinned) => Some(format!(
            "Version {pinned} of this configuration does not exist."
        )),
        _ => None,
    };
    if let Some(problem) = problem {
        errors.push(FieldError::new("configuration", problem));
    }
    if errors.is_empty() {
        Ok(Checked {
            domains,
            redirect_uris,
        })
    } else {
        Err(Error::Invalid(errors))
    }
}

/// The redirect URIs of a site's own sign-in (one per line, blank lines ignored, duplicates
/// dropped): absolute http(s) URLs without a fragment, each on one of the allowed domains, and
/// at least one when page-side sign-in is on.
pub(crate) fn page_redirect_uris(
    page_sign_in: bool,
    lines: &[String],
    patterns: &[DomainPattern],
    allow_all_domains: bool,
) -> Result<Vec<String>, FieldError> {
    let problem = |message: String| FieldError::new("pageRedirectUris", message);
    let mut uris: Vec<String> = Vec::new();
    for line in lines
        .iter()
        .map(|line| line.trim())
        .filter(|line| !line.is_empty())
    {
        let url = url::Url::parse(line)
            .ok()
            .filter(|url| matches!(url.scheme(), "https" | "http") && url.has_host())
            .ok_or_else(|| problem(format!("{line} is not an absolute http(s) URL.")))?;
        if url.fragment().is_some() {
            return Err(problem(format!("{line}: a redirect URI has no #fragment.")));
        }
        if !origin_allowed(
            &url.origin().ascii_serialization(),
            patterns,
            allow_all_domains,
        ) {
            return Err(problem(format!(
                "{line} is not on one of this deployment's allowed domains."
            )));
        }
        if !uris.iter().any(|uri| uri == line) {
            uris.push(line.to_owned());
        }
    }
    if page_sign_in && uris.is_empty() {
        return Err(problem(
            "List the redirect URIs of the site's own sign-in (the page where the messenger loads after it), or turn page-side sign-in off.".to_owned(),
        ));
    }
    Ok(uris)
}

/// Why "Allow all domains" and sign-in do not go together.
pub const ALLOW_ALL_WITH_SIGN_IN: &str = "Allow all domains cannot be used with a configuration that signs visitors in: any site could frame the messenger and have its visitors sign in with your identity provider in one click. List the domains that may show it.";

/// Whether stored version content turns sign-in on.
pub(crate) fn signs_in(content: &serde_json::Value) -> bool {
    content
        .pointer("/authentication/enabled")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}

fn patterns(row: &deployment::Model) -> Result<Vec<DomainPattern>, Error> {
    serde_json::from_value(row.allowed_domains.clone())
        .map_err(|error| Error::Corrupt(format!("deployment {}: {error}", row.id)))
}

fn to_domain(row: deployment::Model, base_url: &str) -> Result<Deployment, Error> {
    let allowed_domains = patterns(&row)?.into_iter().map(String::from).collect();
    Ok(Deployment {
        status: rows::stored("deployment", row.id, &row.status)?,
        snippet: snippet(base_url, row.id),
        configuration: ConfigurationRef {
            id: row.configuration_id,
            version: row.configuration_version,
        },
        allowed_domains,
        allow_all_domains: row.allow_all_domains,
        page_redirect_uris: page_redirect_uris_of(&row)?,
        page_sign_in: row.page_sign_in,
        id: row.id,
        name: row.name,
        description: row.description,
    })
}

fn page_redirect_uris_of(row: &deployment::Model) -> Result<Vec<String>, Error> {
    row.page_redirect_uris
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map(Option::unwrap_or_default)
        .map_err(|error| Error::Corrupt(format!("deployment {}: {error}", row.id)))
}

async fn find(db: &DatabaseConnection, id: Uuid) -> Result<deployment::Model, Error> {
    rows::require::<deployment::Entity, _>(db, id, "messenger deployment").await
}

async fn record<C: ConnectionTrait>(
    db: &C,
    by: &Principal,
    action: &str,
    id: Uuid,
    changes: Vec<String>,
) -> Result<(), Error> {
    audit::record_change(db, by, action, ("messenger_deployment", id), changes).await
}
