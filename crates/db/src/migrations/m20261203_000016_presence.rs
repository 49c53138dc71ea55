//! Presence: whether an agent is at the console (a console stream renews `seen_at`; "Away" is
//! set by hand), when each was last given a conversation round-robin, and whether a
//! conversation's visitor was promised the next replies by email.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::add_columns(
            manager,
            Admins::Table,
            [
                boolean(Admins::Away).default(false).to_owned(),
                timestamp_with_time_zone_null(Admins::SeenAt),
                timestamp_with_time_zone_null(Admins::LastAssignedAt),
            ],
        )
        .await?;
        super::add_columns(
            manager,
            Conversations::Table,
            [boolean(Conversations::ReplyByEmail)
                .default(false)
                .to_owned()],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_columns(manager, Conversations::Table, [Conversations::ReplyByEmail]).await?;
        super::drop_columns(
            manager,
            Admins::Table,
            [Admins::Away, Admins::SeenAt, Admins::LastAssignedAt],
        )
        .await
    }
}

#[derive(DeriveIden)]
enum Admins {
    Table,
    Away,
    SeenAt,
    LastAssignedAt,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    ReplyByEmail,
}
