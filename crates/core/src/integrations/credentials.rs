//! An integration's client credentials: sealed on the way in, opened only for the token
//! exchange, re-sealed when the key changes.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use secrecy::{ExposeSecret, SecretString};
use switchboard_db::entities::integration;
use switchboard_domain::{FieldError, Validation};
use uuid::Uuid;

use crate::admins::Principal;
use crate::secrets::Keyring;
use crate::{Error, Store, audit, rows};

/// What an integration's client secret is sealed for (see [`crate::secrets`]).
pub fn client_secret_context(id: Uuid) -> String {
    format!("integration/{id}/client_secret")
}

/// What an integration's Okta API token is sealed for.
pub fn okta_api_token_context(id: Uuid) -> String {
    format!("integration/{id}/okta_api_token")
}

/// Credentials as an admin submits them. Secrets stay in `SecretString`s until sealed.
#[derive(Debug)]
pub struct NewCredentials {
    pub client_id: String,
    pub client_secret: SecretString,
    /// An Okta API token for group look-ups; `None` (or blank) keeps the stored one.
    pub okta_api_token: Option<SecretString>,
}

/// Stores an integration's client credentials, the secrets sealed. `by` must be allowed to
/// change things; the audit log records that a secret was replaced, never its value.
pub async fn set_credentials(
    store: &impl Store,
    keyring: &Keyring,
    id: Uuid,
    credentials: &NewCredentials,
    by: &Principal,
) -> Result<(), Error> {
    let db = store.db();
    by.require_change()?;
    let client_id = credentials.client_id.as_str();
    let client_secret = &credentials.client_secret;
    let okta_api_token = credentials
        .okta_api_token
        .as_ref()
        .filter(|token| !token.expose_secret().trim().is_empty());
    let mut validation = Validation::new();
    validation.check(if client_id.trim().is_empty() {
        Err(FieldError::new("clientId", "Client ID is required."))
    } else {
        Ok(())
    });
    validation.check(if client_secret.expose_secret().trim().is_empty() {
        Err(FieldError::new(
            "clientSecret",
            "Client Secret is required (spaces alone are not a secret).",
        ))
    } else {
        Ok(())
    });
    validation.finish().map_err(Error::Invalid)?;
    let row = rows::require::<integration::Entity, _>(db, id, "integration").await?;
    super::declared::refuse_if_managed(&row, by)?;
    let now = Utc::now();
    let mut update: integration::ActiveModel = row.into();
    update.client_id = Set(Some(client_id.trim().to_owned()));
    update.client_secret_sealed = Set(Some(
        keyring
            .seal(&client_secret_context(id), client_secret)
            .into_bytes(),
    ));
    // Typed in, not read from a configuration file's reference.
    update.client_secret_ref = Set(None);
    let mut changes = vec!["client ID".to_owned(), "client secret replaced".to_owned()];
    if let Some(token) = okta_api_token {
        update.okta_api_token_sealed = Set(Some(
            keyring
                .seal(&okta_api_token_context(id), token)
                .into_bytes(),
        ));
        update.okta_api_token_ref = Set(None);
        changes.push("Okta API token replaced".to_owned());
    }
    update.credentials_updated_at = Set(Some(now));
    update.updated_at = Set(now);
    update.update(db).await?;
    audit::record(
        db,
        audit::NewEvent {
            actor: &by.name,
            action: "integration.credentials",
            object_type: "integration",
            object_id: Some(id.to_string()),
            changes,
        },
    )
    .await?;
    Ok(())
}

/// Opens an integration's stored client secret, for the token exchange.
pub fn open_client_secret(
    keyring: &Keyring,
    row: &integration::Model,
) -> Result<Option<SecretString>, Error> {
    open_sealed(
        keyring,
        &client_secret_context(row.id),
        row.client_secret_sealed.as_deref(),
    )
}

/// A stored sealed value opened, or `None` when nothing is stored; a value that does not
/// open is `Corrupt`.
pub(crate) fn open_sealed(
    keyring: &Keyring,
    context: &str,
    stored: Option<&[u8]>,
) -> Result<Option<SecretString>, Error> {
    stored
        .map(|stored| {
            let sealed = std::str::from_utf8(stored)
                .map_err(|_| Error::Corrupt(format!("{context} is not a sealed value")))?;
            keyring
                .open(context, sealed)
                .map_err(|error| Error::Corrupt(format!("{context}: {error}")))
        })
        .transpose()
}

/// Opens an integration's stored Okta API token, to compare it with a declared one.
pub(crate) fn open_okta_api_token(
    keyring: &Keyring,
    row: &integration::Model,
) -> Result<Option<SecretString>, Error> {
    open_sealed(
        keyring,
        &okta_api_token_context(row.id),
        row.okta_api_token_sealed.as_deref(),
    )
}

/// Re-seals every stored secret that another key than the keyring's current one sealed (client
/// secrets, Okta API tokens, and visitors' refresh tokens); returns how many it re-sealed. Run
/// after a new key is put in front of the keyring. Sign-ins under way (10 minutes at most) are
/// not re-sealed: one that spans the rotation is simply started again.
pub async fn reseal_credentials(store: &impl Store, keyring: &Keyring) -> Result<usize, Error> {
    let db = store.db();
    let mut count = 0;
    for row in integration::Entity::find().all(db).await? {
        let id = row.id;
        let secret = reseal(
            keyring,
            &client_secret_context(id),
            row.client_secret_sealed.as_deref(),
        )?;
        let token = reseal(
            keyring,
            &okta_api_token_context(id),
            row.okta_api_token_sealed.as_deref(),
        )?;
        if secret.is_none() && token.is_none() {
            continue;
        }
        let mut update: integration::ActiveModel = row.into();
        if let Some(secret) = secret {
            update.client_secret_sealed = Set(Some(secret));
            count += 1;
        }
        if let Some(token) = token {
            update.okta_api_token_sealed = Set(Some(token));
            count += 1;
        }
        update.update(db).await?;
    }
    Ok(count + crate::messenger_sessions::reseal_refresh_tokens(db, keyring).await?)
}

/// The value sealed again with the current key, or `None` when it needs nothing.
pub(crate) fn reseal(
    keyring: &Keyring,
    context: &str,
    stored: Option<&[u8]>,
) -> Result<Option<Vec<u8>>, Error> {
    let Some(stored) = stored else {
        return Ok(None);
    };
    let sealed = std::str::from_utf8(stored)
        .map_err(|_| Error::Corrupt(format!("{context} is not a sealed value")))?;
    if !keyring.needs_reseal(sealed) {
        return Ok(None);
    }
    let secret = keyring
        .open(context, sealed)
        .map_err(|error| Error::Corrupt(format!("{context}: {error}")))?;
    Ok(Some(keyring.seal(context, &secret).into_bytes()))
}
