//! Messenger sessions: the bearer token a visitor's messenger holds, signed in or anonymous.
//! Stored as a digest; the provider's refresh token, when there is one, sealed.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};
use secrecy::{ExposeSecret, SecretString};
use switchboard_db::entities::messenger_session;
use switchboard_domain::conversation::Identity;
use switchboard_domain::sign_in::MessengerSession;
use uuid::Uuid;

use crate::secrets::Keyring;
use crate::{Error, Store, opaque};

/// What a session's ID token is sealed for.
pub fn id_token_context(session: Uuid) -> String {
    format!("messenger_session/{session}/id_token")
}

/// What a refresh token is sealed for.
pub fn refresh_token_context(session: Uuid) -> String {
    format!("messenger_session/{session}/refresh_token")
}

/// A session to create.
#[derive(Debug)]
pub struct NewSession<'a> {
    pub deployment_id: Uuid,
    pub integration_id: Option<Uuid>,
    pub identity: Option<&'a Identity>,
    pub refresh_token: Option<&'a SecretString>,
    /// The configuration's session lifetime.
    pub lifetime: Duration,
    /// The integration's max refresh token lifetime: no refresh extends the session past it.
    pub longest: Duration,
    /// The ID token of the sign-in, for the provider's sign-out.
    pub id_token: Option<&'a str>,
    /// Where the provider sends the visitor back after its sign-out.
    pub post_logout_redirect_uri: Option<String>,
    /// The ID token's `sid`.
    pub provider_sid: Option<String>,
}

/// A live session, as its bearer token finds it.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: Uuid,
    pub deployment_id: Uuid,
    pub integration_id: Option<Uuid>,
    pub identity: Option<Identity>,
    pub expires_at: DateTime<Utc>,
    pub latest_expiry: DateTime<Utc>,
    pub has_refresh_token: bool,
    /// The conversation the visitor writes to, once they wrote.
    pub conversation_id: Option<Uuid>,
}

pub async fn create<C: ConnectionTrait>(
    db: &C,
    keyring: &Keyring,
    new: NewSession<'_>,
) -> Result<MessengerSession, Error> {
    let token = opaque::new_token("sbm_");
    let id = Uuid::new_v4();
    let now = Utc::now();
    let latest_expiry = now + new.longest;
    let expires_at = (now + new.lifetime).min(latest_expiry);
    // Written without reading it back: everything the caller gets is known here.
    messenger_session::Entity::insert(messenger_session::ActiveModel {
        id: Set(id),
        token_hash: Set(opaque::digest(&token)),
        deployment_id: Set(new.deployment_id),
        integration_id: Set(new.integration_id),
        identity: Set(new.identity.map(|identity| serde_json::json!(identity))),
        refresh_token_sealed: Set(new
            .refresh_token
            .map(|token| keyring.seal(&refresh_token_context(id), token).into_bytes())),
        created_at: Set(now),
        expires_at: Set(expires_at),
        latest_expiry: Set(latest_expiry),
        ended_at: Set(None),
        conversation_id: Set(None),
        id_token_sealed: Set(new.id_token.map(|token| {
            let token = SecretString::from(token.to_owned());
            keyring.seal(&id_token_context(id), &token).into_bytes()
        })),
        post_logout_redirect_uri: Set(new.post_logout_redirect_uri),
        provider_sid: Set(new.provider_sid),
    })
    .exec_without_returning(db)
    .await?;
    Ok(MessengerSession {
        token: token.expose_secret().to_owned(),
        expires_at,
        identity: new.identity.cloned(),
    })
}

/// Starts an anonymous session on a deployment whose configuration allows anonymous
/// conversations (no sign-in configured, or sign-in with the anonymous-to-authenticated upgrade).
pub async fn start_anonymous(
    store: &impl Store,
    keyring: &Keyring,
    deployment_id: Uuid,
) -> Result<MessengerSession, Error> {
    let db = store.db();
    let served = crate::deployments::served(db, deployment_id)
        .await?
        .ok_or(Error::NotFound("messenger deployment"))?;
    let authentication = &served.content.authentication;
    if authentication.enabled && !authentication.allow_session_upgrade {
        return Err(Error::Forbidden);
    }
    let lifetime = Duration::seconds(served.content.session_lifetime_seconds);
    create(
        db,
        keyring,
        NewSession {
            deployment_id,
            integration_id: None,
            identity: None,
            refresh_token: None,
            lifetime,
            longest: lifetime,
            id_token: None,
            post_logout_redirect_uri: None,
            provider_sid: None,
        },
    )
    .await
}

/// Carries an anonymous session's conversation over to the signed-in session `signed_in`, when
/// the configuration allows the upgrade: the conversation goes on, authenticated from the next
/// message, and the anonymous session ends. Returns the conversation, if there was one.
pub async fn upgrade(
    store: &impl Store,
    signed_in: &Session,
    anonymous_token: &str,
) -> Result<Option<Uuid>, Error> {
    let db = store.db();
    let Some(identity) = &signed_in.identity else {
        return Err(Error::Conflict("Sign in first, then upgrade.".to_owned()));
    };
    let anonymous = find(db, anonymous_token)
        .await?
        .filter(|previous| previous.identity.is_none())
        .filter(|previous| previous.deployment_id == signed_in.deployment_id)
        .ok_or(Error::NotFound("anonymous session"))?;
    let allowed = crate::deployments::served(db, signed_in.deployment_id)
        .await?
        .is_some_and(|served| served.content.authentication.allow_session_upgrade);
    if !allowed {
        return Err(Error::Forbidden);
    }
    let Some(anonymous_conversation) = anonymous.conversation_id else {
        end(db, anonymous.id).await?;
        return Ok(None);
    };
    // The person may already have an open conversation (from another device): the anonymous
    // messages join it, in the order they were written (ids grow with time across both).
    // Otherwise the anonymous conversation becomes the person's.
    use switchboard_db::entities::{attachment, conversation, message};
    let person = crate::conversations::person_key(signed_in);
    let transaction = db.begin().await?;
    let existing = crate::conversations::open_for(&transaction, signed_in).await?;
    let target = match existing {
        Some(open) if open.id != anonymous_conversation => {
            message::Entity::update_many()
                .col_expr(message::Column::ConversationId, Expr::value(open.id))
                .filter(message::Column::ConversationId.eq(anonymous_conversation))
                .exec(&transaction)
                .await?;
            // The files go with their messages, or the cascade below would take them.
            attachment::Entity::update_many()
                .col_expr(attachment::Column::ConversationId, Expr::value(open.id))
                .filter(attachment::Column::ConversationId.eq(anonymous_conversation))
                .exec(&transaction)
                .await?;
            messenger_session::Entity::update_many()
                .col_expr(
                    messenger_session::Column::ConversationId,
                    Expr::value(open.id),
                )
                .filter(messenger_session::Column::ConversationId.eq(anonymous_conversation))
                .exec(&transaction)
                .await?;
            if let Some(merged) = conversation::Entity::find_by_id(anonymous_conversation)
                .one(&transaction)
                .await?
                && merged.last_activity_at > open.last_activity_at
            {
                conversation::Entity::update_many()
                    .col_expr(
                        conversation::Column::LastActivityAt,
                        Expr::value(merged.last_activity_at),
                    )
                    .filter(conversation::Column::Id.eq(open.id))
                    .exec(&transaction)
                    .await?;
            }
            conversation::Entity::delete_by_id(anonymous_conversation)
                .exec(&transaction)
                .await?;
            open.id
        }
        _ => {
            conversation::Entity::update_many()
                .col_expr(
                    conversation::Column::Identity,
                    Expr::value(serde_json::json!(identity)),
                )
                .col_expr(conversation::Column::Person, Expr::value(person))
                .filter(conversation::Column::Id.eq(anonymous_conversation))
                .exec(&transaction)
                .await?;
            anonymous_conversation
        }
    };
    messenger_session::Entity::update_many()
        .col_expr(
            messenger_session::Column::ConversationId,
            Expr::value(target),
        )
        .filter(messenger_session::Column::Id.eq(signed_in.id))
        .exec(&transaction)
        .await?;
    messenger_session::Entity::update_many()
        .col_expr(messenger_session::Column::EndedAt, Expr::value(Utc::now()))
        .filter(messenger_session::Column::Id.eq(anonymous.id))
        .exec(&transaction)
        .await?;
    transaction.commit().await?;
    Ok(Some(target))
}

/// The live session `token` names, or `None` (unknown, ended or expired).
pub async fn find(store: &impl Store, token: &str) -> Result<Option<Session>, Error> {
    let db = store.db();
    find_row(db, token)
        .await?
        .map(|row| to_session(&row))
        .transpose()
}

/// Session `id` while it is live (not ended, not expired).
pub async fn live(store: &impl Store, id: Uuid) -> Result<Option<Session>, Error> {
    let db = store.db();
    messenger_session::Entity::find_by_id(id)
        .filter(messenger_session::Column::EndedAt.is_null())
        .filter(messenger_session::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await?
        .map(|row| to_session(&row))
        .transpose()
}

pub(crate) async fn find_row(
    db: &DatabaseConnection,
    token: &str,
) -> Result<Option<messenger_session::Model>, Error> {
    let digest = opaque::digest(&SecretString::from(token.to_owned()));
    Ok(messenger_session::Entity::find()
        .filter(messenger_session::Column::TokenHash.eq(digest))
        .filter(messenger_session::Column::EndedAt.is_null())
        .filter(messenger_session::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await?)
}

/// Opens the session's sealed refresh token.
pub(crate) fn open_refresh_token(
    keyring: &Keyring,
    row: &messenger_session::Model,
) -> Result<Option<SecretString>, Error> {
    crate::integrations::open_sealed(
        keyring,
        &refresh_token_context(row.id),
        row.refresh_token_sealed.as_deref(),
    )
}

/// The ID token the session was signed in with, for the provider's sign-out.
pub(crate) fn open_id_token(
    keyring: &Keyring,
    row: &messenger_session::Model,
) -> Result<Option<SecretString>, Error> {
    crate::integrations::open_sealed(
        keyring,
        &id_token_context(row.id),
        row.id_token_sealed.as_deref(),
    )
}

/// Ends a session now; the token stops working at once.
pub async fn end(store: &impl Store, id: Uuid) -> Result<(), Error> {
    let db = store.db();
    messenger_session::Entity::update_many()
        .col_expr(
            messenger_session::Column::EndedAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .col_expr(
            messenger_session::Column::RefreshTokenSealed,
            sea_orm::sea_query::Expr::value(Option::<Vec<u8>>::None),
        )
        .filter(messenger_session::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Moves a session's expiry after a successful refresh, within its latest expiry, and stores
/// the provider's new refresh token when it rotated it.
pub(crate) async fn extend(
    db: &DatabaseConnection,
    keyring: &Keyring,
    row: messenger_session::Model,
    lifetime: Duration,
    rotated: Option<&SecretString>,
) -> Result<messenger_session::Model, Error> {
    let expires_at = (Utc::now() + lifetime).min(row.latest_expiry);
    let id = row.id;
    let mut update: messenger_session::ActiveModel = row.into();
    update.expires_at = Set(expires_at);
    if let Some(token) = rotated {
        update.refresh_token_sealed = Set(Some(
            keyring.seal(&refresh_token_context(id), token).into_bytes(),
        ));
    }
    Ok(update.update(db).await?)
}

/// Re-seals the refresh tokens of live sessions that an older key sealed; see
/// [`crate::integrations::reseal_credentials`].
pub(crate) async fn reseal_refresh_tokens(
    db: &DatabaseConnection,
    keyring: &Keyring,
) -> Result<usize, Error> {
    let rows = messenger_session::Entity::find()
        .filter(
            messenger_session::Column::RefreshTokenSealed
                .is_not_null()
                .or(messenger_session::Column::IdTokenSealed.is_not_null()),
        )
        .filter(messenger_session::Column::EndedAt.is_null())
        .all(db)
        .await?;
    let mut count = 0;
    for row in rows {
        let refresh = crate::integrations::reseal(
            keyring,
            &refresh_token_context(row.id),
            row.refresh_token_sealed.as_deref(),
        )?;
        let id_token = crate::integrations::reseal(
            keyring,
            &id_token_context(row.id),
            row.id_token_sealed.as_deref(),
        )?;
        if refresh.is_none() && id_token.is_none() {
            continue;
        }
        let mut update: messenger_session::ActiveModel = row.into();
        if let Some(sealed) = refresh {
            update.refresh_token_sealed = Set(Some(sealed));
            count += 1;
        }
        if let Some(sealed) = id_token {
            update.id_token_sealed = Set(Some(sealed));
            count += 1;
        }
        update.update(db).await?;
    }
    Ok(count)
}

pub(crate) fn to_session(row: &messenger_session::Model) -> Result<Session, Error> {
    let identity = row
        .identity
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|error| Error::Corrupt(format!("messenger session {}: {error}", row.id)))?;
    Ok(Session {
        id: row.id,
        deployment_id: row.deployment_id,
        integration_id: row.integration_id,
        identity,
        expires_at: row.expires_at,
        latest_expiry: row.latest_expiry,
        has_refresh_token: row.refresh_token_sealed.is_some(),
        conversation_id: row.conversation_id,
    })
}
