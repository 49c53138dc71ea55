//! ID token validation. The `openidconnect` crate checks the signature against the provider's
//! keys, `iss`, `aud`, `exp` and the nonce; around it this module adds what the crate leaves
//! to a relying party: precise reasons for missing claims and `alg: none`, the clock-skew
//! allowance on `exp`, `iat` and `nbf`, and `azp` when there are several audiences.

use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, TimeZone, Utc};
use openidconnect::core::{
    CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    ClaimsVerificationError, ClientId, ClientSecret, IssuerUrl, Nonce, SignatureVerificationError,
};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};

use super::Failure;

/// What a token must match.
#[derive(Debug)]
pub struct Expectations<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a SecretString,
    /// The nonce sent with the authorization request; `None` for a token from a refresh.
    pub nonce: Option<&'a str>,
    pub clock_skew: Duration,
    /// The provider's `id_token_signing_alg_values_supported`.
    pub allowed_algs: &'a [String],
    pub now: DateTime<Utc>,
}

/// A validated token's claims.
#[derive(Debug, Clone)]
pub struct ValidToken {
    pub subject: String,
    pub algorithm: String,
    pub key_id: Option<String>,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Every claim, for the admin's "Test sign-in" and for names, emails and groups.
    pub claims: Map<String, Value>,
}

impl ValidToken {
    pub fn text(&self, claim: &str) -> Option<String> {
        self.claims
            .get(claim)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// The `groups` claim, when the token carries one.
    pub fn groups(&self) -> Option<Vec<String>> {
        groups_claim(&self.claims)
    }
}

/// A `groups` claim as a list of names (a single string counts as one group).
pub fn groups_claim(claims: &Map<String, Value>) -> Option<Vec<String>> {
    match claims.get("groups")? {
        Value::Array(values) => Some(
            values
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        ),
        Value::String(one) => Some(vec![one.clone()]),
        _ => None,
    }
}

/// Whether a failure means "signed by a key we do not have" (worth one JWKS refetch).
pub fn is_unknown_key(failure: &Failure) -> bool {
    failure.reason == "unknown_signing_key"
}

/// Validates `token` against `keys` and `expect`.
pub fn validate(
    token: &str,
    keys: &CoreJsonWebKeySet,
    expect: &Expectations<'_>,
) -> Result<ValidToken, Failure> {
    let (header, claims) = decode_unverified(token)?;
    let algorithm = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if algorithm.eq_ignore_ascii_case("none") {
        return Err(Failure::id_token(
            "alg none",
            "The ID token is not signed (alg: none); unsigned tokens are never accepted.",
        ));
    }
    for claim in ["iss", "sub", "aud", "exp", "iat"] {
        let present = match claims.get(claim) {
            Some(Value::String(text)) => !text.is_empty(),
            Some(Value::Number(_) | Value::Array(_)) => true,
            _ => false,
        };
        if !present {
            return Err(Failure::id_token(
                &format!("missing {claim}"),
                format!("The ID token has no {claim} claim, which OpenID Connect requires."),
            ));
        }
    }
    let parsed = CoreIdToken::from_str(token).map_err(|error| {
        Failure::id_token(
            "malformed",
            format!("The ID token cannot be read: {error}."),
        )
    })?;
    let issuer = IssuerUrl::new(expect.issuer.to_owned()).map_err(Failure::internal)?;
    let allowed: Vec<CoreJwsSigningAlgorithm> = expect
        .allowed_algs
        .iter()
        .filter(|alg| !alg.eq_ignore_ascii_case("none"))
        .filter_map(|alg| serde_json::from_value(Value::String(alg.clone())).ok())
        .collect();
    let now = expect.now;
    let skew = expect.clock_skew;
    let verifier = CoreIdTokenVerifier::new_confidential_client(
        ClientId::new(expect.client_id.to_owned()),
        ClientSecret::new(expect.client_secret.expose_secret().to_owned()),
        issuer,
        keys.clone(),
    )
    .set_allowed_algs(allowed)
    // `exp` may be up to the allowance in the past.
    .set_time_fn(move || now - skew)
    // `iat` and `nbf` are checked below, after the signature, for a precise reason.
    .set_issue_time_verifier_fn(|_| Ok(()))
    // Extra audiences are judged by `azp`, below.
    .set_other_audience_verifier_fn(|_| true);
    let verified = match expect.nonce {
        Some(nonce) => parsed.claims(&verifier, &Nonce::new(nonce.to_owned())),
        None => parsed.claims(&verifier, |_: Option<&Nonce>| Ok(())),
    };
    verified.map_err(|error| classify(error, &claims, expect))?;

    let audiences = match claims.get("aud") {
        Some(Value::Array(values)) => values.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(one)) => vec![one.as_str()],
        _ => vec![],
    };
    let azp = claims.get("azp").and_then(Value::as_str);
    match azp {
        Some(azp) if azp != expect.client_id => {
            return Err(Failure::id_token(
                "azp mismatch",
                format!(
                    "The ID token's azp is {azp:?}, not this integration's client ID {:?}.",
                    expect.client_id
                ),
            ));
        }
        None if audiences.len() > 1 => {
            return Err(Failure::id_token(
                "azp mismatch",
                "The ID token names several audiences but no azp; azp must be this integration's client ID.",
            ));
        }
        _ => {}
    }
    let issued_at = time_claim(&claims, "iat").unwrap_or(now);
    let expires_at = time_claim(&claims, "exp").unwrap_or(now);
    for (claim, at) in [
        ("iat", Some(issued_at)),
        ("nbf", time_claim(&claims, "nbf")),
    ] {
        if let Some(at) = at
            && at > now + skew
        {
            return Err(Failure::new(
                "clock_skew",
                format!(
                    "The ID token's {claim} is {at}, {} s ahead of this server's clock ({now}); the allowance is {} s. Check the clocks, or raise the integration's clock skew allowance.",
                    (at - now).num_seconds(),
                    skew.num_seconds()
                ),
            ));
        }
    }
    Ok(ValidToken {
        subject: claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        key_id: header.get("kid").and_then(Value::as_str).map(str::to_owned),
        algorithm,
        issued_at,
        expires_at,
        claims,
    })
}

fn classify(
    error: ClaimsVerificationError,
    claims: &Map<String, Value>,
    expect: &Expectations<'_>,
) -> Failure {
    use ClaimsVerificationError as Claims;
    use SignatureVerificationError as Signature;
    match error {
        Claims::InvalidIssuer(_) => Failure::id_token(
            "issuer mismatch",
            format!(
                "The ID token's iss is {}, not the provider's issuer {:?}.",
                claims.get("iss").unwrap_or(&Value::Null),
                expect.issuer
            ),
        ),
        Claims::InvalidAudience(_) => Failure::id_token(
            "audience mismatch",
            format!(
                "The ID token's aud ({}) does not contain this integration's client ID {:?}.",
                claims.get("aud").unwrap_or(&Value::Null),
                expect.client_id
            ),
        ),
        Claims::Expired(message) => Failure::id_token(
            "expired",
            format!(
                "{message}; the clock skew allowance is {} s.",
                expect.clock_skew.num_seconds()
            ),
        ),
        Claims::InvalidNonce(message) => Failure::id_token(
            "nonce mismatch",
            format!("The ID token's nonce does not match the one this sign-in sent ({message})."),
        ),
        Claims::SignatureVerification(Signature::NoMatchingKey) => Failure::new(
            "unknown_signing_key",
            "The ID token is signed with a key the provider's JWKS does not contain.",
        ),
        Claims::SignatureVerification(Signature::NoSignature) => Failure::id_token(
            "alg none",
            "The ID token is not signed; unsigned tokens are never accepted.",
        ),
        Claims::SignatureVerification(
            Signature::DisallowedAlg(message) | Signature::UnsupportedAlg(message),
        ) => Failure::id_token(
            "disallowed algorithm",
            format!(
                "{message}. The provider declares: {}.",
                expect.allowed_algs.join(", ")
            ),
        ),
        Claims::SignatureVerification(other) => Failure::id_token(
            "bad signature",
            format!("The ID token's signature does not verify: {other}."),
        ),
        other => Failure::id_token("malformed", other.to_string()),
    }
}

pub(super) type Claims = Map<String, Value>;

/// The header and claims, read without any check (only to say precisely what is wrong).
pub(super) fn decode_unverified(token: &str) -> Result<(Claims, Claims), Failure> {
    let malformed = || {
        Failure::id_token(
            "malformed",
            "The ID token is not a JSON Web Token (three base64url parts).",
        )
    };
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let part = |text: &str| -> Result<Claims, Failure> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| malformed())?;
        match serde_json::from_slice(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(malformed()),
        }
    };
    Ok((part(header)?, part(payload)?))
}

fn time_claim(claims: &Map<String, Value>, name: &str) -> Option<DateTime<Utc>> {
    let seconds = claims.get(name)?.as_f64()?;
    Utc.timestamp_opt(seconds as i64, 0).single()
}
