//! Writing a checked plan: one transaction for every change and the one audit event that lists
//! them, so an apply lands whole or not at all.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, Set, TransactionTrait};
use serde_json::json;
use switchboard_db::entities::{configuration, configuration_version, deployment, integration};
use uuid::Uuid;

use super::OBJECT_TYPE;
use super::plan::{ConfigurationWrite, DeploymentWrite, IntegrationWrite, Plan, Prepared};
use crate::admins::Principal;
use crate::integrations::{client_secret_context, okta_api_token_context};
use crate::{Error, Services, audit, messenger};

pub(super) async fn write(
    services: &Services,
    prepared: Prepared,
    by: &Principal,
) -> Result<Plan, Error> {
    let Prepared {
        mut plan,
        integrations,
        configurations,
        deployments,
    } = prepared;
    let transaction = services.db().begin().await?;
    let mut changed_integrations = Vec::new();
    for write in integrations.into_iter().filter(changes_integration) {
        changed_integrations.push(write.entry.id);
        integration(services, &transaction, write).await?;
    }
    for write in configurations
        .into_iter()
        .filter(|write| !write.exists || !write.fields.is_empty())
    {
        configuration(&transaction, write, by).await?;
    }
    for write in deployments
        .into_iter()
        .filter(|write| !write.exists || !write.fields.is_empty())
    {
        deployment(&transaction, write).await?;
    }
    audit::record(
        &transaction,
        audit::NewEvent {
            actor: &by.name,
            action: "config.apply",
            object_type: OBJECT_TYPE,
            object_id: Some(Uuid::new_v4().to_string()),
            changes: plan.audit_lines(),
        },
    )
    .await?;
    transaction.commit().await?;
    for id in &changed_integrations {
        // Metadata and keys cached for the old settings must not outlive them.
        services.integration_changed(*id).await;
    }
    if changed_integrations.is_empty() {
        services.public_config_changed();
    }
    plan.dry_run = false;
    Ok(plan)
}

fn changes_integration(write: &IntegrationWrite) -> bool {
    write.stored.is_none() || !write.fields.is_empty()
}

async fn integration(
    services: &Services,
    transaction: &DatabaseTransaction,
    write: IntegrationWrite,
) -> Result<(), Error> {
    let entry = &write.entry;
    let now = Utc::now();
    let exists = write.stored.is_some();
    let mut row = match write.stored {
        Some(stored) => stored.into(),
        None => integration::ActiveModel {
            id: Set(entry.id),
            ..integration::ActiveModel::installed(
                &write.settings.name,
                entry.provider,
                Some(write.discovery_uri.clone()),
            )
        },
    };
    let settings = &write.settings;
    row.name = Set(settings.name.clone());
    row.provider = Set(entry.provider.as_str().to_owned());
    row.discovery_uri = Set(Some(write.discovery_uri.clone()));
    row.scopes = Set(json!(settings.scopes));
    row.max_refresh_token_lifetime_seconds = Set(settings.max_refresh_token_lifetime_seconds);
    row.allowed_groups = Set(json!(settings.allowed_groups));
    row.clock_skew_seconds = Set(settings.clock_skew_seconds);
    row.status = Set(entry.status.as_str().to_owned());
    if let Some(report) = &write.check {
        row.last_check = Set(Some(json!(report)));
        row.last_checked_at = Set(Some(report.checked_at));
    }
    if let Some(credentials) = &entry.credentials {
        let keyring = services.keyring();
        row.client_id = Set(Some(credentials.client_id.trim().to_owned()));
        if let (Some(secret), Some(reference)) = (&write.client_secret, &credentials.client_secret)
        {
            let sealed = keyring.seal(&client_secret_context(entry.id), secret);
            row.client_secret_sealed = Set(Some(sealed.into_bytes()));
            row.client_secret_ref = Set(Some(json!(reference).to_string()));
        }
        if let (Some(token), Some(reference)) = (&write.okta_api_token, &credentials.okta_api_token)
        {
            let sealed = keyring.seal(&okta_api_token_context(entry.id), token);
            row.okta_api_token_sealed = Set(Some(sealed.into_bytes()));
            row.okta_api_token_ref = Set(Some(json!(reference).to_string()));
        }
        if write.credentials_changed {
            row.credentials_updated_at = Set(Some(now));
        }
    }
    row.updated_at = Set(now);
    if exists {
        row.update(transaction).await?;
    } else {
        row.insert(transaction).await?;
    }
    Ok(())
}

async fn configuration(
    transaction: &DatabaseTransaction,
    write: ConfigurationWrite,
    by: &Principal,
) -> Result<(), Error> {
    let now = Utc::now();
    if write.exists {
        let stored = messenger::find(transaction, write.id).await?;
        let mut row: configuration::ActiveModel = stored.into();
        row.name = Set(write.name);
        row.description = Set(write.description);
        row.draft = Set(json!(write.draft));
        row.updated_at = Set(now);
        row.update(transaction).await?;
    } else {
        configuration::ActiveModel {
            id: Set(write.id),
            name: Set(write.name),
            description: Set(write.description),
            draft: Set(json!(write.draft)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(transaction)
        .await?;
    }
    for (version, content) in write.new_versions {
        configuration_version::ActiveModel {
            configuration_id: Set(write.id),
            version: Set(version),
            content: Set(json!(content)),
            published_by: Set(by.name.clone()),
            published_at: Set(now),
            ..Default::default()
        }
        .insert(transaction)
        .await?;
    }
    Ok(())
}

async fn deployment(
    transaction: &DatabaseTransaction,
    write: DeploymentWrite,
) -> Result<(), Error> {
    let now = Utc::now();
    let mut row = if write.exists {
        crate::rows::require::<deployment::Entity, _>(transaction, write.id, "messenger deployment")
            .await?
            .into()
    } else {
        deployment::ActiveModel {
            id: Set(write.id),
            created_at: Set(now),
            ..Default::default()
        }
    };
    row.name = Set(write.name);
    row.description = Set(write.description);
    row.configuration_id = Set(write.configuration.id);
    row.configuration_version = Set(write.configuration.version);
    row.allowed_domains = Set(json!(write.allowed_domains));
    row.allow_all_domains = Set(write.allow_all_domains);
    row.status = Set(write.status.as_str().to_owned());
    row.page_sign_in = Set(write.page_sign_in);
    row.page_redirect_uris = Set(Some(json!(write.page_redirect_uris)));
    row.updated_at = Set(now);
    if write.exists {
        row.update(transaction).await?;
    } else {
        row.insert(transaction).await?;
    }
    Ok(())
}
