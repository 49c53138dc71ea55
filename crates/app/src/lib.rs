//! The Switchboard console: the HTML shell, the router and every admin page.
//!
//! Built twice: with `ssr` into the server (pages render to HTML, server functions call
//! `switchboard-core`), and with `hydrate` into the wasm bundle that makes those pages live.

pub mod components;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::components::layout::Layout;
use crate::pages::{
    audit, canned_replies, configuration, configurations, conversation, conversations, deployment,
    deployments, integration, integration_catalog, integrations, not_found, setup, sign_in, tokens,
};

/// The HTML document around the app; the server renders it for every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.ico" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="h-full bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

/// The console's routes. Paths are a contract (docs/CONTRACTS.md): tests and bookmarks rely on them.
/// `/` and `/admin` redirect to Integrations in the server's router, before rendering.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    mark_hydrated();

    view! {
        <Stylesheet id="leptos" href="/pkg/switchboard.css" />
        <Title formatter=|page: String| format!("{page} · Switchboard") />
        <Router>
            <Routes fallback=not_found::NotFound>
                <Route path=path!("/login") view=sign_in::LoginPage />
                <Route path=path!("/setup") view=setup::SetupPage />
                <ParentRoute path=path!("/admin") view=Layout>
                    <Route path=path!("integrations") view=integrations::IntegrationsPage />
                    <Route
                        path=path!("integrations/install")
                        view=integration_catalog::IntegrationCatalogPage
                    />
                    <Route path=path!("integrations/:id") view=integration::IntegrationPage />
                    <Route
                        path=path!("messenger/configurations")
                        view=configurations::ConfigurationsPage
                    />
                    <Route
                        path=path!("messenger/configurations/new")
                        view=configuration::ConfigurationPage
                    />
                    <Route
                        path=path!("messenger/configurations/:id")
                        view=configuration::ConfigurationPage
                    />
                    <Route path=path!("messenger/deployments") view=deployments::DeploymentsPage />
                    <Route
                        path=path!("messenger/deployments/new")
                        view=deployment::DeploymentPage
                    />
                    <Route path=path!("messenger/deployments/:id") view=deployment::DeploymentPage />
                    <Route path=path!("conversations") view=conversations::ConversationsPage />
                    <Route path=path!("conversations/:id") view=conversation::ConversationPage />
                    <Route path=path!("canned-replies") view=canned_replies::CannedRepliesPage />
                    <Route path=path!("audit") view=audit::AuditPage />
                    <Route path=path!("tokens") view=tokens::ApiTokensPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Sets `data-hydrated` on `<html>` once the wasm has taken over, so tests (and people
/// debugging) can tell a live page from server-rendered HTML. Effects never run on the server.
fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            root.set_attribute("data-hydrated", "true").ok();
        }
    });
}
