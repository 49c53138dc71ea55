//! Telling an agent about a new message while they look elsewhere: a browser notification (once
//! they allow them) for a conversation that is theirs or no one's, and a count in the tab's
//! title of what arrived while the tab was hidden.

use leptos::prelude::*;
use switchboard_domain::conversation::Author;
use switchboard_domain::inbox::InboxMessage;
use uuid::Uuid;

/// Whether a message is one agent `me` should hear of: a visitor's, in a conversation that is
/// theirs or unassigned.
pub fn concerns(message: &InboxMessage, me: Option<Uuid>) -> bool {
    message.message.author == Author::Visitor
        && (message.assignee_id.is_none() || message.assignee_id == me)
}

/// Where a conversation opens in the console.
pub fn conversation_path(id: Uuid) -> String {
    format!("/admin/conversations/{id}")
}

/// What the browser lets this page do with notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// No Notification API (an old browser, or a page not served over HTTPS).
    Unsupported,
    /// Not asked yet.
    Ask,
    Granted,
    Denied,
}

/// The browser's answer so far; `Unsupported` on the server.
pub fn permission() -> Permission {
    #[cfg(feature = "hydrate")]
    {
        browser::permission()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Permission::Unsupported
    }
}

/// Whether the agent's tab is in the background.
pub fn tab_hidden() -> bool {
    #[cfg(feature = "hydrate")]
    {
        document().hidden()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}

/// Shows `message` as a browser notification, when the agent allowed them; clicking it brings
/// the tab forward on the conversation.
pub fn show(message: &InboxMessage, open: impl Fn(String) + 'static) {
    #[cfg(feature = "hydrate")]
    browser::show(message, open);
    #[cfg(not(feature = "hydrate"))]
    let _ = (message, open);
}

/// "Turn on notifications" while the browser has not been asked, and what it answered after.
#[component]
pub fn NotificationsToggle() -> impl IntoView {
    // Known in the browser only: the server renders nothing here.
    let state = RwSignal::new(Permission::Unsupported);
    Effect::new(move |_| state.set(permission()));
    let ask = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            browser::ask().await;
            state.set(permission());
        });
    };
    view! {
        {move || match state.get() {
            Permission::Unsupported => ().into_any(),
            Permission::Ask => {
                view! {
                    <button
                        type="button"
                        on:click=ask
                        class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50"
                    >
                        "Turn on notifications"
                    </button>
                }
                    .into_any()
            }
            Permission::Granted => {
                view! {
                    <span class="text-sm text-slate-600" data-testid="notifications">
                        "Notifications on for your conversations and unassigned ones"
                    </span>
                }
                    .into_any()
            }
            Permission::Denied => {
                view! {
                    <span class="text-sm text-slate-600" data-testid="notifications">
                        "Notifications are blocked for this site in the browser's settings"
                    </span>
                }
                    .into_any()
            }
        }}
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{Notification, NotificationOptions, NotificationPermission};

    use super::{InboxMessage, Permission, conversation_path};

    /// The longest part of a message a notification shows.
    const PREVIEW_CHARS: usize = 140;

    fn supported() -> bool {
        web_sys::js_sys::Reflect::has(&window(), &"Notification".into()).unwrap_or(false)
    }

    pub(super) fn permission() -> Permission {
        if !supported() {
            return Permission::Unsupported;
        }
        match Notification::permission() {
            NotificationPermission::Granted => Permission::Granted,
            NotificationPermission::Denied => Permission::Denied,
            _ => Permission::Ask,
        }
    }

    pub(super) async fn ask() {
        if let Ok(promise) = Notification::request_permission() {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        }
    }

    pub(super) fn show(message: &InboxMessage, open: impl Fn(String) + 'static) {
        if permission() != Permission::Granted {
            return;
        }
        let preview: String = message.message.text.chars().take(PREVIEW_CHARS).collect();
        let options = NotificationOptions::new();
        options.set_body(&preview);
        // One notification per conversation: a newer message replaces the older one.
        options.set_tag(&message.conversation_id.to_string());
        let title = format!("New message from {}", message.visitor);
        let Ok(notification) = Notification::new_with_options(&title, &options) else {
            return;
        };
        let path = conversation_path(message.conversation_id);
        let shown = notification.clone();
        let click = Closure::<dyn FnMut()>::new(move || {
            let _ = window().focus();
            open(path.clone());
            shown.close();
        });
        notification.set_onclick(Some(click.as_ref().unchecked_ref()));
        click.forget();
    }
}
