//! `/admin/integrations/install`: the catalog. "OpenID Connect Messenger Configuration" works
//! with any provider; each provider profile (`switchboard_domain::provider::PROFILES`) gets a
//! card that asks its questions and previews the Discovery URI with the server's own code.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use switchboard_domain::integration::IntegrationKind;
use switchboard_domain::provider::{
    FieldInput, PROFILES, PresetField, Profile, ProviderKind, ProviderPreset,
};
use uuid::Uuid;

use crate::components::feedback::ErrorNotice;
use crate::components::form::{BoundField, field_error};
use crate::components::layout::{Account, PageHeader};
use crate::error::AppError;

#[server(input = Json)]
pub async fn install_integration(preset: ProviderPreset) -> Result<Uuid, AppError> {
    use switchboard_core::integrations;
    let (services, principal) = crate::server::for_changing()?;
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
    let disabled =
        Signal::derive(move || !can_change.get().unwrap_or(false) || install.pending().get());
    let other_error = move || match install.value().get() {
        Some(Err(error)) if !matches!(error, AppError::Invalid(_)) => Some(error),
        _ => None,
    };

    view! {
        <Title text="Install integration" />
        <PageHeader
            title="Install integration"
            summary="Pick what to connect. The integration starts inactive; you set its credentials next."
        />
        {move || other_error().map(|error| view! { <div class="mb-4"><ErrorNotice error /></div> })}
        <div class="grid gap-4 md:grid-cols-2">
            <section aria-labelledby="catalog-oidc" class="flex flex-col rounded-lg border border-slate-200 bg-white p-5">
                <h2 id="catalog-oidc" class="text-base font-semibold text-slate-900">
                    {IntegrationKind::OpenidConnectMessenger.label()}
                </h2>
                <p class="mt-1 flex-1 text-sm text-slate-600">
                    "Visitors sign in to the messenger with any OpenID Connect provider; you enter its Discovery URI next. The cards below set up the same integration from a provider's own terms."
                </p>
                <button
                    type="button"
                    disabled=disabled
                    on:click=move |_| {
                        install.dispatch(InstallIntegration { preset: ProviderPreset::Oidc {} });
                    }
                    class="mt-4 self-start rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    "Install"
                </button>
            </section>
            {PROFILES
                .iter()
                .filter(|profile| profile.kind != ProviderKind::Oidc)
                .map(|profile| view! { <PresetCard profile install disabled /> })
                .collect_view()}
        </div>
    }
}

/// One provider's card: its questions, the URI they give, and Install.
#[component]
fn PresetCard(
    profile: &'static Profile,
    install: ServerAction<InstallIntegration>,
    disabled: Signal<bool>,
) -> impl IntoView {
    let answers: Vec<(&'static str, RwSignal<String>)> = profile
        .fields
        .iter()
        .map(|field| {
            let initial = match field.input {
                FieldInput::Choice(choices) => choices[0].0.to_owned(),
                FieldInput::Text => String::new(),
            };
            (field.name, RwSignal::new(initial))
        })
        .collect();
    let answers = StoredValue::new(answers);
    let answer = move |name: &str| -> RwSignal<String> {
        answers.with_value(|all| {
            all.iter()
                .find(|(field, _)| *field == name)
                .map(|(_, value)| *value)
                .expect("a profile's own field")
        })
    };
    let preset = move || {
        ProviderPreset::from_answers(profile.kind, |name| {
            answers.with_value(|all| {
                all.iter()
                    .find(|(field, _)| *field == name)
                    .map(|(_, value)| value.get())
                    .unwrap_or_default()
            })
        })
    };
    let errors = move || match install.value().get() {
        Some(Err(AppError::Invalid(fields))) => fields,
        _ => vec![],
    };
    let heading = format!("catalog-{}", profile.kind.as_str());
    let labelled_by = heading.clone();
    let preview_id = format!("{}-preview", profile.kind.as_str());
    let derived_id = format!("{}-derived", profile.kind.as_str());

    view! {
        <section aria-labelledby=labelled_by class="rounded-lg border border-slate-200 bg-white p-5">
            <h2 id=heading class="text-base font-semibold text-slate-900">{profile.label}</h2>
            <p class="mt-1 text-sm text-slate-600">{profile.summary}</p>
            <div class="mt-4 space-y-3">
                {profile
                    .fields
                    .iter()
                    .map(|field| {
                        let value = answer(field.name);
                        let shown = move || {
                            field.shown_when.is_none_or(|(other, wanted)| answer(other).get() == wanted)
                        };
                        let error = Signal::derive(move || field_error(&errors(), field.name));
                        view! { <Show when=shown>{move || preset_field(field, value, error)}</Show> }
                    })
                    .collect_view()}
                {move || preset().derived_note().map(|note| view! {
                    <p class="text-xs font-medium text-slate-700" data-testid=derived_id.clone()>{note}</p>
                })}
                <p class="text-xs text-slate-600" data-testid=preview_id>
                    "Discovery URI: "
                    <code class="break-all">
                        {move || match preset().discovery_uri() {
                            Ok(Some(uri)) => uri,
                            _ => "fill in the fields above".to_owned(),
                        }}
                    </code>
                </p>
                <button
                    type="button"
                    disabled=disabled
                    on:click=move |_| {
                        install.dispatch(InstallIntegration { preset: preset() });
                    }
                    class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    "Install"
                </button>
            </div>
        </section>
    }
}

fn preset_field(
    field: &'static PresetField,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
) -> AnyView {
    match field.input {
        FieldInput::Text => view! {
            <BoundField
                label=field.label
                name=field.name
                value
                placeholder=field.placeholder
                error
            />
        }
        .into_any(),
        FieldInput::Choice(choices) => view! {
            <div>
                <label for=field.name class="block text-sm font-medium text-slate-700">{field.label}</label>
                <select
                    id=field.name
                    class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
                    on:change=move |event| value.set(event_target_value(&event))
                    prop:value=value
                >
                    {choices
                        .iter()
                        .map(|(choice, label)| view! { <option value=*choice>{*label}</option> })
                        .collect_view()}
                </select>
            </div>
        }
        .into_any(),
    }
}
