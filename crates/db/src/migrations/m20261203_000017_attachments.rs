//! Attachments: the files of a conversation. A message that carries one names it (its id,
//! name, content type and size) in `messages.attachment`; the bytes are here, or in the folder
//! `SWITCHBOARD_ATTACHMENTS_DIR` names (then `data` is null), and go with the conversation.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Attachments::Table)
                    .col(pk_uuid(Attachments::Id))
                    .col(uuid(Attachments::ConversationId))
                    .col(string(Attachments::Name))
                    .col(string(Attachments::ContentType))
                    .col(big_integer(Attachments::Size))
                    .col(blob_null(Attachments::Data))
                    .col(timestamp_with_time_zone(Attachments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Attachments::Table, Attachments::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        super::add_columns(
            manager,
            Messages::Table,
            [json_binary_null(Messages::Attachment)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::drop_columns(manager, Messages::Table, [Messages::Attachment]).await?;
        manager
            .drop_table(Table::drop().table(Attachments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    ConversationId,
    Name,
    ContentType,
    Size,
    Data,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Attachment,
}
