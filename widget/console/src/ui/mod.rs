//! The console's components, one per file. [`App`] puts the handle in context, keeps a
//! clock for "waiting 45 s", derives the lists' order ([`Lists`]), keeps the repeating sound
//! going while anything is unread (if asked to), and switches between sign-in and the
//! workspace: the sidebar's lists beside the open conversation (or a panel), or in the
//! compact view the chats as bubbles at the screen's edge (`compact.rs`). The alert offers
//! to join a chat a colleague accepted first ("Join as second agent").

mod abandoned;
mod account;
mod callbacks;
mod canned;
mod chat_row;
mod compact;
mod contacts_online;
mod conversation;
mod history;
mod invitations;
mod list_section;
mod login;
mod my_chats;
mod offers;
mod queue;
mod settings;
mod team;
mod team_chats;
mod teamwork;
mod topbar;

use leptos::prelude::*;

use crate::Ctl;
use crate::store::Lists;
use livechat_client::clock::now_ms;

pub use abandoned::Abandoned;
pub use account::AccountPane;
pub use callbacks::Callbacks;
pub use compact::Bubbles;
pub use contacts_online::{ContactsOnline, PresenceBadge};
pub use conversation::ConversationPane;
pub use history::HistoryPane;
pub use invitations::Invitations;
pub use list_section::ListSection;
pub use login::Login;
pub use my_chats::{ClosedChats, MyChats};
pub use queue::WaitingChats;
pub use settings::SettingsPane;
pub use topbar::TopBar;

/// Now, in ms, refreshed every second so waiting times move on their own. Only the texts
/// that read it change; no list re-renders for it.
#[derive(Clone, Copy)]
pub struct Clock(pub RwSignal<i64>);

impl Clock {
    /// A clock that ticks every second while the calling component lives.
    fn ticking() -> Self {
        let clock = Clock(RwSignal::new(now_ms()));
        if let Ok(handle) = set_interval_with_handle(
            move || clock.0.set(now_ms()),
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
        clock
    }
}

/// The console. `clock`: one its giver drives (tests); otherwise one ticking every second.
#[component]
pub fn App(ctl: Ctl, #[prop(optional)] clock: Option<Clock>) -> impl IntoView {
    provide_context(ctl);
    provide_context(clock.unwrap_or_else(Clock::ticking));
    let lists = Lists::new(ctl.store.panes);
    provide_context(lists);
    let repeat = ctl.prefs.repeat_sound.on;
    let due = Memo::new(move |_| repeat.get() && lists.unread.get() > 0);
    ctl.chime.repeat_while(move || due.get());
    let compact = ctl.prefs.compact.on;
    let desk = ctl.store.desk;
    let signed_in = Memo::new(move |_| desk.with(|d| d.session.is_some()));
    let alert = Memo::new(move |_| desk.with(|d| d.alert.clone()));
    let join_offer = Memo::new(move |_| desk.with(|d| d.join_offer));
    let selected = Memo::new(move |_| desk.with(|d| d.selected));
    let account = ctl.account.open;
    let settings = ctl.settings.open;
    let history = ctl.history.open;
    view! {
        <Show when=move || signed_in.get() fallback=|| view! { <Login /> }>
            <div class="shell">
                <TopBar />
                {move || {
                    alert
                        .get()
                        .map(|text| {
                            view! {
                                <div class="alert" role="alert">
                                    <span>{text}</span>
                                    {move || {
                                        join_offer
                                            .get()
                                            .map(|id| {
                                                view! {
                                                    <button
                                                        type="button"
                                                        class="primary small"
                                                        on:click=move |_| leptos::task::spawn_local(ctl.join(id))
                                                    >
                                                        "Join as second agent"
                                                    </button>
                                                }
                                            })
                                    }}
                                    <button
                                        type="button"
                                        class="link"
                                        on:click=move |_| desk.update(|d| d.dismiss_alert())
                                    >
                                        "Dismiss"
                                    </button>
                                </div>
                            }
                        })
                }}
                // `window-open`: the compact view's chat window floats at the right; the
                // stylesheet keeps the main area out from under it where there is room.
                <div
                    class="workspace"
                    class:compact=move || compact.get()
                    class:window-open=move || compact.get() && selected.get().is_some()
                >
                    <aside class="sidebar">
                        <Invitations />
                        <WaitingChats />
                        // In the compact view the bubbles are my chats.
                        <Show when=move || !compact.get()>
                            <MyChats />
                            <team_chats::TeamChats />
                        </Show>
                        <Abandoned />
                        <ClosedChats />
                        <team::Team />
                        <ContactsOnline />
                        <Callbacks />
                    </aside>
                    <main class="main">
                        {move || match selected.get() {
                            _ if account.get() => view! { <AccountPane /> }.into_any(),
                            _ if settings.get() => view! { <SettingsPane /> }.into_any(),
                            _ if history.get() => view! { <HistoryPane /> }.into_any(),
                            // The compact view opens chats in a window beside the bubbles.
                            _ if compact.get() => {
                                view! {
                                    <div class="empty">
                                        <p>"Compact view: your chats are the bubbles at the right edge."</p>
                                    </div>
                                }
                                    .into_any()
                            }
                            Some(id) => view! { <ConversationPane id=id /> }.into_any(),
                            None => {
                                view! {
                                    <div class="empty">
                                        <p>"Select a chat, or accept a waiting one."</p>
                                    </div>
                                }
                                    .into_any()
                            }
                        }}
                    </main>
                </div>
                <Show when=move || compact.get()>
                    <Bubbles />
                </Show>
            </div>
        </Show>
    }
}

/// A labelled checkbox bound to `value` (the settings forms and dialogs have many).
/// `hint`: a line of help under it, which the box names as its description.
#[component]
pub fn Check(
    value: RwSignal<bool>,
    label: &'static str,
    #[prop(optional)] hint: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    // (id, text): the id ties the hint to the box (`aria-describedby`).
    let described = hint.map(|(id, _)| id);
    view! {
        <label class="check">
            <input
                type="checkbox"
                aria-describedby=described
                prop:checked=move || value.get()
                on:change=move |ev| value.set(event_target_checked(&ev))
            />
            {label}
        </label>
        {hint.map(|(id, text)| view! { <p class="hint muted small" id=id>{text}</p> })}
    }
}
