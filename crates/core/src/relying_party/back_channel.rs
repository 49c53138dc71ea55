//! OpenID Connect Back-Channel Logout 1.0: the provider tells us, server to server, that a
//! person signed out (`POST /messenger/auth/backchannel-logout` with a `logout_token`), and
//! every messenger session of that person through that integration ends; their open frames
//! hear `signed-out` on their event stream.
//!
//! The token is checked as the specification says: signed by the provider's keys with an
//! algorithm it announces (never `alg: none`, never a shared secret), `iss` the integration's
//! issuer, `aud` its client ID, `iat` present and `exp` not past, the logout event in
//! `events`, `sub` (the person: all their sessions end) and/or `sid` (the provider's session:
//! the sessions signed in through it end), no `nonce`, and each `jti` taken once. Its `typ`
//! is `logout+jwt`, which an ID token parser refuses, so the signature is checked here with the
//! provider's key itself. A refusal ends nothing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, TimeZone, Utc};
use openidconnect::JsonWebKey;
use openidconnect::core::{CoreJsonWebKeySet, CoreJwsSigningAlgorithm};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, SqlErr};
use secrecy::SecretString;
use serde_json::Value;
use switchboard_db::entities::{integration, logout_token, messenger_session};

use super::Failure;
use super::id_token::{Claims, decode_unverified};
use super::integration::metadata;
use crate::{Services, messenger_sessions, opaque};

/// The event a logout token carries.
pub const LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

fn refused(detail: impl Into<String>) -> Failure {
    Failure::new("invalid_request", detail)
}

/// Validates `logout_token` and ends the sessions it names; returns how many ended.
pub async fn logout(services: &Services, logout_token: &str) -> Result<usize, Failure> {
    let (header, claims) = decode_unverified(logout_token)
        .map_err(|_| refused("The logout token is not a JSON Web Token."))?;
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
    let issuer = text("iss").ok_or_else(|| refused("The logout token has no iss."))?;
    let subject = text("sub");
    let provider_session = text("sid");
    if subject.is_none() && provider_session.is_none() {
        return Err(refused(
            "The logout token names neither a subject (sub) nor a session (sid).",
        ));
    }
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
        let mut keys = services.providers().keys(row.id, &metadata).await?;
        let mut checked = verify_signature(logout_token, &header, &keys, &metadata.signing_algs);
        if checked.is_err()
            && let Some(fresh) = services.providers().refetch_keys(row.id, &metadata).await?
        {
            // A key the provider added since its keys were cached.
            keys = fresh;
            checked = verify_signature(logout_token, &header, &keys, &metadata.signing_algs);
        }
        checked
            .map_err(|problem| refused(format!("The logout token does not verify: {problem}")))?;
        verified = Some(row);
        break;
    }
    let Some(row) = verified else {
        return Err(refused(
            "No integration has this logout token's issuer and audience.",
        ));
    };
    let skew = Duration::seconds(row.clock_skew_seconds.into());
    let expires_at = time(&claims, "exp");
    if expires_at.is_some_and(|exp| exp + skew < Utc::now()) {
        return Err(refused("The logout token has expired."));
    }

    // Each jti once: a replayed token is refused, even though it would end nothing new.
    let digest = opaque::digest(&SecretString::from(format!("{issuer} {jti}")));
    let taken = logout_token::ActiveModel {
        jti_hash: Set(digest),
        expires_at: Set(expires_at.unwrap_or_else(Utc::now).max(Utc::now()) + Duration::hours(1)),
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
        let person = session
            .identity
            .as_ref()
            .and_then(|identity| identity.get("subject"))
            .and_then(Value::as_str);
        let same_person = subject.is_some() && person == subject.as_deref();
        let same_session = provider_session.is_some() && session.provider_sid == provider_session;
        if same_person || same_session {
            messenger_sessions::end(services.db(), session.id).await?;
            ended += 1;
        }
    }
    tracing::info!(integration = %row.id, ended, "back-channel logout ended sessions");
    Ok(ended)
}

fn time(claims: &Claims, name: &str) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(claims.get(name)?.as_i64()?, 0).single()
}

/// Checks the JWS signature with the provider's key named by `kid` (or any of its keys for the
/// algorithm), for an asymmetric algorithm the provider announces.
fn verify_signature(
    token: &str,
    header: &Claims,
    keys: &CoreJsonWebKeySet,
    allowed: &[String],
) -> Result<(), String> {
    let name = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if name.eq_ignore_ascii_case("none") || name.starts_with("HS") {
        return Err(format!(
            "alg {name} is not accepted; the provider must sign with its key"
        ));
    }
    if !allowed.iter().any(|alg| alg == name) {
        return Err(format!("alg {name} is not one the provider announces"));
    }
    let algorithm: CoreJwsSigningAlgorithm = serde_json::from_value(Value::String(name.to_owned()))
        .map_err(|_| format!("unknown alg {name}"))?;
    let (signing_input, signature) = token.rsplit_once('.').ok_or("not a JWS")?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| "the signature is not base64url")?;
    let kid = header.get("kid").and_then(Value::as_str);
    let verified = keys
        .keys()
        .iter()
        .filter(|key| kid.is_none_or(|kid| key.key_id().is_some_and(|id| id.as_str() == kid)))
        .any(|key| {
            key.verify_signature(&algorithm, signing_input.as_bytes(), &signature)
                .is_ok()
        });
    if verified {
        Ok(())
    } else {
        Err("no key of the provider verifies its signature".to_owned())
    }
}
