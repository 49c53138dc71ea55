//! Sessions beyond the popup: the page-side exchange for sites that run their own login,
//! refreshes with the provider's refresh token, and sign-out.

use chrono::Duration;
use secrecy::ExposeSecret;
use switchboard_domain::sign_in::MessengerSession;
use url::Url;
use uuid::Uuid;

use super::Failure;
use super::identity::{check_iss_parameter, new_session, recheck_groups, verify_identity};
use super::integration::{
    active_integration, client_secret, integration_row, metadata, signing_deployment,
};
use super::token_endpoint::{self, Client};
use crate::messenger_sessions;
use crate::sign_in_log::{self, Attempt, Purpose, Success};
use crate::{Services, deployments};

/// What a page that ran its own authorization request sends to sign its visitor in.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageSideCode {
    pub code: String,
    pub redirect_uri: String,
    /// One the server issued for this deployment ([`super::page_nonce::issue`]).
    pub nonce: String,
    /// Required: the exchange refuses a code without PKCE (`pkce_required`).
    #[serde(default)]
    pub code_verifier: Option<String>,
    pub iss: Option<String>,
}

/// Page-side sign-in: exchanges a code the customer's page obtained (with the integration's
/// client and its own redirect URI) and validates the result as the callback would. `client`
/// is the caller's address, for the sign-in log's flood guard.
pub async fn exchange(
    services: &Services,
    deployment_id: Uuid,
    input: &PageSideCode,
    client: &str,
) -> Result<MessengerSession, Failure> {
    let (served, integration_id) = signing_deployment(services, deployment_id).await?;
    let attempt = Attempt {
        integration_id,
        deployment_id: Some(deployment_id),
        purpose: Purpose::Exchange,
        client: Some(client),
    };
    let result = async {
        let redirect = Url::parse(&input.redirect_uri)
            .map_err(|_| Failure::new("invalid_request", "redirectUri is not an absolute URL."))?;
        if !served.allows_origin(&redirect.origin().ascii_serialization())? {
            return Err(Failure::new(
                "invalid_request",
                "redirectUri is not on one of this deployment's allowed domains.",
            ));
        }
        let listed = served
            .page_redirect_uris()?
            .ok_or_else(super::page_nonce::page_sign_in_disabled)?;
        if !listed.contains(&input.redirect_uri) {
            return Err(Failure::new(
                "invalid_request",
                "redirectUri is not one of this deployment's page-side redirect URIs; list it in the deployment's settings.",
            ));
        }
        let verifier = pkce_verifier(input.code_verifier.as_deref())?;
        super::page_nonce::consume(services, deployment_id, &input.nonce).await?;
        let row = active_integration(services, integration_id).await?;
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
            verifier,
        )
        .await?;
        let (token, identity) = verify_identity(
            services,
            &row,
            &metadata,
            &client,
            &tokens,
            Some(&input.nonce),
        )
        .await?;
        let note = super::flow::refresh_token_note(&row, &tokens);
        // The provider returns the visitor to the site's page after signing out.
        let sign_out = (input.redirect_uri.clone(), token.text("sid"));
        new_session(
            services,
            &row,
            (deployment_id, attempt),
            &identity,
            (&tokens, note),
            sign_out,
        )
        .await
    }
    .await;
    // A session is logged with its creation; a failure is logged here.
    if let Err(failure) = &result {
        sign_in_log::record(services, attempt, Err(failure)).await;
    }
    result
}

/// The page's PKCE verifier, which RFC 7636 makes 43 to 128 unreserved characters.
fn pkce_verifier(given: Option<&str>) -> Result<&str, Failure> {
    let verifier = given.unwrap_or_default();
    let unreserved = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
    if (43..=128).contains(&verifier.len()) && verifier.chars().all(unreserved) {
        Ok(verifier)
    } else {
        Err(Failure::new(
            "pkce_required",
            "codeVerifier is required: the page's authorization request must use PKCE (S256), and the verifier is 43 to 128 characters of A-Z, a-z, 0-9, -, ., _ and ~.",
        ))
    }
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
        // The session lives on only while its deployment still signs in with this
        // integration, and the integration is still active.
        let served = deployments::served(services.db(), row.deployment_id)
            .await?
            .ok_or_else(expired)?;
        let authentication = &served.content.authentication;
        if !authentication.enabled || authentication.integration_id != Some(integration_id) {
            return Err(Failure::new(
                "integration_changed",
                "The deployment's configuration no longer signs in with this session's integration.",
            ));
        }
        let integration_row = active_integration(services, integration_id).await?;
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
        let subject = session
            .identity
            .as_ref()
            .map(|identity| identity.subject.clone())
            .unwrap_or_default();
        if tokens.id_token.is_none() {
            recheck_groups(services, &integration_row, &metadata, &tokens, &subject).await?;
        } else {
            let (_, identity) = verify_identity(
                services,
                &integration_row,
                &metadata,
                &client,
                &tokens,
                None,
            )
            .await?;
            if identity.subject != subject {
                return Err(Failure::id_token(
                    "subject changed",
                    "The refreshed ID token names another user.",
                ));
            }
        }
        let lifetime = Duration::seconds(served.content.session_lifetime_seconds);
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
        services,
        Attempt {
            integration_id,
            deployment_id: Some(row.deployment_id),
            purpose: Purpose::Refresh,
            client: None,
        },
        result.as_ref().map(|_| Success {
            subject: session
                .identity
                .as_ref()
                .map(|identity| identity.subject.as_str())
                .unwrap_or_default(),
            note: None,
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
    let integration_row = integration_row(services, integration_id).await?;
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
    // A token sealed under a key since removed only costs the hint.
    let id_token = messenger_sessions::open_id_token(services.keyring(), &row)
        .ok()
        .flatten();
    Ok(metadata.end_session_endpoint.clone().map(|mut url| {
        let mut query = url.query_pairs_mut();
        if let Some(client_id) = &integration_row.client_id {
            query.append_pair("client_id", client_id);
        }
        if let Some(id_token) = &id_token {
            query.append_pair("id_token_hint", id_token.expose_secret());
        }
        if let Some(back) = &row.post_logout_redirect_uri {
            query.append_pair("post_logout_redirect_uri", back);
        }
        drop(query);
        url
    }))
}
