//! Integrations remember which provider profile they were set up for (`ProviderKind::as_str`),
//! which decides where groups come from and which help the console shows. Existing rows that
//! hold an Okta API token or point at an Okta host are Okta; the rest are generic.
//!
//! An integration may also be declared by the environment at start-up (`IDP_*`): `managed_by`
//! says so (`environment`), and at most one row carries each value, so instances starting
//! together on one database create one integration between them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::add_columns(
            manager,
            Integrations::Table,
            [
                string(Integrations::Provider).default("oidc").to_owned(),
                string_null(Integrations::ManagedBy),
            ],
        )
        .await?;
        let connection = manager.get_connection();
        connection
            .execute_unprepared(
                "UPDATE integrations SET provider = 'okta' \
                 WHERE okta_api_token_sealed IS NOT NULL \
                    OR discovery_uri LIKE 'https://%.okta.com/%' \
                    OR discovery_uri LIKE 'https://%.oktapreview.com/%' \
                    OR discovery_uri LIKE 'https://%.okta-emea.com/%'",
            )
            .await?;
        connection
            .execute_unprepared(
                "CREATE UNIQUE INDEX integrations_one_per_manager \
                 ON integrations (managed_by) WHERE managed_by IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("integrations_one_per_manager")
                    .table(Integrations::Table)
                    .to_owned(),
            )
            .await?;
        super::drop_columns(
            manager,
            Integrations::Table,
            [Integrations::ManagedBy, Integrations::Provider],
        )
        .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Integrations {
    Table,
    Provider,
    ManagedBy,
}
