//! `/login`: the sign-in form. It posts to the server's `POST /login` as a plain HTML form, so
//! it works before (or without) the wasm bundle; the server renders this page again, with
//! [`LoginProblem`] in context, to answer a failure with 401 or 429.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::components::form::{AuthCard, Field, SubmitButton};
use crate::error::AppError;

/// Why the last attempt failed, and the email to keep in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginProblem {
    pub message: String,
    pub email: String,
}

/// True while no admin exists, so the page can say where the setup link is.
#[server]
pub async fn setup_pending() -> Result<bool, AppError> {
    let services = crate::server::services()?;
    Ok(switchboard_core::admins::count(&services).await? == 0)
}

#[component]
pub fn LoginPage() -> impl IntoView {
    // On the server the problem comes from context; the resource carries it to the browser
    // so hydration sees the same page.
    let problem = use_context::<LoginProblem>();
    let problem = Resource::new(|| (), move |_| std::future::ready(problem.clone()));
    let pending = Resource::new(|| (), |_| setup_pending());
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();

    view! {
        <Title text="Sign in" />
        <AuthCard title="Sign in to the console">
            <Suspense>
                {move || Suspend::new(async move {
                    matches!(pending.await, Ok(true))
                        .then(|| {
                            view! {
                                <p role="note" class="mb-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
                                    "No admin exists yet. The server printed a one-time setup link in its log (look for "
                                    <code class="font-mono">"/setup?token="</code>
                                    "); open it to create the first admin, or run "
                                    <code class="font-mono">"switchboard admin create --email you@example.com"</code>
                                    "."
                                </p>
                            }
                        })
                })}
            </Suspense>
            <Suspense>
                {move || Suspend::new(async move {
                    let problem = problem.await;
                    let email = problem.as_ref().map(|p| p.email.clone()).unwrap_or_default();
                    view! {
                        {problem
                            .map(|problem| {
                                view! {
                                    <p role="alert" class="mb-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                                        {problem.message}
                                    </p>
                                }
                            })}
                        <form method="post" action="/login" class="space-y-4">
                            <input type="hidden" name="next" value=next />
                            <Field label="Email" name="email" input_type="email" value=email autocomplete="username" required=true />
                            <Field label="Password" name="password" input_type="password" autocomplete="current-password" required=true />
                            <SubmitButton label="Sign in" />
                        </form>
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}
