//! Requests to the provider's token endpoint: the authorization code exchange and refreshes,
//! authenticated with the integration's stored secret.

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::Failure;
use super::provider::{Metadata, unreachable};
use crate::discovery::GuardedClient;

/// What a successful token response carries that we use.
#[derive(Debug)]
pub struct Tokens {
    pub id_token: Option<String>,
    pub access_token: Option<SecretString>,
    pub refresh_token: Option<SecretString>,
}

/// The client credentials, opened for one request.
#[derive(Debug)]
pub struct Client<'a> {
    pub id: &'a str,
    pub secret: &'a SecretString,
}

pub async fn exchange_code(
    http: &GuardedClient,
    metadata: &Metadata,
    client: &Client<'_>,
    code: &str,
    redirect_uri: &str,
    code_verifier: &str,
) -> Result<Tokens, Failure> {
    request(
        http,
        metadata,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", code_verifier),
        ],
    )
    .await
}

pub async fn refresh(
    http: &GuardedClient,
    metadata: &Metadata,
    client: &Client<'_>,
    refresh_token: &SecretString,
) -> Result<Tokens, Failure> {
    request(
        http,
        metadata,
        client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
        ],
    )
    .await
}

/// A token for the app itself (client credentials, RFC 6749 4.4) with `scope`, for an API of
/// the provider that the app calls on its own behalf (Microsoft Graph).
pub async fn client_credentials(
    http: &GuardedClient,
    metadata: &Metadata,
    client: &Client<'_>,
    scope: &str,
) -> Result<SecretString, Failure> {
    let grant = [("grant_type", "client_credentials"), ("scope", scope)];
    let tokens = request(http, metadata, client, &grant).await?;
    tokens.access_token.ok_or_else(|| {
        Failure::new(
            "token_error: no access_token",
            "The token endpoint granted client credentials without an access token.",
        )
    })
}

/// Revokes a refresh token (RFC 7009) when the provider offers revocation; failures only
/// get logged, since the session ends on our side regardless.
pub async fn revoke(
    http: &GuardedClient,
    metadata: &Metadata,
    client: &Client<'_>,
    refresh_token: &SecretString,
) {
    let Some(endpoint) = &metadata.revocation_endpoint else {
        return;
    };
    let form = [
        ("token", refresh_token.expose_secret()),
        ("token_type_hint", "refresh_token"),
    ];
    match post(http, metadata, endpoint, client, &form).await {
        Ok(response) if (200..300).contains(&response.status) => {}
        Ok(response) => tracing::warn!(status = response.status, "token revocation refused"),
        Err(error) => tracing::warn!(%error, "token revocation failed"),
    }
}

async fn request(
    http: &GuardedClient,
    metadata: &Metadata,
    client: &Client<'_>,
    grant: &[(&str, &str)],
) -> Result<Tokens, Failure> {
    let response = post(http, metadata, &metadata.token_endpoint, client, grant)
        .await
        .map_err(unreachable)?;
    let text = |key: &str| {
        response
            .body
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    if !(200..300).contains(&response.status) {
        let code = text("error").unwrap_or_else(|| format!("http_{}", response.status));
        let description = text("error_description").unwrap_or_default();
        let reason = match code.as_str() {
            "invalid_grant" | "invalid_client" => code.clone(),
            _ => format!("token_error: {code}"),
        };
        return Err(Failure::new(
            reason,
            format!(
                "The token endpoint answered {} {code}{}{}",
                response.status,
                if description.is_empty() { "" } else { ": " },
                description
            ),
        ));
    }
    Ok(Tokens {
        id_token: text("id_token"),
        access_token: text("access_token").map(SecretString::from),
        refresh_token: text("refresh_token").map(SecretString::from),
    })
}

/// POSTs `form` to `endpoint` with the client authentication the provider takes.
async fn post(
    http: &GuardedClient,
    metadata: &Metadata,
    endpoint: &url::Url,
    client: &Client<'_>,
    form: &[(&str, &str)],
) -> Result<crate::discovery::JsonResponse, crate::discovery::FetchError> {
    let mut form = form.to_vec();
    if metadata.uses_basic_auth() {
        // RFC 6749 2.3.1: both parts are form-encoded before the Basic encoding.
        let id = form_encode(client.id);
        let secret = form_encode(client.secret.expose_secret());
        http.post_form(endpoint, &form, Some((&id, &secret))).await
    } else {
        form.push(("client_id", client.id));
        form.push(("client_secret", client.secret.expose_secret()));
        http.post_form(endpoint, &form, None).await
    }
}

fn form_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
