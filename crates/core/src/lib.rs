//! Switchboard's use cases. The HTTP layer (`switchboard-server`) and the server functions of
//! the console (`switchboard-app`) call these with a [`Services`] and map [`Error`] to responses.

pub mod audit;
pub mod conversations;
pub mod deployments;
pub mod error;
pub mod integrations;
pub mod messenger;

pub use error::Error;
use sea_orm::DatabaseConnection;

/// Everything a use case needs, cloned cheaply into every request (the pool is shared).
#[derive(Clone, Debug)]
pub struct Services {
    db: DatabaseConnection,
}

impl Services {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Succeeds when the database answers a round trip.
    pub async fn check_health(&self) -> Result<(), Error> {
        self.db.ping().await.map_err(Error::from)
    }
}
