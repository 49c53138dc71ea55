//! Conversations: the agents' inbox, in parts ("Mine", "Unassigned", "All", "Closed") and
//! searchable, following the console's live events while it is open.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;
use switchboard_domain::conversation::{ConversationStatus, ConversationSummary};
use switchboard_domain::inbox::InboxFilter;

use crate::components::feedback::{Badge, EmptyState, ErrorNotice, Loading, Tone};
use crate::components::layout::PageHeader;
use crate::components::live::use_live;
use crate::components::notifications::NotificationsToggle;
use crate::components::time;
use crate::error::AppError;

#[server]
pub async fn list_conversations(
    filter: InboxFilter,
    q: String,
) -> Result<Vec<ConversationSummary>, AppError> {
    use switchboard_core::inbox::{self, InboxQuery};
    let (services, principal) = crate::server::for_reading()?;
    let query = InboxQuery { filter, q };
    Ok(inbox::list(&services, &query, &principal).await?)
}

#[component]
pub fn ConversationsPage() -> impl IntoView {
    let query = use_query_map();
    let wanted = move || {
        let query = query.read();
        let filter = query
            .get("filter")
            .and_then(|filter| filter.parse().ok())
            .unwrap_or_default();
        (filter, query.get("q").unwrap_or_default())
    };
    let conversations = Resource::new(wanted, |(filter, q)| list_conversations(filter, q));
    // New conversations, new messages and unread counts show up at once.
    if let Some(live) = use_live() {
        Effect::new(move |_| {
            if live.latest().is_some_and(|event| event.changes_inbox()) {
                conversations.refetch();
            }
        });
    }
    view! {
        <Title text="Conversations" />
        <PageHeader
            title="Conversations"
            summary="Messages from visitors, newest activity first. Signed-in visitors carry the identity their provider verified."
        />
        <div class="mb-4 flex justify-end">
            <NotificationsToggle />
        </div>
        <InboxControls filter=Signal::derive(move || wanted().0) q=Signal::derive(move || wanted().1) />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match conversations.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) if list.is_empty() && !wanted().1.is_empty() => {
                        view! {
                            <EmptyState
                                title="No conversation matches"
                                body="Search looks in the visitor's name, email and subject and in every message; each word also finds the words it begins."
                            />
                        }
                            .into_any()
                    }
                    Ok(list) if list.is_empty() && wanted().0 != InboxFilter::All => {
                        view! {
                            <EmptyState
                                title="Nothing here"
                                body="No conversation is in this part of the inbox right now."
                            />
                        }
                            .into_any()
                    }
                    Ok(list) if list.is_empty() => {
                        view! {
                            <EmptyState
                                title="No conversations yet"
                                body="When a visitor writes through a deployed messenger, the conversation appears here."
                            />
                        }
                            .into_any()
                    }
                    Ok(list) => view! { <ConversationList conversations=list /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The parts of the inbox, as links that keep the search, and the search box, which keeps the
/// part.
#[component]
fn InboxControls(filter: Signal<InboxFilter>, q: Signal<String>) -> impl IntoView {
    let link = move |to: InboxFilter| {
        let q = q.get();
        if q.is_empty() {
            format!("/admin/conversations?filter={}", to.as_str())
        } else {
            format!(
                "/admin/conversations?filter={}&q={}",
                to.as_str(),
                query_value(&q)
            )
        }
    };
    view! {
        <div class="mb-4 flex flex-wrap items-end justify-between gap-3">
            <nav aria-label="Inbox" class="flex gap-1 rounded-lg border border-slate-200 bg-white p-1 text-sm">
                {InboxFilter::ALL
                    .iter()
                    .map(|&part| {
                        view! {
                            <A
                                href=move || link(part)
                                attr:aria-current=move || (filter.get() == part).then_some("page")
                                attr:class=move || {
                                    if filter.get() == part {
                                        "rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white"
                                    } else {
                                        "rounded-md px-3 py-1.5 text-slate-700 hover:bg-slate-100"
                                    }
                                }
                            >
                                {part.label()}
                            </A>
                        }
                    })
                    .collect_view()}
            </nav>
            <Form method="GET" action="" attr:class="flex items-end gap-2" attr:role="search">
                <input type="hidden" name="filter" prop:value=move || filter.get().as_str() />
                <div>
                    <label for="inbox-search" class="block text-sm font-medium text-slate-700">"Search"</label>
                    <input
                        id="inbox-search"
                        name="q"
                        type="search"
                        maxlength="200"
                        placeholder="Name, email, subject or message"
                        prop:value=move || q.get()
                        class="mt-1 w-72 rounded-md border border-slate-300 px-3 py-2 text-sm"
                    />
                </div>
                <button
                    type="submit"
                    class="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
                >
                    "Search"
                </button>
            </Form>
        </div>
    }
}

/// `value` percent-encoded for a query string: letters, digits and `-._~` as they are.
fn query_value(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[component]
fn ConversationList(conversations: Vec<ConversationSummary>) -> impl IntoView {
    view! {
        <ul class="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
            {conversations
                .into_iter()
                .map(|conversation| {
                    let visitor = conversation.visitor_label();
                    let verified = conversation.identity.as_ref().map(|identity| {
                        view! {
                            <Badge label="Verified".to_owned() tone=Tone::Good />
                            <span class="text-xs font-normal text-slate-600">
                                {format!("{} · {}", identity.issuer, identity.subject)}
                            </span>
                        }
                    });
                    let unread = (conversation.unread > 0).then(|| {
                        view! { <Badge label=format!("{} unread", conversation.unread) tone=Tone::Bad /> }
                    });
                    let closed = (conversation.status == ConversationStatus::Closed)
                        .then(|| view! { <Badge label="Closed".to_owned() tone=Tone::Neutral /> });
                    let assignee = match &conversation.assignee {
                        Some(agent) => format!("Assigned to {}", agent.email),
                        None => "Unassigned".to_owned(),
                    };
                    view! {
                        <li class="flex items-center justify-between gap-4 px-4 py-3 text-sm">
                            <div>
                                <div class="flex flex-wrap items-center gap-2 font-medium text-slate-900">
                                    <a
                                        href=format!("/admin/conversations/{}", conversation.id)
                                        class="text-indigo-700 hover:underline"
                                    >
                                        {visitor}
                                    </a>
                                    {verified}
                                    {unread}
                                    {closed}
                                </div>
                                <div class="text-xs text-slate-600">
                                    {conversation.deployment_name} " · "
                                    <span data-testid="assignee">{assignee}</span>
                                </div>
                            </div>
                            <time
                                class="text-xs text-slate-600"
                                datetime=time::machine(conversation.last_activity_at)
                            >
                                {time::format(conversation.last_activity_at)}
                            </time>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
