//! The messenger's popup sign-in: the authorization code flow with PKCE, started at
//! `/messenger/auth/start` and finished at the callback, for visitors and for an admin's
//! "Test sign-in".

use chrono::{Duration, Utc};
use openidconnect::PkceCodeChallenge;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use switchboard_db::entities::{auth_flow, integration};
use switchboard_domain::conversation::Identity;
use switchboard_domain::sign_in::{MessengerSession, TestCheck};
use url::Url;
use uuid::Uuid;

use super::Failure;
use super::id_token::ValidToken;
use super::identity::{check_iss_parameter, new_session, verify_identity};
use super::integration::{
    active_integration, client_secret, integration_row, metadata, scopes, signing_deployment,
};
use super::provider::Metadata;
use super::token_endpoint::{self, Client};
use crate::sign_in_log::{self, Attempt, Purpose, Success};
use crate::{Services, opaque};

/// How long a started sign-in may take at the provider.
pub const FLOW_LIFETIME: Duration = Duration::minutes(10);

/// The sign-in redirect URI registered at the provider.
pub fn redirect_uri(base_url: &str) -> String {
    switchboard_domain::urls::callback(base_url)
}

/// A sign-in sent to the provider: where to send the browser, and the value of the cookie that
/// binds the flow to that browser.
#[derive(Debug)]
pub struct Started {
    pub authorization_url: Url,
    /// The `state` sent; the callback's cookie is named after its digest.
    pub state: SecretString,
    pub browser_binding: SecretString,
}

/// Starts a visitor's sign-in for deployment `deployment_id`.
pub async fn start_visitor(
    services: &Services,
    base_url: &str,
    deployment_id: Uuid,
) -> Result<Started, Failure> {
    let (_, integration_id) = signing_deployment(services, deployment_id).await?;
    let row = active_integration(services, integration_id).await?;
    start(services, base_url, "visitor", Some(deployment_id), &row).await
}

/// Starts an admin's "Test sign-in" through integration `integration_id` (active or not).
pub async fn start_test(
    services: &Services,
    base_url: &str,
    integration_id: Uuid,
) -> Result<Started, Failure> {
    let row = integration_row(services, integration_id).await?;
    start(services, base_url, "test", None, &row).await
}

async fn start(
    services: &Services,
    base_url: &str,
    purpose: &str,
    deployment_id: Option<Uuid>,
    row: &integration::Model,
) -> Result<Started, Failure> {
    let client_id = row.client_id.clone().ok_or_else(|| {
        Failure::new(
            "integration_incomplete",
            "The integration has no client credentials yet.",
        )
    })?;
    let metadata = metadata(services, row).await?;
    let state = opaque::new_token("");
    let nonce = opaque::new_token("");
    let browser_binding = opaque::new_token("");
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let state_hash = opaque::digest(&state);
    let now = Utc::now();
    // Flows nobody finished are of no use to anyone once expired.
    auth_flow::Entity::delete_many()
        .filter(auth_flow::Column::ExpiresAt.lt(now - Duration::hours(1)))
        .exec(services.db())
        .await?;
    auth_flow::ActiveModel {
        state_hash: Set(state_hash.clone()),
        purpose: Set(purpose.to_owned()),
        deployment_id: Set(deployment_id),
        integration_id: Set(row.id),
        nonce: Set(nonce.expose_secret().to_owned()),
        pkce_verifier_sealed: Set(services
            .keyring()
            .seal(
                &verifier_context(&state_hash),
                &SecretString::from(verifier.secret().to_owned()),
            )
            .into_bytes()),
        browser_hash: Set(opaque::digest(&browser_binding)),
        created_at: Set(now),
        expires_at: Set(now + FLOW_LIFETIME),
        used_at: Set(None),
    }
    .insert(services.db())
    .await?;
    let scopes = scopes(row).join(" ");
    let mut authorization_url = metadata.authorization_endpoint.clone();
    authorization_url
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &client_id)
        .append_pair("redirect_uri", &redirect_uri(base_url))
        .append_pair("scope", &scopes)
        .append_pair("state", state.expose_secret())
        .append_pair("nonce", nonce.expose_secret())
        .append_pair("code_challenge", challenge.as_str())
        .append_pair("code_challenge_method", "S256");
    Ok(Started {
        authorization_url,
        state,
        browser_binding,
    })
}

/// The query of `/messenger/auth/callback`.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// How a finished flow ends.
#[derive(Debug)]
pub enum Finished {
    /// A visitor signed in: hand this session to the messenger of `deployment_id`.
    Visitor {
        deployment_id: Uuid,
        session: MessengerSession,
    },
    /// An admin's test: the claims and the checklist, nothing created.
    Test {
        integration_id: Uuid,
        claims: Map<String, Value>,
        checks: Vec<TestCheck>,
    },
}

/// Finishes a flow at the callback. `browser_binding` is the cookie the start set; `client`
/// is the browser's address, for the sign-in log's flood guard.
pub async fn finish(
    services: &Services,
    base_url: &str,
    callback: &Callback,
    browser_binding: Option<&str>,
    client: &str,
) -> Result<Finished, Failure> {
    let flow = consume(services, callback.state.as_deref(), browser_binding, client).await?;
    let purpose = if flow.purpose == "test" {
        Purpose::Test
    } else {
        Purpose::Visitor
    };
    let attempt = Attempt {
        integration_id: flow.integration_id,
        deployment_id: flow.deployment_id,
        purpose,
        client: Some(client),
    };
    let result = complete(services, base_url, &flow, callback, attempt).await;
    // A visitor's session is logged with its creation; a test or a failure is logged here.
    match &result {
        Ok((Finished::Visitor { .. }, _)) => {}
        Ok((Finished::Test { claims, .. }, note)) => {
            let subject = claims
                .get("sub")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let success = Success {
                subject,
                note: *note,
            };
            sign_in_log::record(services, attempt, Ok(success)).await;
        }
        Err(failure) => sign_in_log::record(services, attempt, Err(failure)).await,
    }
    result.map(|(finished, _)| finished)
}

/// Takes the flow `state` names, once: unknown, reused, expired and other-browser states all
/// fail with `state_mismatch`.
async fn consume(
    services: &Services,
    state: Option<&str>,
    browser_binding: Option<&str>,
    client: &str,
) -> Result<auth_flow::Model, Failure> {
    let mismatch = |detail: &str| Failure::new("state_mismatch", detail);
    let state = state.filter(|state| !state.is_empty()).ok_or_else(|| {
        mismatch("The provider's answer carries no state; start the sign-in again.")
    })?;
    let state_hash = opaque::digest(&SecretString::from(state.to_owned()));
    let now = Utc::now();
    let taken = auth_flow::Entity::update_many()
        .col_expr(auth_flow::Column::UsedAt, Expr::value(now))
        .filter(auth_flow::Column::StateHash.eq(state_hash.as_str()))
        .filter(auth_flow::Column::UsedAt.is_null())
        .filter(auth_flow::Column::ExpiresAt.gt(now))
        .exec(services.db())
        .await?;
    if taken.rows_affected != 1 {
        return Err(mismatch(
            "This sign-in is unknown, already used or older than 10 minutes; start it again.",
        ));
    }
    let flow = auth_flow::Entity::find_by_id(state_hash)
        .one(services.db())
        .await?
        .ok_or_else(|| mismatch("This sign-in vanished; start it again."))?;
    let same_browser = browser_binding.is_some_and(|value| {
        opaque::digest(&SecretString::from(value.to_owned())) == flow.browser_hash
    });
    if !same_browser {
        let failure = mismatch(
            "This sign-in was started in another browser (or its cookie was lost); start it again here.",
        );
        sign_in_log::record(
            services,
            Attempt {
                integration_id: flow.integration_id,
                deployment_id: flow.deployment_id,
                purpose: Purpose::Visitor,
                client: Some(client),
            },
            Err(&failure),
        )
        .await;
        return Err(failure);
    }
    Ok(flow)
}

async fn complete(
    services: &Services,
    base_url: &str,
    flow: &auth_flow::Model,
    callback: &Callback,
    attempt: Attempt<'_>,
) -> Result<(Finished, Option<&'static str>), Failure> {
    if let Some(error) = &callback.error {
        return Err(Failure::new(
            format!("provider_error: {error}"),
            callback
                .error_description
                .clone()
                .unwrap_or_else(|| "The provider refused the sign-in.".to_owned()),
        ));
    }
    let row = integration_row(services, flow.integration_id).await?;
    let metadata = metadata(services, &row).await?;
    check_iss_parameter(&metadata, callback.iss.as_deref())?;
    let code = callback
        .code
        .as_deref()
        .filter(|code| !code.is_empty())
        .ok_or_else(|| Failure::new("missing_code", "The provider's answer carries no code."))?;
    let verifier = services
        .keyring()
        .open(
            &verifier_context(&flow.state_hash),
            std::str::from_utf8(&flow.pkce_verifier_sealed).unwrap_or_default(),
        )
        .map_err(Failure::internal)?;
    let secret = client_secret(services, &row)?;
    let client = Client {
        id: row.client_id.as_deref().unwrap_or_default(),
        secret: &secret,
    };
    let tokens = token_endpoint::exchange_code(
        services.providers().client(),
        &metadata,
        &client,
        code,
        &redirect_uri(base_url),
        verifier.expose_secret(),
    )
    .await?;
    let (token, identity) = verify_identity(
        services,
        &row,
        &metadata,
        &client,
        &tokens,
        Some(&flow.nonce),
    )
    .await?;
    let note = refresh_token_note(&row, &tokens);
    let finished = match flow.deployment_id {
        Some(deployment_id) if flow.purpose == "visitor" => {
            let signed_out = switchboard_domain::urls::signed_out(base_url);
            let session = new_session(
                services,
                &row,
                (deployment_id, attempt),
                &identity,
                (&tokens, note),
                (signed_out, token.text("sid")),
            )
            .await?;
            Finished::Visitor {
                deployment_id,
                session,
            }
        }
        _ => Finished::Test {
            integration_id: row.id,
            checks: test_checks(&row, &metadata, &token, &identity),
            claims: token.claims,
        },
    };
    Ok((finished, note))
}

/// [`sign_in_log::NO_REFRESH_TOKEN`] when the sign-in asked for `offline_access` and the
/// provider answered without a refresh token: the messenger session then cannot be refreshed.
pub(super) fn refresh_token_note(
    row: &integration::Model,
    tokens: &token_endpoint::Tokens,
) -> Option<&'static str> {
    let asked = scopes(row).iter().any(|scope| scope == "offline_access");
    (asked && tokens.refresh_token.is_none()).then_some(sign_in_log::NO_REFRESH_TOKEN)
}

fn test_checks(
    row: &integration::Model,
    metadata: &Metadata,
    token: &ValidToken,
    identity: &Identity,
) -> Vec<TestCheck> {
    let check = |label: &str, detail: String| TestCheck {
        label: label.to_owned(),
        passed: true,
        detail,
    };
    let now = Utc::now();
    vec![
        check(
            "Issuer",
            format!("iss is {}, exactly the provider's issuer.", metadata.issuer),
        ),
        check(
            "Audience",
            format!(
                "aud contains the client ID {}.",
                row.client_id.as_deref().unwrap_or_default()
            ),
        ),
        check(
            "Algorithm",
            format!(
                "Signed with {}, which the provider declares.",
                token.algorithm
            ),
        ),
        check(
            "Key found",
            format!(
                "Key {} is in the provider's JWKS and the signature verifies.",
                token.key_id.as_deref().unwrap_or("(no kid)")
            ),
        ),
        check(
            "Nonce",
            "The nonce matches the one this sign-in sent.".to_owned(),
        ),
        check(
            "Times",
            format!(
                "Issued {} s before this server's clock (allowance {} s); expires in {} s.",
                (now - token.issued_at).num_seconds(),
                row.clock_skew_seconds,
                (token.expires_at - now).num_seconds()
            ),
        ),
        check(
            "Groups",
            if identity.groups.is_empty() {
                "No groups claim.".to_owned()
            } else {
                identity.groups.join(", ")
            },
        ),
    ]
}

fn verifier_context(state_hash: &str) -> String {
    format!("auth_flow/{state_hash}/pkce_verifier")
}
