//! Who signed in: the ID token validated against the provider's keys (refetched once for an
//! unknown key), userinfo when the token lacks names or groups, the allowed-groups rule, and
//! the messenger session the identity gets.

use chrono::{Duration, Utc};
use sea_orm::TransactionTrait;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use switchboard_db::entities::integration;
use switchboard_domain::conversation::Identity;
use switchboard_domain::provider::{GroupsSource, ProviderKind};
use switchboard_domain::sign_in::MessengerSession;
use url::Url;
use uuid::Uuid;

use super::id_token::{self, Expectations, ValidToken};
use super::provider::{Metadata, unreachable};
use super::token_endpoint::{self, Client, Tokens};
use super::{Failure, groups};
use crate::integrations::okta_api_token_context;
use crate::messenger_sessions::{self, NewSession};
use crate::sign_in_log::{self, Attempt, Success};
use crate::{Services, deployments};

/// Validates the ID token of `tokens` and works out who the user is: userinfo when the token
/// lacks names or groups (its `sub` must match), groups for the allowed-groups rule.
pub(super) async fn verify_identity(
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
    let allowed_groups = allowed_groups(row);
    let mut groups = token.groups();
    let mut name = token.text("name");
    let mut email = token.text("email");
    let mut email_verified = email.is_some() && flag(&token.claims, "email_verified");
    let groups_from_userinfo = groups_sources(row)?.contains(&GroupsSource::Userinfo);
    let wants_groups = !allowed_groups.is_empty() && groups.is_none() && groups_from_userinfo;
    if (name.is_none() || email.is_none() || wants_groups)
        && let (Some(endpoint), Some(access_token)) =
            (&metadata.userinfo_endpoint, &tokens.access_token)
    {
        let info = userinfo(services, endpoint, access_token, &token.subject).await?;
        name = name.or_else(|| text(&info, "name"));
        if email.is_none() {
            email = text(&info, "email");
            email_verified = email.is_some() && flag(&info, "email_verified");
        }
        if groups.is_none() && groups_from_userinfo {
            groups = id_token::groups_claim(&info);
        }
    }
    let lookup = Lookup {
        subject: &token.subject,
        claims: Some(&token.claims),
        client: Some(client),
    };
    let groups = check_groups(services, row, metadata, &lookup, groups).await?;
    let identity = Identity {
        issuer: metadata.issuer.clone(),
        subject: token.subject.clone(),
        email,
        email_verified,
        name,
        groups,
    };
    Ok((token, identity))
}

/// Applies the allowed-groups rule again after a refresh whose tokens carry no ID token: the
/// groups come from userinfo (with the new access token), else from Okta's API; with neither,
/// the rule cannot pass.
pub(super) async fn recheck_groups(
    services: &Services,
    row: &integration::Model,
    metadata: &Metadata,
    tokens: &Tokens,
    subject: &str,
) -> Result<(), Failure> {
    if allowed_groups(row).is_empty() {
        return Ok(());
    }
    let mut groups = None;
    if let (Some(endpoint), Some(access_token)) =
        (&metadata.userinfo_endpoint, &tokens.access_token)
    {
        let info = userinfo(services, endpoint, access_token, subject).await?;
        groups = id_token::groups_claim(&info);
    }
    let lookup = Lookup {
        subject,
        claims: None,
        client: None,
    };
    check_groups(services, row, metadata, &lookup, groups).await?;
    Ok(())
}

/// What a provider's own API needs to look a user's groups up.
struct Lookup<'a> {
    subject: &'a str,
    /// The ID token's claims, when there is one (Entra's overage signal and `oid`).
    claims: Option<&'a Map<String, Value>>,
    /// The app's credentials, for an API that takes a token of the app's own.
    client: Option<&'a Client<'a>>,
}

/// The user's groups when the integration requires some: `known` (from the ID token or
/// userinfo), else the provider profile's own API; then the allowed-groups rule.
async fn check_groups(
    services: &Services,
    row: &integration::Model,
    metadata: &Metadata,
    lookup: &Lookup<'_>,
    known: Option<Vec<String>>,
) -> Result<Vec<String>, Failure> {
    let allowed = allowed_groups(row);
    let mut groups = known;
    if groups.is_none() && !allowed.is_empty() {
        groups = provider_groups(services, row, metadata, lookup).await?;
    }
    let groups = groups.unwrap_or_default();
    groups::check_allowed(&allowed, &groups)?;
    Ok(groups)
}

/// The groups from the first API of the profile's sources that applies; `None` when none does.
async fn provider_groups(
    services: &Services,
    row: &integration::Model,
    metadata: &Metadata,
    lookup: &Lookup<'_>,
) -> Result<Option<Vec<String>>, Failure> {
    let http = services.providers().client();
    for source in groups_sources(row)? {
        match source {
            // Read before this is called.
            GroupsSource::Claim | GroupsSource::Userinfo => {}
            GroupsSource::OktaApi => {
                let Some(sealed) = &row.okta_api_token_sealed else {
                    continue;
                };
                let api_token = services
                    .keyring()
                    .open(
                        &okta_api_token_context(row.id),
                        std::str::from_utf8(sealed).unwrap_or_default(),
                    )
                    .map_err(Failure::internal)?;
                let found =
                    groups::okta_groups(http, &metadata.issuer, lookup.subject, &api_token).await?;
                return Ok(Some(found));
            }
            GroupsSource::MicrosoftGraph => {
                let (Some(claims), Some(client)) = (lookup.claims, lookup.client) else {
                    continue;
                };
                if !groups::signals_group_overage(claims) {
                    continue;
                }
                let object_id = claims
                    .get("oid")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let graph = services.settings().microsoft_graph();
                let scope = groups::graph_scope(graph);
                let app_token = token_endpoint::client_credentials(http, metadata, client, &scope)
                    .await
                    .map_err(|failure| {
                        Failure::new(
                            "group_lookup_failed",
                            format!(
                                "Entra ID gave no token for Microsoft Graph ({}): {}",
                                failure.reason, failure.detail
                            ),
                        )
                    })?;
                let found = groups::graph_groups(http, graph, &app_token, object_id).await?;
                return Ok(Some(found));
            }
        }
    }
    Ok(None)
}

/// Where the integration's provider profile reads groups from, in order.
fn groups_sources(row: &integration::Model) -> Result<&'static [GroupsSource], Failure> {
    let provider: ProviderKind = row.provider.parse().map_err(Failure::internal)?;
    Ok(provider.profile().groups)
}

fn allowed_groups(row: &integration::Model) -> Vec<String> {
    serde_json::from_value(row.allowed_groups.clone()).unwrap_or_default()
}

pub(super) async fn userinfo(
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

/// Creates the messenger session of a sign-in that worked, and its line in the sign-in log, in
/// one commit: the sign-in waits on one durable write instead of two.
pub(super) async fn new_session(
    services: &Services,
    row: &integration::Model,
    (deployment_id, logged): (Uuid, Attempt<'_>),
    identity: &Identity,
    (tokens, note): (&Tokens, Option<&str>),
    (post_logout_redirect_uri, provider_sid): (String, Option<String>),
) -> Result<MessengerSession, Failure> {
    let served = deployments::served(services.db(), deployment_id)
        .await?
        .ok_or_else(|| {
            Failure::new(
                "deployment_unavailable",
                "The messenger deployment was deactivated during the sign-in.",
            )
        })?;
    let transaction = services.db().begin().await?;
    let session = messenger_sessions::create(
        &transaction,
        services.keyring(),
        NewSession {
            deployment_id,
            integration_id: Some(row.id),
            identity: Some(identity),
            refresh_token: tokens.refresh_token.as_ref(),
            lifetime: Duration::seconds(served.content.session_lifetime_seconds),
            longest: Duration::seconds(row.max_refresh_token_lifetime_seconds),
            id_token: tokens.id_token.as_deref(),
            post_logout_redirect_uri: Some(post_logout_redirect_uri),
            provider_sid,
        },
    )
    .await?;
    let success = Success {
        subject: &identity.subject,
        note,
    };
    sign_in_log::record_success_in(&transaction, logged, success).await?;
    transaction.commit().await?;
    Ok(session)
}

pub(super) fn check_iss_parameter(metadata: &Metadata, iss: Option<&str>) -> Result<(), Failure> {
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

/// A boolean claim; some providers send `"true"` as a string. Absent counts as false.
fn flag(claims: &Map<String, Value>, name: &str) -> bool {
    match claims.get(name) {
        Some(Value::Bool(value)) => *value,
        Some(Value::String(value)) => value.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn text(claims: &Map<String, Value>, name: &str) -> Option<String> {
    claims.get(name).and_then(Value::as_str).map(str::to_owned)
}
