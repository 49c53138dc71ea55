//! OpenID Connect Back-Channel Logout 1.0: the provider tells us, server to server, that a
//! person signed out (`POST /messenger/auth/backchannel-logout` with a `logout_token`), and
//! every messenger session of that person through that integration ends; their open frames
//! hear `signed-out` on their event stream.
//!
//! The token is checked as the specification says: signed by the provider's keys (never
//! `alg: none`), `iss` the integration's issuer, `aud` its client ID, `iat` present, the
//! logout event in `events`, `sub` (which names the person), no `nonce`, and each `jti` taken
//! once. A refusal ends nothing.

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, SqlErr};
use secrecy::SecretString;
use serde_json::Value;
use switchboard_db::entities::{integration, logout_token, messenger_session};

use super::Failure;
use super::id_token::{self, Expectations, decode_unverified};
use super::integration::{client_secret, metadata};
use crate::{Services, messenger_sessions, opaque};

/// The event a logout token carries.
pub const LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

fn refused(detail: impl Into<String>) -> Failure {
    Failure::new("invalid_request", detail)
}

/// Validates `logout_token` and ends the sessions it names; returns how many ended.
pub async fn logout(services: &Services, logout_token: &str) -> Result<usize, Failure> {
    let (_, claims) = decode_unverified(logout_token)
        .map_err(|_| refused("The logout token is not a JSON Web Token."))?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
    let issuer = text("iss").ok_or_else(|| refused("The logout token has no iss."))?;
    let subject = text("sub").ok_or_else(|| {
        refused("The logout token has no sub; Switchboard ends a person's sessions by subject.")
    })?;
    let jti = text("jti").ok_or_else(|| refused("The logout token has no jti."))?;
    if claims.get("iat").and_then(Value::as_i64).is_none() {
        return Err(refused("The logout token has no iat."));
    }
    if claims.contains_key("nonce") {
        return Err(refused(
            "A logout token must not carry a nonce (it would pass for an ID token).",
        ));
    }
    let event = claims
        .get("events")
        .and_then(|events| events.get(LOGOUT_EVENT));
    if !event.is_some_and(Value::is_object) {
        return Err(refused(format!(
            "The logout token's events do not hold {LOGOUT_EVENT}."
        )));
    }
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };

    // The integrations whose client the token is for, and whose provider signed it.
    let candidates = integration::Entity::find()
        .filter(integration::Column::ClientId.is_in(audiences))
        .all(services.db())
        .await?;
    let mut verified = None;
    for row in candidates {
        let Ok(metadata) = metadata(services, &row).await else {
            continue;
        };
        if metadata.issuer != issuer {
            continue;
        }
        let secret = client_secret(services, &row).unwrap_or_else(|_| SecretString::from(""));
        let expect = Expectations {
            issuer: &metadata.issuer,
            client_id: row.client_id.as_deref().unwrap_or_default(),
            client_secret: &secret,
            nonce: None,
            clock_skew: Duration::seconds(row.clock_skew_seconds.into()),
            allowed_algs: &metadata.signing_algs,
            now: Utc::now(),
        };
        let keys = services.providers().keys(row.id, &metadata).await?;
        match id_token::validate(logout_token, &keys, &expect) {
            Ok(token) => {
                verified = Some((row, token));
                break;
            }
            Err(failure) => {
                return Err(refused(format!(
                    "The logout token does not verify: {}",
                    failure.detail
                )));
            }
        }
    }
    let Some((row, token)) = verified else {
        return Err(refused(
            "No integration has this logout token's issuer and audience.",
        ));
    };

    // Each jti once: a replayed token is refused, even though it would end nothing new.
    let digest = opaque::digest(&SecretString::from(format!("{issuer} {jti}")));
    let taken = logout_token::ActiveModel {
        jti_hash: Set(digest),
        expires_at: Set(token.expires_at.max(Utc::now()) + Duration::hours(1)),
    }
    .insert(services.db())
    .await;
    match taken {
        Ok(_) => {}
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            return Err(refused("This logout token (its jti) was used already."));
        }
        Err(error) => return Err(error.into()),
    }
    logout_token::Entity::delete_many()
        .filter(logout_token::Column::ExpiresAt.lt(Utc::now()))
        .exec(services.db())
        .await?;

    let sessions = messenger_session::Entity::find()
        .filter(messenger_session::Column::IntegrationId.eq(row.id))
        .filter(messenger_session::Column::EndedAt.is_null())
        .all(services.db())
        .await?;
    let mut ended = 0;
    for session in sessions {
        let same_person = session
            .identity
            .as_ref()
            .and_then(|identity| identity.get("subject"))
            .and_then(Value::as_str)
            == Some(subject.as_str());
        if same_person {
            messenger_sessions::end(services.db(), session.id).await?;
            ended += 1;
        }
    }
    tracing::info!(integration = %row.id, ended, "back-channel logout ended sessions");
    Ok(ended)
}
