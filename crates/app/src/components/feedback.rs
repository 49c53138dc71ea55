//! Loading, empty and error states, so every page says plainly what is going on.

use leptos::prelude::*;

use crate::error::AppError;

/// Shown while a page's data is on its way.
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div role="status" class="flex items-center gap-3 py-10 text-sm text-slate-600">
            <span
                aria-hidden="true"
                class="h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600"
            ></span>
            "Loading…"
        </div>
    }
}

/// A list with nothing in it yet: what it will hold and how to get there.
#[component]
pub fn EmptyState(
    title: &'static str,
    body: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <section
            data-testid="empty-state"
            class="rounded-lg border-2 border-dashed border-slate-300 bg-white px-6 py-12 text-center"
        >
            <h2 class="text-base font-semibold text-slate-900">{title}</h2>
            <p class="mx-auto mt-2 max-w-md text-sm text-slate-600">{body}</p>
            {children.map(|children| view! { <div class="mt-6">{children()}</div> })}
        </section>
    }
}

/// A failure to load or save, in words the admin can act on.
#[component]
pub fn ErrorNotice(error: AppError) -> impl IntoView {
    view! {
        <div role="alert" class="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            {error.to_string()}
        </div>
    }
}

/// A coloured pill for a status.
#[component]
pub fn Badge(label: String, #[prop(into)] tone: Tone) -> impl IntoView {
    let colours = match tone {
        Tone::Good => "bg-green-100 text-green-800",
        Tone::Bad => "bg-red-100 text-red-800",
        Tone::Neutral => "bg-slate-100 text-slate-700",
    };
    view! {
        <span class=format!("inline-flex rounded-full px-2 py-0.5 text-xs font-medium {colours}")>
            {label}
        </span>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Bad,
    Neutral,
}
