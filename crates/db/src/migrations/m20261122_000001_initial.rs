//! The first schema: integrations, messenger configurations and their versions, deployments,
//! admins with their sessions and API tokens, the audit log, and conversations.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            integrations(),
            configurations(),
            configuration_versions(),
            deployments(),
            admins(),
            admin_sessions(),
            api_tokens(),
            audit_events(),
            conversations(),
            messages(),
        ] {
            manager.create_table(table).await?;
        }
        for index in [
            Index::create()
                .name("configuration_versions_number")
                .table(ConfigurationVersions::Table)
                .col(ConfigurationVersions::ConfigurationId)
                .col(ConfigurationVersions::Version)
                .unique()
                .to_owned(),
            Index::create()
                .name("audit_events_object")
                .table(AuditEvents::Table)
                .col(AuditEvents::ObjectType)
                .col(AuditEvents::At)
                .to_owned(),
            Index::create()
                .name("admin_sessions_admin")
                .table(AdminSessions::Table)
                .col(AdminSessions::AdminId)
                .to_owned(),
            Index::create()
                .name("conversations_activity")
                .table(Conversations::Table)
                .col(Conversations::LastActivityAt)
                .to_owned(),
            Index::create()
                .name("messages_conversation")
                .table(Messages::Table)
                .col(Messages::ConversationId)
                .col(Messages::Id)
                .to_owned(),
        ] {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children before parents, so foreign keys never dangle.
        for table in [
            Messages::Table.into_iden(),
            Conversations::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            ApiTokens::Table.into_iden(),
            AdminSessions::Table.into_iden(),
            Admins::Table.into_iden(),
            Deployments::Table.into_iden(),
            ConfigurationVersions::Table.into_iden(),
            Configurations::Table.into_iden(),
            Integrations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

fn integrations() -> TableCreateStatement {
    Table::create()
        .table(Integrations::Table)
        .col(pk_uuid(Integrations::Id))
        .col(string(Integrations::Name))
        .col(string(Integrations::Kind))
        .col(string(Integrations::Status))
        .col(text_null(Integrations::DiscoveryUri))
        .col(json_binary(Integrations::Scopes))
        .col(big_integer(Integrations::MaxRefreshTokenLifetimeSeconds))
        .col(json_binary(Integrations::AllowedGroups))
        .col(integer(Integrations::ClockSkewSeconds))
        .col(string_null(Integrations::ClientId))
        .col(blob_null(Integrations::ClientSecretSealed))
        .col(blob_null(Integrations::OktaApiTokenSealed))
        .col(timestamp_with_time_zone_null(
            Integrations::CredentialsUpdatedAt,
        ))
        .col(json_binary_null(Integrations::LastCheck))
        .col(timestamp_with_time_zone_null(Integrations::LastCheckedAt))
        .col(timestamp_with_time_zone(Integrations::CreatedAt))
        .col(timestamp_with_time_zone(Integrations::UpdatedAt))
        .to_owned()
}

fn configurations() -> TableCreateStatement {
    Table::create()
        .table(Configurations::Table)
        .col(pk_uuid(Configurations::Id))
        .col(string(Configurations::Name))
        .col(text(Configurations::Description))
        .col(json_binary(Configurations::Draft))
        .col(timestamp_with_time_zone(Configurations::CreatedAt))
        .col(timestamp_with_time_zone(Configurations::UpdatedAt))
        .to_owned()
}

fn configuration_versions() -> TableCreateStatement {
    Table::create()
        .table(ConfigurationVersions::Table)
        .col(big_pk_auto(ConfigurationVersions::Id))
        .col(uuid(ConfigurationVersions::ConfigurationId))
        .col(integer(ConfigurationVersions::Version))
        .col(json_binary(ConfigurationVersions::Content))
        .col(string(ConfigurationVersions::PublishedBy))
        .col(timestamp_with_time_zone(ConfigurationVersions::PublishedAt))
        .foreign_key(
            ForeignKey::create()
                .from(
                    ConfigurationVersions::Table,
                    ConfigurationVersions::ConfigurationId,
                )
                .to(Configurations::Table, Configurations::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

fn deployments() -> TableCreateStatement {
    Table::create()
        .table(Deployments::Table)
        .col(pk_uuid(Deployments::Id))
        .col(string(Deployments::Name))
        .col(text(Deployments::Description))
        .col(uuid(Deployments::ConfigurationId))
        .col(integer_null(Deployments::ConfigurationVersion))
        .col(json_binary(Deployments::AllowedDomains))
        .col(boolean(Deployments::AllowAllDomains))
        .col(string(Deployments::Status))
        .col(timestamp_with_time_zone(Deployments::CreatedAt))
        .col(timestamp_with_time_zone(Deployments::UpdatedAt))
        .foreign_key(
            // A configuration in use cannot be deleted: the service names the deployments,
            // the database is the last line.
            ForeignKey::create()
                .from(Deployments::Table, Deployments::ConfigurationId)
                .to(Configurations::Table, Configurations::Id)
                .on_delete(ForeignKeyAction::Restrict),
        )
        .to_owned()
}

fn admins() -> TableCreateStatement {
    Table::create()
        .table(Admins::Table)
        .col(pk_uuid(Admins::Id))
        .col(string_uniq(Admins::Email))
        .col(string(Admins::PasswordHash))
        .col(string(Admins::Role))
        .col(timestamp_with_time_zone(Admins::CreatedAt))
        .col(timestamp_with_time_zone(Admins::UpdatedAt))
        .to_owned()
}

fn admin_sessions() -> TableCreateStatement {
    Table::create()
        .table(AdminSessions::Table)
        // The SHA-256 of the cookie value: a leaked table does not yield usable sessions.
        .col(string(AdminSessions::IdHash).primary_key())
        .col(uuid(AdminSessions::AdminId))
        .col(timestamp_with_time_zone(AdminSessions::CreatedAt))
        .col(timestamp_with_time_zone(AdminSessions::LastSeenAt))
        .col(timestamp_with_time_zone(AdminSessions::ExpiresAt))
        .foreign_key(
            ForeignKey::create()
                .from(AdminSessions::Table, AdminSessions::AdminId)
                .to(Admins::Table, Admins::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

fn api_tokens() -> TableCreateStatement {
    Table::create()
        .table(ApiTokens::Table)
        .col(pk_uuid(ApiTokens::Id))
        .col(string(ApiTokens::Name))
        .col(string_uniq(ApiTokens::TokenHash))
        .col(string(ApiTokens::Role))
        .col(string(ApiTokens::CreatedBy))
        .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
        .col(timestamp_with_time_zone_null(ApiTokens::LastUsedAt))
        .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
        .to_owned()
}

fn audit_events() -> TableCreateStatement {
    Table::create()
        .table(AuditEvents::Table)
        .col(big_pk_auto(AuditEvents::Id))
        .col(timestamp_with_time_zone(AuditEvents::At))
        .col(string(AuditEvents::Actor))
        .col(string(AuditEvents::Action))
        .col(string(AuditEvents::ObjectType))
        .col(string_null(AuditEvents::ObjectId))
        .col(json_binary(AuditEvents::Changes))
        .to_owned()
}

fn conversations() -> TableCreateStatement {
    Table::create()
        .table(Conversations::Table)
        .col(pk_uuid(Conversations::Id))
        .col(uuid(Conversations::DeploymentId))
        .col(json_binary_null(Conversations::Identity))
        .col(string(Conversations::Status))
        .col(timestamp_with_time_zone(Conversations::CreatedAt))
        .col(timestamp_with_time_zone(Conversations::LastActivityAt))
        .foreign_key(
            ForeignKey::create()
                .from(Conversations::Table, Conversations::DeploymentId)
                .to(Deployments::Table, Deployments::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

fn messages() -> TableCreateStatement {
    Table::create()
        .table(Messages::Table)
        .col(big_pk_auto(Messages::Id))
        .col(uuid(Messages::ConversationId))
        .col(string(Messages::Author))
        .col(text(Messages::Text))
        .col(timestamp_with_time_zone(Messages::CreatedAt))
        .foreign_key(
            ForeignKey::create()
                .from(Messages::Table, Messages::ConversationId)
                .to(Conversations::Table, Conversations::Id)
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

#[derive(DeriveIden)]
enum Integrations {
    Table,
    Id,
    Name,
    Kind,
    Status,
    DiscoveryUri,
    Scopes,
    MaxRefreshTokenLifetimeSeconds,
    AllowedGroups,
    ClockSkewSeconds,
    ClientId,
    ClientSecretSealed,
    OktaApiTokenSealed,
    CredentialsUpdatedAt,
    LastCheck,
    LastCheckedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Configurations {
    #[sea_orm(iden = "messenger_configurations")]
    Table,
    Id,
    Name,
    Description,
    Draft,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ConfigurationVersions {
    #[sea_orm(iden = "messenger_configuration_versions")]
    Table,
    Id,
    ConfigurationId,
    Version,
    Content,
    PublishedBy,
    PublishedAt,
}

#[derive(DeriveIden)]
enum Deployments {
    #[sea_orm(iden = "messenger_deployments")]
    Table,
    Id,
    Name,
    Description,
    ConfigurationId,
    ConfigurationVersion,
    AllowedDomains,
    AllowAllDomains,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Admins {
    Table,
    Id,
    Email,
    PasswordHash,
    Role,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AdminSessions {
    Table,
    IdHash,
    AdminId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    Name,
    TokenHash,
    Role,
    CreatedBy,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    Actor,
    Action,
    ObjectType,
    ObjectId,
    Changes,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
    DeploymentId,
    Identity,
    Status,
    CreatedAt,
    LastActivityAt,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    ConversationId,
    Author,
    Text,
    CreatedAt,
}

/// A 64-bit auto-increment key (`bigserial` on PostgreSQL, the rowid on SQLite): messages and
/// audit events can outgrow 32 bits.
fn big_pk_auto<T: IntoIden>(column: T) -> ColumnDef {
    big_integer(column).auto_increment().primary_key().take()
}
