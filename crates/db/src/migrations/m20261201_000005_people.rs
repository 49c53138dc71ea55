//! A signed-in visitor is one person: conversations carry the person they belong to (a digest
//! of deployment, issuer and subject), at most one of them open per person, and when the
//! visitor last said they were typing.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .add_column(string_null(Conversations::Person))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .add_column(timestamp_with_time_zone_null(
                        Conversations::VisitorTypingAt,
                    ))
                    .to_owned(),
            )
            .await?;
        // Partial unique index: both engines take the same statement. Two devices writing a
        // person's first message at once cannot open two conversations.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX conversations_one_open_per_person \
                 ON conversations (deployment_id, person) \
                 WHERE status = 'open' AND person IS NOT NULL",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("conversations_person")
                    .table(Conversations::Table)
                    .col(Conversations::DeploymentId)
                    .col(Conversations::Person)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["conversations_person", "conversations_one_open_per_person"] {
            manager
                .drop_index(
                    Index::drop()
                        .name(name)
                        .table(Conversations::Table)
                        .to_owned(),
                )
                .await?;
        }
        for column in [Conversations::VisitorTypingAt, Conversations::Person] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Conversations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    DeploymentId,
    Person,
    VisitorTypingAt,
}
