//! `/admin/integrations/install`: the catalog. "OpenID Connect Messenger Configuration" works
//! with any provider; the Okta preset derives the Discovery URI from an Okta domain.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use serde::{Deserialize, Serialize};
use switchboard_domain::integration::IntegrationKind;
use uuid::Uuid;

use crate::components::feedback::ErrorNotice;
use crate::components::form::{BoundField, field_error};
use crate::components::layout::{Account, PageHeader};
use crate::error::AppError;

/// The Okta preset's answers: the domain and which authorization server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OktaChoice {
    pub domain: String,
    /// `org`, `default` or `custom`.
    pub server: String,
    pub server_id: String,
}

#[server]
pub async fn install_integration(okta: Option<OktaChoice>) -> Result<Uuid, AppError> {
    use switchboard_core::discovery::OktaServer;
    use switchboard_core::integrations::{self, Preset};
    let (services, principal) = crate::server::for_changing()?;
    let preset = match okta {
        None => Preset::OpenIdConnect,
        Some(choice) => Preset::Okta {
            domain: choice.domain,
            server: match choice.server.as_str() {
                "org" => OktaServer::Org,
                "custom" => OktaServer::Custom(choice.server_id),
                _ => OktaServer::Default,
            },
        },
    };
    Ok(integrations::install(&services, preset, &principal)
        .await?
        .id)
}

#[component]
pub fn IntegrationCatalogPage() -> impl IntoView {
    let install = ServerAction::<InstallIntegration>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = install.value().get() {
            navigate(&format!("/admin/integrations/{id}"), Default::default());
        }
    });
    let account = expect_context::<Account>();
    let can_change = Resource::new(|| (), move |_| account.can_change());
    let disabled = move || !can_change.get().unwrap_or(false) || install.pending().get();
    let errors = move || match install.value().get() {
        Some(Err(AppError::Invalid(fields))) => fields,
        _ => vec![],
    };
    let other_error = move || match install.value().get() {
        Some(Err(error)) if !matches!(error, AppError::Invalid(_)) => Some(error),
        _ => None,
    };

    let domain = RwSignal::new(String::new());
    let server = RwSignal::new("default".to_owned());
    let server_id = RwSignal::new(String::new());

    view! {
        <Title text="Install integration" />
        <PageHeader
            title="Install integration"
            summary="Pick what to connect. The integration starts inactive; you set its Discovery URI and credentials next."
        />
        {move || other_error().map(|error| view! { <div class="mb-4"><ErrorNotice error /></div> })}
        <div class="grid gap-4 md:grid-cols-2">
            <section aria-labelledby="catalog-oidc" class="flex flex-col rounded-lg border border-slate-200 bg-white p-5">
                <h2 id="catalog-oidc" class="text-base font-semibold text-slate-900">
                    {IntegrationKind::OpenidConnectMessenger.label()}
                </h2>
                <p class="mt-1 flex-1 text-sm text-slate-600">
                    "Visitors sign in to the messenger with any OpenID Connect provider: Entra ID, Google, Auth0, Keycloak, Okta…"
                </p>
                <button
                    type="button"
                    disabled=disabled
                    on:click=move |_| {
                        install.dispatch(InstallIntegration { okta: None });
                    }
                    class="mt-4 self-start rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    "Install"
                </button>
            </section>
            <section aria-labelledby="catalog-okta" class="rounded-lg border border-slate-200 bg-white p-5">
                <h2 id="catalog-okta" class="text-base font-semibold text-slate-900">"Okta"</h2>
                <p class="mt-1 text-sm text-slate-600">
                    "The same integration, set up from your Okta domain: Switchboard derives the Discovery URI."
                </p>
                <div class="mt-4 space-y-3">
                    <BoundField
                        label="Okta domain"
                        name="oktaDomain"
                        value=domain
                        placeholder="acme.okta.com"
                        error=Signal::derive(move || field_error(&errors(), "oktaDomain"))
                    />
                    <div>
                        <label for="oktaServer" class="block text-sm font-medium text-slate-700">"Authorization server"</label>
                        <select
                            id="oktaServer"
                            class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
                            on:change=move |event| server.set(event_target_value(&event))
                            prop:value=server
                        >
                            <option value="default">"default (custom authorization server)"</option>
                            <option value="org">"Org authorization server"</option>
                            <option value="custom">"Another custom authorization server"</option>
                        </select>
                    </div>
                    <Show when=move || server.get() == "custom">
                        <BoundField
                            label="Authorization server ID"
                            name="oktaServerId"
                            value=server_id
                            placeholder="aus1a2b3c4D5e6F7g8"
                            error=Signal::derive(move || field_error(&errors(), "oktaServerId"))
                        />
                    </Show>
                    <p class="text-xs text-slate-600" data-testid="okta-preview">
                        "Discovery URI: "
                        <code class="break-all">{move || okta_preview(&domain.get(), &server.get(), &server_id.get())}</code>
                    </p>
                    <button
                        type="button"
                        disabled=disabled
                        on:click=move |_| {
                            install.dispatch(InstallIntegration {
                                okta: Some(OktaChoice {
                                    domain: domain.get_untracked(),
                                    server: server.get_untracked(),
                                    server_id: server_id.get_untracked(),
                                }),
                            });
                        }
                        class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50"
                    >
                        "Install"
                    </button>
                </div>
            </section>
        </div>
    }
}

/// What the preset will derive, shown while the admin types (the server decides for real).
fn okta_preview(domain: &str, server: &str, server_id: &str) -> String {
    let host = domain
        .trim()
        .trim_start_matches("https://")
        .trim_end_matches('/');
    let host = if host.is_empty() {
        "{your Okta domain}"
    } else {
        host
    };
    let path = match server {
        "org" => String::new(),
        "custom" => format!(
            "/oauth2/{}",
            if server_id.trim().is_empty() {
                "{id}"
            } else {
                server_id.trim()
            }
        ),
        _ => "/oauth2/default".to_owned(),
    };
    format!("https://{host}{path}/.well-known/openid-configuration")
}
