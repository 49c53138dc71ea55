//! Schema migrations. Each runs unchanged on SQLite and PostgreSQL; never edit a migration that
//! has shipped, add a new one.

use sea_orm_migration::prelude::*;

mod m20261122_000001_initial;
mod m20261122_000002_sign_in;
mod m20261122_000003_messenger_sign_in;
mod m20261122_000004_conversations;
mod m20261201_000005_people;
mod m20261201_000006_providers;
mod m20261201_000007_secret_references;
mod m20261201_000008_page_nonces;
mod m20261201_000009_page_sign_in;
mod m20261201_000010_sign_out;
mod m20261201_000011_logout_tokens;
mod m20261201_000012_provider_keys;
mod m20261202_000013_assignment;
mod m20261202_000014_search;
mod m20261202_000015_canned_replies;
mod m20261203_000016_presence;
mod m20261203_000017_attachments;
mod m20261203_000018_console_tabs;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_initial::Migration),
            Box::new(m20261122_000002_sign_in::Migration),
            Box::new(m20261122_000003_messenger_sign_in::Migration),
            Box::new(m20261122_000004_conversations::Migration),
            Box::new(m20261201_000005_people::Migration),
            Box::new(m20261201_000006_providers::Migration),
            Box::new(m20261201_000007_secret_references::Migration),
            Box::new(m20261201_000008_page_nonces::Migration),
            Box::new(m20261201_000009_page_sign_in::Migration),
            Box::new(m20261201_000010_sign_out::Migration),
            Box::new(m20261201_000011_logout_tokens::Migration),
            Box::new(m20261201_000012_provider_keys::Migration),
            Box::new(m20261202_000013_assignment::Migration),
            Box::new(m20261202_000014_search::Migration),
            Box::new(m20261202_000015_canned_replies::Migration),
            Box::new(m20261203_000016_presence::Migration),
            Box::new(m20261203_000017_attachments::Migration),
            Box::new(m20261203_000018_console_tabs::Migration),
        ]
    }
}

/// Adds `columns` to `table`, one statement each: SQLite alters a table one column at a time.
async fn add_columns(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    columns: impl IntoIterator<Item = ColumnDef>,
) -> Result<(), DbErr> {
    let table = table.into_iden();
    for mut column in columns {
        manager
            .alter_table(
                Table::alter()
                    .table(table.clone())
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

/// Drops `columns` from `table`, one statement each.
async fn drop_columns<C: IntoIden>(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    columns: impl IntoIterator<Item = C>,
) -> Result<(), DbErr> {
    let table = table.into_iden();
    for column in columns {
        manager
            .alter_table(
                Table::alter()
                    .table(table.clone())
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}
