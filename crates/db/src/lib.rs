//! Switchboard's database layer: one schema for SQLite (the zero-set-up default) and PostgreSQL
//! (for several instances), its migrations, and [`testing`], which gives each test its own fresh
//! database on either engine.

pub mod entities;
mod migrations;
pub mod search;
#[cfg(feature = "testing")]
pub mod testing;

use std::path::Path;

pub use migrations::Migrator;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseBackend, TransactionTrait};
pub use sea_orm::{DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;

/// Opens a connection pool for `url` (`sqlite://...` or `postgres://...`).
///
/// For a SQLite file it creates the missing parent folder (so the default `data/` works on a fresh
/// clone) and switches the file to WAL, which lets readers run while a write is in progress.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(ConnectOptions::new(url)).await
}

/// [`connect`] with caller-chosen pool options.
pub async fn connect_with(mut options: ConnectOptions) -> Result<DatabaseConnection, DbErr> {
    let url = options.get_url().to_owned();
    if let Some(path) = sqlite_file(&url)
        && let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|error| {
            DbErr::Custom(format!("cannot create {}: {error}", parent.display()))
        })?;
    }
    // Statements are logged by our own spans when needed; sqlx's per-statement info logs
    // would drown everything else.
    options.sqlx_logging(false);
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DatabaseBackend::Sqlite && sqlite_file(&url).is_some() {
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
    }
    Ok(db)
}

/// The PostgreSQL advisory lock that instances take to migrate, one at a time.
const MIGRATION_LOCK: i64 = 0x5357_4254_4d49_4752; // "SWBTMIGR"

/// Applies every pending migration.
///
/// On PostgreSQL, instances starting together take turns: each migrates inside a transaction
/// holding [`MIGRATION_LOCK`] until it commits, so the next one finds nothing left to do instead
/// of racing to create the same tables.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Migrator::up(db, None).await;
    }
    let transaction = db.begin().await?;
    transaction
        .execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
        .await?;
    Migrator::up(&transaction, None).await?;
    transaction.commit().await
}

/// The file path of a `sqlite:` URL, or `None` for another engine or an in-memory database.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then_some(path)
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;

    #[test]
    fn sqlite_file_reads_the_path_of_file_urls_only() {
        assert_eq!(
            sqlite_file("sqlite://data/switchboard.db?mode=rwc"),
            Some("data/switchboard.db")
        );
        assert_eq!(sqlite_file("sqlite:///tmp/a.db"), Some("/tmp/a.db"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://localhost/test"), None);
    }
}
