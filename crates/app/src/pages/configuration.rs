//! `/admin/messenger/configurations/new` and `/admin/messenger/configurations/{id}`: the draft
//! of a messenger configuration, "Publish", and the history of published versions.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use serde::{Deserialize, Serialize};
use switchboard_domain::FieldError;
use switchboard_domain::attachment::{AttachmentRules, KNOWN_TYPES};
use switchboard_domain::messenger::{
    Appearance, Authentication, Configuration, ConfigurationInput, VersionContent,
};
use uuid::Uuid;

use crate::components::editor::{loaded_editor, use_id_param};
use crate::components::feedback::ErrorNotice;
use crate::components::form::{BoundField, field_error};
use crate::components::layout::PageHeader;
use crate::components::time;
use crate::error::AppError;

/// The editor's data: the configuration (none when new) and the integrations it may use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigurationEditor {
    pub configuration: Option<Configuration>,
    /// Active integrations, as (id, name): the only ones sign-in may use.
    pub integrations: Vec<(Uuid, String)>,
}

#[server]
pub async fn load_configuration_editor(id: Option<Uuid>) -> Result<ConfigurationEditor, AppError> {
    use switchboard_core::{integrations, messenger};
    use switchboard_domain::integration::Status;
    let (services, _) = crate::server::for_reading()?;
    let db = services.db();
    let configuration = match id {
        Some(id) => Some(messenger::get(db, id).await?),
        None => None,
    };
    let integrations = integrations::list(db)
        .await?
        .into_iter()
        .filter(|integration| integration.status == Status::Active)
        .map(|integration| (integration.id, integration.name))
        .collect();
    Ok(ConfigurationEditor {
        configuration,
        integrations,
    })
}

#[server(input = Json)]
pub async fn save_configuration(
    id: Option<Uuid>,
    input: ConfigurationInput,
) -> Result<Configuration, AppError> {
    use switchboard_core::messenger;
    let (services, principal) = crate::server::for_changing()?;
    let db = services.db();
    Ok(match id {
        Some(id) => messenger::update(db, id, &input, &principal).await?,
        None => messenger::create(db, &input, &principal).await?,
    })
}

#[server]
pub async fn publish_configuration(id: Uuid) -> Result<Configuration, AppError> {
    let (services, principal) = crate::server::for_changing()?;
    Ok(switchboard_core::messenger::publish(&services, id, &principal).await?)
}

#[component]
pub fn ConfigurationPage() -> impl IntoView {
    let editor = Resource::new(use_id_param(), load_configuration_editor);
    loaded_editor("Messenger configuration", editor, |editor, can_change| {
        view! { <Editor editor can_change /> }
    })
}

fn invalid(value: Option<Result<Configuration, AppError>>) -> Vec<FieldError> {
    match value {
        Some(Err(AppError::Invalid(fields))) => fields,
        _ => vec![],
    }
}

#[component]
fn Editor(editor: ConfigurationEditor, can_change: bool) -> impl IntoView {
    let ConfigurationEditor {
        configuration,
        integrations,
    } = editor;
    let id = RwSignal::new(configuration.as_ref().map(|c| c.id));
    let current = RwSignal::new(configuration.clone());
    let draft = configuration
        .as_ref()
        .map_or_else(VersionContent::default, |c| c.draft.clone());
    let name = RwSignal::new(
        configuration
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
    );
    let description = RwSignal::new(
        configuration
            .as_ref()
            .map(|c| c.description.clone())
            .unwrap_or_default(),
    );
    let authentication = RwSignal::new(draft.authentication.enabled);
    let integration = RwSignal::new(
        draft
            .authentication
            .integration_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
    );
    let upgrade = RwSignal::new(draft.authentication.allow_session_upgrade);
    let clear_on_sign_out = RwSignal::new(draft.clear_on_sign_out);
    let round_robin = RwSignal::new(draft.assign_round_robin);
    let file_types = RwSignal::new(draft.attachments.types.clone());
    let file_limit = RwSignal::new(megabytes(draft.attachments.max_bytes));
    let colour = RwSignal::new(draft.appearance.primary_color.clone());
    let label = RwSignal::new(draft.appearance.launcher_label.clone());
    let greeting = RwSignal::new(draft.appearance.greeting.clone());
    let language = RwSignal::new(draft.appearance.default_language.clone());
    let lifetime = RwSignal::new((draft.session_lifetime_seconds / 60).to_string());

    let save = ServerAction::<SaveConfiguration>::new();
    let publish = ServerAction::<PublishConfiguration>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            let was_new = id.get_untracked().is_none();
            id.set(Some(saved.id));
            current.set(Some(saved.clone()));
            if was_new {
                navigate(
                    &format!("/admin/messenger/configurations/{}", saved.id),
                    Default::default(),
                );
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(published)) = publish.value().get() {
            current.set(Some(published));
        }
    });
    let errors = Signal::derive(move || {
        let mut errors = invalid(save.value().get());
        errors.extend(invalid(publish.value().get()));
        errors
    });
    let error_of =
        move |field: &'static str| Signal::derive(move || field_error(&errors.get(), field));
    let other_error = move || {
        [save.value().get(), publish.value().get()]
            .into_iter()
            .flatten()
            .find_map(|result| match result {
                Err(AppError::Invalid(_)) | Ok(_) => None,
                Err(error) => Some(error),
            })
    };
    // The preview's colour is set through the CSSOM: the page's CSP allows no inline styles.
    let preview = NodeRef::<leptos::html::Span>::new();
    Effect::new(move |_| {
        let colour = colour.get();
        if let Some(element) = preview.get() {
            let element: &web_sys::HtmlElement = &element;
            let _ = web_sys::HtmlElement::style(element).set_property("background-color", &colour);
        }
    });
    let read_only = !can_change;
    let has_integrations = !integrations.is_empty();

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let minutes: i64 = lifetime.get_untracked().trim().parse().unwrap_or(-1);
        save.dispatch(SaveConfiguration {
            id: id.get_untracked(),
            input: ConfigurationInput {
                name: name.get_untracked(),
                description: description.get_untracked(),
                draft: VersionContent {
                    authentication: Authentication {
                        enabled: authentication.get_untracked(),
                        integration_id: integration.get_untracked().parse().ok(),
                        allow_session_upgrade: upgrade.get_untracked(),
                    },
                    appearance: Appearance {
                        primary_color: colour.get_untracked(),
                        launcher_label: label.get_untracked(),
                        greeting: greeting.get_untracked(),
                        default_language: language.get_untracked(),
                    },
                    session_lifetime_seconds: minutes.saturating_mul(60),
                    clear_on_sign_out: clear_on_sign_out.get_untracked(),
                    assign_round_robin: round_robin.get_untracked(),
                    attachments: AttachmentRules {
                        types: file_types.get_untracked(),
                        max_bytes: bytes_of(&file_limit.get_untracked()),
                    },
                },
            },
        });
    };

    view! {
        <Title text="Messenger configuration" />
        <PageHeader
            title="Messenger configuration"
            summary="Save keeps a draft; Publish freezes the draft as the next numbered version, which deployments serve."
        />
        {move || other_error().map(|error| view! { <div class="mb-4"><ErrorNotice error /></div> })}
        <form on:submit=submit class="space-y-5 rounded-lg border border-slate-200 bg-white p-5" novalidate>
            <BoundField label="Name" name="name" value=name error=error_of("name") disabled=read_only />
            <BoundField label="Description" name="description" value=description error=error_of("description") disabled=read_only />
            <fieldset class="space-y-3">
                <legend class="text-base font-semibold text-slate-900">"Sign-in"</legend>
                <label class="flex items-center gap-2 text-sm text-slate-800">
                    <input
                        type="checkbox"
                        id="authentication"
                        prop:checked=authentication
                        on:change=move |event| authentication.set(event_target_checked(&event))
                        disabled=read_only
                        class="h-4 w-4 rounded border-slate-300"
                    />
                    "Authentication"
                </label>
                <div>
                    <label for="integration" class="block text-sm font-medium text-slate-700">"OAuth integration"</label>
                    <select
                        id="integration"
                        prop:value=integration
                        on:change=move |event| integration.set(event_target_value(&event))
                        disabled=read_only
                        aria-describedby="integration-help"
                        class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
                    >
                        <option value="">"None"</option>
                        {integrations
                            .iter()
                            .map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> })
                            .collect_view()}
                    </select>
                    <p id="integration-help" class="mt-1 text-xs text-slate-600">
                        {if has_integrations {
                            view! { "Only active OpenID Connect integrations are listed." }.into_any()
                        } else {
                            view! {
                                "No active integration yet: install and activate one under "
                                <a href="/admin/integrations" class="font-medium text-indigo-700 underline">"Integrations"</a>
                                "."
                            }
                                .into_any()
                        }}
                    </p>
                    {move || error_of("integrationId").get().map(|message| view! { <p class="mt-1 text-sm text-red-700">{message}</p> })}
                </div>
                <label class="flex items-center gap-2 text-sm text-slate-800">
                    <input
                        type="checkbox"
                        prop:checked=upgrade
                        on:change=move |event| upgrade.set(event_target_checked(&event))
                        disabled=read_only
                        class="h-4 w-4 rounded border-slate-300"
                    />
                    "Allow anonymous conversations to upgrade to authenticated"
                </label>
                <label class="flex items-center gap-2 text-sm text-slate-800">
                    <input
                        type="checkbox"
                        prop:checked=clear_on_sign_out
                        on:change=move |event| clear_on_sign_out.set(event_target_checked(&event))
                        disabled=read_only
                        class="h-4 w-4 rounded border-slate-300"
                    />
                    "Clear conversation on sign-out"
                    <span class="text-slate-600">"(for shared devices: the messenger forgets the history when the visitor signs out)"</span>
                </label>
            </fieldset>
            <fieldset class="space-y-3">
                <legend class="text-base font-semibold text-slate-900">"Inbox"</legend>
                <label class="flex items-center gap-2 text-sm text-slate-800">
                    <input
                        type="checkbox"
                        prop:checked=round_robin
                        on:change=move |event| round_robin.set(event_target_checked(&event))
                        disabled=read_only
                        class="h-4 w-4 rounded border-slate-300"
                    />
                    "Assign new conversations round-robin"
                    <span class="text-slate-600">"(in turn among the agents who are online; with no one online they wait in Unassigned)"</span>
                </label>
            </fieldset>
            <fieldset class="space-y-3">
                <legend class="text-base font-semibold text-slate-900">"Appearance"</legend>
                <div class="grid gap-4 md:grid-cols-2">
                    <BoundField label="Primary colour" name="primaryColor" value=colour hint="A hex colour like #4f46e5." error=error_of("primaryColor") disabled=read_only />
                    <BoundField label="Launcher label" name="launcherLabel" value=label error=error_of("launcherLabel") disabled=read_only />
                    <BoundField label="Greeting" name="greeting" value=greeting error=error_of("greeting") disabled=read_only />
                    <BoundField label="Default language" name="defaultLanguage" value=language hint="A language tag like en or pt-BR." error=error_of("defaultLanguage") disabled=read_only />
                </div>
                <div class="flex items-center gap-3 text-sm text-slate-600">
                    "Preview:"
                    <span
                        node_ref=preview
                        data-testid="launcher-preview"
                        class="rounded-full bg-slate-500 px-4 py-2 text-sm font-semibold text-white shadow"
                    >
                        {move || label.get()}
                    </span>
                </div>
            </fieldset>
            <fieldset class="space-y-3">
                <legend class="text-base font-semibold text-slate-900">"Attachments"</legend>
                <p class="text-sm text-slate-600">
                    "What visitors and agents may send; files are known by their content, not their name. None ticked turns attachments off."
                </p>
                <div class="flex flex-wrap gap-4">
                    {KNOWN_TYPES
                        .into_iter()
                        .map(|(kind, label)| {
                            view! {
                                <label class="flex items-center gap-2 text-sm text-slate-800">
                                    <input
                                        type="checkbox"
                                        prop:checked=move || file_types.with(|types| types.iter().any(|t| t == kind))
                                        on:change=move |event| {
                                            let on = event_target_checked(&event);
                                            file_types.update(|types| {
                                                types.retain(|t| t != kind);
                                                if on {
                                                    types.push(kind.to_owned());
                                                }
                                            });
                                        }
                                        disabled=read_only
                                        class="h-4 w-4 rounded border-slate-300"
                                    />
                                    {label}
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
                {move || error_of("attachmentTypes").get().map(|message| view! { <p class="text-sm text-red-700">{message}</p> })}
                <BoundField
                    label="Largest file"
                    name="attachmentMaxBytes"
                    input_type="number"
                    value=file_limit
                    hint="In MB, up to 25."
                    error=error_of("attachmentMaxBytes")
                    disabled=read_only
                />
            </fieldset>
            <BoundField
                label="Session lifetime"
                name="sessionLifetime"
                input_type="number"
                value=lifetime
                hint="In minutes, from 5 to 43200 (30 days)."
                error=error_of("sessionLifetimeSeconds")
                disabled=read_only
            />
            <div class="flex gap-2">
                <button
                    type="submit"
                    disabled=move || read_only || save.pending().get()
                    class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    "Save"
                </button>
                <button
                    type="button"
                    disabled=move || read_only || id.get().is_none() || publish.pending().get()
                    on:click=move |_| {
                        if let Some(id) = id.get_untracked() {
                            publish.dispatch(PublishConfiguration { id });
                        }
                    }
                    class="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    "Publish"
                </button>
            </div>
        </form>
        <History configuration=current />
    }
}

/// The published versions, newest first, each with what changed since the one before.
#[component]
fn History(configuration: RwSignal<Option<Configuration>>) -> impl IntoView {
    view! {
        <section class="mt-6 rounded-lg border border-slate-200 bg-white p-5">
            <h2 class="text-base font-semibold text-slate-900">"Versions"</h2>
            {move || {
                let versions = configuration.read().as_ref().map(|c| c.versions.clone()).unwrap_or_default();
                if versions.is_empty() {
                    return view! { <p class="mt-1 text-sm text-slate-600">"Nothing published yet. Deployments can only serve published versions."</p> }.into_any();
                }
                let mut lines = Vec::new();
                for (index, version) in versions.iter().enumerate().rev() {
                    let changes = match index.checked_sub(1).map(|previous| &versions[previous]) {
                        None => "First version.".to_owned(),
                        Some(previous) => {
                            let changed = previous.content.differences(&version.content);
                            if changed.is_empty() { "Same content as before.".to_owned() } else { format!("Changed: {}.", changed.join(", ")) }
                        }
                    };
                    lines.push(view! {
                        <li class="py-2 text-sm">
                            <span class="font-medium text-slate-900">{format!("Version {}", version.version)}</span>
                            <span class="text-slate-600">{format!(" · {} · {}", version.published_by, time::format(version.published_at))}</span>
                            <div class="text-slate-700">{changes}</div>
                        </li>
                    });
                }
                view! { <ul class="mt-2 divide-y divide-slate-100" data-testid="versions">{lines}</ul> }.into_any()
            }}
        </section>
    }
}

/// A size limit in whole or decimal megabytes, as the form shows it.
fn megabytes(bytes: u64) -> String {
    let tenths = bytes * 10 / (1024 * 1024);
    if tenths.is_multiple_of(10) {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// The bytes of a limit typed in megabytes; 0 (refused by the check) when it is no number.
fn bytes_of(megabytes: &str) -> u64 {
    megabytes
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|mb| mb.is_finite() && *mb > 0.0)
        .map_or(0, |mb| (mb * 1024.0 * 1024.0).round() as u64)
}
