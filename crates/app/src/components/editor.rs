//! What the editor pages (an integration, a configuration, a deployment) share: the id in the
//! route, and loading the page's data before the editor shows, with the signed-in admin's rights.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::components::feedback::{ErrorNotice, Loading};
use crate::components::layout::Account;
use crate::error::AppError;

/// The route's `:id` when it is a UUID; `None` on `/new`.
pub fn use_id_param() -> impl Fn() -> Option<Uuid> + Clone + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("id").and_then(|id| id.parse().ok())
}

/// Shows `editor(data, can_change)` once `data` has loaded, or what went wrong (under `title`).
pub fn loaded_editor<T, V>(
    title: &'static str,
    data: Resource<Result<T, AppError>>,
    editor: impl Fn(T, bool) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
{
    let account = expect_context::<Account>();
    view! {
        <Transition fallback=Loading>
            {move || {
                let editor = editor.clone();
                Suspend::new(async move {
                    let can_change = account.can_change().await;
                    match data.await {
                        Ok(data) => editor(data, can_change).into_any(),
                        Err(error) => view! { <Title text=title /><ErrorNotice error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
