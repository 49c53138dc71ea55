//! Configuration as code: the integrations, messenger configurations and deployments written
//! out as one document ([`export`]), and a document made true in the database ([`apply`]).
//!
//! Apply checks the whole document first ([`plan`]) and writes nothing unless all of it
//! holds; then it writes every change in one transaction, audited as one event
//! (`config.apply`) that lists them. Applying the same document again changes nothing. Objects
//! in the database that the document leaves out are left as they are (and the plan says so):
//! a file that forgot a deployment must not take a live site's messenger down.

mod document;
mod plan;
mod secrets;
mod write;

pub use document::{
    ConfigurationEntry, CredentialsEntry, DeploymentEntry, Document, Format, IntegrationEntry,
    LITERAL_SECRET, SecretRef, VersionEntry, parse, to_yaml,
};
pub use plan::{Action, Change, Plan};
pub use secrets::{API_PREFIX, Environment, SecretReader};
use switchboard_domain::integration_settings::Integration;

use crate::admins::Principal;
use crate::admins::PrincipalKind;
use crate::{Error, Services, Store, deployments, integrations, messenger};

/// The audit log's object type for an apply.
pub const OBJECT_TYPE: &str = "config";

/// Everything as a document, by name within each section. Secrets are not in it: a
/// credential shows the reference a document set it from, or no secret at all when it was
/// typed in the console (applying then keeps the stored one).
pub async fn export(store: &impl Store) -> Result<Document, Error> {
    use sea_orm::{EntityTrait, QueryOrder};
    use switchboard_db::entities::integration;
    // One read of the rows gives both the integrations and the references stored beside them.
    let rows = integration::Entity::find()
        .order_by_asc(integration::Column::Name)
        .all(store.db())
        .await?;
    let integrations = rows
        .into_iter()
        .map(|row| {
            let client_secret = plan::stored_ref(&row.client_secret_ref);
            let okta_api_token = plan::stored_ref(&row.okta_api_token_ref);
            let integration = integrations::to_domain(row)?;
            Ok(integration_entry(
                integration,
                client_secret,
                okta_api_token,
            ))
        })
        .collect::<Result<_, Error>>()?;
    Ok(Document {
        integrations,
        configurations: messenger::all(store)
            .await?
            .into_iter()
            .map(|configuration| ConfigurationEntry {
                id: configuration.id,
                name: configuration.name,
                description: configuration.description,
                draft: configuration.draft,
                versions: configuration
                    .versions
                    .into_iter()
                    .map(|version| VersionEntry {
                        version: version.version,
                        content: version.content,
                    })
                    .collect(),
            })
            .collect(),
        deployments: deployments::all(store, "")
            .await?
            .into_iter()
            .map(|deployment| DeploymentEntry {
                id: deployment.id,
                name: deployment.name,
                description: deployment.description,
                configuration: deployment.configuration,
                allowed_domains: deployment.allowed_domains,
                allow_all_domains: deployment.allow_all_domains,
                status: deployment.status,
                page_sign_in: deployment.page_sign_in,
                page_redirect_uris: deployment.page_redirect_uris,
            })
            .collect(),
    })
}

fn integration_entry(
    integration: Integration,
    client_secret: Option<SecretRef>,
    okta_api_token: Option<SecretRef>,
) -> IntegrationEntry {
    let credentials = integration
        .credentials
        .client_id
        .clone()
        .map(|client_id| CredentialsEntry {
            client_id,
            client_secret,
            okta_api_token,
        });
    IntegrationEntry {
        id: integration.id,
        name: integration.name,
        provider: integration.provider,
        discovery_uri: integration.discovery_uri.unwrap_or_default(),
        scopes: integration.scopes,
        max_refresh_token_lifetime_seconds: integration.max_refresh_token_lifetime_seconds,
        allowed_groups: integration.allowed_groups,
        clock_skew_seconds: integration.clock_skew_seconds,
        status: integration.status,
        credentials,
    }
}

/// Makes the database match `document` and returns what changed; with `dry_run`, only
/// says what would. Admins only. Nothing is written when any part of the document is wrong
/// (every problem is reported, with the path of its key) or a connection test an active
/// integration needs fails.
pub async fn apply(
    services: &Services,
    document: &Document,
    secrets: &SecretReader<'_>,
    dry_run: bool,
    by: &Principal,
) -> Result<Plan, Error> {
    by.require_change()?;
    let mut prepared = plan::prepare(services, document, secrets).await?;
    if dry_run || !prepared.plan.changes_anything() {
        prepared.plan.dry_run = dry_run;
        return Ok(prepared.plan);
    }
    write::write(services, prepared, by).await
}

/// The audit log's actor for `switchboard config apply`: whoever runs the server's binary.
pub fn operator() -> Principal {
    Principal {
        id: uuid::Uuid::nil(),
        name: "operator (switchboard config apply)".to_owned(),
        role: switchboard_domain::admin::Role::Admin,
        kind: PrincipalKind::System,
    }
}
