//! Conversations: the agents' inbox, kept current while it is open.

use leptos::prelude::*;
use leptos_meta::Title;
use switchboard_domain::conversation::{ConversationStatus, ConversationSummary};

use crate::components::feedback::{Badge, EmptyState, ErrorNotice, Loading, Tone};
use crate::components::layout::PageHeader;
use crate::components::refresh::refetch_every;
use crate::components::time;
use crate::error::AppError;

#[server]
pub async fn list_conversations() -> Result<Vec<ConversationSummary>, AppError> {
    let (services, _) = crate::server::for_reading()?;
    Ok(switchboard_core::conversations::list(&services).await?)
}

#[component]
pub fn ConversationsPage() -> impl IntoView {
    let conversations = Resource::new(|| (), |_| list_conversations());
    // New conversations and unread counts show up without a reload.
    refetch_every(conversations, crate::pages::conversation::REFRESH);
    view! {
        <Title text="Conversations" />
        <PageHeader
            title="Conversations"
            summary="Messages from visitors, newest activity first. Signed-in visitors carry the identity their provider verified."
        />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match conversations.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
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
                                <div class="text-xs text-slate-600">{conversation.deployment_name}</div>
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
