//! What messaging needs beyond the initial tables: the conversation a messenger session writes
//! to, which messages a signed-in visitor sent, and how far agents have read.

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
                    .table(MessengerSessions::Table)
                    .add_column(uuid_null(MessengerSessions::ConversationId))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(boolean(Messages::Authenticated).default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Conversations::Table)
                    .add_column(big_integer(Conversations::AgentReadId).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            (
                Conversations::Table.into_iden(),
                Conversations::AgentReadId.into_iden(),
            ),
            (
                Messages::Table.into_iden(),
                Messages::Authenticated.into_iden(),
            ),
            (
                MessengerSessions::Table.into_iden(),
                MessengerSessions::ConversationId.into_iden(),
            ),
        ] {
            manager
                .alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum MessengerSessions {
    Table,
    ConversationId,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Authenticated,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    AgentReadId,
}
