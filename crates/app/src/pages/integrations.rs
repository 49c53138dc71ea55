//! Integrations: the connections to OpenID Connect providers.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use switchboard_domain::integration::{IntegrationSummary, Status};

use crate::components::feedback::{Badge, EmptyState, ErrorNotice, Loading, Tone};
use crate::components::layout::{ChangeLink, PageHeader};
use crate::components::time;
use crate::error::AppError;

#[server]
pub async fn list_integrations() -> Result<Vec<IntegrationSummary>, AppError> {
    let (services, _) = crate::server::for_reading()?;
    Ok(switchboard_core::integrations::list(&services).await?)
}

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    let integrations = Resource::new(|| (), |_| list_integrations());
    view! {
        <Title text="Integrations" />
        <PageHeader
            title="Integrations"
            summary="Connections to your identity providers. Visitors sign in to the messenger through an active OpenID Connect integration."
        >
            <ChangeLink label="Install integration" href="/admin/integrations/install" />
        </PageHeader>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match integrations.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! {
                            <EmptyState
                                title="No integrations installed yet"
                                body="An integration connects Switchboard to your identity provider (Okta, Entra ID, Google, Auth0, Keycloak…) through its OpenID Connect discovery document and a client ID and secret."
                            />
                        }
                            .into_any()
                    }
                    Ok(list) => view! { <IntegrationTable integrations=list /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn IntegrationTable(integrations: Vec<IntegrationSummary>) -> impl IntoView {
    view! {
        <div class="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table class="min-w-full divide-y divide-slate-200 text-sm">
                <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Name"</th>
                        <th scope="col" class="px-4 py-3">"Provider"</th>
                        <th scope="col" class="px-4 py-3">"Status"</th>
                        <th scope="col" class="px-4 py-3">"Last check"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {integrations
                        .into_iter()
                        .map(|integration| {
                            let status_tone = match integration.status {
                                Status::Active => Tone::Good,
                                Status::Inactive => Tone::Neutral,
                            };
                            let check = match (integration.last_check_ok, integration.last_checked_at) {
                                (Some(true), Some(at)) => format!("Passed {}", time::format(at)),
                                (Some(false), Some(at)) => format!("Failed {}", time::format(at)),
                                _ => "Never run".to_owned(),
                            };
                            view! {
                                <tr>
                                    <td class="px-4 py-3">
                                        <A
                                            href=format!("/admin/integrations/{}", integration.id)
                                            attr:class="font-medium text-indigo-700 hover:underline"
                                        >
                                            {integration.name}
                                        </A>
                                        <div class="text-xs text-slate-600">{integration.kind.label()}</div>
                                    </td>
                                    <td class="px-4 py-3 text-slate-700">
                                        {integration.provider_host.unwrap_or_else(|| "Not set".to_owned())}
                                        <div class="text-xs text-slate-600">{integration.provider.label()}</div>
                                    </td>
                                    <td class="px-4 py-3">
                                        <Badge label=integration.status.label().to_owned() tone=status_tone />
                                    </td>
                                    <td class="px-4 py-3 text-slate-700">{check}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
