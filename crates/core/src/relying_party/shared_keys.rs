//! Providers' signing keys kept in the database, so every instance behind one base URL uses
//! the same fetch: the first instance that needs fresh keys (they expired, or a token names a
//! key nobody has) fetches them and stores them; the others take the stored set. On PostgreSQL
//! instances take turns per integration (a transaction-scoped advisory lock), so those that
//! need keys at the same moment wait for the one fetching instead of all fetching at once.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    Set, Statement, TransactionTrait,
};
use switchboard_db::entities::provider_key;
use uuid::Uuid;

pub use provider_key::Model as StoredKeys;

/// A connection for one decision about an integration's keys: on PostgreSQL a transaction
/// holding that integration's lock until it ends; on SQLite (one instance) the pool itself.
pub enum Turn<'a> {
    Locked(DatabaseTransaction),
    Alone(&'a DatabaseConnection),
}

impl<'a> Turn<'a> {
    /// Waits for `integration`'s turn.
    pub async fn take(db: &'a DatabaseConnection, integration: Uuid) -> Result<Self, DbErr> {
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(Self::Alone(db));
        }
        let transaction = db.begin().await?;
        let key = i64::from_be_bytes(integration.as_bytes()[..8].try_into().expect("8 bytes"));
        transaction
            .execute(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1)",
                [key.into()],
            ))
            .await?;
        Ok(Self::Locked(transaction))
    }

    /// Ends the turn.
    pub async fn end(self) -> Result<(), DbErr> {
        match self {
            Self::Locked(transaction) => transaction.commit().await,
            Self::Alone(_) => Ok(()),
        }
    }

    pub async fn read(&self, integration: Uuid) -> Result<Option<StoredKeys>, DbErr> {
        match self {
            Self::Locked(transaction) => read(transaction, integration).await,
            Self::Alone(db) => read(*db, integration).await,
        }
    }

    pub async fn write(&self, keys: StoredKeys) -> Result<(), DbErr> {
        match self {
            Self::Locked(transaction) => write(transaction, keys).await,
            Self::Alone(db) => write(*db, keys).await,
        }
    }
}

async fn read(db: &impl ConnectionTrait, integration: Uuid) -> Result<Option<StoredKeys>, DbErr> {
    provider_key::Entity::find_by_id(integration).one(db).await
}

async fn write(db: &impl ConnectionTrait, keys: StoredKeys) -> Result<(), DbErr> {
    use provider_key::Column;
    let row = provider_key::ActiveModel {
        integration_id: Set(keys.integration_id),
        jwks_uri: Set(keys.jwks_uri),
        jwks: Set(keys.jwks),
        fetched_at: Set(keys.fetched_at),
        expires_at: Set(keys.expires_at),
        unknown_key_refetch_at: Set(keys.unknown_key_refetch_at),
    };
    provider_key::Entity::insert(row)
        .on_conflict(
            OnConflict::column(Column::IntegrationId)
                .update_columns([
                    Column::JwksUri,
                    Column::Jwks,
                    Column::FetchedAt,
                    Column::ExpiresAt,
                    Column::UnknownKeyRefetchAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// Removes what is stored for an integration whose settings changed or which is gone.
pub async fn remove(db: &DatabaseConnection, integration: Uuid) -> Result<(), DbErr> {
    provider_key::Entity::delete_by_id(integration)
        .exec(db)
        .await?;
    Ok(())
}

/// `now` as the database keeps it (microseconds), so a time read back compares equal.
pub fn now() -> DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}
