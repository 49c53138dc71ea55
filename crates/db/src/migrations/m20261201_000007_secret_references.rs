//! Where an integration's secrets come from when a configuration file set them
//! (`{"env":"OKTA_SECRET"}` or `{"file":"/run/secrets/okta"}`): the reference, never the value,
//! so `switchboard config export` writes the file back as it was applied. The console and the
//! API, which take the values themselves, clear it.

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
                string_null(Integrations::ClientSecretRef),
                string_null(Integrations::OktaApiTokenRef),
            ],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_columns(
            manager,
            Integrations::Table,
            [Integrations::OktaApiTokenRef, Integrations::ClientSecretRef],
        )
        .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Integrations {
    Table,
    ClientSecretRef,
    OktaApiTokenRef,
}
