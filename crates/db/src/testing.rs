//! A fresh, migrated database per test, on SQLite or on the real PostgreSQL server.
//!
//! SQLite tests get their own file in the temp folder; PostgreSQL tests get their own schema in
//! the database named by `TEST_DATABASE_URL` (default: the local server's `test` database), so
//! tests run in parallel without seeing each other's rows. [`test_on_each_engine!`] turns one
//! check into a test per engine.
//!
//! [`test_on_each_engine!`]: crate::test_on_each_engine

use std::path::PathBuf;

use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseConnection};
use switchboard_domain::provider::ProviderKind;

use crate::entities::integration;

/// A new inactive generic integration named `name`, with the catalog's defaults
/// ([`integration::ActiveModel::installed`]); tests override the fields they care about with
/// `..integration_row(name)`.
pub fn integration_row(name: &str) -> integration::ActiveModel {
    integration::ActiveModel::installed(name, ProviderKind::Oidc, None)
}

/// The PostgreSQL server that tests use when `TEST_DATABASE_URL` is not set.
pub const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A migrated database that belongs to one test. Call [`TestDb::close`] at the end to remove it.
pub struct TestDb {
    pub conn: DatabaseConnection,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(PathBuf),
    PostgresSchema { server_url: String, schema: String },
}

impl TestDb {
    /// A new SQLite file, migrated.
    pub async fn sqlite() -> Self {
        let path = std::env::temp_dir().join(format!(
            "switchboard-test-{}.db",
            uuid::Uuid::new_v4().simple()
        ));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let conn = crate::connect(&url).await.expect("open test SQLite file");
        crate::migrate(&conn).await.expect("migrate test SQLite");
        Self {
            conn,
            cleanup: Cleanup::SqliteFile(path),
        }
    }

    /// A new schema on the PostgreSQL server, migrated.
    pub async fn postgres() -> Self {
        let server_url = std::env::var("TEST_DATABASE_URL")
            .unwrap_or_else(|_| DEFAULT_TEST_DATABASE_URL.to_owned());
        let schema = format!("sbtest_{}", uuid::Uuid::new_v4().simple());
        let server = crate::connect(&server_url).await.unwrap_or_else(|error| {
            panic!("PostgreSQL at {server_url} is needed for this test: {error}")
        });
        server
            .execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
            .await
            .expect("create test schema");
        server.close().await.ok();

        let mut options = ConnectOptions::new(&server_url);
        options
            .set_schema_search_path(schema.clone())
            .max_connections(5);
        let conn = crate::connect_with(options)
            .await
            .expect("connect to test schema");
        crate::migrate(&conn).await.expect("migrate test schema");
        Self {
            conn,
            cleanup: Cleanup::PostgresSchema { server_url, schema },
        }
    }

    /// Another pool on the same database, as a second instance of the server would open.
    pub async fn connect_again(&self) -> DatabaseConnection {
        let options = match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                ConnectOptions::new(format!("sqlite://{}", path.display()))
            }
            Cleanup::PostgresSchema { server_url, schema } => {
                let mut options = ConnectOptions::new(server_url);
                options
                    .set_schema_search_path(schema.clone())
                    .max_connections(5);
                options
            }
        };
        crate::connect_with(options).await.expect("connect again")
    }

    /// The SQLite file behind this database (the WAL beside it holds recent writes), if it is
    /// one; tests that inspect what is stored at rest read it.
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => Some(path),
            Cleanup::PostgresSchema { .. } => None,
        }
    }

    /// Closes the pool and removes the database.
    pub async fn close(self) {
        self.conn.close().await.ok();
        match self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    std::fs::remove_file(file).ok();
                }
            }
            Cleanup::PostgresSchema { server_url, schema } => {
                if let Ok(server) = crate::connect(&server_url).await {
                    server
                        .execute_unprepared(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
                        .await
                        .ok();
                    server.close().await.ok();
                }
            }
        }
    }
}

/// Runs each named `async fn check(db: &DatabaseConnection)` once on a fresh SQLite database
/// and once on a fresh PostgreSQL schema, as two tests: `check::sqlite` and `check::postgres`.
#[macro_export]
macro_rules! test_on_each_engine {
    ($($check:ident),+ $(,)?) => {$(
        mod $check {
            #[tokio::test]
            async fn sqlite() {
                let db = $crate::testing::TestDb::sqlite().await;
                super::$check(&db.conn).await;
                db.close().await;
            }

            #[tokio::test]
            async fn postgres() {
                let db = $crate::testing::TestDb::postgres().await;
                super::$check(&db.conn).await;
                db.close().await;
            }
        }
    )+};
}
