//! Whether agents are at the console. Each open console stream renews its admin's `seen_at`
//! every [`RENEW_EVERY`]; an agent is online while that is recent and they have not set
//! themselves "Away". Kept in the database, so every instance sees the same team.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, NullOrdering};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionTrait,
};
use switchboard_db::entities::{admin, conversation};
use switchboard_domain::admin::{Presence, Role};
use uuid::Uuid;

use crate::admins::{Principal, PrincipalKind};
use crate::delivery::{Notice, NoticeKind};
use crate::{Error, Services, Store};

/// How often an open console stream says its admin is still there.
pub const RENEW_EVERY: Duration = Duration::from_secs(30);

/// How long an agent stays online after their last console stream said so, in seconds: two
/// renewals and some slack, so one late renewal does not flicker them away.
const ONLINE_FOR_SECONDS: i64 = 75;

/// The oldest renewal that still counts as online.
fn online_since() -> DateTime<Utc> {
    Utc::now() - chrono::Duration::seconds(ONLINE_FOR_SECONDS)
}

/// Admin `id` has a console open now.
pub async fn seen(store: &impl Store, id: Uuid) -> Result<(), Error> {
    admin::Entity::update_many()
        .col_expr(admin::Column::SeenAt, Expr::value(Utc::now()))
        .filter(admin::Column::Id.eq(id))
        .exec(store.db())
        .await?;
    Ok(())
}

/// `by`'s presence as the console shows it.
pub async fn of(store: &impl Store, by: &Principal) -> Result<Presence, Error> {
    let id = require_admin(by)?;
    let row = admin::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .ok_or(Error::NotFound("admin"))?;
    let online = is_online(&row);
    Ok(Presence {
        away: row.away,
        online,
    })
}

/// Sets `by` away (or back) by hand; a viewer may too, since it changes nothing but themselves.
pub async fn set_away(store: &impl Store, by: &Principal, away: bool) -> Result<Presence, Error> {
    let id = require_admin(by)?;
    admin::Entity::update_many()
        .col_expr(admin::Column::Away, Expr::value(away))
        .filter(admin::Column::Id.eq(id))
        .exec(store.db())
        .await?;
    of(store, by).await
}

/// Whether any agent who can answer (not a viewer) is online.
pub async fn anyone_online<C: ConnectionTrait>(db: &C) -> Result<bool, Error> {
    Ok(admin::Entity::find().filter(online()).count(db).await? > 0)
}

/// Gives new conversation `id` to the online agent whose last round-robin conversation is the
/// oldest (one never given one first), if anyone is online and it is still no one's.
pub async fn assign_round_robin(services: &Services, id: Uuid) -> Result<Option<Uuid>, Error> {
    let db = services.db();
    let transaction = db.begin().await?;
    let next = admin::Entity::find()
        .filter(online())
        // One never given a conversation first, on either engine.
        .order_by_with_nulls(
            admin::Column::LastAssignedAt,
            Order::Asc,
            NullOrdering::First,
        )
        .order_by_asc(admin::Column::Email)
        .one(&transaction)
        .await?;
    let Some(next) = next else {
        return Ok(None);
    };
    let taken = conversation::Entity::update_many()
        .col_expr(conversation::Column::AssigneeId, Expr::value(next.id))
        .filter(conversation::Column::Id.eq(id))
        .filter(conversation::Column::AssigneeId.is_null())
        .exec(&transaction)
        .await?;
    if taken.rows_affected == 0 {
        return Ok(None);
    }
    admin::Entity::update_many()
        .col_expr(admin::Column::LastAssignedAt, Expr::value(Utc::now()))
        .filter(admin::Column::Id.eq(next.id))
        .exec(&transaction)
        .await?;
    transaction.commit().await?;
    let notice = Notice::signal(id, NoticeKind::Changed);
    services.delivery().publish(db, notice).await;
    Ok(Some(next.id))
}

/// Agents who can answer, not away, with a console open within [`ONLINE_FOR_SECONDS`].
fn online() -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(admin::Column::Role.eq(Role::Admin.as_str()))
        .add(admin::Column::Away.eq(false))
        .add(admin::Column::SeenAt.gt(online_since()))
}

fn is_online(row: &admin::Model) -> bool {
    !row.away && row.seen_at.is_some_and(|seen| seen > online_since())
}

/// Presence belongs to people: an API token has none.
fn require_admin(by: &Principal) -> Result<Uuid, Error> {
    match by.kind {
        PrincipalKind::Admin => Ok(by.id),
        PrincipalKind::ApiToken | PrincipalKind::System => Err(Error::Forbidden),
    }
}
