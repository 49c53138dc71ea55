//! The console frame: the product name, the main navigation (with the count of conversations
//! waiting for an answer), who is signed in, and the page area. It opens the console's live
//! events for every page and announces new messages (see [`crate::components::notifications`]).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::{use_location, use_navigate};
use switchboard_domain::admin::{CurrentAdmin, Presence, Role};

use crate::components::activity;
use crate::components::live::{LiveEvent, provide_live};
use crate::components::notifications;
use crate::error::AppError;

/// Who is signed in; `None` once the session has ended.
#[server]
pub async fn signed_in_admin() -> Result<Option<CurrentAdmin>, AppError> {
    Ok(crate::server::principal().map(|principal| CurrentAdmin {
        id: principal.id,
        email: principal.name,
        role: principal.role,
    }))
}

/// Open conversations that are the caller's or no one's with visitor messages no agent has seen.
#[server]
pub async fn unread_conversations() -> Result<u64, AppError> {
    let (services, principal) = crate::server::for_reading()?;
    Ok(switchboard_core::inbox::unread_conversations(&services, &principal).await?)
}

/// The signed-in admin's presence (see `switchboard_core::presence`).
#[server]
pub async fn my_presence() -> Result<Presence, AppError> {
    let (services, principal) = crate::server::for_reading()?;
    Ok(switchboard_core::presence::of(&services, &principal).await?)
}

/// Sets the signed-in admin "Away" (visitors are told no one is online when everyone is), or
/// back. A viewer may too: it changes no one else.
#[server]
pub async fn set_away(away: bool) -> Result<Presence, AppError> {
    let (services, principal) = crate::server::for_reading()?;
    Ok(switchboard_core::presence::set_away(&services, &principal, away).await?)
}

/// The signed-in admin, loaded once by the layout and shared with every page (pages use it to
/// disable what a viewer may not do).
#[derive(Clone, Copy)]
pub struct Account(pub Resource<Result<Option<CurrentAdmin>, AppError>>);

impl Account {
    /// Whether the signed-in admin may change things; false until known.
    pub async fn can_change(self) -> bool {
        matches!(
            self.0.await,
            Ok(Some(CurrentAdmin {
                role: Role::Admin,
                ..
            }))
        )
    }

    /// Whether the signed-in admin may change things, as known now (false until loaded).
    pub fn can_change_now(self) -> bool {
        self.0
            .get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|admin| admin.role.can_change())
    }

    /// The signed-in admin's id, once known.
    pub fn id(self) -> Option<uuid::Uuid> {
        self.0
            .get()
            .and_then(Result::ok)
            .flatten()
            .map(|admin| admin.id)
    }
}

/// The navigation entries; their labels and paths are a contract (docs/CONTRACTS.md),
/// except "Canned replies" and "API tokens", which are free to change.
const NAVIGATION: [(&str, &str); 7] = [
    ("Integrations", "/admin/integrations"),
    (
        "Messenger Configurations",
        "/admin/messenger/configurations",
    ),
    ("Messenger Deployments", "/admin/messenger/deployments"),
    ("Conversations", "/admin/conversations"),
    ("Canned replies", "/admin/canned-replies"),
    ("Audit log", "/admin/audit"),
    ("API tokens", "/admin/tokens"),
];

/// The frame around every `/admin` page; the page itself renders in the `<Outlet>`.
#[component]
pub fn Layout() -> impl IntoView {
    let account = Account(Resource::new(|| (), |_| signed_in_admin()));
    provide_context(account);
    let live = provide_live();
    activity::report_tab_use();
    let unread = Resource::new(|| (), |_| unread_conversations());
    // Visitor messages that arrived while the tab was in the background, for its title.
    let missed = RwSignal::new(0_u32);
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let Some(event) = live.latest() else {
            return;
        };
        if event.changes_inbox() {
            unread.refetch();
        }
        if let LiveEvent::Message(message) = event
            && notifications::concerns(&message, account.id())
        {
            let path = notifications::conversation_path(message.conversation_id);
            let hidden = notifications::tab_hidden();
            if hidden {
                missed.update(|count| *count += 1);
            }
            if hidden || location.pathname.get_untracked() != path {
                let navigate = navigate.clone();
                notifications::show(&message, move |path| navigate(&path, Default::default()));
            }
        }
    });
    let back = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if !notifications::tab_hidden() {
            missed.set(0);
        }
    });
    on_cleanup(move || back.remove());
    view! {
        <Title formatter=move |page: String| match missed.get() {
            0 => format!("{page} · Switchboard"),
            count => format!("({count}) {page} · Switchboard"),
        } />
        <div class="min-h-screen md:flex">
            <header class="border-b border-slate-200 bg-white md:w-64 md:shrink-0 md:border-b-0 md:border-r">
                <div class="flex h-14 items-center gap-2 px-5">
                    <span aria-hidden="true" class="inline-block h-6 w-6 rounded-md bg-indigo-600"></span>
                    <A href="/admin/integrations" attr:class="text-lg font-semibold tracking-tight text-slate-900">
                        "Switchboard"
                    </A>
                </div>
                <nav aria-label="Main" class="px-3 pb-3 md:pt-2">
                    <ul class="flex flex-wrap gap-1 md:flex-col">
                        {NAVIGATION
                            .into_iter()
                            .map(|(label, href)| {
                                view! {
                                    <li>
                                        <A
                                            href=href
                                            attr:class="block rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 hover:text-slate-900 aria-[current=page]:bg-indigo-50 aria-[current=page]:text-indigo-800"
                                        >
                                            {label}
                                            {(href == "/admin/conversations").then(|| view! { <Waiting unread /> })}
                                        </A>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </nav>
            </header>
            <main class="min-w-0 flex-1 px-6 py-8 md:px-10">
                <div class="mx-auto max-w-5xl">
                    <AccountBar account />
                    <Outlet />
                </div>
            </main>
        </div>
    }
}

/// How many conversations wait for an answer, beside "Conversations": read on the server
/// before the page goes out (so hydration finds the same badge), kept while it is read again.
#[component]
fn Waiting(unread: Resource<Result<u64, AppError>>) -> impl IntoView {
    view! {
        <Transition>
            {move || Suspend::new(async move {
                unread
                    .await
                    .ok()
                    .filter(|count| *count > 0)
                    .map(|count| view! { <UnreadBadge count /> })
            })}
        </Transition>
    }
}

#[component]
fn UnreadBadge(count: u64) -> impl IntoView {
    view! {
        <span
            class="ml-2 inline-flex min-w-5 justify-center rounded-full bg-indigo-600 px-1.5 text-xs font-semibold text-white"
            data-testid="unread-conversations"
        >
            {count}
            <span class="sr-only">" waiting"</span>
        </span>
    }
}

/// Who is signed in, their role, and "Sign out" (a plain form, so it works before hydration).
#[component]
fn AccountBar(account: Account) -> impl IntoView {
    view! {
        <div class="mb-6 flex min-h-9 items-center justify-end gap-3 text-sm">
            <Suspense>
                {move || Suspend::new(async move {
                    account
                        .0
                        .await
                        .ok()
                        .flatten()
                        .map(|admin| {
                            view! {
                                <span class="text-slate-700" data-testid="signed-in-as">
                                    {admin.email}
                                </span>
                                <span class="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">
                                    {admin.role.as_str()}
                                </span>
                            }
                        })
                })}
            </Suspense>
            <PresenceToggle />
            <form method="post" action="/logout">
                <button
                    type="submit"
                    class="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-800 hover:bg-slate-50"
                >
                    "Sign out"
                </button>
            </form>
        </div>
    }
}

/// "Online" or "Away", and the button that switches between them. A console tab in use keeps
/// its admin online (see [`activity`]); "Away" holds whatever tabs are in use.
#[component]
fn PresenceToggle() -> impl IntoView {
    let set = ServerAction::<SetAway>::new();
    let presence = Resource::new(move || set.version().get(), |_| my_presence());
    view! {
        <Transition>
            {move || Suspend::new(async move {
                presence
                    .await
                    .ok()
                    .map(|presence| {
                        let (label, tone, switch, to) = if presence.away {
                            ("Away", "bg-amber-100 text-amber-900", "Go online", "false")
                        } else {
                            ("Online", "bg-emerald-100 text-emerald-900", "Set away", "true")
                        };
                        view! {
                            <span
                                class=format!("rounded-full px-2 py-0.5 text-xs font-medium {tone}")
                                data-testid="presence"
                            >
                                {label}
                            </span>
                            <ActionForm action=set>
                                <input type="hidden" name="away" value=to />
                                <button
                                    type="submit"
                                    class="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-800 hover:bg-slate-50"
                                >
                                    {switch}
                                </button>
                            </ActionForm>
                        }
                    })
            })}
        </Transition>
    }
}

/// A link that leads to a change ("Install integration", "New configuration"), styled as the
/// page's main button. It works before hydration; viewers see it greyed out, with the reason.
#[component]
pub fn ChangeLink(label: &'static str, href: &'static str) -> impl IntoView {
    let account = expect_context::<Account>();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                if account.can_change().await {
                    view! {
                        <A
                            href=href
                            attr:class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-700"
                        >
                            {label}
                        </A>
                    }
                        .into_any()
                } else {
                    view! {
                        <button
                            type="button"
                            disabled
                            title="Your role (viewer) cannot change anything."
                            class="cursor-not-allowed rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white opacity-50"
                        >
                            {label}
                        </button>
                    }
                        .into_any()
                }
            })}
        </Suspense>
    }
}

/// The title row of a page: a heading, one sentence on what the page is for, optional actions.
#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(into)] summary: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="mb-6 flex flex-wrap items-start justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight text-slate-900">{title}</h1>
                <p class="mt-1 max-w-2xl text-sm text-slate-600">{summary}</p>
            </div>
            {children.map(|children| view! { <div class="flex gap-2">{children()}</div> })}
        </div>
    }
}
