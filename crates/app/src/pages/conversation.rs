//! `/admin/conversations/{id}`: one conversation, the visitor's verified identity, and the
//! agent's reply. New messages appear without a reload (the page reads again every few
//! seconds while open).

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use switchboard_domain::conversation::{
    Author, Conversation, ConversationStatus, EarlierConversation, Identity, Message,
};
use uuid::Uuid;

use crate::components::editor::{loaded_editor, use_id_param};
use crate::components::feedback::{Badge, Tone};
use crate::components::form::field_error;
use crate::components::layout::PageHeader;
use crate::components::refresh::refetch_every;
use crate::components::time;
use crate::error::AppError;

/// How often an open conversation (or the inbox) looks for new messages.
pub const REFRESH: Duration = Duration::from_secs(3);

/// One conversation: the latest messages, or every message from `from` on once the agent has
/// paged back. An admin's look marks it read (and the visitor's messenger says "Seen").
#[server]
pub async fn load_conversation(id: Uuid, from: Option<i64>) -> Result<Conversation, AppError> {
    let (services, principal) = crate::server::for_reading()?;
    let conversations = switchboard_core::conversations::open_as_agent;
    Ok(conversations(&services, id, from, &principal).await?)
}

/// The messages before `before`: where the page starts once the agent pages back, and whether
/// still older ones exist.
#[server]
pub async fn load_older_messages(id: Uuid, before: i64) -> Result<(Option<i64>, bool), AppError> {
    use switchboard_core::conversations;
    use switchboard_domain::conversation::PAGE_DEFAULT;
    let (services, _) = crate::server::for_reading()?;
    let (messages, has_older) = conversations::older(&services, id, before, PAGE_DEFAULT).await?;
    Ok((messages.first().map(|message| message.id), has_older))
}

#[server]
pub async fn reply_to_conversation(id: Uuid, text: String) -> Result<Message, AppError> {
    use switchboard_core::conversations;
    let (services, principal) = crate::server::for_changing()?;
    Ok(conversations::post_from_agent(&services, id, &text, &principal).await?)
}

/// The agent is typing a reply: the visitor's messenger shows it for a few seconds.
#[server]
pub async fn agent_typing(id: Uuid) -> Result<(), AppError> {
    use switchboard_core::{Error, conversations};
    let (services, principal) = crate::server::for_changing()?;
    match conversations::agent_typing(&services, id, &principal).await {
        // The signal is a hint: one too many is simply not sent.
        Ok(()) | Err(Error::TooFast { .. }) => Ok(()),
        Err(error) => Err(error.into()),
    }
}

#[server]
pub async fn close_conversation(id: Uuid) -> Result<(), AppError> {
    let (services, principal) = crate::server::for_changing()?;
    Ok(switchboard_core::conversations::close(&services, id, &principal).await?)
}

/// What the conversation page keeps while its data is read again every few seconds: the
/// reply being written, and where the shown history starts once the agent paged back.
#[derive(Clone, Copy)]
struct PageState {
    text: RwSignal<String>,
    from: RwSignal<Option<i64>>,
    typing_sent: RwSignal<bool>,
}

#[component]
pub fn ConversationPage() -> impl IntoView {
    let id = use_id_param();
    let state = PageState {
        text: RwSignal::new(String::new()),
        from: RwSignal::new(None),
        typing_sent: RwSignal::new(false),
    };
    let conversation = Resource::new(
        move || (id(), state.from.get()),
        |(id, from)| async move {
            match id {
                Some(id) => load_conversation(id, from).await,
                None => Err(AppError::NotFound("conversation".into())),
            }
        },
    );
    refetch_every(conversation, REFRESH);
    loaded_editor(
        "Conversation",
        conversation,
        move |conversation, can_change| {
            view! { <ConversationView conversation can_change state /> }
        },
    )
}

#[component]
fn ConversationView(
    conversation: Conversation,
    can_change: bool,
    state: PageState,
) -> impl IntoView {
    let id = conversation.id;
    let reply = ServerAction::<ReplyToConversation>::new();
    let close = ServerAction::<CloseConversation>::new();
    let older = ServerAction::<LoadOlderMessages>::new();
    let typing = ServerAction::<AgentTyping>::new();
    let text = state.text;
    Effect::new(move |_| {
        if let Some(Ok(_)) = reply.value().get() {
            text.set(String::new());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok((Some(first), _))) = older.value().get() {
            state.from.set(Some(first));
        }
    });
    let first_id = conversation.messages.first().map(|message| message.id);
    let has_older = conversation.has_older;
    let visitor_typing = conversation.visitor_typing;
    let earlier = conversation.earlier.clone();
    let error = move || {
        reply
            .value()
            .get()
            .and_then(|result| result.err())
            .or_else(|| close.value().get().and_then(|result| result.err()))
    };
    let who = match &conversation.identity {
        Some(identity) => identity
            .name
            .clone()
            .or_else(|| identity.email.clone())
            .unwrap_or_else(|| identity.subject.clone()),
        None => "Anonymous visitor".to_owned(),
    };
    let closed = conversation.status == ConversationStatus::Closed;
    view! {
        <Title text=format!("Conversation with {who}") />
        <PageHeader
            title=format!("Conversation with {who}")
            summary=format!("On {} · {}", conversation.deployment_name, if closed { "closed" } else { "open" })
        />
        <div class="grid gap-6 lg:grid-cols-3">
            <div class="space-y-6">
                <IdentityCard identity=conversation.identity.clone() signed_in_at=conversation.signed_in_at />
                <EarlierConversations earlier />
            </div>
            <section class="lg:col-span-2 rounded-lg border border-slate-200 bg-white p-5" aria-labelledby="history">
                <h2 id="history" class="text-base font-semibold text-slate-900">"Messages"</h2>
                {(has_older && first_id.is_some()).then(|| view! {
                    <button
                        type="button"
                        disabled=move || older.pending().get()
                        on:click=move |_| {
                            if let Some(before) = first_id {
                                older.dispatch(LoadOlderMessages { id, before });
                            }
                        }
                        class="mt-2 text-sm font-medium text-indigo-700 hover:underline disabled:opacity-50"
                    >
                        "Load older messages"
                    </button>
                })}
                <ol class="mt-3 space-y-3" data-testid="messages">
                    {conversation.messages.into_iter().map(|message| view! { <MessageItem message /> }).collect_view()}
                </ol>
                <p role="status" class="mt-2 min-h-5 text-sm italic text-slate-600">
                    {visitor_typing.then_some("Visitor is typing…")}
                </p>
                <form
                    class="mt-4 space-y-2"
                    on:submit=move |event| {
                        event.prevent_default();
                        reply.dispatch(ReplyToConversation { id, text: text.get_untracked() });
                    }
                >
                    <label for="reply" class="block text-sm font-medium text-slate-900">"Reply"</label>
                    <textarea
                        id="reply"
                        rows="3"
                        maxlength="4000"
                        disabled=!can_change
                        aria-invalid=move || error().is_some().then_some("true")
                        aria-describedby="reply-error"
                        prop:value=move || text.get()
                        on:input=move |event| {
                            text.set(event_target_value(&event));
                            // At most one typing signal every few seconds.
                            if can_change && !state.typing_sent.get_untracked() {
                                state.typing_sent.set(true);
                                typing.dispatch(AgentTyping { id });
                                set_timeout(move || state.typing_sent.set(false), Duration::from_secs(3));
                            }
                        }
                        class="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                    ></textarea>
                    <p id="reply-error" class="text-sm text-red-700">
                        {move || error().map(|error| match error {
                            AppError::Invalid(fields) => field_error(&fields, "text").unwrap_or_default(),
                            other => other.to_string(),
                        })}
                    </p>
                    <div class="flex gap-3">
                        <button
                            type="submit"
                            disabled=move || !can_change || reply.pending().get()
                            class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50"
                        >
                            "Send"
                        </button>
                        <button
                            type="button"
                            disabled=!can_change || closed
                            on:click=move |_| { close.dispatch(CloseConversation { id }); }
                            class="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
                        >
                            "Close conversation"
                        </button>
                    </div>
                </form>
            </section>
        </div>
    }
}

/// The same person's other conversations, with links.
#[component]
fn EarlierConversations(earlier: Vec<EarlierConversation>) -> impl IntoView {
    (!earlier.is_empty()).then(|| {
        view! {
            <section class="rounded-lg border border-slate-200 bg-white p-5" aria-labelledby="earlier">
                <h2 id="earlier" class="text-base font-semibold text-slate-900">"Other conversations with this person"</h2>
                <ul class="mt-3 space-y-2 text-sm">
                    {earlier
                        .into_iter()
                        .map(|other| {
                            view! {
                                <li>
                                    <a href=format!("/admin/conversations/{}", other.id) class="text-indigo-700 hover:underline">
                                        "Started " {time::format(other.created_at)}
                                    </a>
                                    " · " {other.status.as_str()}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn MessageItem(message: Message) -> impl IntoView {
    let (who, style) = match message.author {
        Author::Visitor => ("Visitor", "bg-slate-100"),
        Author::Agent => ("Agent", "bg-indigo-50"),
    };
    view! {
        <li class=format!("rounded-md p-3 {style}") data-author=message.author.as_str()>
            <p class="text-xs text-slate-600">
                {who} " · " <time datetime=time::machine(message.created_at)>{time::format(message.created_at)}</time>
                {message.authenticated.then_some(" · signed in")}
            </p>
            <p class="mt-1 whitespace-pre-wrap break-words text-sm text-slate-900">{message.text}</p>
        </li>
    }
}

#[component]
fn IdentityCard(
    identity: Option<Identity>,
    signed_in_at: Option<chrono::DateTime<chrono::Utc>>,
) -> impl IntoView {
    let Some(identity) = identity else {
        return view! {
            <section class="rounded-lg border border-slate-200 bg-white p-5" aria-labelledby="identity">
                <h2 id="identity" class="text-base font-semibold text-slate-900">"Visitor"</h2>
                <p class="mt-2 text-sm text-slate-600">"Anonymous visitor: not signed in, identity not verified."</p>
            </section>
        }
        .into_any();
    };
    let row = |label: &'static str, value: String| {
        view! {
            <div>
                <dt class="text-xs font-medium text-slate-600">{label}</dt>
                <dd class="break-all text-sm text-slate-900">{value}</dd>
            </div>
        }
    };
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-5" aria-labelledby="identity" data-testid="identity">
            <div class="flex items-center gap-2">
                <h2 id="identity" class="text-base font-semibold text-slate-900">"Visitor"</h2>
                <Badge label="Verified".to_owned() tone=Tone::Good />
            </div>
            <dl class="mt-3 space-y-2">
                {row("Name", identity.name.clone().unwrap_or_else(|| "(not given)".into()))}
                {row("Email", email_label(&identity))}
                {row("Subject", identity.subject.clone())}
                {row("Issuer", identity.issuer.clone())}
                {row("Groups", if identity.groups.is_empty() { "(none)".into() } else { identity.groups.join(", ") })}
                {row("Signed in", signed_in_at.map(time::format).unwrap_or_else(|| "(not yet)".into()))}
            </dl>
        </section>
    }
    .into_any()
}

/// The email as the console shows it: marked when the provider does not vouch for it.
pub fn email_label(identity: &Identity) -> String {
    match (&identity.email, identity.email_verified) {
        (None, _) => "(not given)".to_owned(),
        (Some(email), true) => email.clone(),
        (Some(email), false) => format!("{email} (unverified)"),
    }
}
