//! Nonces for page-side sign-in. A site that runs its own login asks for one
//! (`POST /messenger/v1/token/nonce`) and puts it in its authorization request; the code
//! exchange then accepts the ID token only with a nonce issued here, for that deployment, within
//! 10 minutes and once. So a code obtained anywhere else (another site's login with the same
//! client, a replayed response) cannot be turned into a messenger session with our secret.

use chrono::{DateTime, Duration, Utc};
use sea_orm::prelude::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use switchboard_db::entities::page_nonce;
use uuid::Uuid;

use super::Failure;
use super::integration::signing_deployment;
use crate::{Services, opaque};

/// How long an issued nonce may be used.
pub const LIFETIME: Duration = Duration::minutes(10);

/// A nonce for the page's authorization request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuedNonce {
    pub nonce: String,
    pub expires_at: DateTime<Utc>,
}

/// Issues a nonce for a deployment that signs visitors in.
pub async fn issue(services: &Services, deployment_id: Uuid) -> Result<IssuedNonce, Failure> {
    let (served, _) = signing_deployment(services, deployment_id).await?;
    if !served.deployment.page_sign_in {
        return Err(page_sign_in_disabled());
    }
    let now = Utc::now();
    // Nonces past their time serve no one; an hour's grace keeps "used" answers meaningful.
    page_nonce::Entity::delete_many()
        .filter(page_nonce::Column::ExpiresAt.lt(now - Duration::hours(1)))
        .exec(services.db())
        .await?;
    let nonce = opaque::new_token("");
    let expires_at = now + LIFETIME;
    page_nonce::ActiveModel {
        nonce_hash: Set(opaque::digest(&nonce)),
        deployment_id: Set(deployment_id),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
    }
    .insert(services.db())
    .await?;
    Ok(IssuedNonce {
        nonce: nonce.expose_secret().to_owned(),
        expires_at,
    })
}

/// The refusal of a page-side sign-in on a deployment where it is off.
pub(super) fn page_sign_in_disabled() -> Failure {
    Failure::new(
        "page_sign_in_disabled",
        "Page-side sign-in is off for this messenger deployment: turn it on in its settings and list the site's redirect URIs.",
    )
}

/// Takes `nonce` for `deployment_id`, once: `nonce_used` when it was taken before,
/// `nonce_unknown` when it was never issued for this deployment or has expired.
pub(super) async fn consume(
    services: &Services,
    deployment_id: Uuid,
    nonce: &str,
) -> Result<(), Failure> {
    let hash = opaque::digest(&SecretString::from(nonce.to_owned()));
    let now = Utc::now();
    let taken = page_nonce::Entity::update_many()
        .col_expr(page_nonce::Column::UsedAt, Expr::value(now))
        .filter(page_nonce::Column::NonceHash.eq(hash.as_str()))
        .filter(page_nonce::Column::DeploymentId.eq(deployment_id))
        .filter(page_nonce::Column::UsedAt.is_null())
        .filter(page_nonce::Column::ExpiresAt.gt(now))
        .exec(services.db())
        .await?;
    if taken.rows_affected == 1 {
        return Ok(());
    }
    let found = page_nonce::Entity::find_by_id(hash)
        .one(services.db())
        .await?
        .filter(|row| row.deployment_id == deployment_id);
    Err(match found {
        Some(row) if row.used_at.is_some() => Failure::new(
            "nonce_used",
            "This nonce was used for a sign-in already; get a new one for each sign-in.",
        ),
        Some(_) => Failure::new(
            "nonce_unknown",
            "This nonce is older than 10 minutes; get a new one and sign in again.",
        ),
        None => Failure::new(
            "nonce_unknown",
            "This nonce was not issued for this messenger deployment: get one from POST /messenger/v1/token/nonce (Switchboard.getNonce()) and put it in the authorization request.",
        ),
    })
}
