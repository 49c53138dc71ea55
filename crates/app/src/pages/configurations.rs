//! Messenger Configurations: how the messenger looks and how visitors sign in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use switchboard_domain::messenger::ConfigurationSummary;

use crate::components::feedback::{Badge, EmptyState, ErrorNotice, Loading, Tone};
use crate::components::layout::{ChangeLink, PageHeader};
use crate::components::time;
use crate::error::AppError;

#[server]
pub async fn list_configurations() -> Result<Vec<ConfigurationSummary>, AppError> {
    let (services, _) = crate::server::for_reading()?;
    Ok(switchboard_core::messenger::list_configurations(&services).await?)
}

#[component]
pub fn ConfigurationsPage() -> impl IntoView {
    let configurations = Resource::new(|| (), |_| list_configurations());
    view! {
        <Title text="Messenger Configurations" />
        <PageHeader
            title="Messenger Configurations"
            summary="What the messenger looks like and whether visitors sign in. Publishing a configuration freezes it as a numbered version that deployments serve."
        >
            <ChangeLink label="New configuration" href="/admin/messenger/configurations/new" />
        </PageHeader>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match configurations.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! {
                            <EmptyState
                                title="No messenger configurations yet"
                                body="A configuration sets the launcher label, colours and greeting, and turns on Authentication with one of your active integrations."
                            />
                        }
                            .into_any()
                    }
                    Ok(list) => view! { <ConfigurationTable configurations=list /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ConfigurationTable(configurations: Vec<ConfigurationSummary>) -> impl IntoView {
    view! {
        <div class="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table class="min-w-full divide-y divide-slate-200 text-sm">
                <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-600">
                    <tr>
                        <th scope="col" class="px-4 py-3">"Name"</th>
                        <th scope="col" class="px-4 py-3">"Published"</th>
                        <th scope="col" class="px-4 py-3">"Updated"</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {configurations
                        .into_iter()
                        .map(|configuration| {
                            let published = match configuration.latest_version {
                                Some(version) => {
                                    view! { <Badge label=format!("Version {version}") tone=Tone::Good /> }
                                }
                                None => view! { <Badge label="Draft only".to_owned() tone=Tone::Neutral /> },
                            };
                            view! {
                                <tr>
                                    <td class="px-4 py-3">
                                        <A
                                            href=format!("/admin/messenger/configurations/{}", configuration.id)
                                            attr:class="font-medium text-indigo-700 hover:underline"
                                        >
                                            {configuration.name}
                                        </A>
                                        <div class="text-xs text-slate-600">{configuration.description}</div>
                                    </td>
                                    <td class="px-4 py-3">{published}</td>
                                    <td class="px-4 py-3 text-slate-700">
                                        <time datetime=time::machine(configuration.updated_at)>
                                            {time::format(configuration.updated_at)}
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
