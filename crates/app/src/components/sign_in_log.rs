//! An integration's sign-in log and its "Test sign-in": the answer to "why did this sign-in
//! fail?", and a way to try the provider without a messenger.

use leptos::prelude::*;
use switchboard_domain::sign_in::{SignInAttempt, TestCheck};
use uuid::Uuid;

use crate::components::time;
use crate::error::AppError;

#[server]
pub async fn load_sign_ins(id: Uuid) -> Result<Vec<SignInAttempt>, AppError> {
    let (services, _) = crate::server::for_reading()?;
    Ok(switchboard_core::sign_in_log::latest(&services, id).await?)
}

/// What the test popup reports back.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TestResult {
    #[serde(rename = "type")]
    kind: String,
    integration_id: Option<Uuid>,
    #[serde(default)]
    claims: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    checks: Vec<TestCheck>,
    reason: Option<String>,
}

#[component]
pub fn SignInLog(id: Uuid) -> impl IntoView {
    let attempts = Resource::new(|| (), move |()| load_sign_ins(id));
    let result = RwSignal::new(None::<TestResult>);
    // The popup (same origin) posts its result as JSON text; anything else is ignored.
    let listener = window_event_listener(leptos::ev::message, move |event| {
        if event.origin() != window().location().origin().unwrap_or_default() {
            return;
        }
        let Some(text) = event.data().as_string() else {
            return;
        };
        let Ok(reported) = serde_json::from_str::<TestResult>(&text) else {
            return;
        };
        let ours = reported
            .integration_id
            .is_none_or(|reported| reported == id);
        if ours && reported.kind.starts_with("switchboard:") {
            result.set(Some(reported));
            attempts.refetch();
        }
    });
    on_cleanup(move || listener.remove());
    let start_test = move |_| {
        result.set(None);
        let url = format!("/admin/integrations/{id}/test-sign-in");
        let _ = window().open_with_url_and_target_and_features(
            &url,
            "switchboard-test-sign-in",
            "popup,width=520,height=680",
        );
    };
    view! {
        <section class="mt-6 rounded-lg border border-slate-200 bg-white p-5" aria-labelledby="sign-in-log">
            <div class="flex items-center justify-between gap-4">
                <h2 id="sign-in-log" class="text-base font-semibold text-slate-900">"Sign-in log"</h2>
                <button
                    type="button"
                    on:click=start_test
                    class="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
                >
                    "Test sign-in"
                </button>
            </div>
            <p class="mt-1 text-sm text-slate-600">
                "Visitors' latest sign-ins through this integration, with the reason for each failure. "
                "Test sign-in runs the same checks in a pop-up without starting a messenger session."
            </p>
            {move || result.get().map(|result| view! { <TestOutcome result /> })}
            <Suspense fallback=|| view! { <p class="mt-3 text-sm text-slate-600">"Loading the sign-in log…"</p> }>
                {move || attempts.get().map(|loaded| match loaded {
                    Ok(list) if list.is_empty() => view! {
                        <p class="mt-3 text-sm text-slate-600">"No sign-in yet."</p>
                    }.into_any(),
                    Ok(list) => view! { <AttemptTable list /> }.into_any(),
                    Err(error) => view! {
                        <p class="mt-3 text-sm text-red-700" role="alert">{error.to_string()}</p>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn TestOutcome(result: TestResult) -> impl IntoView {
    if result.kind != "switchboard:test-sign-in" {
        let reason = result.reason.unwrap_or_default();
        return view! {
            <div class="mt-3 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800" role="alert" data-testid="test-sign-in">
                "Test sign-in failed: " <code>{reason}</code>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="mt-3 rounded-md border border-green-200 bg-green-50 p-3 text-sm" data-testid="test-sign-in">
            <p class="font-medium text-green-800">"Test sign-in passed"</p>
            <ul class="mt-2 space-y-1">
                {result.checks.into_iter().map(|check| view! {
                    <li><span class="font-medium">{check.label}</span>": " {check.detail}</li>
                }).collect_view()}
            </ul>
            <table class="mt-3 w-full text-left">
                <caption class="text-left font-medium text-slate-900">"Claims"</caption>
                <tbody>
                    {result.claims.into_iter().map(|(name, value)| {
                        let shown = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
                        view! {
                            <tr class="border-t border-green-200">
                                <th scope="row" class="py-1 pr-3 font-mono text-xs">{name}</th>
                                <td class="py-1 break-all">{shown}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn AttemptTable(list: Vec<SignInAttempt>) -> impl IntoView {
    view! {
        <table class="mt-3 w-full text-left text-sm" data-testid="sign-ins">
            <thead>
                <tr class="text-slate-600">
                    <th scope="col" class="py-1 pr-3 font-medium">"Time"</th>
                    <th scope="col" class="py-1 pr-3 font-medium">"Kind"</th>
                    <th scope="col" class="py-1 pr-3 font-medium">"Outcome"</th>
                    <th scope="col" class="py-1 font-medium">"Details"</th>
                </tr>
            </thead>
            <tbody>
                {list.into_iter().map(|attempt| {
                    let outcome = match &attempt.reason {
                        None => "Signed in".to_owned(),
                        Some(reason) => reason.clone(),
                    };
                    let colour = if attempt.succeeded { "text-green-800" } else { "text-red-800" };
                    let details = match (&attempt.subject, &attempt.detail) {
                        (_, Some(detail)) => detail.clone(),
                        (Some(subject), None) => format!("Subject {subject}"),
                        (None, None) => String::new(),
                    };
                    view! {
                        <tr class="border-t border-slate-100 align-top">
                            <td class="py-1 pr-3 whitespace-nowrap">
                                <time datetime=time::machine(attempt.at)>{time::format(attempt.at)}</time>
                            </td>
                            <td class="py-1 pr-3">{attempt.purpose}</td>
                            <td class=format!("py-1 pr-3 font-mono text-xs {colour}")>{outcome}</td>
                            <td class="py-1 text-slate-700">{details}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
