//! `/admin/messenger/deployments/new` and `/admin/messenger/deployments/{id}`: which published
//! configuration runs where, and the snippet to paste.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use serde::{Deserialize, Serialize};
use switchboard_domain::FieldError;
use switchboard_domain::deployment::{ConfigurationRef, Deployment, DeploymentInput};
use switchboard_domain::integration::Status;
use switchboard_domain::messenger::ConfigurationSummary;
use uuid::Uuid;

use crate::components::editor::{loaded_editor, use_id_param};
use crate::components::feedback::ErrorNotice;
use crate::components::form::{BoundField, field_error};
use crate::components::layout::PageHeader;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeploymentEditor {
    pub deployment: Option<Deployment>,
    pub configurations: Vec<ConfigurationSummary>,
    /// Per configuration that signs in: the provider the site's own sign-in talks to.
    pub sign_in_providers: Vec<SignInProvider>,
}

/// What a site's own sign-in script needs to know of the provider a configuration uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignInProvider {
    pub configuration_id: Uuid,
    pub issuer: String,
    pub client_id: String,
}

#[server]
pub async fn load_deployment_editor(id: Option<Uuid>) -> Result<DeploymentEditor, AppError> {
    use switchboard_core::{deployments, messenger};
    let (services, _) = crate::server::for_reading()?;
    let db = services.db();
    let deployment = match id {
        Some(id) => Some(deployments::get(db, &crate::server::base_url()?, id).await?),
        None => None,
    };
    let configurations = messenger::list_configurations(db).await?;
    let mut sign_in_providers = Vec::new();
    for configuration in messenger::all(db).await? {
        let content = configuration
            .versions
            .last()
            .map_or(&configuration.draft, |version| &version.content);
        let Some(integration_id) = content
            .authentication
            .integration_id
            .filter(|_| content.authentication.enabled)
        else {
            continue;
        };
        let Ok(integration) = switchboard_core::integrations::get(db, integration_id).await else {
            continue;
        };
        let issuer = integration
            .discovery_uri
            .unwrap_or_default()
            .trim_end_matches("/.well-known/openid-configuration")
            .to_owned();
        sign_in_providers.push(SignInProvider {
            configuration_id: configuration.id,
            issuer,
            client_id: integration.credentials.client_id.unwrap_or_default(),
        });
    }
    Ok(DeploymentEditor {
        deployment,
        configurations,
        sign_in_providers,
    })
}

#[server(input = Json)]
pub async fn save_deployment(
    id: Option<Uuid>,
    input: DeploymentInput,
) -> Result<Deployment, AppError> {
    use switchboard_core::deployments;
    let (services, principal) = crate::server::for_changing()?;
    let base = crate::server::base_url()?;
    Ok(match id {
        Some(id) => deployments::update(&services, &base, id, &input, &principal).await?,
        None => deployments::create(&services, &base, &input, &principal).await?,
    })
}

#[component]
pub fn DeploymentPage() -> impl IntoView {
    let editor = Resource::new(use_id_param(), load_deployment_editor);
    loaded_editor("Messenger deployment", editor, |editor, can_change| {
        view! { <Editor editor can_change /> }
    })
}

#[component]
fn Editor(editor: DeploymentEditor, can_change: bool) -> impl IntoView {
    let DeploymentEditor {
        deployment,
        configurations,
        sign_in_providers,
    } = editor;
    let current = RwSignal::new(deployment.clone());
    let id = RwSignal::new(deployment.as_ref().map(|d| d.id));
    let name = RwSignal::new(
        deployment
            .as_ref()
            .map(|d| d.name.clone())
            .unwrap_or_default(),
    );
    let description = RwSignal::new(
        deployment
            .as_ref()
            .map(|d| d.description.clone())
            .unwrap_or_default(),
    );
    let configuration = RwSignal::new(
        deployment
            .as_ref()
            .map(|d| d.configuration.id)
            .or_else(|| configurations.first().map(|c| c.id))
            .map(|id| id.to_string())
            .unwrap_or_default(),
    );
    let version = RwSignal::new(
        deployment
            .as_ref()
            .and_then(|d| d.configuration.version)
            .map(|v| v.to_string())
            .unwrap_or_default(),
    );
    let domains = RwSignal::new(
        deployment
            .as_ref()
            .map(|d| d.allowed_domains.join("\n"))
            .unwrap_or_default(),
    );
    let allow_all = RwSignal::new(deployment.as_ref().is_some_and(|d| d.allow_all_domains));
    let page_sign_in = RwSignal::new(deployment.as_ref().is_some_and(|d| d.page_sign_in));
    let redirect_uris = RwSignal::new(
        deployment
            .as_ref()
            .map(|d| d.page_redirect_uris.join("\n"))
            .unwrap_or_default(),
    );
    let active = RwSignal::new(
        deployment
            .as_ref()
            .is_none_or(|d| d.status == Status::Active),
    );

    let save = ServerAction::<SaveDeployment>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            let was_new = id.get_untracked().is_none();
            id.set(Some(saved.id));
            current.set(Some(saved.clone()));
            if was_new {
                navigate(
                    &format!("/admin/messenger/deployments/{}", saved.id),
                    Default::default(),
                );
            }
        }
    });
    let errors = Signal::derive(move || match save.value().get() {
        Some(Err(AppError::Invalid(fields))) => fields,
        _ => Vec::<FieldError>::new(),
    });
    let error_of =
        move |field: &'static str| Signal::derive(move || field_error(&errors.get(), field));
    let other_error = move || match save.value().get() {
        Some(Err(error)) if !matches!(error, AppError::Invalid(_)) => Some(error),
        _ => None,
    };
    let latest_of = {
        let configurations = configurations.clone();
        move |id: &str| {
            configurations
                .iter()
                .find(|c| c.id.to_string() == id)
                .and_then(|c| c.latest_version)
        }
    };
    let read_only = !can_change;

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Ok(configuration_id) = configuration.get_untracked().parse::<Uuid>() else {
            return;
        };
        save.dispatch(SaveDeployment {
            id: id.get_untracked(),
            input: DeploymentInput {
                name: name.get_untracked(),
                description: description.get_untracked(),
                configuration: ConfigurationRef {
                    id: configuration_id,
                    version: version.get_untracked().parse().ok(),
                },
                allowed_domains: domains.get_untracked().lines().map(str::to_owned).collect(),
                allow_all_domains: allow_all.get_untracked(),
                page_sign_in: page_sign_in.get_untracked(),
                page_redirect_uris: redirect_uris
                    .get_untracked()
                    .lines()
                    .map(str::to_owned)
                    .collect(),
                status: if active.get_untracked() {
                    Status::Active
                } else {
                    Status::Inactive
                },
            },
        });
    };

    view! {
        <Title text="Messenger deployment" />
        <PageHeader
            title="Messenger deployment"
            summary="A published configuration, the domains allowed to show it, and the snippet to paste into their pages."
        />
        {move || other_error().map(|error| view! { <div class="mb-4"><ErrorNotice error /></div> })}
        <form on:submit=submit class="space-y-5 rounded-lg border border-slate-200 bg-white p-5" novalidate>
            <BoundField label="Name" name="name" value=name error=error_of("name") disabled=read_only />
            <BoundField label="Description" name="description" value=description error=error_of("description") disabled=read_only />
            <div class="grid gap-4 md:grid-cols-2">
                <div>
                    <label for="configuration" class="block text-sm font-medium text-slate-700">"Configuration"</label>
                    <select
                        id="configuration"
                        prop:value=configuration
                        on:change=move |event| {
                            configuration.set(event_target_value(&event));
                            version.set(String::new());
                        }
                        disabled=read_only
                        class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
                    >
                        {configurations
                            .iter()
                            .map(|c| {
                                let label = match c.latest_version {
                                    Some(latest) => format!("{} (version {latest})", c.name),
                                    None => format!("{} (not published)", c.name),
                                };
                                view! { <option value=c.id.to_string()>{label}</option> }
                            })
                            .collect_view()}
                    </select>
                    {move || error_of("configuration").get().map(|message| view! { <p class="mt-1 text-sm text-red-700">{message}</p> })}
                </div>
                <div>
                    <label for="version" class="block text-sm font-medium text-slate-700">"Version"</label>
                    <select
                        id="version"
                        prop:value=version
                        on:change=move |event| version.set(event_target_value(&event))
                        disabled=read_only
                        class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
                    >
                        <option value="">"Latest published"</option>
                        {move || {
                            let latest = latest_of(&configuration.get()).unwrap_or(0);
                            (1..=latest)
                                .rev()
                                .map(|v| view! { <option value=v.to_string()>{format!("Version {v}")}</option> })
                                .collect_view()
                        }}
                    </select>
                </div>
            </div>
            <div>
                <label for="allowedDomains" class="block text-sm font-medium text-slate-700">"Allowed domains"</label>
                <textarea
                    id="allowedDomains"
                    rows="4"
                    prop:value=domains
                    on:input=move |event| domains.set(event_target_value(&event))
                    disabled=move || read_only || allow_all.get()
                    aria-describedby="allowedDomains-hint"
                    class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm disabled:bg-slate-50"
                ></textarea>
                <p id="allowedDomains-hint" class="mt-1 text-xs text-slate-600">
                    "One per line: a host (www.example.com) or all its subdomains (*.example.com), served over https; no path or port. Write http:// in front only for a site that has no https."
                </p>
                {move || error_of("allowedDomains").get().map(|message| view! { <p class="mt-1 text-sm text-red-700">{message}</p> })}
                {move || {
                    let lines: Vec<String> = domains.get().lines().map(|line| line.trim().to_ascii_lowercase()).collect();
                    switchboard_domain::allowed_domains::http_warning(&lines)
                        .map(|warning| view! { <p role="status" class="mt-1 text-sm text-amber-800">"Warning: " {warning}</p> })
                }}
            </div>
            <div>
                <label class="flex items-center gap-2 text-sm text-slate-800">
                    <input type="checkbox" prop:checked=allow_all on:change=move |event| allow_all.set(event_target_checked(&event)) disabled=read_only aria-describedby="allowAllDomains-error" class="h-4 w-4 rounded border-slate-300" />
                    "Allow all domains"
                </label>
                {move || error_of("allowAllDomains").get().map(|message| view! { <p id="allowAllDomains-error" class="mt-1 text-sm text-red-700">{message}</p> })}
            </div>
            <fieldset class="rounded-md border border-slate-200 p-4">
                <legend class="px-1 text-sm font-medium text-slate-700">"Page-side sign-in"</legend>
                <label class="flex items-center gap-2 text-sm text-slate-800">
                    <input type="checkbox" prop:checked=page_sign_in on:change=move |event| page_sign_in.set(event_target_checked(&event)) disabled=read_only class="h-4 w-4 rounded border-slate-300" />
                    "The site signs its visitors in itself and hands the code to the messenger"
                </label>
                <div hidden=move || !page_sign_in.get() class="mt-3">
                    <label for="pageRedirectUris" class="block text-sm font-medium text-slate-700">"Redirect URIs of the site's sign-in"</label>
                    <textarea
                        id="pageRedirectUris"
                        rows="2"
                        prop:value=redirect_uris
                        on:input=move |event| redirect_uris.set(event_target_value(&event))
                        disabled=read_only
                        aria-describedby="pageRedirectUris-hint"
                        class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm"
                    ></textarea>
                    <p id="pageRedirectUris-hint" class="mt-1 text-xs text-slate-600">
                        "One per line: the page where the messenger loads after the site's login, on an allowed domain. Register each at the provider as a sign-in redirect URI, and the page itself as a sign-out redirect URI; the messenger refuses codes sent with any other."
                    </p>
                    {move || error_of("pageRedirectUris").get().map(|message| view! { <p class="mt-1 text-sm text-red-700">{message}</p> })}
                    <PageScripts configuration sign_in_providers=sign_in_providers.clone() redirect_uris />
                </div>
            </fieldset>
            <label class="flex items-center gap-2 text-sm text-slate-800">
                <input type="checkbox" prop:checked=active on:change=move |event| active.set(event_target_checked(&event)) disabled=read_only class="h-4 w-4 rounded border-slate-300" />
                "Active"
            </label>
            <button
                type="submit"
                disabled=move || read_only || save.pending().get() || configuration.get().is_empty()
                class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50"
            >
                "Save"
            </button>
        </form>
        {move || current.get().map(|deployment| view! { <Snippet deployment /> })}
    }
}

/// The snippet to paste, with a copy button, and which version it serves.
#[component]
fn Snippet(deployment: Deployment) -> impl IntoView {
    let copied = RwSignal::new(false);
    let text = deployment.snippet.clone();
    let serves = match deployment.configuration.version {
        Some(version) => format!("Serves version {version} of its configuration."),
        None => "Serves the latest published version of its configuration.".to_owned(),
    };
    view! {
        <section aria-labelledby="snippet-label" class="mt-6 rounded-lg border border-indigo-200 bg-indigo-50 p-5">
            <h2 id="snippet-label" class="text-base font-semibold text-slate-900">"Snippet"</h2>
            <p class="mt-1 text-sm text-slate-700">"Paste this line into the pages of the allowed domains. " {serves}</p>
            <pre aria-labelledby="snippet-label" class="mt-2 overflow-x-auto rounded bg-white p-3 text-sm text-slate-900"><code>{deployment.snippet}</code></pre>
            <button
                type="button"
                on:click=move |_| {
                    let _ = window().navigator().clipboard().write_text(&text);
                    copied.set(true);
                }
                class="mt-2 rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50"
            >
                {move || if copied.get() { "Copied" } else { "Copy snippet" }}
            </button>
            <p class="mt-4 text-sm text-slate-700">
                "The page can drive the messenger through " <code>"window.Switchboard"</code> ": "
                <code>"open()"</code> ", " <code>"close()"</code> ", " <code>"signOut()"</code>
                ", and events with " <code>"on(name, handler)"</code>
                " (ready, opened, closed, signedIn, signedOut, message, error). A site that signs its visitors in itself calls "
                <code>"getNonce()"</code> " for its authorization request and "
                <code>"registerAuthProvider({ getAuthCode })"</code>
                ": the messenger then signs in with the page's code, without a popup. "
                <a class="font-medium text-indigo-700 underline" href="/messenger/switchboard.d.ts">"The API's types"</a>
                "."
            </p>
        </section>
    }
}

/// Ready-to-paste page scripts for the site's own sign-in, filled in with the provider of the
/// chosen configuration: one with the browser's own crypto and no library, one with Okta's
/// `@okta/okta-auth-js`.
#[component]
fn PageScripts(
    configuration: RwSignal<String>,
    sign_in_providers: Vec<SignInProvider>,
    redirect_uris: RwSignal<String>,
) -> impl IntoView {
    let provider = move || {
        sign_in_providers
            .iter()
            .find(|p| p.configuration_id.to_string() == configuration.get())
            .cloned()
    };
    let redirect = move || {
        redirect_uris
            .get()
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .unwrap_or("https://www.example.com/")
            .to_owned()
    };
    view! {
        {move || match provider() {
            None => view! {
                <p class="mt-3 text-sm text-slate-700">"The chosen configuration does not sign visitors in; pick one that does to see the page scripts."</p>
            }.into_any(),
            Some(provider) => {
                let generic = generic_script(&provider, &redirect());
                let okta = okta_script(&provider, &redirect());
                view! {
                    <details class="mt-3">
                        <summary class="cursor-pointer text-sm font-medium text-indigo-700">"Page script: any OpenID Connect provider (no library)"</summary>
                        <pre class="mt-2 overflow-x-auto rounded bg-slate-50 p-3 text-xs"><code>{generic}</code></pre>
                    </details>
                    <details class="mt-2">
                        <summary class="cursor-pointer text-sm font-medium text-indigo-700">"Page script: Okta with @okta/okta-auth-js"</summary>
                        <pre class="mt-2 overflow-x-auto rounded bg-slate-50 p-3 text-xs"><code>{okta}</code></pre>
                    </details>
                }.into_any()
            }
        }}
    }
}

fn generic_script(provider: &SignInProvider, redirect: &str) -> String {
    format!(
        r#"<script>
  // After the messenger snippet. The site's own login: authorization code + PKCE.
  window.Switchboard = window.Switchboard || {{ q: [] }};
  var ISSUER = {issuer:?}, CLIENT_ID = {client:?}, REDIRECT_URI = {redirect:?};
  function b64url(bytes) {{
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }}
  async function login() {{
    var config = await (await fetch(ISSUER + '/.well-known/openid-configuration')).json();
    var nonce = await Switchboard.getNonce();
    var verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
    var challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
    var state = b64url(crypto.getRandomValues(new Uint8Array(16)));
    sessionStorage.setItem('signin', JSON.stringify({{ verifier: verifier, nonce: nonce, state: state }}));
    location.href = config.authorization_endpoint + '?' + new URLSearchParams({{
      response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: 'openid profile email',
      state: state, nonce: nonce, code_challenge: challenge, code_challenge_method: 'S256'
    }});
  }}
  var params = new URLSearchParams(location.search);
  var saved = JSON.parse(sessionStorage.getItem('signin') || 'null');
  var pending = null;
  if (params.get('code') && saved && params.get('state') === saved.state) {{
    sessionStorage.removeItem('signin');
    pending = {{ code: params.get('code'), redirectUri: REDIRECT_URI, codeVerifier: saved.verifier,
      nonce: saved.nonce, iss: params.get('iss') || undefined }};
    history.replaceState(null, '', REDIRECT_URI);
  }}
  Switchboard.q.push(['registerAuthProvider', {{
    getAuthCode: function (options) {{
      var code = pending; pending = null;
      if (!code && options.interactive) login();
      return code;
    }}
  }}]);
</script>"#,
        issuer = provider.issuer,
        client = provider.client_id,
    )
}

fn okta_script(provider: &SignInProvider, redirect: &str) -> String {
    format!(
        r#"<script>
  // After the messenger snippet and Okta's @okta/okta-auth-js (npm, or Okta's CDN build):
  // the library runs the login; the messenger, not the library, exchanges the code.
  window.Switchboard = window.Switchboard || {{ q: [] }};
  var REDIRECT_URI = {redirect:?};
  var authClient = new OktaAuth({{
    issuer: {issuer:?}, clientId: {client:?}, redirectUri: REDIRECT_URI,
    pkce: true, responseType: 'code', scopes: ['openid', 'profile', 'email']
  }});
  var pending = null;
  var params = new URLSearchParams(location.search);
  var saved = JSON.parse(sessionStorage.getItem('signin') || 'null');
  if (params.get('code') && saved && params.get('state') === saved.state) {{
    sessionStorage.removeItem('signin');
    pending = {{ code: params.get('code'), redirectUri: REDIRECT_URI, codeVerifier: saved.verifier,
      nonce: saved.nonce, iss: params.get('iss') || undefined }};
    history.replaceState(null, '', REDIRECT_URI);
  }}
  async function login() {{
    var nonce = await Switchboard.getNonce();
    var meta = await authClient.token.prepareTokenParams({{ nonce: nonce }});
    sessionStorage.setItem('signin', JSON.stringify({{ verifier: meta.codeVerifier, nonce: nonce, state: meta.state }}));
    authClient.token.getWithRedirect({{ nonce: nonce, state: meta.state, codeVerifier: meta.codeVerifier, codeChallenge: meta.codeChallenge, responseMode: 'query' }});
  }}
  Switchboard.q.push(['registerAuthProvider', {{
    getAuthCode: function (options) {{
      var code = pending; pending = null;
      if (!code && options.interactive) login();
      return code;
    }}
  }}]);
</script>"#,
        issuer = provider.issuer,
        client = provider.client_id,
    )
}
