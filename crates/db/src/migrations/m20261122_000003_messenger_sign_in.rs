//! What visitor sign-in needs: the short-lived state of flows under way, messenger sessions,
//! and the sign-in log an admin reads when a visitor says "sign-in doesn't work".

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuthFlows::Table)
                    // SHA-256 of the `state` sent to the provider.
                    .col(string(AuthFlows::StateHash).primary_key())
                    .col(string(AuthFlows::Purpose))
                    .col(uuid_null(AuthFlows::DeploymentId))
                    .col(uuid(AuthFlows::IntegrationId))
                    .col(string(AuthFlows::Nonce))
                    // The PKCE verifier, sealed like every other secret.
                    .col(blob(AuthFlows::PkceVerifierSealed))
                    // SHA-256 of the cookie that binds the flow to the browser that started it.
                    .col(string(AuthFlows::BrowserHash))
                    .col(timestamp_with_time_zone(AuthFlows::CreatedAt))
                    .col(timestamp_with_time_zone(AuthFlows::ExpiresAt))
                    .col(timestamp_with_time_zone_null(AuthFlows::UsedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MessengerSessions::Table)
                    .col(pk_uuid(MessengerSessions::Id))
                    .col(string_uniq(MessengerSessions::TokenHash))
                    .col(uuid(MessengerSessions::DeploymentId))
                    .col(uuid_null(MessengerSessions::IntegrationId))
                    .col(json_binary_null(MessengerSessions::Identity))
                    .col(blob_null(MessengerSessions::RefreshTokenSealed))
                    .col(timestamp_with_time_zone(MessengerSessions::CreatedAt))
                    .col(timestamp_with_time_zone(MessengerSessions::ExpiresAt))
                    // No refresh carries the session past this (max refresh token lifetime).
                    .col(timestamp_with_time_zone(MessengerSessions::LatestExpiry))
                    .col(timestamp_with_time_zone_null(MessengerSessions::EndedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MessengerSessions::Table, MessengerSessions::DeploymentId)
                            .to(MessengerDeployments::Table, MessengerDeployments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignInAttempts::Table)
                    .col(pk_uuid(SignInAttempts::Id))
                    .col(uuid(SignInAttempts::IntegrationId))
                    .col(uuid_null(SignInAttempts::DeploymentId))
                    .col(string(SignInAttempts::Purpose))
                    .col(timestamp_with_time_zone(SignInAttempts::At))
                    .col(boolean(SignInAttempts::Succeeded))
                    .col(string_null(SignInAttempts::Reason))
                    .col(text_null(SignInAttempts::Detail))
                    .col(string_null(SignInAttempts::Subject))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SignInAttempts::Table, SignInAttempts::IntegrationId)
                            .to(Integrations::Table, Integrations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sign_in_attempts_integration")
                    .table(SignInAttempts::Table)
                    .col(SignInAttempts::IntegrationId)
                    .col(SignInAttempts::At)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SignInAttempts::Table.into_iden(),
            MessengerSessions::Table.into_iden(),
            AuthFlows::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AuthFlows {
    Table,
    StateHash,
    Purpose,
    DeploymentId,
    IntegrationId,
    Nonce,
    PkceVerifierSealed,
    BrowserHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum MessengerSessions {
    Table,
    Id,
    TokenHash,
    DeploymentId,
    IntegrationId,
    Identity,
    RefreshTokenSealed,
    CreatedAt,
    ExpiresAt,
    LatestExpiry,
    EndedAt,
}

#[derive(DeriveIden)]
enum SignInAttempts {
    Table,
    Id,
    IntegrationId,
    DeploymentId,
    Purpose,
    At,
    Succeeded,
    Reason,
    Detail,
    Subject,
}

#[derive(DeriveIden)]
enum MessengerDeployments {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Integrations {
    Table,
    Id,
}
