//! Canned replies: short named texts an agent inserts into a reply with `/name`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CannedReplies::Table)
                    .col(uuid(CannedReplies::Id).primary_key())
                    .col(string(CannedReplies::Name).unique_key())
                    .col(text(CannedReplies::Text))
                    .col(timestamp_with_time_zone(CannedReplies::CreatedAt))
                    .col(timestamp_with_time_zone(CannedReplies::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CannedReplies::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CannedReplies {
    Table,
    Id,
    Name,
    Text,
    CreatedAt,
    UpdatedAt,
}
