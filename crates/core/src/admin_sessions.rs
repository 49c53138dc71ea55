//! Console sessions, stored in the database so every instance behind the base URL shares them.
//! The cookie holds an opaque random token; the table holds only its digest.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use secrecy::SecretString;
use switchboard_db::entities::{admin, admin_session};
use uuid::Uuid;

use crate::admins::Principal;
use crate::{Error, Store, opaque};

/// How long sessions last.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however busy.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::hours(2),
            absolute: Duration::hours(12),
        }
    }
}

/// Seen-at updates closer together than this are skipped: one write per minute at most,
/// instead of one per request.
const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// A new session's cookie value and absolute expiry.
#[derive(Debug)]
pub struct NewSession {
    pub token: SecretString,
    pub expires_at: DateTime<Utc>,
}

pub async fn start(
    store: &impl Store,
    admin_id: Uuid,
    policy: SessionPolicy,
) -> Result<NewSession, Error> {
    let db = store.db();
    let token = opaque::new_token("");
    let now = Utc::now();
    let expires_at = now + policy.absolute;
    admin_session::ActiveModel {
        id_hash: Set(opaque::digest(&token)),
        admin_id: Set(admin_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(expires_at),
    }
    .insert(db)
    .await?;
    Ok(NewSession { token, expires_at })
}

/// The admin behind a session cookie, if the session exists and has not expired at `now`.
/// Expired sessions are deleted on sight.
pub async fn resolve(
    store: &impl Store,
    token: &SecretString,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Option<Principal>, Error> {
    let db = store.db();
    let Some((session, Some(admin))) = admin_session::Entity::find_by_id(opaque::digest(token))
        .find_also_related(admin::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if now >= session.expires_at || now >= session.last_seen_at + policy.idle {
        admin_session::Entity::delete_by_id(session.id_hash)
            .exec(db)
            .await?;
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_INTERVAL {
        let mut touched: admin_session::ActiveModel = session.into();
        touched.last_seen_at = Set(now);
        touched.update(db).await?;
    }
    Principal::from_admin(&admin).map(Some)
}

/// Ends the session (sign-out). Unknown tokens are ignored: signing out twice is fine.
pub async fn end(store: &impl Store, token: &SecretString) -> Result<(), Error> {
    let db = store.db();
    admin_session::Entity::delete_by_id(opaque::digest(token))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of an admin (after a password change or role change).
pub async fn end_all(store: &impl Store, admin_id: Uuid) -> Result<u64, Error> {
    let db = store.db();
    Ok(admin_session::Entity::delete_many()
        .filter(admin_session::Column::AdminId.eq(admin_id))
        .exec(db)
        .await?
        .rows_affected)
}
