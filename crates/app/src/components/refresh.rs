//! Keeping a page current while it is open: its data read again at a steady pace, in the
//! browser only (effects never run on the server), until the page goes away.

use std::time::Duration;

use leptos::prelude::*;

/// Refetches `resource` every `period` while the calling component lives.
pub fn refetch_every<T>(resource: Resource<T>, period: Duration)
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    Effect::new(move |_| {
        let handle = set_interval_with_handle(move || resource.refetch(), period).ok();
        on_cleanup(move || {
            if let Some(handle) = handle {
                handle.clear();
            }
        });
    });
}
