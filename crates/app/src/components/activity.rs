//! Whether this console tab is in use: shown, and touched (a key, a click, a scroll, a tap)
//! within [`IDLE_AFTER`]. While it is, the tab says so every [`TAB_RENEW_EVERY`]; the moment
//! it is not (hidden, or left alone), it says that once. The server counts an agent online
//! while one of their tabs is in use (`switchboard_core::presence`), so a console forgotten in
//! a background tab does not promise visitors an answer.

use std::time::Duration;

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use switchboard_domain::admin::{Presence, TAB_RENEW_EVERY};
use uuid::Uuid;

use crate::error::AppError;

/// How long a shown tab stays in use after the agent last touched it.
const IDLE_AFTER: Duration = Duration::from_secs(10 * 60);

/// Console tab `tab` of the signed-in admin says whether it is in use.
#[server]
pub async fn tab_in_use(tab: Uuid, in_use: bool) -> Result<Presence, AppError> {
    let (services, principal) = crate::server::for_reading()?;
    Ok(switchboard_core::presence::tab_in_use(&services, &principal, tab, in_use).await?)
}

/// Reports this tab's use for as long as the calling component (the layout) lives.
pub fn report_tab_use() {
    // Effects run in the browser only.
    Effect::new(move |_| {
        let tracker = SendWrapper::new(browser::Tracker::start());
        on_cleanup(move || tracker.take().stop());
    });
}

mod browser {
    use std::cell::Cell;
    use std::rc::Rc;

    use leptos::prelude::*;
    use leptos::task::spawn_local;
    use uuid::Uuid;
    use web_sys::js_sys::{Date, Math};

    use super::{IDLE_AFTER, TAB_RENEW_EVERY, tab_in_use};

    pub(super) struct Tracker {
        listeners: Vec<WindowListenerHandle>,
        renewal: Option<IntervalHandle>,
    }

    impl Tracker {
        pub(super) fn start() -> Self {
            let tab = Rc::new(Tab::new());
            tab.report(true);
            // Each of these is the agent at the tab, or the tab shown or hidden.
            let listeners = [
                "keydown",
                "pointerdown",
                "wheel",
                "touchstart",
                "focus",
                "visibilitychange",
            ]
            .into_iter()
            .map(|name| {
                let tab = Rc::clone(&tab);
                window_event_listener_untyped(name, move |_| tab.touched())
            })
            .collect();
            let renewal = set_interval_with_handle(move || tab.report(true), TAB_RENEW_EVERY).ok();
            Self { listeners, renewal }
        }

        pub(super) fn stop(self) {
            for listener in self.listeners {
                listener.remove();
            }
            if let Some(renewal) = self.renewal {
                renewal.clear();
            }
        }
    }

    struct Tab {
        id: Uuid,
        /// When the agent last touched the tab (milliseconds since the epoch).
        touched_at: Cell<f64>,
        /// What the server was last told; `None` before the first word.
        told: Cell<Option<bool>>,
    }

    impl Tab {
        fn new() -> Self {
            Self {
                id: tab_id(),
                touched_at: Cell::new(Date::now()),
                told: Cell::new(None),
            }
        }

        fn in_use(&self) -> bool {
            !document().hidden()
                && Date::now() - self.touched_at.get() < IDLE_AFTER.as_millis() as f64
        }

        fn touched(&self) {
            if !document().hidden() {
                self.touched_at.set(Date::now());
            }
            self.report(false);
        }

        /// Tells the server when the tab's use changed, and again while in use when `renew`.
        fn report(&self, renew: bool) {
            let in_use = self.in_use();
            if self.told.get() == Some(in_use) && !(renew && in_use) {
                return;
            }
            self.told.set(Some(in_use));
            let id = self.id;
            // A lost word costs little: the next renewal repeats it, and an unrenewed tab
            // stops counting on the server.
            spawn_local(async move {
                let _ = tab_in_use(id, in_use).await;
            });
        }
    }

    /// Where the browser keeps this tab's id: session storage lasts as long as the tab, across
    /// reloads and pages, so a page left for another is not a second tab still in use.
    const TAB_KEY: &str = "switchboard-console-tab";

    /// This browser tab's id: the one it was given on an earlier page, or a new one. Unique among
    /// one admin's tabs is all it needs to be.
    fn tab_id() -> Uuid {
        let storage = window().session_storage().ok().flatten();
        let kept = storage
            .as_ref()
            .and_then(|storage| storage.get_item(TAB_KEY).ok().flatten())
            .and_then(|kept| kept.parse().ok());
        kept.unwrap_or_else(|| {
            let half = || (Math::random() * u64::MAX as f64) as u64;
            let id = Uuid::from_u64_pair(half(), half());
            if let Some(storage) = storage {
                let _ = storage.set_item(TAB_KEY, &id.to_string());
            }
            id
        })
    }
}
