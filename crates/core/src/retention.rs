//! How long the logs keep their entries: sign-in attempts and audit events older than their
//! retention are deleted by [`prune`], which the server runs at start-up and then hourly.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use switchboard_db::entities::{audit_event, sign_in_attempt};

use crate::Error;
use crate::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub sign_in_log: Duration,
    pub audit_log: Duration,
}

impl Default for Retention {
    /// 90 days of sign-in attempts (enough to answer "why did this fail last month?"), a year
    /// of audit events (the usual span of an access review).
    fn default() -> Self {
        Self {
            sign_in_log: Duration::days(90),
            audit_log: Duration::days(365),
        }
    }
}

/// What one [`prune`] deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pruned {
    pub sign_in_attempts: u64,
    pub audit_events: u64,
}

/// Deletes log entries older than their retention at `now`.
pub async fn prune(
    store: &impl Store,
    retention: Retention,
    now: DateTime<Utc>,
) -> Result<Pruned, Error> {
    let db = store.db();
    let sign_in_attempts = sign_in_attempt::Entity::delete_many()
        .filter(sign_in_attempt::Column::At.lt(now - retention.sign_in_log))
        .exec(db)
        .await?
        .rows_affected;
    let audit_events = audit_event::Entity::delete_many()
        .filter(audit_event::Column::At.lt(now - retention.audit_log))
        .exec(db)
        .await?
        .rows_affected;
    Ok(Pruned {
        sign_in_attempts,
        audit_events,
    })
}
