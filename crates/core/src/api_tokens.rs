//! API tokens for `/api/v2/*`: created with a role, shown once, stored as a digest, revocable.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use secrecy::{ExposeSecret, SecretString};
use switchboard_db::entities::api_token;
use switchboard_domain::admin::{ApiTokenSummary, Role};
use switchboard_domain::{FieldError, validation};
use uuid::Uuid;

use crate::admins::{Principal, PrincipalKind, parse_role};
use crate::{Error, Store, audit, opaque};

/// Every token starts with this, so a leaked one is recognisable (and greppable by scanners).
pub const PREFIX: &str = "sbt_";

/// Last-used updates closer together than this are skipped.
const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// Creates a token and returns it with the only copy of its value.
pub async fn create(
    store: &impl Store,
    name: &str,
    role: Role,
    actor: &str,
) -> Result<(ApiTokenSummary, SecretString), Error> {
    let db = store.db();
    validation::name("name", name).map_err(|e| Error::Invalid(vec![e]))?;
    let name = name.trim().to_owned();
    let active = api_token::Entity::find()
        .filter(api_token::Column::Name.eq(&name))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?;
    if active.is_some() {
        return Err(Error::Invalid(vec![FieldError::new(
            "name",
            "A token with this name already exists; revoke it or pick another name.",
        )]));
    }
    let token = opaque::new_token(PREFIX);
    let row = api_token::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(name),
        token_hash: Set(opaque::digest(&token)),
        role: Set(role.as_str().to_owned()),
        created_by: Set(actor.to_owned()),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        audit::NewEvent {
            actor,
            action: "api_token.create",
            object_type: "api_token",
            object_id: Some(row.id.to_string()),
            changes: vec![format!("name: {}", row.name), format!("role: {role}")],
        },
    )
    .await?;
    Ok((summary(row)?, token))
}

/// Tokens that still work, newest first.
pub async fn list(store: &impl Store) -> Result<Vec<ApiTokenSummary>, Error> {
    let db = store.db();
    api_token::Entity::find()
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_desc(api_token::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(summary)
        .collect()
}

/// Revokes a token: it stops working at once.
pub async fn revoke(store: &impl Store, id: Uuid, by: &Principal) -> Result<(), Error> {
    let db = store.db();
    by.require_change()?;
    let row = api_token::Entity::find_by_id(id)
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(Error::NotFound("API token"))?;
    let name = row.name.clone();
    let mut revoked: api_token::ActiveModel = row.into();
    revoked.revoked_at = Set(Some(Utc::now()));
    revoked.update(db).await?;
    audit::record(
        db,
        audit::NewEvent {
            actor: &by.name,
            action: "api_token.revoke",
            object_type: "api_token",
            object_id: Some(id.to_string()),
            changes: vec![format!("name: {name}")],
        },
    )
    .await?;
    Ok(())
}

/// The principal a bearer token acts as, if it is a live token.
pub async fn authenticate(
    store: &impl Store,
    token: &SecretString,
    now: DateTime<Utc>,
) -> Result<Option<Principal>, Error> {
    let db = store.db();
    if !token.expose_secret().starts_with(PREFIX) {
        return Ok(None);
    }
    let Some(row) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(opaque::digest(token)))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let principal = Principal {
        id: row.id,
        name: format!("token:{}", row.name),
        role: parse_role(&row.role)?,
        kind: PrincipalKind::ApiToken,
    };
    if row.last_used_at.is_none_or(|at| now - at >= TOUCH_INTERVAL) {
        let mut touched: api_token::ActiveModel = row.into();
        touched.last_used_at = Set(Some(now));
        touched.update(db).await?;
    }
    Ok(Some(principal))
}

fn summary(row: api_token::Model) -> Result<ApiTokenSummary, Error> {
    Ok(ApiTokenSummary {
        role: parse_role(&row.role)?,
        id: row.id,
        name: row.name,
        created_by: row.created_by,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
    })
}
