//! Nonces the server issues for page-side sign-in (`POST /messenger/v1/token/nonce`): the
//! site's page puts one in its own authorization request, and the code exchange accepts an ID
//! token only with a nonce issued here, for that deployment, and not used before. Only the
//! nonce's SHA-256 is stored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PageNonces::Table)
                    .col(string(PageNonces::NonceHash).primary_key())
                    .col(uuid(PageNonces::DeploymentId))
                    .col(timestamp_with_time_zone(PageNonces::CreatedAt))
                    .col(timestamp_with_time_zone(PageNonces::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PageNonces::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PageNonces::Table, PageNonces::DeploymentId)
                            .to(MessengerDeployments::Table, MessengerDeployments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PageNonces::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PageNonces {
    Table,
    NonceHash,
    DeploymentId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum MessengerDeployments {
    Table,
    Id,
}
