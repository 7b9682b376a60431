//! The console's components, one per file. [`App`] puts the handle in context, keeps a
//! clock for "waiting for 3 min", and switches between sign-in and the workspace (whose main
//! area shows the open conversation or the account panel).

mod account;
mod callbacks;
mod canned;
mod contacts_online;
mod conversation;
mod history;
mod login;
mod my_chats;
mod queue;
mod settings;
mod team;
mod topbar;

use leptos::prelude::*;

use crate::Ctl;
use livechat_client::clock::now_ms;

pub use account::AccountPane;
pub use callbacks::Callbacks;
pub use contacts_online::{ContactsOnline, PresenceBadge};
pub use conversation::ConversationPane;
pub use history::HistoryPane;
pub use login::Login;
pub use my_chats::MyChats;
pub use queue::WaitingChats;
pub use settings::SettingsPane;
pub use topbar::TopBar;

/// Now, in ms, refreshed every 15 s so waiting times move on their own.
#[derive(Clone, Copy)]
pub struct Clock(pub RwSignal<i64>);

#[component]
pub fn App(ctl: Ctl) -> impl IntoView {
    provide_context(ctl);
    let clock = Clock(RwSignal::new(now_ms()));
    provide_context(clock);
    if let Ok(handle) = set_interval_with_handle(
        move || clock.0.set(now_ms()),
        std::time::Duration::from_secs(15),
    ) {
        on_cleanup(move || handle.clear());
    }
    let desk = ctl.store.desk;
    let signed_in = Memo::new(move |_| desk.with(|d| d.session.is_some()));
    let alert = Memo::new(move |_| desk.with(|d| d.alert.clone()));
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
                                    <button
                                        type="button"
                                        class="link"
                                        on:click=move |_| desk.update(|d| d.alert = None)
                                    >
                                        "Dismiss"
                                    </button>
                                </div>
                            }
                        })
                }}
                <div class="workspace">
                    <aside class="sidebar">
                        <WaitingChats />
                        <MyChats />
                        <team::Team />
                        <ContactsOnline />
                        <Callbacks />
                    </aside>
                    <main class="main">
                        {move || match selected.get() {
                            _ if account.get() => view! { <AccountPane /> }.into_any(),
                            _ if settings.get() => view! { <SettingsPane /> }.into_any(),
                            _ if history.get() => view! { <HistoryPane /> }.into_any(),
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
            </div>
        </Show>
    }
}
