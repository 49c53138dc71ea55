//! `/setup?token=…`: where the first admin picks an email and a password, through the one-time
//! link the server logs while no admin exists. Like sign-in, a plain form that `POST /setup`
//! answers; on a problem the server renders this page again with [`SetupProblem`] in context.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
use switchboard_domain::FieldError;

use crate::components::form::{AuthCard, Field, SubmitButton};
use crate::error::AppError;

/// The fields that need attention, and the email to keep in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupProblem {
    pub errors: Vec<FieldError>,
    pub email: String,
}

impl SetupProblem {
    fn error(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }
}

#[server]
pub async fn setup_link_is_valid(token: String) -> Result<bool, AppError> {
    let services = crate::server::services()?;
    let token = secrecy::SecretString::from(token);
    Ok(switchboard_core::first_admin::setup_token_is_valid(&services, &token).await?)
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let valid = Resource::new(token, setup_link_is_valid);
    let problem = use_context::<SetupProblem>();
    let problem = Resource::new(|| (), move |_| std::future::ready(problem.clone()));

    view! {
        <Title text="Create the first admin" />
        <AuthCard title="Create the first admin">
            <Suspense>
                {move || Suspend::new(async move {
                    let problem = problem.await.unwrap_or(SetupProblem { errors: vec![], email: String::new() });
                    if !matches!(valid.await, Ok(true)) {
                        return view! {
                            <p role="alert" class="text-sm text-slate-700">
                                "This setup link has been used or is not valid. "
                                <a href="/login" class="font-medium text-indigo-700 underline">"Sign in"</a>
                                " instead."
                            </p>
                        }
                            .into_any();
                    }
                    view! {
                        <p class="mb-4 text-sm text-slate-600">
                            "This link works once. The admin you create here can create the others."
                        </p>
                        <form method="post" action="/setup" class="space-y-4">
                            <input type="hidden" name="token" value=token />
                            <Field label="Email" name="email" input_type="email" value=problem.email.clone() autocomplete="username" error=problem.error("email") required=true />
                            <Field label="Password" name="password" input_type="password" autocomplete="new-password" error=problem.error("password") required=true />
                            <Field label="Repeat password" name="password_again" input_type="password" autocomplete="new-password" error=problem.error("passwordAgain") required=true />
                            <SubmitButton label="Create admin" />
                        </form>
                    }
                        .into_any()
                })}
            </Suspense>
        </AuthCard>
    }
}
