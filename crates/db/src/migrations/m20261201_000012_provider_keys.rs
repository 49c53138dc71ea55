//! Providers' signing keys, shared by every instance: the one that fetches a provider's JWKS
//! stores it here and the others take it, so a key rotation costs the provider one request per
//! cluster rather than one per instance.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProviderKeys::Table)
                    .col(uuid(ProviderKeys::IntegrationId).primary_key())
                    .col(string(ProviderKeys::JwksUri))
                    .col(text(ProviderKeys::Jwks))
                    .col(timestamp_with_time_zone(ProviderKeys::FetchedAt))
                    .col(timestamp_with_time_zone(ProviderKeys::ExpiresAt))
                    .col(timestamp_with_time_zone_null(
                        ProviderKeys::UnknownKeyRefetchAt,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ProviderKeys::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ProviderKeys {
    Table,
    IntegrationId,
    JwksUri,
    Jwks,
    FetchedAt,
    ExpiresAt,
    UnknownKeyRefetchAt,
}
