//! Admin sign-in with a password: the check, the rate limit on failures (per account and per
//! client address, counted in the database so every instance sees the same numbers) and the
//! audit trail.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use secrecy::SecretString;
use switchboard_db::entities::sign_in_failure;
use switchboard_domain::admin::normalize_email;
use uuid::Uuid;

use crate::admin_sessions::{self, NewSession, SessionPolicy};
use crate::admins::{self, Principal};
use crate::{Error, Store, audit};

/// How many failures the rate limit allows, and over what window.
#[derive(Debug, Clone, Copy)]
pub struct SignInLimits {
    pub per_account: u64,
    pub per_client: u64,
    pub window: Duration,
}

impl Default for SignInLimits {
    fn default() -> Self {
        Self {
            per_account: 5,
            per_client: 20,
            window: Duration::minutes(15),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Wrong email or password; deliberately not saying which.
    #[error("wrong email or password")]
    WrongCredentials,
    /// Too many recent failures for this account or this client.
    #[error("too many failed sign-ins; retry in {} s", retry_after.num_seconds())]
    RateLimited { retry_after: Duration },
    #[error(transparent)]
    Other(#[from] Error),
}

/// A hash of a password nobody knows, checked when the email matches no admin, so that a
/// wrong email takes as long to refuse as a wrong password.
static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| admins::hash_password(&admins::generate_password()));

/// Checks the credentials and, when they match, starts a session.
pub async fn sign_in(
    store: &impl Store,
    email: &str,
    password: &SecretString,
    client_address: &str,
    limits: SignInLimits,
    policy: SessionPolicy,
) -> Result<(Principal, NewSession), SignInError> {
    let db = store.db();
    // Bounded, because a failed attempt's email is stored and shown in the audit log.
    let email: String = normalize_email(email).chars().take(254).collect();
    let now = Utc::now();
    // The attempt is written down before it is counted and before the password is checked, so
    // parallel guesses see each other: of N at once, only those that find fewer than the limit
    // ahead of them get checked. A refused attempt takes its record back.
    let attempt = reserve_attempt(db, &email, client_address, now).await?;
    if let Err(limited) = check_limit(db, attempt, &email, client_address, limits, now).await {
        forget_attempt(db, attempt).await?;
        return Err(limited);
    }

    let admin = admins::find_by_email(db, &email).await?;
    let hash = admin
        .as_ref()
        .map_or_else(|| DECOY_HASH.clone(), |a| a.password_hash.clone());
    let matches = admins::verify_password_off_runtime(hash, password.clone()).await;
    let Some(admin) = admin.filter(|_| matches) else {
        record_failure(db, &email, client_address, limits, now).await?;
        return Err(SignInError::WrongCredentials);
    };

    // A success clears the account's failures (this attempt's record among them); the
    // client's other failures stay counted.
    sign_in_failure::Entity::delete_many()
        .filter(sign_in_failure::Column::Email.eq(&email))
        .exec(db)
        .await
        .map_err(Error::from)?;
    forget_attempt(db, attempt).await?;
    let principal = Principal::from_admin(&admin)?;
    let session = open_session(db, &principal, policy, vec![]).await?;
    Ok((principal, session))
}

/// Starts a session for an admin whose identity is settled (a checked password, or the
/// first-admin setup that just created them) and records the sign-in, with `note` as its
/// changes.
pub async fn open_session(
    store: &impl Store,
    principal: &Principal,
    policy: SessionPolicy,
    note: Vec<String>,
) -> Result<NewSession, Error> {
    let db = store.db();
    let session = admin_sessions::start(db, principal.id, policy).await?;
    audit::record(
        db,
        audit::NewEvent {
            actor: &principal.name,
            action: "admin.sign_in",
            object_type: "admin",
            object_id: Some(principal.name.clone()),
            changes: note,
        },
    )
    .await?;
    Ok(session)
}

/// Ends a session and records the sign-out.
pub async fn sign_out(
    store: &impl Store,
    principal: &Principal,
    token: &SecretString,
) -> Result<(), Error> {
    let db = store.db();
    admin_sessions::end(db, token).await?;
    audit::record(
        db,
        audit::NewEvent {
            actor: &principal.name,
            action: "admin.sign_out",
            object_type: "admin",
            object_id: Some(principal.name.clone()),
            changes: vec![],
        },
    )
    .await?;
    Ok(())
}

/// Records an attempt as a failure until it proves otherwise; returns its id.
async fn reserve_attempt(
    db: &DatabaseConnection,
    email: &str,
    client_address: &str,
    now: DateTime<Utc>,
) -> Result<Uuid, Error> {
    let id = Uuid::new_v4();
    sign_in_failure::ActiveModel {
        id: Set(id),
        email: Set(email.to_owned()),
        client_address: Set(client_address.to_owned()),
        at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(id)
}

async fn forget_attempt(db: &DatabaseConnection, attempt: Uuid) -> Result<(), Error> {
    sign_in_failure::Entity::delete_by_id(attempt)
        .exec(db)
        .await?;
    Ok(())
}

/// Refuses when the failures other than `attempt` already reach a limit.
async fn check_limit(
    db: &DatabaseConnection,
    attempt: Uuid,
    email: &str,
    client_address: &str,
    limits: SignInLimits,
    now: DateTime<Utc>,
) -> Result<(), SignInError> {
    let since = now - limits.window;
    for (column, value, allowed) in [
        (sign_in_failure::Column::Email, email, limits.per_account),
        (
            sign_in_failure::Column::ClientAddress,
            client_address,
            limits.per_client,
        ),
    ] {
        let recent = sign_in_failure::Entity::find()
            .filter(column.eq(value))
            .filter(sign_in_failure::Column::Id.ne(attempt))
            .filter(sign_in_failure::Column::At.gt(since));
        let count = recent.clone().count(db).await.map_err(Error::from)?;
        if count >= allowed {
            // The limit lifts when enough old failures leave the window: the oldest one that
            // keeps the count at the limit decides when.
            let blocking = recent
                .order_by_desc(sign_in_failure::Column::At)
                .all(db)
                .await
                .map_err(Error::from)?;
            // Parallel attempts may have taken their records back since the count.
            let pivot = blocking.get(
                (allowed as usize)
                    .saturating_sub(1)
                    .min(blocking.len().saturating_sub(1)),
            );
            let retry_after = pivot
                .map_or(Duration::zero(), |pivot| pivot.at + limits.window - now)
                .max(Duration::seconds(1));
            return Err(SignInError::RateLimited { retry_after });
        }
    }
    Ok(())
}

/// Keeps the reserved attempt as a failure: drops failures older than the window and writes
/// the audit event.
async fn record_failure(
    db: &DatabaseConnection,
    email: &str,
    client_address: &str,
    limits: SignInLimits,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    // Failures older than the window no longer count; dropping them keeps the table small.
    sign_in_failure::Entity::delete_many()
        .filter(sign_in_failure::Column::At.lte(now - limits.window))
        .exec(db)
        .await?;
    audit::record(
        db,
        audit::NewEvent {
            actor: email,
            action: "admin.sign_in_failed",
            object_type: "admin",
            object_id: Some(email.to_owned()),
            changes: vec![format!("from {client_address}")],
        },
    )
    .await?;
    Ok(())
}
