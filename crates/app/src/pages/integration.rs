//! `/admin/integrations/{id}`: one integration, the way an admin sets it up: the redirect URI to
//! register at the provider, the settings with the discovery checklist, the write-only
//! credentials, the "Active" switch, the sign-in log with "Test sign-in", and deletion.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use serde::{Deserialize, Serialize};
use switchboard_domain::FieldError;
use switchboard_domain::integration::{CheckOutcome, CheckReport, Status};
use switchboard_domain::integration_settings::{Integration, IntegrationSettings, SCOPE_CHOICES};
use switchboard_domain::provider::GroupsSource;
use uuid::Uuid;

use crate::components::editor::{loaded_editor, use_id_param};
use crate::components::feedback::ErrorNotice;
use crate::components::form::{BoundField, field_error};
use crate::components::layout::PageHeader;
use crate::components::sign_in_log::SignInLog;
use crate::components::time;
use crate::error::AppError;

/// What the page needs besides the integration itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationView {
    pub integration: Integration,
    /// `{BASE}/messenger/auth/callback`, to register at the provider.
    pub redirect_uri: String,
    /// `{BASE}/messenger/auth/signed-out`, the sign-out redirect URI to register.
    pub signed_out_uri: String,
    /// `{BASE}/messenger/auth/backchannel-logout`, the back-channel logout URI to register.
    pub backchannel_logout_uri: String,
    /// Messenger configurations that sign in through this integration.
    pub used_by: Vec<String>,
}

#[server]
pub async fn load_integration(id: Uuid) -> Result<IntegrationView, AppError> {
    use switchboard_core::integrations;
    let (services, _) = crate::server::for_reading()?;
    Ok(IntegrationView {
        integration: integrations::get(&services, id).await?,
        redirect_uri: switchboard_domain::urls::callback(&crate::server::base_url()?),
        signed_out_uri: switchboard_domain::urls::signed_out(&crate::server::base_url()?),
        backchannel_logout_uri: switchboard_domain::urls::backchannel_logout(
            &crate::server::base_url()?,
        ),
        used_by: integrations::used_by(&services, id).await?,
    })
}

#[server(input = Json)]
pub async fn update_integration(
    id: Uuid,
    settings: IntegrationSettings,
) -> Result<Integration, AppError> {
    let (services, principal) = crate::server::for_changing()?;
    Ok(switchboard_core::integrations::update(&services, id, &settings, &principal).await?)
}

#[server]
pub async fn test_integration(id: Uuid) -> Result<Integration, AppError> {
    let (services, principal) = crate::server::for_changing()?;
    Ok(switchboard_core::integrations::test_connection(&services, id, &principal).await?)
}

#[server]
pub async fn save_integration_credentials(
    id: Uuid,
    client_id: String,
    client_secret: String,
    okta_api_token: String,
) -> Result<Integration, AppError> {
    use secrecy::SecretString;
    use switchboard_core::integrations::{self, NewCredentials};
    let (services, principal) = crate::server::for_changing()?;
    let credentials = NewCredentials {
        client_id,
        client_secret: SecretString::from(client_secret),
        okta_api_token: Some(SecretString::from(okta_api_token)),
    };
    let (db, keyring) = (services.db(), services.keyring());
    integrations::set_credentials(db, keyring, id, &credentials, &principal).await?;
    Ok(integrations::get(db, id).await?)
}

#[server]
pub async fn set_integration_active(id: Uuid, active: bool) -> Result<Integration, AppError> {
    let (services, principal) = crate::server::for_changing()?;
    let status = if active {
        Status::Active
    } else {
        Status::Inactive
    };
    Ok(switchboard_core::integrations::set_status(&services, id, status, &principal).await?)
}

#[server]
pub async fn delete_integration(id: Uuid) -> Result<(), AppError> {
    let (services, principal) = crate::server::for_changing()?;
    Ok(switchboard_core::integrations::delete(&services, id, &principal).await?)
}

#[component]
pub fn IntegrationPage() -> impl IntoView {
    let id = use_id_param();
    let page = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_integration(id).await,
            None => Err(AppError::NotFound("integration".into())),
        }
    });
    loaded_editor("Integration", page, |view, can_change| {
        view! { <IntegrationEditor view can_change /> }
    })
}

/// Field errors from the last answer of an action, if it was a validation failure.
fn invalid_fields<T: Clone + Send + Sync + 'static>(
    value: Option<Result<T, AppError>>,
) -> Vec<FieldError> {
    match value {
        Some(Err(AppError::Invalid(fields))) => fields,
        _ => vec![],
    }
}

/// Any other failure of the last answer, for a notice.
fn failure<T>(value: Option<Result<T, AppError>>) -> Option<AppError> {
    match value {
        Some(Err(AppError::Invalid(_))) | Some(Ok(_)) | None => None,
        Some(Err(error)) => Some(error),
    }
}

#[component]
fn IntegrationEditor(view: IntegrationView, can_change: bool) -> impl IntoView {
    let IntegrationView {
        integration,
        redirect_uri,
        signed_out_uri,
        backchannel_logout_uri,
        used_by,
    } = view;
    let id = integration.id;
    let current = RwSignal::new(integration.clone());
    let title = integration.name.clone();
    let profile = integration.provider.profile();
    let groups_from = profile
        .groups
        .iter()
        .map(|source| source.describe())
        .collect::<Vec<_>>()
        .join(", else ");

    let save = ServerAction::<UpdateIntegration>::new();
    let test = ServerAction::<TestIntegration>::new();
    let credentials = ServerAction::<SaveIntegrationCredentials>::new();
    let status = ServerAction::<SetIntegrationActive>::new();
    let delete = ServerAction::<DeleteIntegration>::new();
    for action_value in [
        save.value(),
        test.value(),
        credentials.value(),
        status.value(),
    ] {
        Effect::new(move |_| {
            if let Some(Ok(updated)) = action_value.get() {
                current.set(updated);
            }
        });
    }
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/admin/integrations", Default::default());
        }
    });

    let settings = integration.settings();
    let name = RwSignal::new(settings.name.clone());
    let discovery_uri = RwSignal::new(settings.discovery_uri.clone());
    let chosen = RwSignal::new(settings.scopes.clone());
    // The checkboxes: the usual scopes, plus whatever the provider says it supports.
    let offered = Memo::new(move |_| {
        let mut scopes: Vec<String> = SCOPE_CHOICES.iter().map(|s| (*s).to_owned()).collect();
        if let Some(check) = current.read().last_check.as_ref() {
            for scope in &check.scopes_supported {
                if !scopes.contains(scope) {
                    scopes.push(scope.clone());
                }
            }
        }
        scopes
    });
    let extra_scopes = RwSignal::new(
        settings
            .scopes
            .iter()
            .filter(|scope| !offered.get_untracked().contains(scope))
            .cloned()
            .collect::<Vec<_>>()
            .join(" "),
    );
    let refresh_minutes =
        RwSignal::new((settings.max_refresh_token_lifetime_seconds / 60).to_string());
    let groups = RwSignal::new(settings.allowed_groups.join("\n"));
    let skew = RwSignal::new(settings.clock_skew_seconds.to_string());
    let errors = Signal::derive(move || invalid_fields(save.value().get()));
    let error_of =
        move |field: &'static str| Signal::derive(move || field_error(&errors.get(), field));
    let read_only = !can_change;
    // What the server's environment declares (IDP_*) is changed there, not here.
    let managed = integration.managed_by_environment;
    let declared = read_only || managed;
    let busy = Signal::derive(move || save.pending().get() || test.pending().get());

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let offered = offered.get_untracked();
        let mut scopes: Vec<String> = chosen
            .get_untracked()
            .into_iter()
            .filter(|scope| offered.contains(scope))
            .collect();
        scopes.extend(
            extra_scopes
                .get_untracked()
                .split_whitespace()
                .map(str::to_owned),
        );
        let minutes: i64 = refresh_minutes.get_untracked().trim().parse().unwrap_or(-1);
        save.dispatch(UpdateIntegration {
            id,
            settings: IntegrationSettings {
                name: name.get_untracked(),
                discovery_uri: discovery_uri.get_untracked(),
                scopes,
                max_refresh_token_lifetime_seconds: minutes.saturating_mul(60),
                allowed_groups: groups.get_untracked().lines().map(str::to_owned).collect(),
                clock_skew_seconds: skew.get_untracked().trim().parse().unwrap_or(-1),
            },
        });
    };

    view! {
        <Title text=title.clone() />
        <PageHeader title="Integration" summary="An OpenID Connect provider that messenger visitors sign in with." />
        <p class="-mt-4 text-lg font-medium text-slate-900" data-testid="integration-name">{move || current.read().name.clone()}</p>
        <p class="mb-6 text-sm text-slate-600" data-testid="integration-provider">"Provider: " {profile.label}</p>
        {move || [failure(save.value().get()), failure(test.value().get()), failure(credentials.value().get()), failure(delete.value().get())]
            .into_iter()
            .flatten()
            .next()
            .map(|error| view! { <div class="mb-4"><ErrorNotice error /></div> })}

        <RedirectUri uri=redirect_uri signed_out=signed_out_uri backchannel=backchannel_logout_uri help=profile.redirect_help />
        <p class="mt-2 text-sm text-slate-600" data-testid="page-side-hint">
            "Sites that run their own sign-in hand the code to the messenger instead: " {profile.page_hint}
        </p>

        {managed.then(|| view! {
            <p class="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" data-testid="managed-notice">
                "Managed by the environment: the server's IDP_* variables declare this integration's name, Discovery URI, scopes and credentials, so they are read-only here. Change the variables and restart the server to change them."
            </p>
        })}
        <form on:submit=submit class="mt-6 space-y-5 rounded-lg border border-slate-200 bg-white p-5" novalidate>
            <h2 class="text-base font-semibold text-slate-900">"Settings"</h2>
            <BoundField label="Name" name="name" value=name error=error_of("name") disabled=declared />
            <BoundField
                label="Discovery URI"
                name="discoveryUri"
                value=discovery_uri
                placeholder="https://acme.okta.com/.well-known/openid-configuration"
                hint="The provider's OpenID configuration URL, its issuer URL, or just its host name."
                error=error_of("discoveryUri")
                disabled=declared
            />
            <fieldset>
                <legend class="text-sm font-medium text-slate-700">"Scopes"</legend>
                <div class="mt-2 flex flex-wrap gap-4">
                    <For each=move || offered.get() key=|scope| scope.clone() let:scope>
                        <ScopeCheckbox scope chosen read_only=declared />
                    </For>
                </div>
                <p class="mt-2 text-xs text-slate-600" data-testid="offline-access-note">
                    {move || {
                        let offers = current
                            .read()
                            .last_check
                            .as_ref()
                            .is_some_and(|check| check.scopes_supported.iter().any(|s| s == "offline_access"));
                        if offers {
                            "The provider offers offline_access: Switchboard asks for it, so messenger sessions can be refreshed up to the max refresh token lifetime. Enable the Refresh Token grant for this app at the provider."
                        } else {
                            "Sessions are refreshed only if the provider returns refresh tokens (tick offline_access if it needs that scope)."
                        }
                    }}
                </p>
                <div class="mt-3">
                    <BoundField
                        label="Other scopes"
                        name="extraScopes"
                        value=extra_scopes
                        hint="Separated by spaces, e.g. a custom API scope."
                        error=error_of("scopes")
                        disabled=declared
                    />
                </div>
            </fieldset>
            <div class="grid gap-4 md:grid-cols-2">
                <BoundField
                    label="Max refresh token lifetime"
                    name="maxRefreshTokenLifetime"
                    input_type="number"
                    value=refresh_minutes
                    hint="In minutes: from 15 (15 minutes) to 129600 (90 days). Messenger sessions never outlive it."
                    error=error_of("maxRefreshTokenLifetimeSeconds")
                    disabled=read_only
                />
                <BoundField
                    label="Clock skew allowance"
                    name="clockSkew"
                    input_type="number"
                    value=skew
                    hint="Seconds of clock difference tolerated on token times (0 to 300)."
                    error=error_of("clockSkewSeconds")
                    disabled=read_only
                />
            </div>
            <div>
                <label for="allowedGroups" class="block text-sm font-medium text-slate-700">"Allowed groups"</label>
                <textarea
                    id="allowedGroups"
                    rows="3"
                    prop:value=groups
                    on:input=move |event| groups.set(event_target_value(&event))
                    disabled=read_only
                    aria-describedby="allowedGroups-hint"
                    class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm disabled:bg-slate-50"
                ></textarea>
                <p id="allowedGroups-hint" class="mt-1 text-xs text-slate-600">"Optional, one per line. When set, only members of these groups may sign in. Groups come from " {groups_from} "."</p>
                {move || error_of("allowedGroups").get().map(|message| view! { <p class="mt-1 text-sm text-red-700">{message}</p> })}
            </div>
            <div class="flex flex-wrap gap-2">
                <button
                    type="submit"
                    disabled=move || read_only || busy.get()
                    class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    "Save"
                </button>
                <button
                    type="button"
                    disabled=move || read_only || busy.get()
                    on:click=move |_| {
                        test.dispatch(TestIntegration { id });
                    }
                    class="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    "Test connection"
                </button>
                <Show when=move || busy.get()>
                    <span role="status" class="flex items-center gap-2 text-sm text-slate-600">
                        <span aria-hidden="true" class="h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600"></span>
                        "Checking the provider…"
                    </span>
                </Show>
            </div>
            <Checklist report=Signal::derive(move || current.read().last_check.clone()) />
        </form>

        <Credentials current credentials read_only=declared uses_okta_api=profile.groups.contains(&GroupsSource::OktaApi) />
        <ActiveSwitch current status used_by=used_by.clone() read_only />
        <SignInLog id />

        <section class="mt-6 rounded-lg border border-red-200 bg-white p-5">
            <h2 class="text-base font-semibold text-slate-900">"Delete"</h2>
            <p class="mt-1 text-sm text-slate-600">
                {if used_by.is_empty() {
                    "Deleting removes the integration and its credentials.".to_owned()
                } else {
                    format!("Messenger configurations use this integration ({}); it cannot be deleted until they use another.", used_by.join(", "))
                }}
            </p>
            <button
                type="button"
                disabled=declared || !used_by.is_empty()
                on:click=move |_| {
                    let confirmed = window().confirm_with_message("Delete this integration?").unwrap_or(false);
                    if confirmed {
                        delete.dispatch(DeleteIntegration { id });
                    }
                }
                class="mt-3 rounded-md border border-red-300 bg-white px-4 py-2 text-sm font-medium text-red-700 hover:bg-red-50 disabled:cursor-not-allowed disabled:opacity-50"
            >
                "Delete"
            </button>
        </section>
    }
}

/// One scope's checkbox; `openid` is always on.
#[component]
fn ScopeCheckbox(scope: String, chosen: RwSignal<Vec<String>>, read_only: bool) -> impl IntoView {
    let fixed = scope == "openid";
    let checked = {
        let scope = scope.clone();
        move || fixed || chosen.read().contains(&scope)
    };
    let toggle = {
        let scope = scope.clone();
        move |event| {
            let on = event_target_checked(&event);
            chosen.update(|list| {
                list.retain(|s| *s != scope);
                if on {
                    list.push(scope.clone());
                }
            });
        }
    };
    view! {
        <label class="flex items-center gap-2 text-sm text-slate-800">
            <input
                type="checkbox"
                prop:checked=checked
                disabled=fixed || read_only
                on:change=toggle
                class="h-4 w-4 rounded border-slate-300 text-indigo-600"
            />
            {scope}
        </label>
    }
}

/// The sign-in redirect URI to register at the provider, with a copy button.
#[component]
fn RedirectUri(
    uri: String,
    signed_out: String,
    backchannel: String,
    help: &'static str,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = uri.clone();
    view! {
        <section class="rounded-lg border border-indigo-200 bg-indigo-50 p-5">
            <h2 class="text-base font-semibold text-slate-900">"Sign-in redirect URI"</h2>
            <div class="mt-2 flex flex-wrap items-center gap-2">
                <code class="break-all rounded bg-white px-2 py-1 text-sm text-slate-900" data-testid="redirect-uri">{uri}</code>
                <button
                    type="button"
                    on:click=move |_| {
                        let clipboard = window().navigator().clipboard();
                        let _ = clipboard.write_text(&text);
                        copied.set(true);
                    }
                    class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50"
                >
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
            <p class="mt-2 text-sm text-slate-700" data-testid="redirect-help">
                "Register it at your provider. " {help}
            </p>
            <p class="mt-3 text-sm text-slate-700">
                "Sign-out redirect URI: "
                <code class="break-all rounded bg-white px-2 py-1 text-slate-900" data-testid="signed-out-uri">{signed_out}</code>
                " — where the provider returns visitors who sign out of it from the messenger. For page-side sign-in, register the site's page as a sign-out redirect URI too."
            </p>
            <p class="mt-3 text-sm text-slate-700">
                "Back-channel logout URI: "
                <code class="break-all rounded bg-white px-2 py-1 text-slate-900" data-testid="backchannel-logout-uri">{backchannel}</code>
                " — when the provider supports it, a sign-out there ends the person's messenger sessions at once."
            </p>
        </section>
    }
}

/// The discovery checklist: one line per rule, pass / warn / fail.
#[component]
fn Checklist(report: Signal<Option<CheckReport>>) -> impl IntoView {
    view! {
        {move || match report.get() {
            None => view! { <p class="text-sm text-slate-600">"The connection has not been tested yet."</p> }.into_any(),
            Some(report) => {
                let summary = if report.ok { "Connection test passed" } else { "Connection test failed" };
                view! {
                    <div data-testid="checklist">
                        <p class="text-sm font-medium text-slate-900">
                            {summary} " · " {time::format(report.checked_at)}
                        </p>
                        <ul class="mt-2 space-y-1">
                            {report
                                .items
                                .into_iter()
                                .map(|item| {
                                    let (mark, label, colour) = match item.outcome {
                                        CheckOutcome::Pass => ("✓", "pass", "text-green-700"),
                                        CheckOutcome::Warn => ("!", "warn", "text-amber-700"),
                                        CheckOutcome::Fail => ("✗", "fail", "text-red-700"),
                                    };
                                    view! {
                                        <li class="flex gap-2 text-sm" data-outcome=label>
                                            <span class=format!("w-4 shrink-0 font-bold {colour}") aria-label=label>{mark}</span>
                                            <span class="text-slate-800">{item.message}</span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </div>
                }
                    .into_any()
            }
        }}
    }
}

/// Client ID and Client Secret: write-only; the page shows whether they are set, never the
/// secret.
#[component]
fn Credentials(
    current: RwSignal<Integration>,
    credentials: ServerAction<SaveIntegrationCredentials>,
    read_only: bool,
    /// Whether the profile looks groups up in Okta's API (the token field shows only then).
    uses_okta_api: bool,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let client_id = RwSignal::new(
        current
            .get_untracked()
            .credentials
            .client_id
            .unwrap_or_default(),
    );
    let client_secret = RwSignal::new(String::new());
    let okta_api_token = RwSignal::new(String::new());
    let errors = Signal::derive(move || invalid_fields(credentials.value().get()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = credentials.value().get() {
            open.set(false);
            client_secret.set(String::new());
            okta_api_token.set(String::new());
        }
    });
    let id = current.get_untracked().id;
    view! {
        <section class="mt-6 rounded-lg border border-slate-200 bg-white p-5">
            <h2 class="text-base font-semibold text-slate-900">"Credentials"</h2>
            <p class="mt-1 text-sm text-slate-700" data-testid="credentials-state">
                {move || {
                    let state = current.read().credentials.clone();
                    match (state.configured, state.client_id, state.updated_at) {
                        (true, Some(client_id), Some(at)) => format!(
                            "Configured: client {client_id}, set {}.{}",
                            time::format(at),
                            if state.okta_api_token_configured { " Okta API token configured." } else { "" }
                        ),
                        _ => "Not configured.".to_owned(),
                    }
                }}
            </p>
            <Show
                when=move || open.get()
                fallback=move || view! {
                    <button
                        type="button"
                        disabled=read_only
                        on:click=move |_| open.set(true)
                        class="mt-3 rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
                    >
                        "Configure"
                    </button>
                }
            >
                <form
                    class="mt-3 space-y-3"
                    on:submit=move |event| {
                        event.prevent_default();
                        credentials.dispatch(SaveIntegrationCredentials {
                            id,
                            client_id: client_id.get_untracked(),
                            client_secret: client_secret.get_untracked(),
                            okta_api_token: okta_api_token.get_untracked(),
                        });
                    }
                >
                    <BoundField label="Client ID" name="clientId" value=client_id error=Signal::derive(move || field_error(&errors.get(), "clientId")) />
                    <BoundField
                        label="Client Secret"
                        name="clientSecret"
                        input_type="password"
                        value=client_secret
                        hint="Stored encrypted and never shown again; to change it, configure again."
                        error=Signal::derive(move || field_error(&errors.get(), "clientSecret"))
                    />
                    {uses_okta_api.then(|| view! {
                        <BoundField
                            label="Okta API token (optional)"
                            name="oktaApiToken"
                            input_type="password"
                            value=okta_api_token
                            hint="When group membership is not in the ID token, Switchboard looks groups up with it. Leave empty to keep the stored one."
                        />
                    })}
                    <div class="flex gap-2">
                        <button type="submit" class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700">
                            "Save credentials"
                        </button>
                        <button type="button" on:click=move |_| open.set(false) class="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800">
                            "Cancel"
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

/// The "Active" switch, which says what is missing while it cannot be turned on.
#[component]
fn ActiveSwitch(
    current: RwSignal<Integration>,
    status: ServerAction<SetIntegrationActive>,
    used_by: Vec<String>,
    read_only: bool,
) -> impl IntoView {
    let active = move || current.read().status == Status::Active;
    let blockers = move || current.read().activation_blockers();
    let refusal = move || match status.value().get() {
        Some(Err(error)) => Some(match error {
            AppError::Invalid(fields) => fields
                .into_iter()
                .map(|f| f.message)
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        }),
        _ => None,
    };
    let id = current.get_untracked().id;
    view! {
        <section class="mt-6 rounded-lg border border-slate-200 bg-white p-5">
            <div class="flex items-center justify-between gap-4">
                <div>
                    <h2 id="active-label" class="text-base font-semibold text-slate-900">"Active"</h2>
                    <p class="mt-1 text-sm text-slate-600" id="active-help">
                        {move || {
                            let missing = blockers();
                            if active() {
                                if used_by.is_empty() {
                                    "Messenger configurations can use this integration.".to_owned()
                                } else {
                                    format!("In use by {}.", used_by.join(", "))
                                }
                            } else if missing.is_empty() {
                                "Ready: switch it on to let messenger configurations use it.".to_owned()
                            } else {
                                format!("To activate, it needs {}.", missing.join(" and "))
                            }
                        }}
                    </p>
                </div>
                <button
                    type="button"
                    role="switch"
                    aria-labelledby="active-label"
                    aria-describedby="active-help"
                    aria-checked=move || if active() { "true" } else { "false" }
                    disabled=move || read_only || status.pending().get() || (!active() && !blockers().is_empty())
                    on:click=move |_| {
                        status.dispatch(SetIntegrationActive { id, active: !active() });
                    }
                    class="relative inline-flex h-6 w-11 shrink-0 items-center rounded-full bg-slate-300 transition aria-checked:bg-green-600 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    <span class=move || {
                        let position = if active() { "translate-x-5" } else { "translate-x-0.5" };
                        format!("inline-block h-5 w-5 rounded-full bg-white shadow transition {position}")
                    }></span>
                </button>
            </div>
            {move || refusal().map(|message| view! { <p role="alert" class="mt-2 text-sm text-red-700">{message}</p> })}
        </section>
    }
}
