//! The agents' inbox: its parts ("Mine", "Unassigned", "All", "Closed"), search, and who a
//! conversation is given to.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use switchboard_db::entities::{admin, conversation, deployment, message};
use switchboard_domain::FieldError;
use switchboard_domain::admin::Role;
use switchboard_domain::conversation::{
    Author, ConversationStatus, ConversationSummary, visitor_name,
};
use switchboard_domain::inbox::{Agent, InboxFilter, InboxMessage, search_terms};
use uuid::Uuid;

use crate::admins::Principal;
use crate::delivery::{Notice, NoticeKind};
use crate::{Error, Services, Store, rows};

/// The inbox shows this many conversations at most, newest activity first.
pub const INBOX_LIMIT: u64 = 200;

/// Which conversations an agent asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxQuery {
    pub filter: InboxFilter,
    /// Words to look for (see `switchboard_domain::inbox::search_terms`); empty for no search.
    pub q: String,
}

/// The part of the inbox `query` names, newest activity first, with unread counts and
/// assignees. "Mine" is `by`'s.
pub async fn list(
    store: &impl Store,
    query: &InboxQuery,
    by: &Principal,
) -> Result<Vec<ConversationSummary>, Error> {
    let db = store.db();
    let terms = search_terms(&query.q).map_err(|error| Error::Invalid(vec![error]))?;
    let open = || conversation::Column::Status.eq(ConversationStatus::Open.as_str());
    let mut select = conversation::Entity::find()
        .find_also_related(deployment::Entity)
        .order_by_desc(conversation::Column::LastActivityAt)
        .limit(INBOX_LIMIT);
    select = match query.filter {
        InboxFilter::Mine => select
            .filter(open())
            .filter(conversation::Column::AssigneeId.eq(by.id)),
        InboxFilter::Unassigned => select
            .filter(open())
            .filter(conversation::Column::AssigneeId.is_null()),
        InboxFilter::All => select,
        InboxFilter::Closed => {
            select.filter(conversation::Column::Status.eq(ConversationStatus::Closed.as_str()))
        }
    };
    if !terms.is_empty() {
        select = select.filter(crate::search::matching(db.get_database_backend(), &terms));
    }
    let rows = select.all(db).await?;
    let unread = unread_counts(db, rows.iter().map(|(row, _)| row.id).collect()).await?;
    let agents = agents_by_id(db, rows.iter().filter_map(|(row, _)| row.assignee_id)).await?;
    rows.into_iter()
        .map(|(row, deployment)| {
            Ok(ConversationSummary {
                identity: crate::conversations::identity(&row)?,
                unread: unread.get(&row.id).copied().unwrap_or(0),
                id: row.id,
                deployment_name: deployment.map(|d| d.name).unwrap_or_default(),
                last_activity_at: row.last_activity_at,
                status: rows::stored("conversation", row.id, &row.status)?,
                assignee: row.assignee_id.and_then(|id| agents.get(&id).cloned()),
            })
        })
        .collect()
}

/// Visitor messages after each conversation's read mark, for conversations `ids`, in one query.
async fn unread_counts<C: ConnectionTrait>(
    db: &C,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, u64>, Error> {
    let counts: Vec<(Uuid, i64)> = message::Entity::find()
        .select_only()
        .column(message::Column::ConversationId)
        .column_as(message::Column::Id.count(), "unread")
        .inner_join(conversation::Entity)
        .filter(message::Column::ConversationId.is_in(ids))
        .filter(unseen_by_agents())
        .group_by(message::Column::ConversationId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(id, count)| (id, u64::try_from(count).unwrap_or(0)))
        .collect())
}

/// Messages (joined with their conversation) from the visitor after the agents' read mark.
fn unseen_by_agents() -> sea_orm::Condition {
    let after_read_mark = Expr::col((message::Entity, message::Column::Id)).gt(Expr::col((
        conversation::Entity,
        conversation::Column::AgentReadId,
    )));
    sea_orm::Condition::all()
        .add(message::Column::Author.eq(Author::Visitor.as_str()))
        .add(after_read_mark)
}

/// The admin `row` as the inbox names an agent.
fn as_agent(row: admin::Model) -> Agent {
    Agent {
        id: row.id,
        email: row.email,
    }
}

/// The admins among `ids`, in one query.
pub(crate) async fn agents_by_id<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Agent>, Error> {
    let ids: Vec<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(admin::Entity::find()
        .filter(admin::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, as_agent(row)))
        .collect())
}

/// Everyone who may be given conversations: the admins who can answer (not viewers), by email.
pub async fn agents(store: &impl Store) -> Result<Vec<Agent>, Error> {
    Ok(admin::Entity::find()
        .filter(admin::Column::Role.eq(Role::Admin.as_str()))
        .order_by_asc(admin::Column::Email)
        .all(store.db())
        .await?
        .into_iter()
        .map(as_agent)
        .collect())
}

/// Gives conversation `id` to admin `to`, or to no one with `None`, and records who did it.
/// Only an admin who can answer may be given one; giving it to whoever has it already changes
/// nothing.
pub async fn assign(
    services: &Services,
    id: Uuid,
    to: Option<Uuid>,
    by: &Principal,
) -> Result<Option<Agent>, Error> {
    by.require_change()?;
    let db = services.db();
    let row = rows::require::<conversation::Entity, _>(db, id, "conversation").await?;
    let agent = match to {
        None => None,
        Some(admin_id) => {
            let found = admin::Entity::find_by_id(admin_id).one(db).await?;
            match found {
                None => {
                    return Err(Error::Invalid(vec![FieldError::new(
                        "adminId",
                        format!("No admin has the id {admin_id}."),
                    )]));
                }
                Some(admin) if admin.role != Role::Admin.as_str() => {
                    return Err(Error::Invalid(vec![FieldError::new(
                        "adminId",
                        format!(
                            "{} is a viewer and cannot answer conversations.",
                            admin.email
                        ),
                    )]));
                }
                Some(admin) => Some(as_agent(admin)),
            }
        }
    };
    if row.assignee_id == to {
        return Ok(agent);
    }
    let before = agents_by_id(db, row.assignee_id).await?;
    let name = |agent: Option<&Agent>| agent.map_or("no one".to_owned(), |a| a.email.clone());
    let change = format!(
        "assignee: {} -> {}",
        name(row.assignee_id.and_then(|id| before.get(&id))),
        name(agent.as_ref())
    );
    let transaction = db.begin().await?;
    conversation::Entity::update_many()
        .col_expr(conversation::Column::AssigneeId, Expr::value(to))
        .filter(conversation::Column::Id.eq(id))
        .exec(&transaction)
        .await?;
    let action = "conversation.assign";
    crate::audit::record_change(&transaction, by, action, ("conversation", id), vec![change])
        .await?;
    transaction.commit().await?;
    let notice = Notice::signal(id, NoticeKind::Changed);
    services.delivery().publish(db, notice).await;
    Ok(agent)
}

/// Message `message_id` of conversation `conversation_id` as the console's event stream
/// announces it; `None` once it is gone (its conversation deleted with its deployment).
pub async fn announced(
    store: &impl Store,
    conversation_id: Uuid,
    message_id: i64,
) -> Result<Option<InboxMessage>, Error> {
    let found = message::Entity::find_by_id(message_id)
        .filter(message::Column::ConversationId.eq(conversation_id))
        .find_also_related(conversation::Entity)
        .one(store.db())
        .await?;
    let Some((message, Some(row))) = found else {
        return Ok(None);
    };
    Ok(Some(InboxMessage {
        conversation_id,
        assignee_id: row.assignee_id,
        visitor: visitor_name(crate::conversations::identity(&row)?.as_ref()),
        message: crate::conversations::to_domain(message)?,
    }))
}

/// How many open conversations that are `by`'s or no one's have visitor messages no agent has
/// seen: the count the console's navigation shows.
pub async fn unread_conversations(store: &impl Store, by: &Principal) -> Result<u64, Error> {
    let waiting = message::Entity::find()
        .select_only()
        .column(message::Column::ConversationId)
        .inner_join(conversation::Entity)
        .filter(conversation::Column::Status.eq(ConversationStatus::Open.as_str()))
        .filter(
            conversation::Column::AssigneeId
                .is_null()
                .or(conversation::Column::AssigneeId.eq(by.id)),
        )
        .filter(unseen_by_agents())
        .distinct()
        .count(store.db())
        .await?;
    Ok(waiting)
}
