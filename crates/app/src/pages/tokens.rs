//! API tokens: the credentials scripts use for `/api/v2/*`. Created with
//! `switchboard token create --name N` (the value is printed once); listed and revoked here.

use leptos::prelude::*;
use leptos_meta::Title;
use switchboard_domain::admin::ApiTokenSummary;
use uuid::Uuid;

use crate::components::feedback::{Badge, EmptyState, ErrorNotice, Loading, Tone};
use crate::components::layout::{Account, PageHeader};
use crate::components::time;
use crate::error::AppError;

#[server]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenSummary>, AppError> {
    let (services, _) = crate::server::for_reading()?;
    Ok(switchboard_core::api_tokens::list(&services).await?)
}

#[server]
pub async fn revoke_api_token(id: Uuid) -> Result<(), AppError> {
    let (services, principal) = crate::server::for_changing()?;
    Ok(switchboard_core::api_tokens::revoke(&services, id, &principal).await?)
}

#[component]
pub fn ApiTokensPage() -> impl IntoView {
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = Resource::new(move || revoke.version().get(), |_| list_api_tokens());
    let account = expect_context::<Account>();

    view! {
        <Title text="API tokens" />
        <PageHeader
            title="API tokens"
            summary="Tokens let scripts call the REST API under /api/v2 with Authorization: Bearer. Create one with `switchboard token create --name NAME`; its value is shown once."
        />
        {move || {
            revoke
                .value()
                .get()
                .and_then(Result::err)
                .map(|error| view! { <div class="mb-4"><ErrorNotice error /></div> })
        }}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let can_change = account.can_change().await;
                match tokens.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! {
                            <EmptyState
                                title="No API tokens yet"
                                body="Run `switchboard token create --name ci --role viewer` on the server to create one."
                            />
                        }
                            .into_any()
                    }
                    Ok(list) => view! { <TokenTable tokens=list revoke can_change /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TokenTable(
    tokens: Vec<ApiTokenSummary>,
    revoke: ServerAction<RevokeApiToken>,
    can_change: bool,
) -> impl IntoView {
    view! {
        {(!can_change)
            .then(|| {
                view! {
                    <p class="mb-3 text-sm text-slate-600">"Your role (viewer) can see tokens but not revoke them."</p>
                }
            })}
        <div class="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table class="min-w-full divide-y divide-slate-200 text-sm">
                <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Name"</th>
                        <th scope="col" class="px-4 py-3">"Role"</th>
                        <th scope="col" class="px-4 py-3">"Created"</th>
                        <th scope="col" class="px-4 py-3">"Last used"</th>
                        <th scope="col" class="px-4 py-3"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {tokens
                        .into_iter()
                        .map(|token| {
                            let label = format!("Revoke {}", token.name);
                            view! {
                                <tr>
                                    <td class="px-4 py-3 font-medium text-slate-900">{token.name}</td>
                                    <td class="px-4 py-3">
                                        <Badge label=token.role.as_str().to_owned() tone=Tone::Neutral />
                                    </td>
                                    <td class="px-4 py-3 text-slate-700">
                                        {time::format(token.created_at)} " by " {token.created_by}
                                    </td>
                                    <td class="px-4 py-3 text-slate-700">
                                        {token.last_used_at.map_or_else(|| "Never".to_owned(), time::format)}
                                    </td>
                                    <td class="px-4 py-3 text-right">
                                        <ActionForm action=revoke>
                                            <input type="hidden" name="id" value=token.id.to_string() />
                                            <button
                                                type="submit"
                                                aria-label=label
                                                disabled=!can_change
                                                class="rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 disabled:cursor-not-allowed disabled:opacity-50"
                                            >
                                                "Revoke"
                                            </button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
