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
        // One column per statement: SQLite alters a table one column at a time.
        for column in [
            string_null(Integrations::ClientSecretRef),
            string_null(Integrations::OktaApiTokenRef),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Integrations::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Integrations::OktaApiTokenRef, Integrations::ClientSecretRef] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Integrations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Integrations {
    Table,
    ClientSecretRef,
    OktaApiTokenRef,
}
