//! `/admin/conversations/{id}`: one conversation, the visitor's verified identity, and the
//! agent's reply. New messages, the visitor typing, an assignment made elsewhere appear at
//! once: the page follows the console's live events.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use switchboard_domain::canned_reply::{CannedReply, insert_reply, typed_shortcut};
use switchboard_domain::conversation::{
    Author, Conversation, ConversationStatus, EarlierConversation, Identity, Message, visitor_name,
};
use switchboard_domain::inbox::Agent;
use uuid::Uuid;

use crate::components::attachments::{AttachButton, AttachmentView};
use crate::components::editor::{loaded_editor, use_id_param};
use crate::components::feedback::{Badge, Tone};
use crate::components::form::field_error;
use crate::components::layout::{Account, PageHeader};
use crate::components::live::{LiveEvent, use_live};
use crate::components::time;
use crate::error::AppError;
use crate::pages::canned_replies::list_canned_replies;

/// How long "Visitor is typing…" shows after the visitor's last typing signal (as long as the
/// server counts one: `switchboard_core::conversations::TYPING_SHOWN`).
const TYPING_SHOWN: Duration = Duration::from_secs(6);

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

/// The admins a conversation can be given to.
#[server]
pub async fn list_agents() -> Result<Vec<Agent>, AppError> {
    let (services, _) = crate::server::for_reading()?;
    Ok(switchboard_core::inbox::agents(&services).await?)
}

/// Gives the conversation to admin `admin_id`, or to no one; `to_me` gives it to whoever asks.
#[server]
pub async fn assign_conversation(
    id: Uuid,
    admin_id: Option<Uuid>,
    to_me: bool,
) -> Result<Option<Agent>, AppError> {
    let (services, principal) = crate::server::for_changing()?;
    let to = if to_me { Some(principal.id) } else { admin_id };
    Ok(switchboard_core::inbox::assign(&services, id, to, &principal).await?)
}

#[server]
pub async fn close_conversation(id: Uuid) -> Result<(), AppError> {
    let (services, principal) = crate::server::for_changing()?;
    Ok(switchboard_core::conversations::close(&services, id, &principal).await?)
}

/// What the conversation page keeps while its data is read again: the reply being written,
/// where the shown history starts once the agent paged back, and whether the visitor is
/// typing (the count of typing signals, so only the latest one's timer hides it).
#[derive(Clone, Copy)]
struct PageState {
    text: RwSignal<String>,
    from: RwSignal<Option<i64>>,
    typing_sent: RwSignal<bool>,
    visitor_typing: RwSignal<bool>,
    typing_signals: RwSignal<u64>,
    assign: ServerAction<AssignConversation>,
    agents: Resource<Result<Vec<Agent>, AppError>>,
    canned: Resource<Result<Vec<CannedReply>, AppError>>,
}

impl PageState {
    /// The visitor is typing: shown for [`TYPING_SHOWN`] after the latest signal.
    fn visitor_typed(self) {
        self.visitor_typing.set(true);
        let signal = self.typing_signals.get_untracked() + 1;
        self.typing_signals.set(signal);
        set_timeout(
            move || {
                if self.typing_signals.get_untracked() == signal {
                    self.visitor_typing.set(false);
                }
            },
            TYPING_SHOWN,
        );
    }
}

#[component]
pub fn ConversationPage() -> impl IntoView {
    let id = use_id_param();
    let state = PageState {
        text: RwSignal::new(String::new()),
        from: RwSignal::new(None),
        typing_sent: RwSignal::new(false),
        visitor_typing: RwSignal::new(false),
        typing_signals: RwSignal::new(0),
        assign: ServerAction::new(),
        agents: Resource::new(|| (), |_| list_agents()),
        canned: Resource::new(|| (), |_| list_canned_replies()),
    };
    let page_id = id.clone();
    let conversation = Resource::new(
        move || (id(), state.from.get()),
        |(id, from)| async move {
            match id {
                Some(id) => load_conversation(id, from).await,
                None => Err(AppError::NotFound("conversation".into())),
            }
        },
    );
    if let Some(live) = use_live() {
        Effect::new(move |_| {
            let Some(event) = live.latest() else {
                return;
            };
            let Some(id) = untrack(&page_id) else {
                return;
            };
            match event {
                LiveEvent::Typing(typing) if typing == id => state.visitor_typed(),
                LiveEvent::Message(message)
                    if message.conversation_id == id
                        && message.message.author == Author::Visitor =>
                {
                    state.visitor_typing.set(false);
                    conversation.refetch();
                }
                event if event.touches(id) => conversation.refetch(),
                _ => {}
            }
        });
    }
    // A page opened while the visitor types shows it too.
    Effect::new(move |_| {
        if conversation.with(|loaded| matches!(loaded, Some(Ok(c)) if c.visitor_typing)) {
            state.visitor_typed();
        }
    });
    // An assignment shows at once, not at the next refresh.
    Effect::new(move |_| {
        if state.assign.version().get() > 0 {
            conversation.refetch();
        }
    });
    // Set once the conversation has loaded in the browser, and never unset: the reply box is
    // drawn after hydration (so server and browser agree on the page) and only once.
    let shown = RwSignal::new(false);
    Effect::new(move |_| {
        if conversation.with(|loaded| matches!(loaded, Some(Ok(_)))) {
            shown.set(true);
        }
    });
    view! {
        {loaded_editor(
            "Conversation",
            conversation,
            move |conversation, can_change| {
                view! { <ConversationView conversation can_change state /> }
            },
        )}
        // Outside the part that each refresh draws anew: the reply box keeps its focus, its
        // caret and its half-typed text while messages arrive.
        <Show when=move || shown.get()>
            <div class="mt-6 grid gap-6 lg:grid-cols-3">
                <div class="lg:col-span-2 lg:col-start-2">
                    <ReplyBox conversation state />
                </div>
            </div>
        </Show>
    }
}

#[component]
fn ConversationView(
    conversation: Conversation,
    can_change: bool,
    state: PageState,
) -> impl IntoView {
    let id = conversation.id;
    let older = ServerAction::<LoadOlderMessages>::new();
    Effect::new(move |_| {
        if let Some(Ok((Some(first), _))) = older.value().get() {
            state.from.set(Some(first));
        }
    });
    let first_id = conversation.messages.first().map(|message| message.id);
    let has_older = conversation.has_older;
    let visitor_typing = state.visitor_typing;
    let earlier = conversation.earlier.clone();
    let who = visitor_name(conversation.identity.as_ref());
    let closed = conversation.status == ConversationStatus::Closed;
    view! {
        <Title text=format!("Conversation with {who}") />
        <PageHeader
            title=format!("Conversation with {who}")
            summary=format!("On {} · {}", conversation.deployment_name, if closed { "closed" } else { "open" })
        />
        <div class="grid gap-6 lg:grid-cols-3">
            <div class="space-y-6">
                <AssignmentCard id assignee=conversation.assignee.clone() can_change state />
                <IdentityCard identity=conversation.identity.clone() signed_in_at=conversation.signed_in_at />
                <EarlierConversations earlier />
                <TranscriptCard id />
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
                    {move || visitor_typing.get().then_some("Visitor is typing…")}
                </p>
            </section>
        </div>
    }
}

/// The agent's reply, with `/name` inserting a canned reply, and closing the conversation.
#[component]
fn ReplyBox(
    conversation: Resource<Result<Conversation, AppError>>,
    state: PageState,
) -> impl IntoView {
    let account = expect_context::<Account>();
    let can_change = move || account.can_change_now();
    let current = move || conversation.get().and_then(Result::ok);
    let id = move || current().map(|conversation| conversation.id);
    let closed = move || current().is_some_and(|c| c.status == ConversationStatus::Closed);
    let reply = ServerAction::<ReplyToConversation>::new();
    let close = ServerAction::<CloseConversation>::new();
    let typing = ServerAction::<AgentTyping>::new();
    let text = state.text;
    Effect::new(move |_| {
        if let Some(Ok(_)) = reply.value().get() {
            text.set(String::new());
        }
    });
    // What was sent or changed shows at once, not at the next refresh.
    Effect::new(move |_| {
        if reply.version().get() + close.version().get() > 0 {
            conversation.refetch();
        }
    });
    let error = move || {
        reply
            .value()
            .get()
            .and_then(|result| result.err())
            .or_else(|| close.value().get().and_then(|result| result.err()))
    };
    let suggestions = move || {
        let text = text.get();
        let Some(typed) = typed_shortcut(&text) else {
            return vec![];
        };
        let typed = typed.to_owned();
        state
            .canned
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|reply| reply.name.starts_with(&typed))
            .collect::<Vec<_>>()
    };
    let textarea = NodeRef::<leptos::html::Textarea>::new();
    let insert = move |reply: String| {
        text.update(|text| *text = insert_reply(text, &reply));
        if let Some(textarea) = textarea.get_untracked() {
            let _ = textarea.focus();
        }
    };
    view! {
        <form
            class="space-y-2 rounded-lg border border-slate-200 bg-white p-5"
            on:submit=move |event| {
                event.prevent_default();
                if let Some(id) = id() {
                    reply.dispatch(ReplyToConversation { id, text: text.get_untracked() });
                }
            }
        >
            <label for="reply" class="block text-sm font-medium text-slate-900">"Reply"</label>
            <textarea
                id="reply"
                node_ref=textarea
                rows="3"
                maxlength="4000"
                disabled=move || !can_change()
                aria-invalid=move || error().is_some().then_some("true")
                aria-describedby="reply-error reply-hint"
                prop:value=move || text.get()
                on:input=move |event| {
                    text.set(event_target_value(&event));
                    // At most one typing signal every few seconds.
                    if let Some(id) = id()
                        && can_change()
                        && !state.typing_sent.get_untracked()
                    {
                        state.typing_sent.set(true);
                        typing.dispatch(AgentTyping { id });
                        set_timeout(move || state.typing_sent.set(false), Duration::from_secs(3));
                    }
                }
                on:keydown=move |event| {
                    // Tab takes the first canned reply the typed `/name` matches.
                    if event.key() == "Tab"
                        && let Some(first) = suggestions().into_iter().next()
                    {
                        event.prevent_default();
                        insert(first.text);
                    }
                }
                class="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
            ></textarea>
            <p id="reply-hint" class="text-xs text-slate-600">"Type / and a name to insert a canned reply."</p>
            {move || {
                let found = suggestions();
                (!found.is_empty()).then(|| view! {
                    <ul aria-label="Canned replies" class="divide-y divide-slate-100 rounded-md border border-slate-200 text-sm">
                        {found.into_iter().map(|reply| {
                            let CannedReply { name, text: body, .. } = reply;
                            let inserted = body.clone();
                            view! {
                                <li>
                                    <button
                                        type="button"
                                        on:click=move |_| insert(inserted.clone())
                                        class="block w-full px-3 py-2 text-left hover:bg-slate-50"
                                    >
                                        <span class="font-mono font-medium text-slate-900">"/" {name}</span>
                                        <span class="ml-2 text-slate-600">{body}</span>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })
            }}
            <p id="reply-error" class="text-sm text-red-700">
                {move || error().map(|error| match error {
                    AppError::Invalid(fields) => field_error(&fields, "text").unwrap_or_default(),
                    other => other.to_string(),
                })}
            </p>
            <div class="flex gap-3">
                <button
                    type="submit"
                    disabled=move || !can_change() || reply.pending().get()
                    class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    "Send"
                </button>
                <AttachButton
                    conversation=Signal::derive(id)
                    disabled=Signal::derive(move || !can_change())
                    sent=Callback::new(move |()| conversation.refetch())
                />
                <button
                    type="button"
                    disabled=move || !can_change() || closed()
                    on:click=move |_| {
                        if let Some(id) = id() {
                            close.dispatch(CloseConversation { id });
                        }
                    }
                    class="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    "Close conversation"
                </button>
            </div>
        </form>
    }
}

/// The whole conversation as a file (`GET /api/v2/conversations/{id}/transcript`, which the
/// admin's session opens): plain links, so they work before hydration and for viewers.
#[component]
fn TranscriptCard(id: Uuid) -> impl IntoView {
    let link = |format: &str| format!("/api/v2/conversations/{id}/transcript?format={format}");
    let class = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50";
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-5" aria-labelledby="transcript">
            <h2 id="transcript" class="text-base font-semibold text-slate-900">"Transcript"</h2>
            <p class="mt-2 text-sm text-slate-600">"Every message, with the visitor's identity and the times."</p>
            <div class="mt-3 flex flex-wrap gap-2">
                <a href=link("text") download class=class>"Download as text"</a>
                <a href=link("json") download class=class>"Download as JSON"</a>
            </div>
        </section>
    }
}

/// Who has the conversation, and the controls to take it, give it to someone or give it up.
#[component]
fn AssignmentCard(
    id: Uuid,
    assignee: Option<Agent>,
    can_change: bool,
    state: PageState,
) -> impl IntoView {
    let account = expect_context::<Account>();
    let assign = state.assign;
    let current = assignee.as_ref().map(|agent| agent.id);
    let mine = move || current.is_some() && current == account.id();
    let chosen = RwSignal::new(current.map(|id| id.to_string()).unwrap_or_default());
    let error = move || assign.value().get().and_then(|result| result.err());
    let label = match &assignee {
        Some(agent) => agent.email.clone(),
        None => "No one".to_owned(),
    };
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-5" aria-labelledby="assignment">
            <h2 id="assignment" class="text-base font-semibold text-slate-900">"Assigned to"</h2>
            <p class="mt-2 text-sm text-slate-900" data-testid="assignee">{label}</p>
            <div class="mt-3 flex flex-wrap gap-2">
                <button
                    type="button"
                    disabled=move || !can_change || mine() || assign.pending().get()
                    on:click=move |_| {
                        assign.dispatch(AssignConversation { id, admin_id: None, to_me: true });
                    }
                    class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    "Assign to me"
                </button>
                <button
                    type="button"
                    disabled=move || !can_change || current.is_none() || assign.pending().get()
                    on:click=move |_| {
                        assign.dispatch(AssignConversation { id, admin_id: None, to_me: false });
                    }
                    class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    "Unassign"
                </button>
            </div>
            <form
                class="mt-3 flex items-end gap-2"
                on:submit=move |event| {
                    event.prevent_default();
                    let admin_id = chosen.get_untracked().parse().ok();
                    assign.dispatch(AssignConversation { id, admin_id, to_me: false });
                }
            >
                <div class="grow">
                    <label for="assign-to" class="block text-xs font-medium text-slate-600">"Assign to"</label>
                    <select
                        id="assign-to"
                        disabled=!can_change
                        on:change=move |event| chosen.set(event_target_value(&event))
                        class="mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
                    >
                        <option value="" selected=current.is_none()>"No one"</option>
                        <Transition>
                            {move || Suspend::new(async move {
                                state.agents.await.unwrap_or_default().into_iter().map(|agent| {
                                    let value = agent.id.to_string();
                                    view! {
                                        <option value=value.clone() selected=current == Some(agent.id)>
                                            {agent.email}
                                        </option>
                                    }
                                }).collect_view()
                            })}
                        </Transition>
                    </select>
                </div>
                <button
                    type="submit"
                    disabled=move || !can_change || assign.pending().get()
                    class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    "Assign"
                </button>
            </form>
            <p role="alert" class="mt-2 text-sm text-red-700">
                {move || error().map(|error| match error {
                    AppError::Invalid(fields) => field_error(&fields, "adminId").unwrap_or_default(),
                    other => other.to_string(),
                })}
            </p>
        </section>
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
            {match message.attachment {
                Some(file) => view! { <AttachmentView file /> }.into_any(),
                None => view! {
                    <p class="mt-1 whitespace-pre-wrap break-words text-sm text-slate-900">{message.text}</p>
                }
                    .into_any(),
            }}
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
