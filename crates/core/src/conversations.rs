//! Conversations between visitors and agents: the inbox, the messages of one conversation,
//! and posting from either side. A message is acknowledged only once stored; ids grow with
//! every message, so readers resume after the last id they saw.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
};
use switchboard_db::entities::{conversation, deployment, message, messenger_session};
use switchboard_domain::conversation::{
    Author, Conversation, ConversationSummary, Identity, Message, message_text,
};
use uuid::Uuid;

use crate::admins::Principal;
use crate::messenger_sessions::Session;
use crate::{Error, rows};

/// The inbox shows this many conversations at most, newest activity first.
pub const INBOX_LIMIT: u64 = 200;
/// A visitor may send this many messages per [`BURST_WINDOW`].
pub const BURST: u64 = 10;
pub const BURST_WINDOW: Duration = Duration::seconds(10);
/// One read returns at most this many messages; the reader asks again after the last id.
pub const PAGE: u64 = 500;

/// The inbox: conversations with the newest activity first, with their unread counts.
pub async fn list(db: &DatabaseConnection) -> Result<Vec<ConversationSummary>, Error> {
    let rows = conversation::Entity::find()
        .find_also_related(deployment::Entity)
        .order_by_desc(conversation::Column::LastActivityAt)
        .limit(INBOX_LIMIT)
        .all(db)
        .await?;
    let unread = unread_counts(db, rows.iter().map(|(row, _)| row.id).collect()).await?;
    rows.into_iter()
        .map(|(row, deployment)| {
            Ok(ConversationSummary {
                identity: identity(&row)?,
                unread: unread.get(&row.id).copied().unwrap_or(0),
                id: row.id,
                deployment_name: deployment.map(|d| d.name).unwrap_or_default(),
                last_activity_at: row.last_activity_at,
                status: row.status,
            })
        })
        .collect()
}

/// Visitor messages after each conversation's read mark, for conversations `ids`, in one query.
async fn unread_counts(
    db: &DatabaseConnection,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, u64>, Error> {
    let counts: Vec<(Uuid, i64)> = message::Entity::find()
        .select_only()
        .column(message::Column::ConversationId)
        .column_as(message::Column::Id.count(), "unread")
        .inner_join(conversation::Entity)
        .filter(message::Column::ConversationId.is_in(ids))
        .filter(message::Column::Author.eq(Author::Visitor.as_str()))
        .filter(
            Expr::col((message::Entity, message::Column::Id)).gt(Expr::col((
                conversation::Entity,
                conversation::Column::AgentReadId,
            ))),
        )
        .group_by(message::Column::ConversationId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(id, count)| (id, u64::try_from(count).unwrap_or(0)))
        .collect())
}

/// One conversation with its first [`PAGE`] messages.
pub async fn get(db: &DatabaseConnection, id: Uuid) -> Result<Conversation, Error> {
    let (row, deployment) = conversation::Entity::find_by_id(id)
        .find_also_related(deployment::Entity)
        .one(db)
        .await?
        .ok_or(Error::NotFound("conversation"))?;
    let messages = messages(db, id, None).await?;
    let signed_in_at = messages
        .iter()
        .find(|message| message.authenticated)
        .map(|message| message.created_at);
    Ok(Conversation {
        identity: identity(&row)?,
        id,
        deployment_id: row.deployment_id,
        deployment_name: deployment.map(|d| d.name).unwrap_or_default(),
        signed_in_at,
        status: row.status,
        messages,
    })
}

/// Records that an agent has seen the conversation up to message `up_to`. Reading is a change
/// of the inbox everyone shares, so a viewer is refused.
pub async fn mark_read(
    db: &DatabaseConnection,
    id: Uuid,
    up_to: i64,
    by: &Principal,
) -> Result<(), Error> {
    by.require_change()?;
    conversation::Entity::update_many()
        .col_expr(conversation::Column::AgentReadId, Expr::value(up_to))
        .filter(conversation::Column::Id.eq(id))
        .filter(conversation::Column::AgentReadId.lt(up_to))
        .exec(db)
        .await?;
    Ok(())
}

/// Closes a conversation; the visitor's next message opens it again.
pub async fn close(db: &DatabaseConnection, id: Uuid, by: &Principal) -> Result<(), Error> {
    by.require_change()?;
    require(db, id).await?;
    conversation::Entity::update_many()
        .col_expr(conversation::Column::Status, Expr::value("closed"))
        .filter(conversation::Column::Id.eq(id))
        .exec(db)
        .await?;
    crate::audit::record_change(db, by, "conversation.close", ("conversation", id), vec![]).await
}

/// Messages of a conversation after id `after` (all when `None`), oldest first.
pub async fn messages(
    db: &DatabaseConnection,
    conversation_id: Uuid,
    after: Option<i64>,
) -> Result<Vec<Message>, Error> {
    let mut query = message::Entity::find()
        .filter(message::Column::ConversationId.eq(conversation_id))
        .order_by_asc(message::Column::Id)
        .limit(PAGE);
    if let Some(after) = after {
        query = query.filter(message::Column::Id.gt(after));
    }
    query.all(db).await?.into_iter().map(to_domain).collect()
}

/// Fails with `NotFound` unless conversation `id` exists.
pub async fn require(db: &DatabaseConnection, id: Uuid) -> Result<(), Error> {
    rows::require::<conversation::Entity>(db, id, "conversation")
        .await
        .map(|_| ())
}

/// Stores a visitor's message in the session's conversation, starting the conversation with
/// the first message. A signed-in visitor's identity goes onto the conversation (an anonymous
/// conversation becomes authenticated from that message on).
pub async fn post_from_visitor(
    db: &DatabaseConnection,
    session: &Session,
    text: &str,
) -> Result<(Uuid, Message), Error> {
    let text = message_text(text).map_err(|error| Error::Invalid(vec![error]))?;
    let transaction = db.begin().await?;
    let now = Utc::now();
    let conversation_id = match session.conversation_id {
        Some(id) => id,
        None => {
            let id = Uuid::new_v4();
            conversation::ActiveModel {
                id: Set(id),
                deployment_id: Set(session.deployment_id),
                identity: Set(session.identity.as_ref().map(|i| serde_json::json!(i))),
                status: Set("open".to_owned()),
                created_at: Set(now),
                last_activity_at: Set(now),
                agent_read_id: Set(0),
            }
            .insert(&transaction)
            .await?;
            messenger_session::Entity::update_many()
                .col_expr(messenger_session::Column::ConversationId, Expr::value(id))
                .filter(messenger_session::Column::Id.eq(session.id))
                .exec(&transaction)
                .await?;
            id
        }
    };
    let recent = message::Entity::find()
        .filter(message::Column::ConversationId.eq(conversation_id))
        .filter(message::Column::Author.eq(Author::Visitor.as_str()))
        .filter(message::Column::CreatedAt.gt(now - BURST_WINDOW))
        .count(&transaction)
        .await?;
    if recent >= BURST {
        return Err(Error::TooFast(format!(
            "At most {BURST} messages in {} seconds; wait a moment and send again.",
            BURST_WINDOW.num_seconds()
        )));
    }
    let stored = message::ActiveModel {
        conversation_id: Set(conversation_id),
        author: Set(Author::Visitor.as_str().to_owned()),
        text: Set(text),
        created_at: Set(now),
        authenticated: Set(session.identity.is_some()),
        ..Default::default()
    }
    .insert(&transaction)
    .await?;
    let mut touch = conversation::Entity::update_many()
        .col_expr(conversation::Column::LastActivityAt, Expr::value(now))
        .col_expr(conversation::Column::Status, Expr::value("open"))
        .filter(conversation::Column::Id.eq(conversation_id));
    if let Some(identity) = &session.identity {
        touch = touch.col_expr(
            conversation::Column::Identity,
            Expr::value(serde_json::json!(identity)),
        );
    }
    touch.exec(&transaction).await?;
    transaction.commit().await?;
    Ok((conversation_id, to_domain(stored)?))
}

/// Stores an agent's reply. `by` must be allowed to change things.
pub async fn post_from_agent(
    db: &DatabaseConnection,
    conversation_id: Uuid,
    text: &str,
    by: &Principal,
) -> Result<Message, Error> {
    by.require_change()?;
    let text = message_text(text).map_err(|error| Error::Invalid(vec![error]))?;
    require(db, conversation_id).await?;
    let now = Utc::now();
    let transaction = db.begin().await?;
    let stored = message::ActiveModel {
        conversation_id: Set(conversation_id),
        author: Set(Author::Agent.as_str().to_owned()),
        text: Set(text),
        created_at: Set(now),
        authenticated: Set(false),
        ..Default::default()
    }
    .insert(&transaction)
    .await?;
    conversation::Entity::update_many()
        .col_expr(conversation::Column::LastActivityAt, Expr::value(now))
        .col_expr(conversation::Column::AgentReadId, Expr::value(stored.id))
        .filter(conversation::Column::Id.eq(conversation_id))
        .exec(&transaction)
        .await?;
    transaction.commit().await?;
    to_domain(stored)
}

fn identity(row: &conversation::Model) -> Result<Option<Identity>, Error> {
    row.identity
        .clone()
        .map(serde_json::from_value::<Identity>)
        .transpose()
        .map_err(|e| Error::Corrupt(format!("conversation {}: {e}", row.id)))
}

fn to_domain(row: message::Model) -> Result<Message, Error> {
    let author = match row.author.as_str() {
        "visitor" => Author::Visitor,
        "agent" => Author::Agent,
        other => {
            return Err(Error::Corrupt(format!(
                "message {}: author {other}",
                row.id
            )));
        }
    };
    Ok(Message {
        id: row.id,
        author,
        text: row.text,
        created_at: row.created_at,
        authenticated: row.authenticated,
    })
}
