//! The page for any path the console does not know; answers HTTP 404.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <section class="py-16 text-center">
            <p class="text-sm font-semibold text-indigo-700">"404"</p>
            <h1 class="mt-2 text-2xl font-semibold tracking-tight text-slate-900">"Page not found"</h1>
            <p class="mt-2 text-sm text-slate-600">"There is nothing at this address. It may have moved, or the link is mistyped."</p>
            <A
                href="/admin/integrations"
                attr:class="mt-6 inline-block rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700"
            >
                "Go to Integrations"
            </A>
        </section>
    }
}
