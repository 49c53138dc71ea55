//! The console's live events: one `EventSource` on `/api/v2/events` for the whole console,
//! opened by the layout and shared with every page through [`Live`], so the inbox and an open
//! conversation change the moment something happens and nothing is read again on a timer.

use leptos::prelude::*;
use send_wrapper::SendWrapper;
use switchboard_domain::inbox::{InboxMessage, InboxSignal};
use uuid::Uuid;

/// Something the console's stream said.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    Message(InboxMessage),
    /// The visitor is typing in this conversation.
    Typing(Uuid),
    /// An agent read this conversation: unread counts change, the conversation does not.
    Read(Uuid),
    /// This conversation was assigned or closed.
    Changed(Uuid),
    /// The stream (re)opened or fell behind: anything shown may be out of date.
    Resync,
}

impl LiveEvent {
    /// Whether what is shown of conversation `id` may be out of date after this event.
    pub fn touches(&self, id: Uuid) -> bool {
        match self {
            Self::Message(message) => message.conversation_id == id,
            Self::Changed(changed) => *changed == id,
            Self::Typing(_) | Self::Read(_) => false,
            Self::Resync => true,
        }
    }

    /// Whether the inbox's lists and counts may be out of date after this event.
    pub fn changes_inbox(&self) -> bool {
        !matches!(self, Self::Typing(_))
    }
}

/// The latest event of the console's stream; pages react to it.
#[derive(Clone, Copy)]
pub struct Live(ReadSignal<Option<LiveEvent>>);

impl Live {
    pub fn latest(self) -> Option<LiveEvent> {
        self.0.get()
    }
}

/// The console's live events, or nothing outside the console (a page rendered alone).
pub fn use_live() -> Option<Live> {
    use_context::<Live>()
}

/// Opens the console's stream for as long as the calling component (the layout) lives, and
/// shares its events.
pub fn provide_live() -> Live {
    let (latest, set_latest) = signal(None::<LiveEvent>);
    // Effects run in the browser only: the server renders without a stream.
    Effect::new(move |_| {
        let stream = SendWrapper::new(browser::Stream::open(set_latest));
        on_cleanup(move || stream.close());
    });
    let live = Live(latest);
    provide_context(live);
    live
}

mod browser {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;

    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{EventSource, MessageEvent};

    use super::{InboxMessage, InboxSignal, LiveEvent};

    /// How long to wait before opening the stream again after the server refused it (a
    /// restart behind a proxy answers 502 for a moment, and the browser then gives up).
    const REOPEN_AFTER: Duration = Duration::from_secs(5);

    /// The open `EventSource`, replaced when it has to be opened anew; `None` once closed.
    #[derive(Clone)]
    pub(super) struct Stream(Rc<RefCell<Option<EventSource>>>);

    impl Stream {
        pub(super) fn open(set: WriteSignal<Option<LiveEvent>>) -> Self {
            let stream = Self(Rc::default());
            stream.connect(set);
            stream
        }

        /// Closes the stream for good: a reopening already scheduled finds nothing to replace.
        pub(super) fn close(&self) {
            if let Some(source) = self.0.borrow_mut().take() {
                source.close();
            }
        }

        fn connect(&self, set: WriteSignal<Option<LiveEvent>>) {
            let Ok(source) = EventSource::new("/api/v2/events") else {
                return;
            };
            listen(&source, "message", set, |data| {
                serde_json::from_str::<InboxMessage>(data)
                    .ok()
                    .map(LiveEvent::Message)
            });
            listen(&source, "typing", set, |data| {
                conversation(data).map(LiveEvent::Typing)
            });
            listen(&source, "read", set, |data| {
                conversation(data).map(LiveEvent::Read)
            });
            listen(&source, "conversation", set, |data| {
                conversation(data).map(LiveEvent::Changed)
            });
            listen(&source, "lagged", set, |_| Some(LiveEvent::Resync));
            // Each (re)opening may follow missed events.
            on(&source, "open", move || set.set(Some(LiveEvent::Resync)));
            on(&source, "signed-out", sign_in_again);
            let this = self.clone();
            let watched = source.clone();
            on(&source, "error", move || {
                // The browser retries a dropped connection itself, but not a refused one.
                if watched.ready_state() == EventSource::CLOSED {
                    let this = this.clone();
                    set_timeout(
                        move || {
                            if this.0.borrow().is_some() {
                                this.connect(set);
                            }
                        },
                        REOPEN_AFTER,
                    );
                }
            });
            if let Some(previous) = self.0.borrow_mut().replace(source) {
                previous.close();
            }
        }
    }

    /// The session ended: sign in again, coming back to this page afterwards.
    fn sign_in_again() {
        let location = window().location();
        let here = location.pathname().unwrap_or_default();
        let next = String::from(web_sys::js_sys::encode_uri_component(&here));
        let _ = location.assign(&format!("/login?next={next}"));
    }

    fn conversation(data: &str) -> Option<uuid::Uuid> {
        serde_json::from_str::<InboxSignal>(data)
            .ok()
            .map(|signal| signal.conversation_id)
    }

    /// Turns each `name` event's data into a [`LiveEvent`] with `read`.
    fn listen(
        source: &EventSource,
        name: &str,
        set: WriteSignal<Option<LiveEvent>>,
        read: impl Fn(&str) -> Option<LiveEvent> + 'static,
    ) {
        let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data().as_string().unwrap_or_default();
            if let Some(event) = read(&data) {
                set.set(Some(event));
            }
        });
        let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
        // The source holds the handler for as long as it lives.
        handler.forget();
    }

    /// Runs `act` on each `name` event, whatever it carries.
    fn on(source: &EventSource, name: &str, act: impl FnMut() + 'static) {
        let handler = Closure::<dyn FnMut()>::new(act);
        let _ = source.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
        handler.forget();
    }
}
