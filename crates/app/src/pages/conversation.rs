//! `/admin/conversations/{id}`: one conversation, the visitor's verified identity, and the
//! agent's reply. New messages appear without a reload (the page reads again every few
//! seconds while open).

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use switchboard_domain::conversation::{Author, Conversation, Identity, Message};
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

#[server]
pub async fn load_conversation(id: Uuid) -> Result<Conversation, AppError> {
    use switchboard_core::conversations;
    let (services, principal) = crate::server::for_reading()?;
    let conversation = conversations::get(services.db(), id).await?;
    // A viewer reads without marking anything read: the unread counts stay the agents'.
    if let Some(last) = conversation.messages.last()
        && principal.role.can_change()
    {
        conversations::mark_read(services.db(), id, last.id, &principal).await?;
    }
    Ok(conversation)
}

#[server]
pub async fn reply_to_conversation(id: Uuid, text: String) -> Result<Message, AppError> {
    use switchboard_core::conversations;
    use switchboard_core::delivery::Posted;
    let (services, principal) = crate::server::for_changing()?;
    let message = conversations::post_from_agent(services.db(), id, &text, &principal).await?;
    let posted = Posted {
        conversation_id: id,
        message_id: message.id,
    };
    services.delivery().publish(services.db(), posted).await;
    Ok(message)
}

#[server]
pub async fn close_conversation(id: Uuid) -> Result<(), AppError> {
    let (services, principal) = crate::server::for_changing()?;
    Ok(switchboard_core::conversations::close(services.db(), id, &principal).await?)
}

#[component]
pub fn ConversationPage() -> impl IntoView {
    let id = use_id_param();
    let conversation = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_conversation(id).await,
            None => Err(AppError::NotFound("conversation".into())),
        }
    });
    refetch_every(conversation, REFRESH);
    loaded_editor(
        "Conversation",
        conversation,
        move |conversation, can_change| {
            view! { <ConversationView conversation can_change /> }
        },
    )
}

#[component]
fn ConversationView(conversation: Conversation, can_change: bool) -> impl IntoView {
    let id = conversation.id;
    let reply = ServerAction::<ReplyToConversation>::new();
    let close = ServerAction::<CloseConversation>::new();
    let text = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = reply.value().get() {
            text.set(String::new());
        }
    });
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
    let closed = conversation.status == "closed";
    view! {
        <Title text=format!("Conversation with {who}") />
        <PageHeader
            title=format!("Conversation with {who}")
            summary=format!("On {} · {}", conversation.deployment_name, if closed { "closed" } else { "open" })
        />
        <div class="grid gap-6 lg:grid-cols-3">
            <IdentityCard identity=conversation.identity.clone() signed_in_at=conversation.signed_in_at />
            <section class="lg:col-span-2 rounded-lg border border-slate-200 bg-white p-5" aria-labelledby="history">
                <h2 id="history" class="text-base font-semibold text-slate-900">"Messages"</h2>
                <ol class="mt-3 space-y-3" data-testid="messages">
                    {conversation.messages.into_iter().map(|message| view! { <MessageItem message /> }).collect_view()}
                </ol>
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
                        on:input=move |event| text.set(event_target_value(&event))
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
                {row("Email", identity.email.clone().unwrap_or_else(|| "(not given)".into()))}
                {row("Subject", identity.subject.clone())}
                {row("Issuer", identity.issuer.clone())}
                {row("Groups", if identity.groups.is_empty() { "(none)".into() } else { identity.groups.join(", ") })}
                {row("Signed in", signed_in_at.map(time::format).unwrap_or_else(|| "(not yet)".into()))}
            </dl>
        </section>
    }
    .into_any()
}
