//! Back-channel logout tokens already taken (OpenID Connect Back-Channel Logout 1.0 makes each
//! `jti` single use): the SHA-256 of issuer and `jti`, kept until the token expires.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LogoutTokens::Table)
                    .col(string(LogoutTokens::JtiHash).primary_key())
                    .col(timestamp_with_time_zone(LogoutTokens::ExpiresAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LogoutTokens::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum LogoutTokens {
    Table,
    JtiHash,
    ExpiresAt,
}
