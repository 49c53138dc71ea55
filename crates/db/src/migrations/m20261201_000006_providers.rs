//! Integrations remember which provider profile they were set up for (`ProviderKind::as_str`),
//! which decides where groups come from and which help the console shows. Existing rows that
//! hold an Okta API token or point at an Okta host are Okta; the rest are generic.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Integrations::Table)
                    .add_column(string(Integrations::Provider).default("oidc"))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE integrations SET provider = 'okta' \
                 WHERE okta_api_token_sealed IS NOT NULL \
                    OR discovery_uri LIKE 'https://%.okta.com/%' \
                    OR discovery_uri LIKE 'https://%.oktapreview.com/%' \
                    OR discovery_uri LIKE 'https://%.okta-emea.com/%'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Integrations::Table)
                    .drop_column(Integrations::Provider)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Integrations {
    Table,
    Provider,
}
