//! `/admin/canned-replies`: the short named texts agents insert into a reply by typing `/` and
//! the name.

use leptos::prelude::*;
use leptos_meta::Title;
use switchboard_domain::canned_reply::{CannedReply, CannedReplyInput};
use uuid::Uuid;

use crate::components::feedback::{EmptyState, ErrorNotice, Loading};
use crate::components::form::{BoundField, field_error};
use crate::components::layout::{Account, PageHeader};
use crate::error::AppError;

#[server]
pub async fn list_canned_replies() -> Result<Vec<CannedReply>, AppError> {
    let (services, _) = crate::server::for_reading()?;
    Ok(switchboard_core::canned_replies::list(&services).await?)
}

/// Creates a canned reply, or with `id` changes that one.
#[server]
pub async fn save_canned_reply(
    id: Option<Uuid>,
    input: CannedReplyInput,
) -> Result<CannedReply, AppError> {
    use switchboard_core::canned_replies;
    let (services, principal) = crate::server::for_changing()?;
    Ok(match id {
        Some(id) => canned_replies::update(&services, id, &input, &principal).await?,
        None => canned_replies::create(&services, &input, &principal).await?,
    })
}

#[server]
pub async fn delete_canned_reply(id: Uuid) -> Result<(), AppError> {
    let (services, principal) = crate::server::for_changing()?;
    Ok(switchboard_core::canned_replies::delete(&services, id, &principal).await?)
}

/// The form's fields, and which reply it edits (`None`: a new one).
#[derive(Clone, Copy)]
struct Editing {
    id: RwSignal<Option<Uuid>>,
    name: RwSignal<String>,
    text: RwSignal<String>,
}

#[component]
pub fn CannedRepliesPage() -> impl IntoView {
    let save = ServerAction::<SaveCannedReply>::new();
    let delete = ServerAction::<DeleteCannedReply>::new();
    let replies = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| list_canned_replies(),
    );
    let account = expect_context::<Account>();
    let editing = Editing {
        id: RwSignal::new(None),
        name: RwSignal::new(String::new()),
        text: RwSignal::new(String::new()),
    };
    // A saved reply empties the form for the next one; a refused one keeps what was typed.
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            editing.id.set(None);
            editing.name.set(String::new());
            editing.text.set(String::new());
        }
    });
    view! {
        <Title text="Canned replies" />
        <PageHeader
            title="Canned replies"
            summary="Short answers agents use often. In a reply, type / and the name (for example /thanks) and pick the reply to insert it."
        />
        {move || {
            delete
                .value()
                .get()
                .and_then(Result::err)
                .map(|error| view! { <div class="mb-4"><ErrorNotice error /></div> })
        }}
        <div class="grid gap-6 lg:grid-cols-3">
            <div class="lg:col-span-2">
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        let can_change = account.can_change().await;
                        match replies.await {
                            Err(error) => view! { <ErrorNotice error /> }.into_any(),
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <EmptyState
                                        title="No canned replies yet"
                                        body="Add one with the form: a name to type after / and the text it inserts."
                                    />
                                }
                                    .into_any()
                            }
                            Ok(list) => view! { <ReplyList replies=list editing delete can_change /> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
            <ReplyForm save editing />
        </div>
    }
}

#[component]
fn ReplyList(
    replies: Vec<CannedReply>,
    editing: Editing,
    delete: ServerAction<DeleteCannedReply>,
    can_change: bool,
) -> impl IntoView {
    view! {
        <ul class="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" aria-label="Canned replies">
            {replies
                .into_iter()
                .map(|reply| {
                    let CannedReply { id, name, text, .. } = reply;
                    let edit_label = format!("Edit /{name}");
                    let delete_label = format!("Delete /{name}");
                    let (edit_name, edit_text) = (name.clone(), text.clone());
                    view! {
                        <li class="flex items-start justify-between gap-4 px-4 py-3 text-sm">
                            <div class="min-w-0">
                                <p class="font-mono font-medium text-slate-900">"/" {name}</p>
                                <p class="mt-1 whitespace-pre-wrap break-words text-slate-700">{text}</p>
                            </div>
                            <div class="flex shrink-0 gap-2">
                                <button
                                    type="button"
                                    aria-label=edit_label
                                    disabled=!can_change
                                    on:click=move |_| {
                                        editing.id.set(Some(id));
                                        editing.name.set(edit_name.clone());
                                        editing.text.set(edit_text.clone());
                                    }
                                    class="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-800 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50"
                                >
                                    "Edit"
                                </button>
                                <button
                                    type="button"
                                    aria-label=delete_label
                                    disabled=!can_change
                                    on:click=move |_| {
                                        delete.dispatch(DeleteCannedReply { id });
                                    }
                                    class="rounded-md border border-red-300 bg-white px-3 py-1.5 font-medium text-red-700 hover:bg-red-50 disabled:cursor-not-allowed disabled:opacity-50"
                                >
                                    "Delete"
                                </button>
                            </div>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

#[component]
fn ReplyForm(save: ServerAction<SaveCannedReply>, editing: Editing) -> impl IntoView {
    let errors = move || match save.value().get() {
        Some(Err(AppError::Invalid(fields))) => fields,
        _ => vec![],
    };
    let other_error = move || match save.value().get() {
        Some(Err(AppError::Invalid(_))) | Some(Ok(_)) | None => None,
        Some(Err(error)) => Some(error.to_string()),
    };
    view! {
        <form
            class="space-y-3 rounded-lg border border-slate-200 bg-white p-5"
            aria-labelledby="reply-form-title"
            on:submit=move |event| {
                event.prevent_default();
                save.dispatch(SaveCannedReply {
                    id: editing.id.get_untracked(),
                    input: CannedReplyInput {
                        name: editing.name.get_untracked(),
                        text: editing.text.get_untracked(),
                    },
                });
            }
        >
            <h2 id="reply-form-title" class="text-base font-semibold text-slate-900">
                {move || if editing.id.get().is_some() { "Edit canned reply" } else { "New canned reply" }}
            </h2>
            <BoundField
                label="Name"
                name="canned-name"
                value=editing.name
                placeholder="thanks"
                hint="Typed after / in a reply: lowercase letters, digits, - and _."
                error=Signal::derive(move || field_error(&errors(), "name"))
            />
            <div>
                <label for="canned-text" class="block text-sm font-medium text-slate-700">"Text"</label>
                <textarea
                    id="canned-text"
                    rows="4"
                    maxlength="4000"
                    prop:value=move || editing.text.get()
                    on:input=move |event| editing.text.set(event_target_value(&event))
                    aria-invalid=move || field_error(&errors(), "text").is_some().then_some("true")
                    aria-describedby="canned-text-error"
                    class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
                ></textarea>
                <p id="canned-text-error" class="mt-1 text-sm text-red-700">
                    {move || field_error(&errors(), "text")}
                </p>
            </div>
            <p role="alert" class="text-sm text-red-700">{other_error}</p>
            <div class="flex gap-2">
                <button
                    type="submit"
                    disabled=move || save.pending().get()
                    class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700 disabled:cursor-not-allowed disabled:opacity-50"
                >
                    {move || if editing.id.get().is_some() { "Save changes" } else { "Add reply" }}
                </button>
                {move || {
                    editing.id.get().is_some().then(|| view! {
                        <button
                            type="button"
                            on:click=move |_| {
                                editing.id.set(None);
                                editing.name.set(String::new());
                                editing.text.set(String::new());
                            }
                            class="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
                        >
                            "Cancel"
                        </button>
                    })
                }}
            </div>
        </form>
    }
}
