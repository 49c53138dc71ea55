//! Canned replies: admins keep short named texts; agents insert one with `/name`.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use switchboard_db::entities::canned_reply;
use switchboard_domain::FieldError;
use switchboard_domain::canned_reply::{CannedReply, CannedReplyInput};
use uuid::Uuid;

use crate::admins::Principal;
use crate::{Error, Store, audit, rows};

/// Every canned reply, by name.
pub async fn list(store: &impl Store) -> Result<Vec<CannedReply>, Error> {
    Ok(canned_reply::Entity::find()
        .order_by_asc(canned_reply::Column::Name)
        .all(store.db())
        .await?
        .into_iter()
        .map(to_domain)
        .collect())
}

pub async fn create(
    store: &impl Store,
    input: &CannedReplyInput,
    by: &Principal,
) -> Result<CannedReply, Error> {
    by.require_change()?;
    let input = input.checked().map_err(Error::Invalid)?;
    let db = store.db();
    let transaction = db.begin().await?;
    refuse_taken(&transaction, &input.name, None).await?;
    let now = Utc::now();
    let row = canned_reply::ActiveModel {
        id: Set(Uuid::new_v4()),
        name: Set(input.name.clone()),
        text: Set(input.text),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&transaction)
    .await?;
    let changes = vec![format!("name: {}", input.name)];
    let object = ("canned_reply", row.id);
    audit::record_change(&transaction, by, "canned_reply.create", object, changes).await?;
    transaction.commit().await?;
    Ok(to_domain(row))
}

pub async fn update(
    store: &impl Store,
    id: Uuid,
    input: &CannedReplyInput,
    by: &Principal,
) -> Result<CannedReply, Error> {
    by.require_change()?;
    let input = input.checked().map_err(Error::Invalid)?;
    let db = store.db();
    let transaction = db.begin().await?;
    let row = rows::require::<canned_reply::Entity, _>(&transaction, id, "canned reply").await?;
    refuse_taken(&transaction, &input.name, Some(id)).await?;
    let mut changes = vec![];
    if row.name != input.name {
        changes.push(format!("name: {} -> {}", row.name, input.name));
    }
    if row.text != input.text {
        changes.push("text".to_owned());
    }
    if changes.is_empty() {
        return Ok(to_domain(row));
    }
    let mut active: canned_reply::ActiveModel = row.into();
    active.name = Set(input.name);
    active.text = Set(input.text);
    active.updated_at = Set(Utc::now());
    let row = active.update(&transaction).await?;
    audit::record_change(
        &transaction,
        by,
        "canned_reply.update",
        ("canned_reply", id),
        changes,
    )
    .await?;
    transaction.commit().await?;
    Ok(to_domain(row))
}

pub async fn delete(store: &impl Store, id: Uuid, by: &Principal) -> Result<(), Error> {
    by.require_change()?;
    let db = store.db();
    let transaction = db.begin().await?;
    let row = rows::require::<canned_reply::Entity, _>(&transaction, id, "canned reply").await?;
    canned_reply::Entity::delete_by_id(id)
        .exec(&transaction)
        .await?;
    let changes = vec![format!("name: {}", row.name)];
    audit::record_change(
        &transaction,
        by,
        "canned_reply.delete",
        ("canned_reply", id),
        changes,
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// Refuses `name` when another canned reply (not `except`) has it.
async fn refuse_taken<C: sea_orm::ConnectionTrait>(
    db: &C,
    name: &str,
    except: Option<Uuid>,
) -> Result<(), Error> {
    let mut query = canned_reply::Entity::find().filter(canned_reply::Column::Name.eq(name));
    if let Some(id) = except {
        query = query.filter(canned_reply::Column::Id.ne(id));
    }
    if query.one(db).await?.is_some() {
        return Err(Error::Invalid(vec![FieldError::new(
            "name",
            format!("A canned reply named /{name} exists already; pick another name."),
        )]));
    }
    Ok(())
}

fn to_domain(row: canned_reply::Model) -> CannedReply {
    CannedReply {
        id: row.id,
        name: row.name,
        text: row.text,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}
