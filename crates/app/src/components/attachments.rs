//! Files in the console's conversations: a preview for an image and a download link for every
//! file, and the reply box's "Attach a file", which sends the picked file at once.

use leptos::prelude::*;
use switchboard_domain::attachment::{Attachment, KNOWN_TYPES, size};
use uuid::Uuid;

/// Where the console reads a file (the admin's session cookie goes with it).
fn href(file: &Attachment) -> String {
    format!("/api/v2/attachments/{}", file.id)
}

/// The file a message carries.
#[component]
pub fn AttachmentView(file: Attachment) -> impl IntoView {
    let link = href(&file);
    let kind = KNOWN_TYPES
        .iter()
        .find(|(kind, _)| *kind == file.content_type)
        .map_or("File", |(_, name)| *name);
    let caption = format!("{} ({kind}, {})", file.name, size(file.size));
    view! {
        <div class="mt-1 space-y-1" data-testid="attachment">
            {file.is_image().then(|| view! {
                <img src=link.clone() alt=file.name.clone() class="max-h-60 max-w-full rounded-md border border-slate-200" />
            })}
            <a href=link download=file.name.clone() class="text-sm font-medium text-indigo-700 hover:underline">
                {caption}
            </a>
        </div>
    }
}

/// "Attach a file": sends the picked file into `conversation`, then calls `sent`.
#[component]
pub fn AttachButton(
    conversation: Signal<Option<Uuid>>,
    disabled: Signal<bool>,
    sent: Callback<()>,
) -> impl IntoView {
    let sending = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let accept = KNOWN_TYPES
        .iter()
        .map(|(kind, _)| *kind)
        .collect::<Vec<_>>()
        .join(",");
    let on_change = move |event: leptos::ev::Event| {
        // Only the browser handles a pick; the server renders the button.
        #[cfg(not(feature = "hydrate"))]
        let _ = (event, conversation, sent);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(id) = conversation.get_untracked() else {
                return;
            };
            let Some(input) = event
                .target()
                .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            sending.set(true);
            problem.set(None);
            leptos::task::spawn_local(async move {
                let outcome = browser::upload(id, file).await;
                sending.set(false);
                match outcome {
                    Ok(()) => sent.run(()),
                    Err(message) => problem.set(Some(message)),
                }
            });
        }
    };
    view! {
        <label class="inline-flex cursor-pointer items-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 has-[:disabled]:cursor-not-allowed has-[:disabled]:opacity-50">
            {move || if sending.get() { "Sending file…" } else { "Attach a file" }}
            <input
                type="file"
                class="sr-only"
                accept=accept
                disabled=move || disabled.get() || sending.get()
                on:change=on_change
            />
        </label>
        <p role="status" class="text-sm text-red-700" data-testid="attach-error">
            {move || problem.get()}
        </p>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use uuid::Uuid;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::js_sys::{Reflect, encode_uri_component};
    use web_sys::{File, RequestCredentials, RequestInit, Response};

    /// Sends `file` as the agent; the server's refusal, word for word, on failure.
    pub(super) async fn upload(conversation: Uuid, file: File) -> Result<(), String> {
        let url = format!(
            "/api/v2/conversations/{conversation}/attachments?name={}",
            encode_uri_component(&file.name())
        );
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&file);
        init.set_credentials(RequestCredentials::SameOrigin);
        let unreachable = || "The file could not be sent; check the connection.".to_owned();
        let promise = leptos::prelude::window().fetch_with_str_and_init(&url, &init);
        let response: Response = JsFuture::from(promise)
            .await
            .map_err(|_| unreachable())?
            .dyn_into()
            .map_err(|_| unreachable())?;
        if response.ok() {
            return Ok(());
        }
        let status = response.status();
        let message = match response.json() {
            Ok(body) => JsFuture::from(body)
                .await
                .ok()
                .and_then(|body| Reflect::get(&body, &"message".into()).ok())
                .and_then(|message| message.as_string()),
            Err(_) => None,
        };
        Err(message.unwrap_or_else(|| format!("The file was refused ({status}).")))
    }
}
