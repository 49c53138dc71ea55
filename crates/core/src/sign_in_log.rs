//! The sign-in log: every visitor (and test) sign-in through an integration, with the reason
//! code of each failure.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
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
    let Attempt {
        integration_id,
        deployment_id,
        purpose,
        client,
    } = attempt;
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
    match &reason {
        Some(reason) => {
            tracing::info!(%integration_id, purpose = purpose.as_str(), %reason, "sign-in failed")
        }
        None => tracing::info!(%integration_id, purpose = purpose.as_str(), "sign-in succeeded"),
    }
    if reason.is_some()
        && let Some(client) = client
        && services.sign_in_log_flood().hit(client.to_owned()).is_err()
    {
        tracing::debug!(%client, "sign-in failure not logged: too many from this address");
        return;
    }
    let row = sign_in_attempt::ActiveModel {
        id: Set(Uuid::new_v4()),
        integration_id: Set(integration_id),
        deployment_id: Set(deployment_id),
        purpose: Set(purpose.as_str().to_owned()),
        at: Set(Utc::now()),
        succeeded: Set(succeeded),
        reason: Set(reason),
        detail: Set(detail),
        subject: Set(subject),
    };
    if let Err(error) = row.insert(services.db()).await {
        tracing::error!(%error, "cannot record a sign-in attempt");
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
