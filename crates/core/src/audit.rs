//! The audit log: recording events and reading them back.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use switchboard_db::entities::audit_event;
use switchboard_domain::audit::{AuditEvent, AuditPage};

use crate::Error;
use crate::Store;

/// Events per page of the audit log.
pub const PAGE_SIZE: u64 = 50;

/// What to record; `changes` names fields, never secret values.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: Option<String>,
    pub changes: Vec<String>,
}

pub async fn record<C: ConnectionTrait>(db: &C, event: NewEvent<'_>) -> Result<AuditEvent, Error> {
    let row = audit_event::ActiveModel {
        at: Set(Utc::now()),
        actor: Set(event.actor.to_owned()),
        action: Set(event.action.to_owned()),
        object_type: Set(event.object_type.to_owned()),
        object_id: Set(event.object_id),
        changes: Set(serde_json::json!(event.changes)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    to_domain(row)
}

/// Records a change that `by` made to the object `object_type` `id`.
pub async fn record_change<C: ConnectionTrait>(
    db: &C,
    by: &crate::admins::Principal,
    action: &str,
    (object_type, id): (&str, uuid::Uuid),
    changes: Vec<String>,
) -> Result<(), Error> {
    let event = NewEvent {
        actor: &by.name,
        action,
        object_type,
        object_id: Some(id.to_string()),
        changes,
    };
    record(db, event).await.map(|_| ())
}

/// One page of events (from 0), newest first, optionally only those about one kind of object.
pub async fn list(
    store: &impl Store,
    object_type: Option<&str>,
    page: u64,
) -> Result<AuditPage, Error> {
    let db = store.db();
    let mut query = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::At)
        .order_by_desc(audit_event::Column::Id);
    if let Some(object_type) = object_type {
        query = query.filter(audit_event::Column::ObjectType.eq(object_type));
    }
    let paginator = query.paginate(db, PAGE_SIZE);
    let total = paginator.num_items().await?;
    let events = paginator
        .fetch_page(page)
        .await?
        .into_iter()
        .map(to_domain)
        .collect::<Result<_, _>>()?;
    Ok(AuditPage {
        events,
        page,
        page_size: PAGE_SIZE,
        total,
    })
}

fn to_domain(row: audit_event::Model) -> Result<AuditEvent, Error> {
    Ok(AuditEvent {
        changes: serde_json::from_value(row.changes)
            .map_err(|e| Error::Corrupt(format!("audit event {}: {e}", row.id)))?,
        id: row.id,
        at: row.at,
        actor: row.actor,
        action: row.action,
        object_type: row.object_type,
        object_id: row.object_id,
    })
}
