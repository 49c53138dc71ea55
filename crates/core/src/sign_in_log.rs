//! The sign-in log: every visitor (and test) sign-in through an integration, with the reason
//! code of each failure.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use switchboard_db::entities::{integration, sign_in_attempt};
use switchboard_domain::sign_in::SignInAttempt;
use uuid::Uuid;

use crate::relying_party::Failure;
use crate::{Error, Services, Store, rows};

/// How many attempts the console and the API show.
pub const SHOWN: u64 = 50;

/// Failed attempts one client address may add to the log per minute. Anyone can make a
/// sign-in fail (a forged callback, a made-up code); beyond this, failures from that address
/// are only counted in the server log, so a flood neither fills the database nor buries the
/// attempts an admin is looking for.
pub const FAILURES_PER_ADDRESS: u32 = 20;

/// Where an attempt came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Visitor,
    Exchange,
    Refresh,
    Test,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::Exchange => "exchange",
            Self::Refresh => "refresh",
            Self::Test => "test",
        }
    }
}

/// One attempt to record.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub integration_id: Uuid,
    pub deployment_id: Option<Uuid>,
    pub purpose: Purpose,
    /// The browser's address, for sign-ins anyone may start (not for refreshes, which need a
    /// live session).
    pub client: Option<&'a str>,
}

/// A sign-in that worked: who it was, and what the admin should still know about it.
#[derive(Debug, Clone, Copy)]
pub struct Success<'a> {
    pub subject: &'a str,
    pub note: Option<&'a str>,
}

/// What a sign-in log entry says when the provider gave no refresh token although the sign-in
/// asked for one (Okta's wording for the fix).
pub const NO_REFRESH_TOKEN: &str =
    "The provider gave no refresh token: enable the Refresh Token grant for this app.";

/// Records one attempt; a failure to write is logged, never allowed to change the outcome.
pub async fn record(
    services: &Services,
    attempt: Attempt<'_>,
    outcome: Result<Success<'_>, &Failure>,
) {
    if let Err(failure) = outcome
        && let Some(client) = attempt.client
        && services.sign_in_log_flood().hit(client.to_owned()).is_err()
    {
        trace(&attempt, Some(&failure.reason));
        tracing::debug!(%client, "sign-in failure not logged: too many from this address");
        return;
    }
    if let Err(error) = insert(services.db(), attempt, outcome).await {
        tracing::error!(%error, "cannot record a sign-in attempt");
    }
}

/// Records a sign-in that worked inside the caller's transaction, so what it created (a
/// session) and its line in the log are one commit.
pub async fn record_success_in<C: ConnectionTrait>(
    db: &C,
    attempt: Attempt<'_>,
    success: Success<'_>,
) -> Result<(), Error> {
    insert(db, attempt, Ok(success)).await
}

async fn insert<C: ConnectionTrait>(
    db: &C,
    attempt: Attempt<'_>,
    outcome: Result<Success<'_>, &Failure>,
) -> Result<(), Error> {
    let (succeeded, reason, detail, subject) = match outcome {
        Ok(Success { subject, note }) => (
            true,
            None,
            note.map(str::to_owned),
            Some(subject.to_owned()),
        ),
        Err(failure) => (
            false,
            Some(failure.reason.clone()),
            Some(failure.detail.clone()),
            None,
        ),
    };
    trace(&attempt, reason.as_deref());
    sign_in_attempt::Entity::insert(sign_in_attempt::ActiveModel {
        id: Set(Uuid::new_v4()),
        integration_id: Set(attempt.integration_id),
        deployment_id: Set(attempt.deployment_id),
        purpose: Set(attempt.purpose.as_str().to_owned()),
        at: Set(Utc::now()),
        succeeded: Set(succeeded),
        reason: Set(reason),
        detail: Set(detail),
        subject: Set(subject),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

fn trace(attempt: &Attempt<'_>, reason: Option<&str>) {
    let (integration_id, purpose) = (attempt.integration_id, attempt.purpose.as_str());
    match reason {
        Some(reason) => tracing::info!(%integration_id, purpose, %reason, "sign-in failed"),
        None => tracing::info!(%integration_id, purpose, "sign-in succeeded"),
    }
}

/// The latest attempts through integration `id`, newest first.
pub async fn latest(store: &impl Store, id: Uuid) -> Result<Vec<SignInAttempt>, Error> {
    let db = store.db();
    rows::require::<integration::Entity, _>(db, id, "integration").await?;
    Ok(sign_in_attempt::Entity::find()
        .filter(sign_in_attempt::Column::IntegrationId.eq(id))
        .order_by_desc(sign_in_attempt::Column::At)
        .limit(SHOWN)
        .all(db)
        .await?
        .into_iter()
        .map(|row| SignInAttempt {
            id: row.id,
            at: row.at,
            deployment_id: row.deployment_id,
            purpose: row.purpose,
            succeeded: row.succeeded,
            reason: row.reason,
            detail: row.detail,
            subject: row.subject,
        })
        .collect())
}
