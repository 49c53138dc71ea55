//! Assignment: the admin a conversation is given to. Admins are never deleted, so the column
//! names one for as long as the conversation lasts; the inbox's "Mine" and "Unassigned" read it
//! through the index.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::add_columns(
            manager,
            Conversations::Table,
            [uuid_null(Conversations::AssigneeId)],
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversations_by_assignee")
                    .table(Conversations::Table)
                    .col(Conversations::AssigneeId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("conversations_by_assignee")
                    .table(Conversations::Table)
                    .to_owned(),
            )
            .await?;
        super::drop_columns(manager, Conversations::Table, [Conversations::AssigneeId]).await
    }
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    AssigneeId,
}
