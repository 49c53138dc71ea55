//! From a document to a plan: every object checked as the console checks it, on the state the
//! database would be in once the document is applied, and compared with what is stored. All
//! of it happens before anything is written, so a bad file changes nothing.

use std::collections::{HashMap, HashSet};
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use switchboard_db::entities::{deployment, integration};
use switchboard_domain::allowed_domains::parse_lines;
use switchboard_domain::deployment::ConfigurationRef;
use switchboard_domain::integration::{CheckOutcome, CheckReport, Status};
use switchboard_domain::integration_settings::{Integration, IntegrationSettings};
use switchboard_domain::messenger::{Configuration, VersionContent};
use switchboard_domain::{FieldError, Validation, validation};
use uuid::Uuid;

use super::document::{Document, IntegrationEntry, SecretRef};
use super::secrets::SecretReader;
use crate::discovery::{self, DiscoveryUri};
use crate::integrations::open_client_secret;
use crate::{Error, Services, Store, deployments, integrations, messenger, rows};

/// What applying a document does, or would do, object by object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    /// Integrations first, then configurations, then deployments: the order apply writes them.
    pub changes: Vec<Change>,
    /// A dry run: nothing was written.
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// `integration`, `messenger_configuration` or `messenger_deployment`.
    pub object: &'static str,
    pub id: Uuid,
    pub name: String,
    pub action: Action,
    /// What differs, in the audit log's words; empty unless `update`.
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Action {
    Create,
    Update,
    Unchanged,
    /// In the database but not in the document: apply leaves it as it is.
    NotInFile,
}

impl Plan {
    /// Whether applying writes anything.
    pub fn changes_anything(&self) -> bool {
        self.changes
            .iter()
            .any(|change| matches!(change.action, Action::Create | Action::Update))
    }

    /// The changes as the audit log records them, one line each.
    pub(super) fn audit_lines(&self) -> Vec<String> {
        self.changes
            .iter()
            .filter(|change| matches!(change.action, Action::Create | Action::Update))
            .map(Change::to_string)
            .collect()
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let object = self.object.replace('_', " ");
        let action = match self.action {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::NotInFile => "not in the file, left as it is",
        };
        write!(f, "{action} {object} {:?} ({})", self.name, self.id)?;
        if !self.fields.is_empty() {
            write!(f, ": {}", self.fields.join(", "))?;
        }
        Ok(())
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for change in &self.changes {
            writeln!(f, "{change}")?;
        }
        let count = |action| self.changes.iter().filter(|c| c.action == action).count();
        write!(
            f,
            "{} to create, {} to update, {} unchanged, {} not in the file.",
            count(Action::Create),
            count(Action::Update),
            count(Action::Unchanged),
            count(Action::NotInFile)
        )?;
        if self.dry_run && self.changes_anything() {
            write!(f, " Dry run: nothing was written.")?;
        }
        Ok(())
    }
}

/// An integration as apply writes it.
pub(super) struct IntegrationWrite {
    pub entry: IntegrationEntry,
    pub stored: Option<integration::Model>,
    pub settings: IntegrationSettings,
    pub discovery_uri: String,
    pub client_secret: Option<SecretString>,
    pub okta_api_token: Option<SecretString>,
    /// A connection test run for the file's settings, when they change or it must be active.
    pub check: Option<CheckReport>,
    /// The client ID or a secret differs from what is stored (or nothing is stored yet).
    pub credentials_changed: bool,
    pub fields: Vec<String>,
}

pub(super) struct ConfigurationWrite {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub draft: VersionContent,
    pub exists: bool,
    /// The versions the database lacks, in order.
    pub new_versions: Vec<(i32, VersionContent)>,
    pub fields: Vec<String>,
}

pub(super) struct DeploymentWrite {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub configuration: ConfigurationRef,
    pub allowed_domains: Vec<String>,
    pub allow_all_domains: bool,
    pub status: Status,
    pub page_sign_in: bool,
    pub page_redirect_uris: Vec<String>,
    pub exists: bool,
    pub fields: Vec<String>,
}

/// A checked document: the plan, and what apply writes for it.
pub(super) struct Prepared {
    pub plan: Plan,
    pub integrations: Vec<IntegrationWrite>,
    pub configurations: Vec<ConfigurationWrite>,
    pub deployments: Vec<DeploymentWrite>,
}

/// The state once applied, for the checks that span objects.
#[derive(Default)]
struct Final {
    integration_status: HashMap<Uuid, (String, Status)>,
    /// Every version of every configuration, by number.
    versions: HashMap<Uuid, Vec<(i32, VersionContent)>>,
}

/// Checks `document` against the database and builds the plan. Every problem found is
/// reported at once, each with the path of its key.
pub(super) async fn prepare(
    services: &Services,
    document: &Document,
    secrets: &SecretReader<'_>,
) -> Result<Prepared, Error> {
    let mut errors = Vec::new();
    duplicate_ids(document, &mut errors);
    let stored_integrations: HashMap<Uuid, integration::Model> = integration_rows(services)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let stored_configurations: HashMap<Uuid, Configuration> = messenger::all(services)
        .await?
        .into_iter()
        .map(|configuration| (configuration.id, configuration))
        .collect();
    let stored_deployments: HashMap<Uuid, deployment::Model> = deployment_rows(services)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();

    let mut integrations = Vec::new();
    for (index, entry) in document.integrations.iter().enumerate() {
        let path = format!("integrations[{index}]");
        let stored = stored_integrations.get(&entry.id).cloned();
        if let Some(write) =
            integration_write(services, &path, entry, stored, secrets, &mut errors).await?
        {
            integrations.push(write);
        }
    }

    let mut state = Final::default();
    for row in stored_integrations.values() {
        let status = rows::stored("integration", row.id, &row.status)?;
        state
            .integration_status
            .insert(row.id, (row.name.clone(), status));
    }
    // Entries with problems count too: their references are not dangling, only wrong.
    for entry in &document.integrations {
        state
            .integration_status
            .insert(entry.id, (entry.name.trim().to_owned(), entry.status));
    }
    for configuration in stored_configurations.values() {
        state.versions.insert(
            configuration.id,
            configuration
                .versions
                .iter()
                .map(|version| (version.version, version.content.clone()))
                .collect(),
        );
    }

    let mut configurations = Vec::new();
    for (index, entry) in document.configurations.iter().enumerate() {
        let path = format!("configurations[{index}]");
        let stored = stored_configurations.get(&entry.id);
        let mut check = Validation::new();
        check
            .check(validation::name("name", &entry.name))
            .check(validation::description("description", &entry.description));
        at(&path, check.finish(), &mut errors);
        content_problems(&format!("{path}.draft"), &entry.draft, &state, &mut errors);
        let stored_versions = stored.map(|c| c.versions.as_slice()).unwrap_or_default();
        let mut new_versions = Vec::new();
        for (position, version) in entry.versions.iter().enumerate() {
            let path = format!("{path}.versions[{position}]");
            let expected = position as i32 + 1;
            if version.version != expected {
                errors.push(FieldError::new(
                    format!("{path}.version"),
                    format!(
                        "versions are numbered 1, 2, 3... in order: this one must be {expected}"
                    ),
                ));
                continue;
            }
            match stored_versions
                .iter()
                .find(|v| v.version == version.version)
            {
                Some(published) if published.content != version.content => {
                    errors.push(FieldError::new(
                        format!("{path}.content"),
                        format!(
                            "version {} is published and never changes ({} differ): put the change in the draft and add it as version {}",
                            version.version,
                            published.content.differences(&version.content).join(", "),
                            stored_versions.len().max(entry.versions.len()) + 1
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    content_problems(
                        &format!("{path}.content"),
                        &version.content,
                        &state,
                        &mut errors,
                    );
                    new_versions.push((version.version, version.content.clone()));
                }
            }
        }
        if let Some(missing) = stored_versions.get(entry.versions.len()) {
            errors.push(FieldError::new(
                format!("{path}.versions"),
                format!(
                    "version {} is published in the database but not in the file; published versions are never removed: add it (config export shows it)",
                    missing.version
                ),
            ));
        }
        let mut all_versions = state.versions.remove(&entry.id).unwrap_or_default();
        all_versions.extend(new_versions.iter().cloned());
        state.versions.insert(entry.id, all_versions);
        let mut fields = Vec::new();
        if let Some(stored) = stored {
            if stored.name != entry.name.trim() {
                fields.push("name".to_owned());
            }
            if stored.description != entry.description.trim() {
                fields.push("description".to_owned());
            }
            fields.extend(
                stored
                    .draft
                    .differences(&entry.draft)
                    .into_iter()
                    .map(|label| format!("draft {label}")),
            );
        }
        fields.extend(
            new_versions
                .iter()
                .map(|(number, _)| format!("version {number} published")),
        );
        configurations.push(ConfigurationWrite {
            id: entry.id,
            name: entry.name.trim().to_owned(),
            description: entry.description.trim().to_owned(),
            draft: entry.draft.clone(),
            exists: stored.is_some(),
            new_versions,
            fields,
        });
    }

    let mut deployment_writes = Vec::new();
    for (index, entry) in document.deployments.iter().enumerate() {
        let path = format!("deployments[{index}]");
        let mut check = Validation::new();
        check
            .check(validation::name("name", &entry.name))
            .check(validation::description("description", &entry.description));
        at(&path, check.finish(), &mut errors);
        let patterns = match parse_lines("allowedDomains", &entry.allowed_domains) {
            Ok(patterns) if patterns.is_empty() && !entry.allow_all_domains => {
                errors.push(FieldError::new(
                    format!("{path}.allowedDomains"),
                    "list at least one allowed domain, or set allowAllDomains",
                ));
                vec![]
            }
            Ok(patterns) => patterns,
            Err(error) => {
                at(&path, Err(vec![error]), &mut errors);
                vec![]
            }
        };
        let redirect_uris = deployments::page_redirect_uris(
            entry.page_sign_in,
            &entry.page_redirect_uris,
            &patterns,
            entry.allow_all_domains,
        )
        .unwrap_or_else(|error| {
            at(&path, Err(vec![error]), &mut errors);
            vec![]
        });
        let domains: Vec<String> = patterns.into_iter().map(String::from).collect();
        served_problems(
            &path,
            &entry.configuration,
            entry.allow_all_domains,
            &state,
            &mut errors,
        );
        let stored = stored_deployments.get(&entry.id);
        let fields = match stored {
            None => vec![],
            Some(row) => {
                let stored_domains: Vec<String> =
                    serde_json::from_value(row.allowed_domains.clone()).unwrap_or_default();
                let stored_redirects: Vec<String> = row
                    .page_redirect_uris
                    .clone()
                    .and_then(|uris| serde_json::from_value(uris).ok())
                    .unwrap_or_default();
                let stored_status: Status = rows::stored("deployment", row.id, &row.status)?;
                [
                    (row.name != entry.name.trim(), "name"),
                    (row.description != entry.description.trim(), "description"),
                    (
                        row.configuration_id != entry.configuration.id
                            || row.configuration_version != entry.configuration.version,
                        "configuration",
                    ),
                    (stored_domains != domains, "allowed domains"),
                    (
                        row.allow_all_domains != entry.allow_all_domains,
                        "allow all domains",
                    ),
                    (stored_status != entry.status, "status"),
                    (row.page_sign_in != entry.page_sign_in, "page-side sign-in"),
                    (stored_redirects != redirect_uris, "page-side redirect URIs"),
                ]
                .into_iter()
                .filter(|(differs, _)| *differs)
                .map(|(_, label)| label.to_owned())
                .collect()
            }
        };
        deployment_writes.push(DeploymentWrite {
            id: entry.id,
            name: entry.name.trim().to_owned(),
            description: entry.description.trim().to_owned(),
            configuration: entry.configuration.clone(),
            allowed_domains: domains,
            allow_all_domains: entry.allow_all_domains,
            status: entry.status,
            page_sign_in: entry.page_sign_in,
            page_redirect_uris: redirect_uris,
            exists: stored.is_some(),
            fields,
        });
    }
    // Deployments the file leaves alone still must not end up serving sign-in to any site.
    let in_file: HashSet<Uuid> = document.deployments.iter().map(|d| d.id).collect();
    for row in stored_deployments
        .values()
        .filter(|row| !in_file.contains(&row.id))
    {
        let reference = ConfigurationRef {
            id: row.configuration_id,
            version: row.configuration_version,
        };
        served_problems(
            &format!("deployment {:?}", row.name),
            &reference,
            row.allow_all_domains,
            &state,
            &mut errors,
        );
    }
    in_use_problems(document, &integrations, &stored_configurations, &mut errors);

    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let plan = Plan {
        changes: changes(
            &integrations,
            &configurations,
            &deployment_writes,
            &stored_integrations,
            &stored_configurations,
            &stored_deployments,
        ),
        dry_run: false,
    };
    Ok(Prepared {
        plan,
        integrations,
        configurations,
        deployments: deployment_writes,
    })
}

/// Checks one integration entry and works out what changes; `None` when it has errors.
async fn integration_write(
    services: &Services,
    path: &str,
    entry: &IntegrationEntry,
    stored: Option<integration::Model>,
    secrets: &SecretReader<'_>,
    errors: &mut Vec<FieldError>,
) -> Result<Option<IntegrationWrite>, Error> {
    let before = errors.len();
    let settings = IntegrationSettings {
        name: entry.name.clone(),
        discovery_uri: entry.discovery_uri.clone(),
        scopes: entry.scopes.clone(),
        max_refresh_token_lifetime_seconds: entry.max_refresh_token_lifetime_seconds,
        allowed_groups: entry.allowed_groups.clone(),
        clock_skew_seconds: entry.clock_skew_seconds,
    };
    let tidy = settings.validated();
    let allow_loopback = services.settings().allow_insecure_localhost;
    let uri = DiscoveryUri::parse("discoveryUri", &entry.discovery_uri, allow_loopback);
    let read = |field: &str, reference: &Option<SecretRef>, errors: &mut Vec<FieldError>| {
        reference.as_ref().and_then(|reference| {
            secrets
                .read(reference)
                .map_err(|problem| {
                    errors.push(FieldError::new(
                        format!("{path}.credentials.{field}"),
                        problem,
                    ))
                })
                .ok()
        })
    };
    let credentials = entry.credentials.as_ref();
    let client_secret = credentials.and_then(|c| read("clientSecret", &c.client_secret, errors));
    let okta_api_token = credentials.and_then(|c| read("oktaApiToken", &c.okta_api_token, errors));
    if let Some(credentials) = credentials
        && credentials.client_id.trim().is_empty()
    {
        errors.push(FieldError::new(
            format!("{path}.credentials.clientId"),
            "Client ID is required.",
        ));
    }
    let (tidy, uri) = match (tidy, uri) {
        (Ok(tidy), Ok(uri)) => (tidy, uri),
        (tidy, uri) => {
            at(path, tidy.map(|_| ()), errors);
            at(path, uri.map(|_| ()).map_err(|error| vec![error]), errors);
            return Ok(None);
        }
    };
    let current = stored.clone().map(integrations::to_domain).transpose()?;
    // A reference that cannot be read is reported above; one problem, not two.
    let has_secret = credentials.is_some_and(|c| c.client_secret.is_some())
        || current.as_ref().is_some_and(|c| c.credentials.configured);
    if entry.status == Status::Active && !has_secret {
        errors.push(FieldError::new(
            format!("{path}.status"),
            "an active integration needs credentials: add credentials.clientId and credentials.clientSecret ({env: VARIABLE} or {file: PATH})",
        ));
    }
    let mut fields = match &current {
        None => vec![],
        Some(current) => settings_changes(current, &tidy, uri.as_str(), entry),
    };
    let mut credentials_changed = stored.is_none() && credentials.is_some();
    if let (Some(current), Some(row)) = (&current, &stored) {
        let changed = credential_changes(
            services,
            row,
            current,
            entry,
            client_secret.as_ref(),
            okta_api_token.as_ref(),
        )?;
        credentials_changed = !changed.is_empty();
        fields.extend(changed);
    }
    if let Some(row) = &stored
        && row.managed_by.is_some()
        && !fields.is_empty()
    {
        errors.push(FieldError::new(
            path.to_owned(),
            "this integration is declared by the server's environment (the IDP_* variables): change them there, or leave it out of the file",
        ));
    }
    if errors.len() > before {
        return Ok(None);
    }
    // A connection test when the provider settings change, and before switching on.
    let retest = current.as_ref().is_none_or(|current| {
        current.discovery_uri.as_deref() != Some(uri.as_str()) || current.scopes != tidy.scopes
    });
    let needs_passing_check = entry.status == Status::Active
        && current
            .as_ref()
            .is_none_or(|current| current.status != Status::Active || retest);
    let check = if retest || needs_passing_check {
        Some(discovery::check(services.discovery(), &uri, &tidy.scopes).await)
    } else {
        None
    };
    if needs_passing_check && let Some(report) = check.as_ref().filter(|report| !report.ok) {
        let failures: Vec<&str> = report
            .items
            .iter()
            .filter(|item| item.outcome == CheckOutcome::Fail)
            .map(|item| item.message.as_str())
            .collect();
        errors.push(FieldError::new(
            format!("{path}.status"),
            format!(
                "cannot be active: the connection test fails ({})",
                failures.join(" ")
            ),
        ));
        return Ok(None);
    }
    if retest && current.is_some() {
        fields.push("connection test".to_owned());
    }
    Ok(Some(IntegrationWrite {
        entry: entry.clone(),
        stored,
        settings: tidy,
        discovery_uri: uri.as_str().to_owned(),
        client_secret,
        okta_api_token,
        check,
        credentials_changed,
        fields,
    }))
}

fn settings_changes(
    current: &Integration,
    tidy: &IntegrationSettings,
    uri: &str,
    entry: &IntegrationEntry,
) -> Vec<String> {
    [
        (current.name != tidy.name, "name"),
        (current.provider != entry.provider, "provider"),
        (
            current.discovery_uri.as_deref() != Some(uri),
            "discovery URI",
        ),
        (current.scopes != tidy.scopes, "scopes"),
        (
            current.max_refresh_token_lifetime_seconds != tidy.max_refresh_token_lifetime_seconds,
            "max refresh token lifetime",
        ),
        (
            current.allowed_groups != tidy.allowed_groups,
            "allowed groups",
        ),
        (
            current.clock_skew_seconds != tidy.clock_skew_seconds,
            "clock skew allowance",
        ),
        (current.status != entry.status, "status"),
    ]
    .into_iter()
    .filter(|(differs, _)| *differs)
    .map(|(_, label)| label.to_owned())
    .collect()
}

fn credential_changes(
    services: &Services,
    row: &integration::Model,
    current: &Integration,
    entry: &IntegrationEntry,
    client_secret: Option<&SecretString>,
    okta_api_token: Option<&SecretString>,
) -> Result<Vec<String>, Error> {
    let Some(credentials) = &entry.credentials else {
        return Ok(vec![]);
    };
    let mut fields = Vec::new();
    if current.credentials.client_id.as_deref() != Some(credentials.client_id.trim()) {
        fields.push("client ID".to_owned());
    }
    if let Some(wanted) = client_secret {
        let stored = open_client_secret(services.keyring(), row)?;
        let same = stored.is_some_and(|stored| stored.expose_secret() == wanted.expose_secret());
        if !same {
            fields.push("client secret replaced".to_owned());
        } else if stored_ref(&row.client_secret_ref) != credentials.client_secret {
            fields.push("client secret source".to_owned());
        }
    }
    if let Some(wanted) = okta_api_token {
        let stored = integrations::open_okta_api_token(services.keyring(), row)?;
        let same = stored.is_some_and(|stored| stored.expose_secret() == wanted.expose_secret());
        if !same {
            fields.push("Okta API token replaced".to_owned());
        } else if stored_ref(&row.okta_api_token_ref) != credentials.okta_api_token {
            fields.push("Okta API token source".to_owned());
        }
    }
    Ok(fields)
}

/// A stored secret reference (`{"env":"NAME"}`).
pub(super) fn stored_ref(stored: &Option<String>) -> Option<SecretRef> {
    stored
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok())
}

/// A configuration's content: its own rules, and the integration it signs in with.
fn content_problems(
    path: &str,
    content: &VersionContent,
    state: &Final,
    errors: &mut Vec<FieldError>,
) {
    if let Err(problems) = content.validate() {
        errors.extend(problems.into_iter().map(|problem| {
            let key = match problem.field.as_str() {
                "primaryColor" | "launcherLabel" | "greeting" | "defaultLanguage" => {
                    format!("appearance.{}", problem.field)
                }
                "integrationId" => "authentication.integrationId".to_owned(),
                other => other.to_owned(),
            };
            FieldError::new(format!("{path}.{key}"), problem.message)
        }));
    }
    let authentication = &content.authentication;
    let Some(id) = authentication.integration_id else {
        return;
    };
    let key = format!("{path}.authentication.integrationId");
    match state.integration_status.get(&id) {
        None => errors.push(FieldError::new(
            key,
            format!("no integration has id {id}, in the file or in the database"),
        )),
        Some((name, Status::Inactive)) if authentication.enabled => errors.push(FieldError::new(
            key,
            format!("sign-in needs an active integration, and {name:?} ({id}) is inactive"),
        )),
        Some(_) => {}
    }
}

/// What a deployment serves must exist, and must not sign in on any site.
fn served_problems(
    path: &str,
    reference: &ConfigurationRef,
    allow_all_domains: bool,
    state: &Final,
    errors: &mut Vec<FieldError>,
) {
    let key = format!("{path}.configuration");
    let Some(versions) = state.versions.get(&reference.id) else {
        errors.push(FieldError::new(
            format!("{key}.id"),
            format!(
                "no messenger configuration has id {}, in the file or in the database",
                reference.id
            ),
        ));
        return;
    };
    let served = match reference.version {
        None => versions.last(),
        Some(pinned) => versions.iter().find(|(number, _)| *number == pinned),
    };
    match served {
        None if versions.is_empty() => errors.push(FieldError::new(
            key,
            "this configuration has no published version: add one under its versions",
        )),
        None => errors.push(FieldError::new(
            format!("{key}.version"),
            format!(
                "version {} of this configuration does not exist",
                reference.version.unwrap_or_default()
            ),
        )),
        Some((_, content)) if allow_all_domains && content.authentication.enabled => {
            errors.push(FieldError::new(
                format!("{path}.allowAllDomains"),
                deployments::ALLOW_ALL_WITH_SIGN_IN,
            ))
        }
        Some(_) => {}
    }
}

/// An integration the file switches off must not be used by any configuration, in the file
/// or in the database.
fn in_use_problems(
    document: &Document,
    integrations: &[IntegrationWrite],
    stored: &HashMap<Uuid, Configuration>,
    errors: &mut Vec<FieldError>,
) {
    let in_file: HashSet<Uuid> = document.configurations.iter().map(|c| c.id).collect();
    let mut contents: Vec<(&str, Vec<&VersionContent>)> = document
        .configurations
        .iter()
        .map(|entry| {
            let mut all: Vec<&VersionContent> = vec![&entry.draft];
            all.extend(entry.versions.iter().map(|version| &version.content));
            (entry.name.as_str(), all)
        })
        .collect();
    for configuration in stored.values().filter(|c| !in_file.contains(&c.id)) {
        let mut all: Vec<&VersionContent> = vec![&configuration.draft];
        all.extend(
            configuration
                .versions
                .iter()
                .map(|version| &version.content),
        );
        contents.push((configuration.name.as_str(), all));
    }
    for (index, write) in integrations.iter().enumerate() {
        if write.entry.status != Status::Inactive {
            continue;
        }
        let mut users: Vec<&str> = contents
            .iter()
            .filter(|(_, all)| {
                all.iter().any(|content| {
                    content.authentication.enabled
                        && content.authentication.integration_id == Some(write.entry.id)
                })
            })
            .map(|(name, _)| *name)
            .collect();
        users.sort_unstable();
        users.dedup();
        if !users.is_empty() && write.stored.is_some() {
            let stored_status = write.stored.as_ref().map(|row| row.status.as_str());
            if stored_status == Some(Status::Active.as_str()) {
                errors.push(FieldError::new(
                    format!("integrations[{index}].status"),
                    format!(
                        "cannot be inactive: messenger configurations sign in with it ({})",
                        users.join(", ")
                    ),
                ));
            }
        }
    }
}

fn duplicate_ids(document: &Document, errors: &mut Vec<FieldError>) {
    let sections: [(&str, Vec<Uuid>); 3] = [
        (
            "integrations",
            document.integrations.iter().map(|e| e.id).collect(),
        ),
        (
            "configurations",
            document.configurations.iter().map(|e| e.id).collect(),
        ),
        (
            "deployments",
            document.deployments.iter().map(|e| e.id).collect(),
        ),
    ];
    for (section, ids) in sections {
        let mut first: HashMap<Uuid, usize> = HashMap::new();
        for (index, id) in ids.into_iter().enumerate() {
            if let Some(earlier) = first.insert(id, index) {
                errors.push(FieldError::new(
                    format!("{section}[{index}].id"),
                    format!("{section}[{earlier}] has the same id; each object has its own"),
                ));
            }
        }
    }
}

/// Adds `result`'s errors, their fields under `path`.
fn at(path: &str, result: Result<(), Vec<FieldError>>, errors: &mut Vec<FieldError>) {
    if let Err(problems) = result {
        errors.extend(problems.into_iter().map(|problem| {
            let field = if problem.field.is_empty() {
                path.to_owned()
            } else {
                format!("{path}.{}", problem.field)
            };
            FieldError::new(field, problem.message)
        }));
    }
}

fn changes(
    integrations: &[IntegrationWrite],
    configurations: &[ConfigurationWrite],
    deployment_writes: &[DeploymentWrite],
    stored_integrations: &HashMap<Uuid, integration::Model>,
    stored_configurations: &HashMap<Uuid, Configuration>,
    stored_deployments: &HashMap<Uuid, deployment::Model>,
) -> Vec<Change> {
    let action = |exists: bool, fields: &[String]| match (exists, fields.is_empty()) {
        (false, _) => Action::Create,
        (true, true) => Action::Unchanged,
        (true, false) => Action::Update,
    };
    let mut changes = Vec::new();
    let mut left: Vec<Change> = Vec::new();
    let integration_ids: HashSet<Uuid> = integrations.iter().map(|w| w.entry.id).collect();
    for write in integrations {
        changes.push(Change {
            object: "integration",
            id: write.entry.id,
            name: write.settings.name.clone(),
            action: action(write.stored.is_some(), &write.fields),
            fields: write.fields.clone(),
        });
    }
    for row in stored_integrations
        .values()
        .filter(|row| !integration_ids.contains(&row.id))
    {
        left.push(kept("integration", row.id, &row.name));
    }
    sort_by_name(&mut left);
    changes.append(&mut left);
    let configuration_ids: HashSet<Uuid> = configurations.iter().map(|w| w.id).collect();
    for write in configurations {
        changes.push(Change {
            object: "messenger_configuration",
            id: write.id,
            name: write.name.clone(),
            action: action(write.exists, &write.fields),
            fields: if write.exists {
                write.fields.clone()
            } else {
                vec![]
            },
        });
    }
    for configuration in stored_configurations
        .values()
        .filter(|c| !configuration_ids.contains(&c.id))
    {
        left.push(kept(
            "messenger_configuration",
            configuration.id,
            &configuration.name,
        ));
    }
    sort_by_name(&mut left);
    changes.append(&mut left);
    let deployment_ids: HashSet<Uuid> = deployment_writes.iter().map(|w| w.id).collect();
    for write in deployment_writes {
        changes.push(Change {
            object: "messenger_deployment",
            id: write.id,
            name: write.name.clone(),
            action: action(write.exists, &write.fields),
            fields: write.fields.clone(),
        });
    }
    for row in stored_deployments
        .values()
        .filter(|row| !deployment_ids.contains(&row.id))
    {
        left.push(kept("messenger_deployment", row.id, &row.name));
    }
    sort_by_name(&mut left);
    changes.append(&mut left);
    changes
}

fn kept(object: &'static str, id: Uuid, name: &str) -> Change {
    Change {
        object,
        id,
        name: name.to_owned(),
        action: Action::NotInFile,
        fields: vec![],
    }
}

fn sort_by_name(changes: &mut [Change]) {
    changes.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
}

async fn integration_rows(store: &impl Store) -> Result<Vec<integration::Model>, Error> {
    use sea_orm::EntityTrait;
    Ok(integration::Entity::find().all(store.db()).await?)
}

async fn deployment_rows(services: &Services) -> Result<Vec<deployment::Model>, Error> {
    use sea_orm::EntityTrait;
    Ok(deployment::Entity::find().all(services.db()).await?)
}
