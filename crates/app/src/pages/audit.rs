//! Audit log: who changed what, and when.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;
use switchboard_domain::audit::{AuditPage, OBJECT_TYPES};

use crate::components::feedback::{EmptyState, ErrorNotice, Loading};
use crate::components::layout::PageHeader;
use crate::components::time;
use crate::error::AppError;

#[server]
pub async fn list_audit_events(object: Option<String>, page: u64) -> Result<AuditPage, AppError> {
    let (services, _) = crate::server::for_reading()?;
    let object = object.filter(|o| OBJECT_TYPES.iter().any(|(value, _)| value == o));
    Ok(switchboard_core::audit::list(&services, object.as_deref(), page).await?)
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let query = query.read();
        let object = query.get("object").filter(|o| !o.is_empty());
        let page = query.get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
        (object, page)
    };
    let events = Resource::new(filter, |(object, page)| list_audit_events(object, page));

    view! {
        <Title text="Audit log" />
        <PageHeader
            title="Audit log"
            summary="Every sign-in and every change to integrations, configurations, deployments, admins and API tokens, newest first. Secret values are never recorded."
        />
        <Form method="GET" action="" attr:class="mb-4 flex items-end gap-2">
            <div>
                <label for="audit-object" class="block text-sm font-medium text-slate-700">"Object"</label>
                <select
                    id="audit-object"
                    name="object"
                    class="mt-1 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
                >
                    <option value="" selected=move || filter().0.is_none()>"All objects"</option>
                    {OBJECT_TYPES
                        .into_iter()
                        .map(|(value, label)| {
                            view! {
                                <option value=value selected=move || filter().0.as_deref() == Some(value)>
                                    {label}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <button
                type="submit"
                class="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
            >
                "Filter"
            </button>
        </Form>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match events.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(page) if page.events.is_empty() && page.page == 0 => {
                        view! {
                            <EmptyState
                                title="No audit events yet"
                                body="Sign-ins and every change made in the console or through the API are recorded here."
                            />
                        }
                            .into_any()
                    }
                    Ok(page) => view! { <AuditTable page /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AuditTable(page: AuditPage) -> impl IntoView {
    let query = use_query_map();
    let link = move |to_page: u64| {
        let object = query.read_untracked().get("object").unwrap_or_default();
        format!("/admin/audit?object={object}&page={to_page}")
    };
    let newer = page.has_newer().then(|| link(page.page - 1));
    let older = page.has_older().then(|| link(page.page + 1));
    view! {
        <div class="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table class="min-w-full divide-y divide-slate-200 text-sm">
                <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                    <tr>
                        <th scope="col" class="px-4 py-3">"When"</th>
                        <th scope="col" class="px-4 py-3">"Who"</th>
                        <th scope="col" class="px-4 py-3">"Action"</th>
                        <th scope="col" class="px-4 py-3">"Object"</th>
                        <th scope="col" class="px-4 py-3">"Changes"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {page
                        .events
                        .into_iter()
                        .map(|event| {
                            view! {
                                <tr>
                                    <td class="whitespace-nowrap px-4 py-3 text-slate-700">
                                        <time datetime=time::machine(event.at)>{time::format(event.at)}</time>
                                    </td>
                                    <td class="px-4 py-3 text-slate-900">{event.actor}</td>
                                    <td class="px-4 py-3 font-mono text-xs text-slate-800">{event.action}</td>
                                    <td class="px-4 py-3 text-slate-700">
                                        {event.object_type}
                                        {event.object_id.map(|id| format!(" {id}"))}
                                    </td>
                                    <td class="px-4 py-3 text-slate-700">{event.changes.join(", ")}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <nav aria-label="Audit log pages" class="mt-4 flex items-center justify-between text-sm">
            <span class="text-slate-600">{format!("{} events", page.total)}</span>
            <div class="flex gap-2">
                {newer.map(|href| view! { <A href=href attr:class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-slate-800 hover:bg-slate-50">"Newer"</A> })}
                {older.map(|href| view! { <A href=href attr:class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-slate-800 hover:bg-slate-50">"Older"</A> })}
            </div>
        </nav>
    }
}
