//! The sign-in flows: the messenger's popup (authorization code with PKCE, started and finished
//! here), the page-side exchange for sites that run their own login, session refresh and
//! sign-out. Every flow ends in [`verify_identity`], so all of them apply the same rules.

use chrono::{Duration, Utc};
use openidconnect::PkceCodeChallenge;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use switchboard_db::entities::{auth_flow, integration};
use switchboard_domain::conversation::Identity;
use switchboard_domain::integration::Status;
use switchboard_domain::sign_in::{MessengerSession, TestCheck};
use url::Url;
use uuid::Uuid;

use super::id_token::{self, Expectations, ValidToken};
use super::provider::{Metadata, unreachable};
use super::token_endpoint::{self, Client, Tokens};
use super::{Failure, groups};
use crate::discovery::DiscoveryUri;
use crate::integrations::{okta_api_token_context, open_client_secret};
use crate::messenger_sessions::{self, NewSession};
use crate::sign_in_log::{self, Purpose};
use crate::{Services, deployments, opaque};

/// How long a started sign-in may take at the provider.
pub const FLOW_LIFETIME: Duration = Duration::minutes(10);

/// The sign-in redirect URI registered at the provider.
pub fn redirect_uri(base_url: &str) -> String {
    format!("{base_url}/messenger/auth/callback")
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
    let served = deployments::served(services.db(), deployment_id)
        .await?
        .ok_or_else(|| {
            Failure::new(
                "deployment_unavailable",
                "No active messenger deployment has this id.",
            )
        })?;
    let authentication = &served.content.authentication;
    let integration_id = authentication
        .integration_id
        .filter(|_| authentication.enabled)
        .ok_or_else(|| {
            Failure::new(
                "sign_in_disabled",
                "This messenger's configuration does not use sign-in.",
            )
        })?;
    let row = integration(services, integration_id).await?;
    if row.status != Status::Active.as_str() {
        return Err(Failure::new(
            "integration_inactive",
            "The integration this messenger signs in with is inactive.",
        ));
    }
    start(services, base_url, "visitor", Some(deployment_id), &row).await
}

/// Starts an admin's "Test sign-in" through integration `integration_id` (active or not).
pub async fn start_test(
    services: &Services,
    base_url: &str,
    integration_id: Uuid,
) -> Result<Started, Failure> {
    let row = integration(services, integration_id).await?;
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

/// Finishes a flow at the callback. `browser_binding` is the cookie the start set.
pub async fn finish(
    services: &Services,
    base_url: &str,
    callback: &Callback,
    browser_binding: Option<&str>,
) -> Result<Finished, Failure> {
    let flow = consume(services, callback.state.as_deref(), browser_binding).await?;
    let purpose = if flow.purpose == "test" {
        Purpose::Test
    } else {
        Purpose::Visitor
    };
    let result = complete(services, base_url, &flow, callback).await;
    let subject = match &result {
        Ok(Finished::Visitor { session, .. }) => {
            session.identity.as_ref().map(|i| i.subject.clone())
        }
        Ok(Finished::Test { claims, .. }) => {
            claims.get("sub").and_then(Value::as_str).map(str::to_owned)
        }
        Err(_) => None,
    };
    sign_in_log::record(
        services.db(),
        flow.integration_id,
        flow.deployment_id,
        purpose,
        result
            .as_ref()
            .map(|_| subject.as_deref().unwrap_or_default()),
    )
    .await;
    result
}

/// Takes the flow `state` names, once: unknown, reused, expired and other-browser states all
/// fail with `state_mismatch`.
async fn consume(
    services: &Services,
    state: Option<&str>,
    browser_binding: Option<&str>,
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
            services.db(),
            flow.integration_id,
            flow.deployment_id,
            Purpose::Visitor,
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
) -> Result<Finished, Failure> {
    if let Some(error) = &callback.error {
        return Err(Failure::new(
            format!("provider_error: {error}"),
            callback
                .error_description
                .clone()
                .unwrap_or_else(|| "The provider refused the sign-in.".to_owned()),
        ));
    }
    let row = integration(services, flow.integration_id).await?;
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
    match flow.deployment_id {
        Some(deployment_id) if flow.purpose == "visitor" => {
            let session = new_session(services, &row, deployment_id, &identity, &tokens).await?;
            Ok(Finished::Visitor {
                deployment_id,
                session,
            })
        }
        _ => Ok(Finished::Test {
            integration_id: row.id,
            checks: test_checks(&row, &metadata, &token, &identity),
            claims: token.claims,
        }),
    }
}

/// What a page that ran its own authorization request sends to sign its visitor in.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageSideCode {
    pub code: String,
    pub redirect_uri: String,
    pub nonce: String,
    pub code_verifier: String,
    pub iss: Option<String>,
}

/// Page-side sign-in: exchanges a code the customer's page obtained (with the integration's
/// client and its own redirect URI) and validates the result as the callback would.
pub async fn exchange(
    services: &Services,
    deployment_id: Uuid,
    input: &PageSideCode,
) -> Result<MessengerSession, Failure> {
    let served = deployments::served(services.db(), deployment_id)
        .await?
        .ok_or_else(|| {
            Failure::new(
                "deployment_unavailable",
                "No active messenger deployment has this id.",
            )
        })?;
    let authentication = &served.content.authentication;
    let integration_id = authentication
        .integration_id
        .filter(|_| authentication.enabled)
        .ok_or_else(|| {
            Failure::new(
                "sign_in_disabled",
                "This messenger's configuration does not use sign-in.",
            )
        })?;
    let result = async {
        let redirect = Url::parse(&input.redirect_uri)
            .map_err(|_| Failure::new("invalid_request", "redirectUri is not an absolute URL."))?;
        if !served.allows_origin(&redirect.origin().ascii_serialization())? {
            return Err(Failure::new(
                "invalid_request",
                "redirectUri is not on one of this deployment's allowed domains.",
            ));
        }
        let row = integration(services, integration_id).await?;
        if row.status != Status::Active.as_str() {
            return Err(Failure::new(
                "integration_inactive",
                "The integration this messenger signs in with is inactive.",
            ));
        }
        let metadata = metadata(services, &row).await?;
        check_iss_parameter(&metadata, input.iss.as_deref())?;
        let secret = client_secret(services, &row)?;
        let client = Client {
            id: row.client_id.as_deref().unwrap_or_default(),
            secret: &secret,
        };
        let tokens = token_endpoint::exchange_code(
            services.providers().client(),
            &metadata,
            &client,
            &input.code,
            &input.redirect_uri,
            &input.code_verifier,
        )
        .await?;
        let (_, identity) = verify_identity(
            services,
            &row,
            &metadata,
            &client,
            &tokens,
            Some(&input.nonce),
        )
        .await?;
        new_session(services, &row, deployment_id, &identity, &tokens).await
    }
    .await;
    sign_in_log::record(
        services.db(),
        integration_id,
        Some(deployment_id),
        Purpose::Exchange,
        result.as_ref().map(|session| {
            session
                .identity
                .as_ref()
                .map(|identity| identity.subject.as_str())
                .unwrap_or_default()
        }),
    )
    .await;
    result
}

/// Keeps a signed-in session alive with the provider's refresh token. When the provider
/// refuses, the session ends and the messenger asks the visitor to sign in again.
pub async fn refresh(services: &Services, token: &str) -> Result<MessengerSession, Failure> {
    let expired = || {
        Failure::new(
            "session_expired",
            "This messenger session has ended; sign in again.",
        )
    };
    let row = messenger_sessions::find_row(services.db(), token)
        .await?
        .ok_or_else(expired)?;
    let session = messenger_sessions::to_session(&row)?;
    let (Some(integration_id), Some(refresh_token)) = (
        row.integration_id,
        messenger_sessions::open_refresh_token(services.keyring(), &row)?,
    ) else {
        return Ok(MessengerSession {
            token: token.to_owned(),
            expires_at: session.expires_at,
            identity: session.identity,
        });
    };
    let result = async {
        let integration_row = integration(services, integration_id).await?;
        let metadata = metadata(services, &integration_row).await?;
        let secret = client_secret(services, &integration_row)?;
        let client = Client {
            id: integration_row.client_id.as_deref().unwrap_or_default(),
            secret: &secret,
        };
        let tokens = token_endpoint::refresh(
            services.providers().client(),
            &metadata,
            &client,
            &refresh_token,
        )
        .await?;
        if tokens.id_token.is_some() {
            let (_, identity) = verify_identity(
                services,
                &integration_row,
                &metadata,
                &client,
                &tokens,
                None,
            )
            .await?;
            if Some(&identity.subject) != session.identity.as_ref().map(|i| &i.subject) {
                return Err(Failure::id_token(
                    "subject changed",
                    "The refreshed ID token names another user.",
                ));
            }
        }
        let lifetime = match deployments::served(services.db(), row.deployment_id).await? {
            Some(served) => Duration::seconds(served.content.session_lifetime_seconds),
            None => return Err(expired()),
        };
        Ok(messenger_sessions::extend(
            services.db(),
            services.keyring(),
            row.clone(),
            lifetime,
            tokens.refresh_token.as_ref(),
        )
        .await?)
    }
    .await;
    sign_in_log::record(
        services.db(),
        integration_id,
        Some(row.deployment_id),
        Purpose::Refresh,
        result.as_ref().map(|_| {
            session
                .identity
                .as_ref()
                .map(|identity| identity.subject.as_str())
                .unwrap_or_default()
        }),
    )
    .await;
    match result {
        Ok(extended) => Ok(MessengerSession {
            token: token.to_owned(),
            expires_at: extended.expires_at,
            identity: session.identity,
        }),
        Err(failure) => {
            messenger_sessions::end(services.db(), row.id).await?;
            Err(Failure::new("refresh_failed", failure.to_string()))
        }
    }
}

/// Ends the session `token` names and revokes its refresh token at the provider. Returns the
/// provider's RP-initiated logout URL, when it has one, for the visitor to end the provider's
/// own session too.
pub async fn sign_out(services: &Services, token: &str) -> Result<Option<Url>, Failure> {
    let Some(row) = messenger_sessions::find_row(services.db(), token).await? else {
        return Ok(None);
    };
    messenger_sessions::end(services.db(), row.id).await?;
    let Some(integration_id) = row.integration_id else {
        return Ok(None);
    };
    let integration_row = integration(services, integration_id).await?;
    let Ok(metadata) = metadata(services, &integration_row).await else {
        return Ok(None);
    };
    if let Some(refresh_token) = messenger_sessions::open_refresh_token(services.keyring(), &row)?
        && let Ok(secret) = client_secret(services, &integration_row)
    {
        let client = Client {
            id: integration_row.client_id.as_deref().unwrap_or_default(),
            secret: &secret,
        };
        token_endpoint::revoke(
            services.providers().client(),
            &metadata,
            &client,
            &refresh_token,
        )
        .await;
    }
    Ok(metadata.end_session_endpoint.clone().map(|mut url| {
        if let Some(client_id) = &integration_row.client_id {
            url.query_pairs_mut().append_pair("client_id", client_id);
        }
        url
    }))
}

/// Validates the ID token of `tokens` and works out who the user is: userinfo when the token
/// lacks names or groups (its `sub` must match), groups for the allowed-groups rule.
async fn verify_identity(
    services: &Services,
    row: &integration::Model,
    metadata: &Metadata,
    client: &Client<'_>,
    tokens: &Tokens,
    nonce: Option<&str>,
) -> Result<(ValidToken, Identity), Failure> {
    let raw = tokens
        .id_token
        .as_deref()
        .ok_or_else(|| Failure::id_token("missing", "The token response carries no id_token."))?;
    let expect = Expectations {
        issuer: &metadata.issuer,
        client_id: client.id,
        client_secret: client.secret,
        nonce,
        clock_skew: Duration::seconds(row.clock_skew_seconds.into()),
        allowed_algs: &metadata.signing_algs,
        now: Utc::now(),
    };
    let cache = services.providers();
    let keys = cache.keys(row.id, metadata).await?;
    let token = match id_token::validate(raw, &keys, &expect) {
        Err(failure) if id_token::is_unknown_key(&failure) => {
            match cache.refetch_keys(row.id, metadata).await? {
                Some(keys) => id_token::validate(raw, &keys, &expect)?,
                None => {
                    return Err(Failure::new(
                        "unknown_signing_key",
                        format!(
                            "{} The keys were refetched less than a minute ago, so they were not fetched again.",
                            failure.detail
                        ),
                    ));
                }
            }
        }
        other => other?,
    };
    let allowed_groups: Vec<String> =
        serde_json::from_value(row.allowed_groups.clone()).unwrap_or_default();
    let mut groups = token.groups();
    let mut name = token.text("name");
    let mut email = token.text("email");
    let wants_groups = !allowed_groups.is_empty() && groups.is_none();
    if (name.is_none() || email.is_none() || wants_groups)
        && let (Some(endpoint), Some(access_token)) =
            (&metadata.userinfo_endpoint, &tokens.access_token)
    {
        let info = userinfo(services, endpoint, access_token, &token.subject).await?;
        name = name.or_else(|| text(&info, "name"));
        email = email.or_else(|| text(&info, "email"));
        if groups.is_none() {
            groups = id_token::groups_claim(&info);
        }
    }
    if groups.is_none()
        && !allowed_groups.is_empty()
        && let Some(sealed) = &row.okta_api_token_sealed
    {
        let api_token = services
            .keyring()
            .open(
                &okta_api_token_context(row.id),
                std::str::from_utf8(sealed).unwrap_or_default(),
            )
            .map_err(Failure::internal)?;
        groups = Some(
            groups::okta_groups(
                services.providers().client(),
                &metadata.issuer,
                &token.subject,
                &api_token,
            )
            .await?,
        );
    }
    let groups = groups.unwrap_or_default();
    groups::check_allowed(&allowed_groups, &groups)?;
    let identity = Identity {
        issuer: metadata.issuer.clone(),
        subject: token.subject.clone(),
        email,
        name,
        groups,
    };
    Ok((token, identity))
}

async fn userinfo(
    services: &Services,
    endpoint: &Url,
    access_token: &SecretString,
    subject: &str,
) -> Result<Map<String, Value>, Failure> {
    let response = services
        .providers()
        .client()
        .get_json_authorized(endpoint, "Bearer", access_token.expose_secret())
        .await
        .map_err(unreachable)?;
    let Value::Object(info) = response.body else {
        return Err(Failure::new(
            "userinfo_failed",
            format!(
                "The userinfo endpoint answered HTTP {} without JSON claims.",
                response.status
            ),
        ));
    };
    if !(200..300).contains(&response.status) {
        return Err(Failure::new(
            "userinfo_failed",
            format!("The userinfo endpoint answered HTTP {}.", response.status),
        ));
    }
    match info.get("sub").and_then(Value::as_str) {
        Some(sub) if sub == subject => Ok(info),
        found => Err(Failure::new(
            "userinfo_mismatch",
            format!(
                "userinfo names subject {:?}, but the ID token names {subject:?}; the answers are not about the same user.",
                found.unwrap_or("(none)")
            ),
        )),
    }
}

async fn new_session(
    services: &Services,
    row: &integration::Model,
    deployment_id: Uuid,
    identity: &Identity,
    tokens: &Tokens,
) -> Result<MessengerSession, Failure> {
    let served = deployments::served(services.db(), deployment_id)
        .await?
        .ok_or_else(|| {
            Failure::new(
                "deployment_unavailable",
                "The messenger deployment was deactivated during the sign-in.",
            )
        })?;
    Ok(messenger_sessions::create(
        services.db(),
        services.keyring(),
        NewSession {
            deployment_id,
            integration_id: Some(row.id),
            identity: Some(identity),
            refresh_token: tokens.refresh_token.as_ref(),
            lifetime: Duration::seconds(served.content.session_lifetime_seconds),
            longest: Duration::seconds(row.max_refresh_token_lifetime_seconds),
        },
    )
    .await?)
}

fn check_iss_parameter(metadata: &Metadata, iss: Option<&str>) -> Result<(), Failure> {
    match iss {
        Some(iss) if iss != metadata.issuer => Err(Failure::new(
            "issuer_mismatch",
            format!(
                "The authorization response names issuer {iss:?}, not {:?} (RFC 9207): it may come from another provider.",
                metadata.issuer
            ),
        )),
        None if metadata.iss_parameter_supported => Err(Failure::new(
            "issuer_mismatch",
            "The provider promises an iss parameter on authorization responses, and this one has none.",
        )),
        _ => Ok(()),
    }
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

async fn integration(services: &Services, id: Uuid) -> Result<integration::Model, Failure> {
    integration::Entity::find_by_id(id)
        .one(services.db())
        .await?
        .ok_or_else(|| Failure::new("integration_unavailable", "The integration was deleted."))
}

async fn metadata(
    services: &Services,
    row: &integration::Model,
) -> Result<std::sync::Arc<Metadata>, Failure> {
    let stored = row.discovery_uri.as_deref().unwrap_or_default();
    let uri = DiscoveryUri::parse(
        "discoveryUri",
        stored,
        services.settings().allow_insecure_localhost,
    )
    .map_err(|error| Failure::new("integration_incomplete", error.message))?;
    services.providers().metadata(row.id, &uri).await
}

fn client_secret(services: &Services, row: &integration::Model) -> Result<SecretString, Failure> {
    open_client_secret(services.keyring(), row)?.ok_or_else(|| {
        Failure::new(
            "integration_incomplete",
            "The integration has no client secret yet.",
        )
    })
}

fn scopes(row: &integration::Model) -> Vec<String> {
    let mut scopes: Vec<String> = serde_json::from_value(row.scopes.clone()).unwrap_or_default();
    if !scopes.iter().any(|scope| scope == "openid") {
        scopes.insert(0, "openid".to_owned());
    }
    scopes
}

fn text(claims: &Map<String, Value>, name: &str) -> Option<String> {
    claims.get(name).and_then(Value::as_str).map(str::to_owned)
}

fn verifier_context(state_hash: &str) -> String {
    format!("auth_flow/{state_hash}/pkce_verifier")
}
