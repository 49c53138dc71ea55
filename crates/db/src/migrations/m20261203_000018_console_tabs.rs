//! Presence per console tab: an agent is online while one of their tabs says it is in use
//! (shown and touched lately), so a tab left in the background no longer keeps them online and
//! two tabs do not undo each other. It replaces `admins.seen_at`, which one open stream renewed
//! and nothing reads any more; the column stays while older instances may still write it
//! (the rolling-upgrade rule, docs/OPERATIONS.md).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConsoleTabs::Table)
                    .col(uuid(ConsoleTabs::AdminId))
                    .col(uuid(ConsoleTabs::Tab))
                    .col(timestamp_with_time_zone(ConsoleTabs::ActiveUntil))
                    .primary_key(
                        Index::create()
                            .col(ConsoleTabs::AdminId)
                            .col(ConsoleTabs::Tab),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ConsoleTabs::Table, ConsoleTabs::AdminId)
                            .to(Admins::Table, Admins::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsoleTabs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ConsoleTabs {
    Table,
    AdminId,
    Tab,
    ActiveUntil,
}

#[derive(DeriveIden)]
enum Admins {
    Table,
    Id,
}
