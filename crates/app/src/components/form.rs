//! Form building blocks: every input has its `<label for>` and shows its error right below it.

use leptos::prelude::*;
use switchboard_domain::FieldError;

/// The message for `field` among a server's field errors.
pub fn field_error(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|error| error.field == field)
        .map(|error| error.message.clone())
}

/// A labelled text input with room for the error that concerns it.
#[component]
pub fn Field(
    /// The visible label, also the accessible name (`getByLabel` finds the input by it).
    label: &'static str,
    /// The `id` (unique on the page) and `name` the form posts.
    name: &'static str,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(default = None)] error: Option<String>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let error_id = format!("{name}-error");
    let described_by = error.is_some().then(|| error_id.clone());
    view! {
        <div>
            <label for=name class="block text-sm font-medium text-slate-700">{label}</label>
            <input
                id=name
                name=name
                type=input_type
                value=value
                autocomplete=autocomplete
                required=required
                aria-invalid=error.is_some().then_some("true")
                aria-describedby=described_by
                class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 aria-[invalid=true]:border-red-500"
            />
            {error.map(|message| view! { <p id=error_id class="mt-1 text-sm text-red-700">{message}</p> })}
        </div>
    }
}

/// A labelled input bound to a signal, for forms the page submits itself; its error comes
/// from the last answer and sits right below it.
#[component]
pub fn BoundField(
    label: &'static str,
    /// The `id` (unique on the page).
    name: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(into, optional)] error: Signal<Option<String>>,
    #[prop(into, optional)] disabled: Signal<bool>,
) -> impl IntoView {
    let error_id = format!("{name}-error");
    let hint_id = format!("{name}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div>
            <label for=name class="block text-sm font-medium text-slate-700">{label}</label>
            <input
                id=name
                type=input_type
                placeholder=placeholder
                prop:value=value
                on:input=move |event| value.set(event_target_value(&event))
                disabled=disabled
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
                class="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 disabled:bg-slate-50 aria-[invalid=true]:border-red-500"
            />
            {hint.map(|hint| view! { <p id=hint_id class="mt-1 text-xs text-slate-600">{hint}</p> })}
            {move || {
                error
                    .get()
                    .map(|message| view! { <p id=error_id.clone() class="mt-1 text-sm text-red-700">{message}</p> })
            }}
        </div>
    }
}

/// The main button of a form.
#[component]
pub fn SubmitButton(label: &'static str) -> impl IntoView {
    view! {
        <button
            type="submit"
            class="w-full rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700 focus:outline-none focus:ring-2 focus:ring-indigo-500/50 disabled:cursor-not-allowed disabled:opacity-50"
        >
            {label}
        </button>
    }
}

/// The centred card that the sign-in and set-up pages sit in, outside the console frame.
#[component]
pub fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="flex min-h-screen items-center justify-center px-4 py-12">
            <div class="w-full max-w-sm">
                <div class="mb-6 flex items-center justify-center gap-2">
                    <span aria-hidden="true" class="inline-block h-7 w-7 rounded-md bg-indigo-600"></span>
                    <span class="text-xl font-semibold tracking-tight text-slate-900">"Switchboard"</span>
                </div>
                <section class="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
                    <h1 class="mb-4 text-lg font-semibold text-slate-900">{title}</h1>
                    {children()}
                </section>
            </div>
        </main>
    }
}
