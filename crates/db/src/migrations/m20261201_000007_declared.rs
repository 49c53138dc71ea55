//! An integration may be declared by the environment at start-up (`IDP_*`): `managed_by` says
//! so (`environment`), and at most one row carries each value, so instances starting together
//! on one database create one integration between them.

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
                    .add_column(string_null(Integrations::ManagedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
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
        manager
            .alter_table(
                Table::alter()
                    .table(Integrations::Table)
                    .drop_column(Integrations::ManagedBy)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Integrations {
    Table,
    ManagedBy,
}
