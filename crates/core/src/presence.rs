//! Whether agents are at the console. Each console tab says every [`TAB_RENEW_EVERY`] whether it is
//! in use (shown, and touched lately: `switchboard_app::components::activity`); an agent is
//! online while one of their tabs is and they have not set themselves "Away". Kept per tab, so
//! a tab left in the background does not speak for one in use, and in the database, so every
//! instance sees the same team.

use std::time::Duration;

use chrono::Utc;
use sea_orm::sea_query::{Expr, NullOrdering, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};
use switchboard_db::entities::{admin, console_tab, conversation};
use switchboard_domain::admin::{Presence, Role, TAB_RENEW_EVERY};
use uuid::Uuid;

use crate::admins::{Principal, PrincipalKind};
use crate::delivery::{Notice, NoticeKind};
use crate::{Error, Services, Store};

/// How long a tab's word that it is in use lasts: two renewals and some slack, so one late
/// renewal does not flicker its agent away, and a tab closed without a word stops counting soon.
const IN_USE_FOR: Duration = Duration::from_secs(2 * TAB_RENEW_EVERY.as_secs() + 15);

/// Console tab `tab` of `by` says whether it is in use: one in use keeps them online for
/// [`IN_USE_FOR`]; one hidden or left alone stops counting at once.
pub async fn tab_in_use(
    store: &impl Store,
    by: &Principal,
    tab: Uuid,
    in_use: bool,
) -> Result<Presence, Error> {
    let id = require_admin(by)?;
    let now = Utc::now();
    let db = store.db();
    // Tabs closed without a word, so the table holds only tabs that count.
    console_tab::Entity::delete_many()
        .filter(console_tab::Column::AdminId.eq(id))
        .filter(console_tab::Column::ActiveUntil.lte(now))
        .exec(db)
        .await?;
    if in_use {
        let row = console_tab::ActiveModel {
            admin_id: Set(id),
            tab: Set(tab),
            active_until: Set(now + IN_USE_FOR),
        };
        console_tab::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([console_tab::Column::AdminId, console_tab::Column::Tab])
                    .update_column(console_tab::Column::ActiveUntil)
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    } else {
        console_tab::Entity::delete_many()
            .filter(console_tab::Column::AdminId.eq(id))
            .filter(console_tab::Column::Tab.eq(tab))
            .exec(db)
            .await?;
    }
    of(store, by).await
}

/// `by`'s presence as the console shows it.
pub async fn of(store: &impl Store, by: &Principal) -> Result<Presence, Error> {
    let id = require_admin(by)?;
    let row = admin::Entity::find_by_id(id)
        .one(store.db())
        .await?
        .ok_or(Error::NotFound("admin"))?;
    let in_use = console_tab::Entity::find()
        .filter(console_tab::Column::AdminId.eq(id))
        .filter(console_tab::Column::ActiveUntil.gt(Utc::now()))
        .count(store.db())
        .await?;
    Ok(Presence {
        away: row.away,
        online: !row.away && in_use > 0,
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

/// Agents who can answer, not away, with a console tab in use.
fn online() -> sea_orm::Condition {
    let in_use = Query::select()
        .column(console_tab::Column::AdminId)
        .from(console_tab::Entity)
        .and_where(console_tab::Column::ActiveUntil.gt(Utc::now()))
        .to_owned();
    sea_orm::Condition::all()
        .add(admin::Column::Role.eq(Role::Admin.as_str()))
        .add(admin::Column::Away.eq(false))
        .add(admin::Column::Id.in_subquery(in_use))
}

/// Presence belongs to people: an API token has none.
fn require_admin(by: &Principal) -> Result<Uuid, Error> {
    match by.kind {
        PrincipalKind::Admin => Ok(by.id),
        PrincipalKind::ApiToken | PrincipalKind::System => Err(Error::Forbidden),
    }
}
