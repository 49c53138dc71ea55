//! The console frame: the product name, the main navigation and the page area.

use leptos::prelude::*;
use leptos_router::components::A;

/// The navigation entries; their labels and paths are a contract (DESIGN.md).
const NAVIGATION: [(&str, &str); 5] = [
    ("Integrations", "/admin/integrations"),
    (
        "Messenger Configurations",
        "/admin/messenger/configurations",
    ),
    ("Messenger Deployments", "/admin/messenger/deployments"),
    ("Conversations", "/admin/conversations"),
    ("Audit log", "/admin/audit"),
];

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <div class="min-h-screen md:flex">
            <header class="border-b border-slate-200 bg-white md:w-64 md:shrink-0 md:border-b-0 md:border-r">
                <div class="flex h-14 items-center gap-2 px-5">
                    <span aria-hidden="true" class="inline-block h-6 w-6 rounded-md bg-indigo-600"></span>
                    <A href="/admin/integrations" attr:class="text-lg font-semibold tracking-tight text-slate-900">
                        "Switchboard"
                    </A>
                </div>
                <nav aria-label="Main" class="px-3 pb-3 md:pt-2">
                    <ul class="flex flex-wrap gap-1 md:flex-col">
                        {NAVIGATION
                            .into_iter()
                            .map(|(label, href)| {
                                view! {
                                    <li>
                                        <A
                                            href=href
                                            attr:class="block rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 hover:text-slate-900 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-800"
                                        >
                                            {label}
                                        </A>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </nav>
            </header>
            <main class="min-w-0 flex-1 px-6 py-8 md:px-10">
                <div class="mx-auto max-w-5xl">{children()}</div>
            </main>
        </div>
    }
}

/// The title row of a page: a heading, one sentence on what the page is for, optional actions.
#[component]
pub fn PageHeader(
    title: &'static str,
    summary: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="mb-6 flex flex-wrap items-start justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
                <p class="mt-1 max-w-2xl text-sm text-slate-600">{summary}</p>
            </div>
            {children.map(|children| view! { <div class="flex gap-2">{children()}</div> })}
        </div>
    }
}
