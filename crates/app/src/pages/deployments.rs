//! Messenger Deployments: where a published configuration runs, and the snippet to paste.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use switchboard_domain::deployment::DeploymentSummary;
use switchboard_domain::integration::Status;

use crate::components::feedback::{Badge, EmptyState, ErrorNotice, Loading, Tone};
use crate::components::layout::{ChangeLink, PageHeader};
use crate::components::time;
use crate::error::AppError;

#[server]
pub async fn list_deployments() -> Result<Vec<DeploymentSummary>, AppError> {
    let (services, _) = crate::server::for_reading()?;
    Ok(switchboard_core::deployments::list(&services).await?)
}

#[component]
pub fn DeploymentsPage() -> impl IntoView {
    let deployments = Resource::new(|| (), |_| list_deployments());
    view! {
        <Title text="Messenger Deployments" />
        <PageHeader
            title="Messenger Deployments"
            summary="Where the messenger appears: a published configuration, the domains allowed to embed it, and the one snippet to paste into your pages."
        >
            <ChangeLink label="New deployment" href="/admin/messenger/deployments/new" />
        </PageHeader>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match deployments.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! {
                            <EmptyState
                                title="No messenger deployments yet"
                                body="A deployment puts a published messenger configuration on the domains you allow, through one script tag."
                            />
                        }
                            .into_any()
                    }
                    Ok(list) => view! { <DeploymentTable deployments=list /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeploymentTable(deployments: Vec<DeploymentSummary>) -> impl IntoView {
    view! {
        <div class="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table class="min-w-full divide-y divide-slate-200 text-sm">
                <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Name"</th>
                        <th scope="col" class="px-4 py-3">"Configuration"</th>
                        <th scope="col" class="px-4 py-3">"Status"</th>
                        <th scope="col" class="px-4 py-3">"Updated"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {deployments
                        .into_iter()
                        .map(|deployment| {
                            let version = deployment
                                .configuration_version
                                .map_or_else(|| "latest version".to_owned(), |v| format!("version {v}"));
                            let tone = match deployment.status {
                                Status::Active => Tone::Good,
                                Status::Inactive => Tone::Neutral,
                            };
                            view! {
                                <tr>
                                    <td class="px-4 py-3">
                                        <A
                                            href=format!("/admin/messenger/deployments/{}", deployment.id)
                                            attr:class="font-medium text-indigo-700 hover:underline"
                                        >
                                            {deployment.name}
                                        </A>
                                    </td>
                                    <td class="px-4 py-3 text-slate-700">
                                        {format!("{} ({version})", deployment.configuration_name)}
                                    </td>
                                    <td class="px-4 py-3">
                                        <Badge label=deployment.status.label().to_owned() tone />
                                    </td>
                                    <td class="px-4 py-3 text-slate-700">
                                        <time datetime=time::machine(deployment.updated_at)>
                                            {time::format(deployment.updated_at)}
                                        </time>
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
