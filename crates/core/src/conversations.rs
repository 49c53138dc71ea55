//! Conversations between visitors and agents: the inbox, the messages of one conversation,
//! and posting from either side. A message is acknowledged only once stored; ids grow with
//! every message, so readers resume after the last id they saw.

use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr, TransactionTrait,
};
use switchboard_db::entities::{conversation, deployment, message, messenger_session};
use switchboard_domain::FieldError;
use switchboard_domain::conversation::{
    Author, Conversation, ConversationStatus, EarlierConversation, Identity, Message, PAGE_DEFAULT,
    VisitorConversation, message_text,
};
use switchboard_domain::transcript::Transcript;
use uuid::Uuid;

use crate::admins::Principal;
use crate::attachments::{self, Checked, Upload};
use crate::delivery::{Notice, NoticeKind};
use crate::messenger_sessions::Session;
use crate::{Error, Services, Store, rows};

/// A visitor may send this many messages per [`BURST_WINDOW`].
pub const BURST: u64 = 10;
pub const BURST_WINDOW: Duration = Duration::seconds(10);
/// One read returns at most this many messages; the reader asks again after the last id.
pub const PAGE: u64 = 500;

/// One conversation with its latest [`PAGE_DEFAULT`] messages (or, with `from`, every message
/// from that id on, up to [`PAGE`]), the visitor's typing, and the same person's other
/// conversations.
pub async fn get(store: &impl Store, id: Uuid, from: Option<i64>) -> Result<Conversation, Error> {
    let db = store.db();
    let (row, deployment) = with_deployment(db, id).await?;
    let (messages, has_older) = match from {
        None => page(db, vec![id], None, PAGE_DEFAULT).await?,
        Some(from) => {
            let messages = messages(db, id, Some(from - 1)).await?;
            let older = message::Entity::find()
                .filter(message::Column::ConversationId.eq(id))
                .filter(message::Column::Id.lt(from))
                .count(db)
                .await?;
            (messages, older > 0)
        }
    };
    let signed_in_at = message::Entity::find()
        .filter(message::Column::ConversationId.eq(id))
        .filter(message::Column::Authenticated.eq(true))
        .order_by_asc(message::Column::Id)
        .one(db)
        .await?
        .map(|message| message.created_at);
    let earlier = match &row.person {
        Some(person) => conversation::Entity::find()
            .filter(conversation::Column::DeploymentId.eq(row.deployment_id))
            .filter(conversation::Column::Person.eq(person.as_str()))
            .filter(conversation::Column::Id.ne(id))
            .order_by_desc(conversation::Column::LastActivityAt)
            .all(db)
            .await?
            .into_iter()
            .map(|other| {
                Ok(EarlierConversation {
                    id: other.id,
                    created_at: other.created_at,
                    last_activity_at: other.last_activity_at,
                    status: rows::stored("conversation", other.id, &other.status)?,
                })
            })
            .collect::<Result<_, Error>>()?,
        None => vec![],
    };
    let assignee = crate::inbox::agents_by_id(db, row.assignee_id).await?;
    Ok(Conversation {
        assignee: row.assignee_id.and_then(|id| assignee.get(&id).cloned()),
        identity: identity(&row)?,
        id,
        deployment_id: row.deployment_id,
        deployment_name: deployment.map(|d| d.name).unwrap_or_default(),
        signed_in_at,
        visitor_typing: row
            .visitor_typing_at
            .is_some_and(|at| at > Utc::now() - TYPING_SHOWN),
        agent_read_id: row.agent_read_id,
        status: rows::stored("conversation", row.id, &row.status)?,
        messages,
        has_older,
        earlier,
    })
}

/// The messages of conversation `id` older than message `before`, at most `limit`, oldest
/// first, and whether there are older ones still.
pub async fn older(
    store: &impl Store,
    id: Uuid,
    before: i64,
    limit: u64,
) -> Result<(Vec<Message>, bool), Error> {
    let db = store.db();
    require(db, id).await?;
    page(db, vec![id], Some(before), limit).await
}

/// The latest `limit` messages of `conversations` (older than `before` when given), oldest
/// first, and whether older ones exist. One indexed query whatever the history's length.
async fn page<C: ConnectionTrait>(
    db: &C,
    conversations: Vec<Uuid>,
    before: Option<i64>,
    limit: u64,
) -> Result<(Vec<Message>, bool), Error> {
    let mut query = message::Entity::find()
        .filter(message::Column::ConversationId.is_in(conversations))
        .order_by_desc(message::Column::Id)
        .limit(limit + 1);
    if let Some(before) = before {
        query = query.filter(message::Column::Id.lt(before));
    }
    let mut rows = query.all(db).await?;
    let has_older = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    rows.reverse();
    let messages = rows.into_iter().map(to_domain).collect::<Result<_, _>>()?;
    Ok((messages, has_older))
}

/// Records that an agent has seen the conversation up to message `up_to`, and tells the
/// visitor's messenger. Reading is a change of the inbox everyone shares, so a viewer is
/// refused.
pub async fn mark_read(
    services: &Services,
    id: Uuid,
    up_to: i64,
    by: &Principal,
) -> Result<(), Error> {
    by.require_change()?;
    let db = services.db();
    require(db, id).await?;
    conversation::Entity::update_many()
        .col_expr(conversation::Column::AgentReadId, Expr::value(up_to))
        .filter(conversation::Column::Id.eq(id))
        .filter(conversation::Column::AgentReadId.lt(up_to))
        .exec(db)
        .await?;
    let notice = Notice::signal(id, NoticeKind::Read(up_to));
    services.delivery().publish(db, notice).await;
    Ok(())
}

/// Closes a conversation; the visitor's next message starts a new one.
pub async fn close(services: &Services, id: Uuid, by: &Principal) -> Result<(), Error> {
    let db = services.db();
    by.require_change()?;
    require(db, id).await?;
    conversation::Entity::update_many()
        .col_expr(
            conversation::Column::Status,
            Expr::value(ConversationStatus::Closed.as_str()),
        )
        .filter(conversation::Column::Id.eq(id))
        .exec(db)
        .await?;
    crate::audit::record_change(db, by, "conversation.close", ("conversation", id), vec![]).await?;
    let notice = Notice::signal(id, NoticeKind::Changed);
    services.delivery().publish(db, notice).await;
    Ok(())
}

/// Messages of a conversation after id `after` (all when `None`), oldest first.
pub async fn messages(
    store: &impl Store,
    conversation_id: Uuid,
    after: Option<i64>,
) -> Result<Vec<Message>, Error> {
    let db = store.db();
    let mut query = message::Entity::find()
        .filter(message::Column::ConversationId.eq(conversation_id))
        .order_by_asc(message::Column::Id)
        .limit(PAGE);
    if let Some(after) = after {
        query = query.filter(message::Column::Id.gt(after));
    }
    query.all(db).await?.into_iter().map(to_domain).collect()
}

/// Conversation `id` whole, every message oldest first, with the visitor's identity: what an
/// agent downloads. Messages are read in pages of [`PAGE`], as readers resume after an id.
pub async fn transcript(store: &impl Store, id: Uuid) -> Result<Transcript, Error> {
    let db = store.db();
    let (row, deployment) = with_deployment(db, id).await?;
    let mut all: Vec<Message> = vec![];
    loop {
        let next = messages(db, id, all.last().map(|message| message.id)).await?;
        // Only a full read can have more after it.
        let full = next.len() as u64 == PAGE;
        all.extend(next);
        if !full {
            break;
        }
    }
    Ok(Transcript {
        conversation_id: id,
        deployment_name: deployment.map(|d| d.name).unwrap_or_default(),
        identity: identity(&row)?,
        status: rows::stored("conversation", row.id, &row.status)?,
        started_at: row.created_at,
        last_activity_at: row.last_activity_at,
        exported_at: Utc::now(),
        messages: all,
    })
}

/// The transcript a visitor downloads: of the conversation of theirs with the latest activity
/// (the open one, or the last one they had).
pub async fn visitor_transcript(
    store: &impl Store,
    session: &Session,
) -> Result<Transcript, Error> {
    let visible = visible_to(store.db(), session).await?;
    let latest: Uuid = conversation::Entity::find()
        .select_only()
        .column(conversation::Column::Id)
        .filter(conversation::Column::Id.is_in(visible))
        .order_by_desc(conversation::Column::LastActivityAt)
        .into_tuple()
        .one(store.db())
        .await?
        .ok_or(Error::NotFound("conversation"))?;
    transcript(store, latest).await
}

/// Fails with `NotFound` unless conversation `id` exists.
pub async fn require(store: &impl Store, id: Uuid) -> Result<(), Error> {
    let db = store.db();
    rows::require::<conversation::Entity, _>(db, id, "conversation")
        .await
        .map(|_| ())
}

/// How long "typing" shows after the visitor's last typing signal.
pub const TYPING_SHOWN: Duration = Duration::seconds(6);

/// The key of the signed-in person behind a session: a digest of the deployment, the issuer
/// and the subject, which name them there (an email, verified or not, never does). `None` for
/// an anonymous session.
pub fn person_key(session: &Session) -> Option<String> {
    use sha2::{Digest, Sha256};
    let identity = session.identity.as_ref()?;
    let digest = Sha256::digest(format!(
        "{}\n{}\n{}",
        session.deployment_id, identity.issuer, identity.subject
    ));
    Some(digest.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// The open conversation a session writes to: the person's, for a signed-in visitor (whatever
/// device or sign-in they came through), else the anonymous session's own.
pub async fn open_for<C: ConnectionTrait>(
    db: &C,
    session: &Session,
) -> Result<Option<conversation::Model>, Error> {
    let found = match person_key(session) {
        Some(person) => {
            conversation::Entity::find()
                .filter(conversation::Column::DeploymentId.eq(session.deployment_id))
                .filter(conversation::Column::Person.eq(person))
                .filter(conversation::Column::Status.eq(ConversationStatus::Open.as_str()))
                .one(db)
                .await?
        }
        None => match session.conversation_id {
            Some(id) => {
                conversation::Entity::find_by_id(id)
                    .filter(conversation::Column::Status.eq(ConversationStatus::Open.as_str()))
                    .one(db)
                    .await?
            }
            None => None,
        },
    };
    Ok(found)
}

/// Every conversation whose history a session sees: all of a person's on the deployment,
/// or the anonymous session's own.
pub(crate) async fn visible_to(
    db: &DatabaseConnection,
    session: &Session,
) -> Result<Vec<Uuid>, Error> {
    Ok(match person_key(session) {
        Some(person) => {
            conversation::Entity::find()
                .select_only()
                .column(conversation::Column::Id)
                .filter(conversation::Column::DeploymentId.eq(session.deployment_id))
                .filter(conversation::Column::Person.eq(person))
                .into_tuple()
                .all(db)
                .await?
        }
        None => session.conversation_id.into_iter().collect(),
    })
}

/// Which page of the history a visitor asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitorPage {
    /// The newest `limit` messages.
    Latest(u64),
    /// The `limit` messages before message `before`, which must be in the visitor's history.
    Before(i64, u64),
    /// Everything after message `after` (a resume).
    After(i64),
}

/// What the messenger shows a visitor: the open conversation and a page of the history.
pub async fn for_visitor(
    store: &impl Store,
    session: &Session,
    wanted: VisitorPage,
) -> Result<VisitorConversation, Error> {
    let db = store.db();
    let visible = visible_to(db, session).await?;
    let open = open_for(db, session).await?;
    let (messages, has_older) = match wanted {
        VisitorPage::Latest(limit) => page(db, visible, None, limit).await?,
        VisitorPage::Before(before, limit) => {
            let known = message::Entity::find_by_id(before)
                .filter(message::Column::ConversationId.is_in(visible.clone()))
                .one(db)
                .await?
                .is_some();
            if !known {
                return Err(Error::Invalid(vec![FieldError::new(
                    "before",
                    format!("Message {before} is not in this conversation."),
                )]));
            }
            page(db, visible, Some(before), limit).await?
        }
        VisitorPage::After(after) => {
            let messages = message::Entity::find()
                .filter(message::Column::ConversationId.is_in(visible))
                .filter(message::Column::Id.gt(after))
                .order_by_asc(message::Column::Id)
                .limit(PAGE)
                .all(db)
                .await?
                .into_iter()
                .map(to_domain)
                .collect::<Result<_, _>>()?;
            (messages, false)
        }
    };
    Ok(VisitorConversation {
        id: open.as_ref().map(|row| row.id),
        deployment_id: session.deployment_id,
        identity: session.identity.clone(),
        messages,
        has_older,
        agent_read_id: open.map_or(0, |row| row.agent_read_id),
    })
}

/// Notes that the visitor is typing in their open conversation (nothing without one); at most
/// [`crate::TYPING_PER_MINUTE`] a minute per session.
pub async fn visitor_typing(services: &Services, session: &Session) -> Result<(), Error> {
    services
        .typing_signal(session.id)
        .map_err(typing_too_fast)?;
    let db = services.db();
    if let Some(open) = open_for(db, session).await? {
        conversation::Entity::update_many()
            .col_expr(
                conversation::Column::VisitorTypingAt,
                Expr::value(Utc::now()),
            )
            .filter(conversation::Column::Id.eq(open.id))
            .exec(db)
            .await?;
        let notice = Notice::signal(open.id, NoticeKind::VisitorTyping);
        services.delivery().publish(db, notice).await;
    }
    Ok(())
}

/// Stores a visitor's message in their open conversation ([`open_for`]), starting a new one
/// when there is none (the first message, or the first after an agent closed the last), then
/// announces it to the agents and to the person's other devices. A signed-in visitor's
/// identity goes onto the conversation (an anonymous conversation becomes authenticated from
/// that message on).
pub async fn post_from_visitor(
    services: &Services,
    session: &Session,
    text: &str,
) -> Result<(Uuid, Message), Error> {
    let text = message_text(text).map_err(|error| Error::Invalid(vec![error]))?;
    post_visitor_message(services, session, &text, None).await
}

/// Stores a file the visitor sends (see [`crate::attachments`]) as a message of its own, the
/// way [`post_from_visitor`] stores a text.
pub async fn post_file_from_visitor(
    services: &Services,
    session: &Session,
    upload: Upload<'_>,
) -> Result<(Uuid, Message), Error> {
    let rules = attachments::rules(services, session.deployment_id).await?;
    let file = attachments::check(services, &rules, upload).await?;
    let name = file.attachment.name.clone();
    let posted = post_visitor_message(services, session, &name, Some(&file)).await;
    if posted.is_err() {
        file.abandon().await;
    }
    posted
}

async fn post_visitor_message(
    services: &Services,
    session: &Session,
    text: &str,
    file: Option<&Checked<'_>>,
) -> Result<(Uuid, Message), Error> {
    let db = services.db();
    let by_email = reply_by_email(services, session).await?;
    // Two devices of one person may start the conversation at the same moment: the database
    // lets one open conversation in, and the other attempt then writes into it.
    let stored = match store_visitor_message(db, session, text, file, by_email).await {
        Err(Error::Database(error))
            if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) =>
        {
            store_visitor_message(db, session, text, file, by_email).await
        }
        outcome => outcome,
    }?;
    let StoredVisitorMessage {
        conversation_id,
        message,
        started,
    } = stored;
    // The person's other devices, and this session's other tabs, follow them into a
    // conversation this opened.
    let notice = Notice {
        person: person_key(session),
        session: Some(session.id),
        ..Notice::message(conversation_id, message.id)
    };
    services.delivery().publish(db, notice).await;
    if started {
        assign_if_round_robin(services, session.deployment_id, conversation_id).await;
    }
    Ok((conversation_id, message))
}

/// Whether the agents' replies to what `session` writes now should also go by email: no one
/// is online, the visitor has an email their provider vouches for, and there is a mailer.
async fn reply_by_email(services: &Services, session: &Session) -> Result<bool, Error> {
    let verified = session
        .identity
        .as_ref()
        .is_some_and(|identity| verified_email(identity).is_some());
    if !verified || services.settings().mailer.is_none() {
        return Ok(false);
    }
    Ok(!crate::presence::anyone_online(services.db()).await?)
}

/// The email a reply may be sent to: only one the provider vouches for.
pub fn verified_email(identity: &Identity) -> Option<&str> {
    identity
        .email
        .as_deref()
        .filter(|_| identity.email_verified)
}

/// Gives a conversation that just started to the next online agent when its deployment's
/// configuration says so. The message is stored either way: a failure here leaves it in
/// "Unassigned" and is logged.
async fn assign_if_round_robin(services: &Services, deployment_id: Uuid, conversation_id: Uuid) {
    let outcome = async {
        let served = crate::deployments::served(services, deployment_id).await?;
        if served.is_some_and(|served| served.content.assign_round_robin) {
            crate::presence::assign_round_robin(services, conversation_id).await?;
        }
        Ok::<_, Error>(())
    };
    if let Err(error) = outcome.await {
        tracing::warn!(%error, %conversation_id, "cannot assign a new conversation round-robin");
    }
}

/// What [`store_visitor_message`] stored.
struct StoredVisitorMessage {
    conversation_id: Uuid,
    message: Message,
    /// The message started a new conversation.
    started: bool,
}

async fn store_visitor_message(
    db: &DatabaseConnection,
    session: &Session,
    text: &str,
    file: Option<&Checked<'_>>,
    reply_by_email: bool,
) -> Result<StoredVisitorMessage, Error> {
    let transaction = db.begin().await?;
    let now = Utc::now();
    let open = open_for(&transaction, session).await?;
    let started = open.is_none();
    let conversation_id = match open {
        Some(open) => open.id,
        None => {
            let id = Uuid::new_v4();
            conversation::ActiveModel {
                id: Set(id),
                deployment_id: Set(session.deployment_id),
                identity: Set(session.identity.as_ref().map(|i| serde_json::json!(i))),
                person: Set(person_key(session)),
                status: Set(ConversationStatus::Open.as_str().to_owned()),
                created_at: Set(now),
                last_activity_at: Set(now),
                agent_read_id: Set(0),
                visitor_typing_at: Set(None),
                assignee_id: Set(None),
                reply_by_email: Set(false),
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
        return Err(Error::TooFast {
            message: format!(
                "At most {BURST} messages in {} seconds; wait a moment and send again.",
                BURST_WINDOW.num_seconds()
            ),
            retry_after: BURST_WINDOW.to_std().unwrap_or_default(),
        });
    }
    if let Some(file) = file {
        file.insert(&transaction, conversation_id).await?;
    }
    let stored = message::ActiveModel {
        conversation_id: Set(conversation_id),
        author: Set(Author::Visitor.as_str().to_owned()),
        text: Set(text.to_owned()),
        created_at: Set(now),
        authenticated: Set(session.identity.is_some()),
        attachment: Set(file.map(|file| serde_json::json!(file.attachment))),
        ..Default::default()
    }
    .insert(&transaction)
    .await?;
    let mut touch = conversation::Entity::update_many()
        .col_expr(conversation::Column::LastActivityAt, Expr::value(now))
        .col_expr(
            conversation::Column::VisitorTypingAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(
            conversation::Column::ReplyByEmail,
            Expr::value(reply_by_email),
        )
        .filter(conversation::Column::Id.eq(conversation_id));
    if let Some(identity) = &session.identity {
        touch = touch.col_expr(
            conversation::Column::Identity,
            Expr::value(serde_json::json!(identity)),
        );
    }
    touch.exec(&transaction).await?;
    transaction.commit().await?;
    Ok(StoredVisitorMessage {
        conversation_id,
        message: to_domain(stored)?,
        started,
    })
}

/// Stores an agent's reply and announces it to the visitor. `by` must be allowed to change
/// things.
pub async fn post_from_agent(
    services: &Services,
    conversation_id: Uuid,
    text: &str,
    by: &Principal,
) -> Result<Message, Error> {
    by.require_change()?;
    let text = message_text(text).map_err(|error| Error::Invalid(vec![error]))?;
    let row =
        rows::require::<conversation::Entity, _>(services.db(), conversation_id, "conversation")
            .await?;
    post_agent_message(services, &row, &text, None).await
}

/// Stores a file an agent sends into conversation `conversation_id`, checked against the rules
/// of the configuration its deployment serves.
pub async fn post_file_from_agent(
    services: &Services,
    conversation_id: Uuid,
    upload: Upload<'_>,
    by: &Principal,
) -> Result<Message, Error> {
    by.require_change()?;
    let row =
        rows::require::<conversation::Entity, _>(services.db(), conversation_id, "conversation")
            .await?;
    let rules = attachments::rules(services, row.deployment_id).await?;
    let file = attachments::check(services, &rules, upload).await?;
    let name = file.attachment.name.clone();
    let posted = post_agent_message(services, &row, &name, Some(&file)).await;
    if posted.is_err() {
        file.abandon().await;
    }
    posted
}

async fn post_agent_message(
    services: &Services,
    row: &conversation::Model,
    text: &str,
    file: Option<&Checked<'_>>,
) -> Result<Message, Error> {
    let db = services.db();
    let conversation_id = row.id;
    let now = Utc::now();
    let transaction = db.begin().await?;
    if let Some(file) = file {
        file.insert(&transaction, conversation_id).await?;
    }
    let stored = message::ActiveModel {
        conversation_id: Set(conversation_id),
        author: Set(Author::Agent.as_str().to_owned()),
        text: Set(text.to_owned()),
        created_at: Set(now),
        authenticated: Set(false),
        attachment: Set(file.map(|file| serde_json::json!(file.attachment))),
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
    let message = to_domain(stored)?;
    let notice = Notice::message(conversation_id, message.id);
    services.delivery().publish(db, notice).await;
    if row.reply_by_email {
        email_reply(services, row, text)?;
    }
    Ok(message)
}

/// Sends agent reply `text` to the visitor of conversation `row` by email, in the background:
/// the reply is stored and delivered in the messenger whatever the SMTP server does.
fn email_reply(services: &Services, row: &conversation::Model, text: &str) -> Result<(), Error> {
    let identity = identity(row)?;
    let to = identity.as_ref().and_then(verified_email);
    let (Some(mailer), Some(to)) = (services.settings().mailer.clone(), to) else {
        return Ok(());
    };
    let to = to.to_owned();
    let (subject, body) = crate::mail::reply(text);
    let conversation_id = row.id;
    tokio::spawn(async move {
        match mailer.send(&to, &subject, body).await {
            Ok(()) => tracing::info!(%conversation_id, "emailed a reply to the visitor"),
            Err(error) => {
                tracing::warn!(%error, %conversation_id, "cannot email a reply to the visitor");
            }
        }
    });
    Ok(())
}

/// The agent is typing a reply: the visitor's messenger shows it for a few seconds. Never
/// stored; at most [`crate::TYPING_PER_MINUTE`] a minute per conversation.
pub async fn agent_typing(services: &Services, id: Uuid, by: &Principal) -> Result<(), Error> {
    by.require_change()?;
    require(services.db(), id).await?;
    services.typing_signal(id).map_err(typing_too_fast)?;
    let notice = Notice::signal(id, NoticeKind::AgentTyping);
    services.delivery().publish(services.db(), notice).await;
    Ok(())
}

/// One conversation as an agent opens it ([`get`]). An admin's look marks it read, and the
/// visitor's messenger says "Seen"; a viewer reads without marking anything, so the unread
/// counts stay the agents'.
pub async fn open_as_agent(
    services: &Services,
    id: Uuid,
    from: Option<i64>,
    by: &Principal,
) -> Result<Conversation, Error> {
    let conversation = get(services.db(), id, from).await?;
    if let Some(last) = conversation.messages.last()
        && by.role.can_change()
        && last.id > conversation.agent_read_id
    {
        mark_read(services, id, last.id, by).await?;
    }
    Ok(conversation)
}

fn typing_too_fast(retry_after: std::time::Duration) -> Error {
    Error::TooFast {
        message: "Typing signals are sent too often; slow down.".to_owned(),
        retry_after,
    }
}

/// Conversation `id` and the deployment it came through.
async fn with_deployment(
    db: &DatabaseConnection,
    id: Uuid,
) -> Result<(conversation::Model, Option<deployment::Model>), Error> {
    conversation::Entity::find_by_id(id)
        .find_also_related(deployment::Entity)
        .one(db)
        .await?
        .ok_or(Error::NotFound("conversation"))
}

pub(crate) fn identity(row: &conversation::Model) -> Result<Option<Identity>, Error> {
    row.identity
        .clone()
        .map(serde_json::from_value::<Identity>)
        .transpose()
        .map_err(|e| Error::Corrupt(format!("conversation {}: {e}", row.id)))
}

pub(crate) fn to_domain(row: message::Model) -> Result<Message, Error> {
    let author: Author = rows::stored("message", row.id, &row.author)?;
    Ok(Message {
        id: row.id,
        author,
        text: row.text,
        created_at: row.created_at,
        authenticated: row.authenticated,
        attachment: row
            .attachment
            .map(serde_json::from_value)
            .transpose()
            .map_err(|error| Error::Corrupt(format!("message {}: {error}", row.id)))?,
    })
}
