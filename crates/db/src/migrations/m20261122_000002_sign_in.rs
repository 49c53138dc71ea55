//! What admin sign-in needs beyond accounts and sessions: failed attempts (for the rate limit,
//! shared by every instance) and the one-time link that creates the first admin.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SignInFailures::Table)
                    .col(pk_uuid(SignInFailures::Id))
                    .col(string(SignInFailures::Email))
                    .col(string(SignInFailures::ClientAddress))
                    .col(timestamp_with_time_zone(SignInFailures::At))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("sign_in_failures_email", SignInFailures::Email),
            ("sign_in_failures_client", SignInFailures::ClientAddress),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(SignInFailures::Table)
                        .col(column)
                        .col(SignInFailures::At)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(SetupTokens::Table)
                    // SHA-256 of the token in the link; the link itself is only ever logged.
                    .col(string(SetupTokens::TokenHash).primary_key())
                    .col(timestamp_with_time_zone(SetupTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(SetupTokens::UsedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SetupTokens::Table.into_iden(),
            SignInFailures::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum SignInFailures {
    Table,
    Id,
    Email,
    ClientAddress,
    At,
}

#[derive(DeriveIden)]
enum SetupTokens {
    Table,
    TokenHash,
    CreatedAt,
    UsedAt,
}
