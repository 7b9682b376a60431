//! Header: who is signed in, connection state, the Online switch, Settings (admins), Account
//! and Sign out.

use leptos::prelude::*;

use crate::Ctl;
use livechat_client::transport::ConnState;

#[component]
pub fn TopBar() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let name = Memo::new(move |_| {
        ctl.store.desk.with(|d| {
            d.session
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default()
        })
    });
    let online = Memo::new(move |_| ctl.store.desk.with(|d| d.online));
    let conn = move || match ctl.conn.get() {
        ConnState::Online => ("conn ok", "Connected"),
        ConnState::Connecting => ("conn wait", "Connecting…"),
        ConnState::Offline => ("conn down", "Offline, reconnecting…"),
    };
    view! {
        <header class="topbar">
            <h1>"Agent console"</h1>
            <span class=move || conn().0>{move || conn().1}</span>
            <span class="spacer"></span>
            <span class="agent">{move || name.get()}</span>
            <label class="switch">
                <input
                    type="checkbox"
                    role="switch"
                    prop:checked=move || online.get()
                    aria-checked=move || online.get().to_string()
                    on:change=move |ev| ctl.set_online(event_target_checked(&ev))
                />
                <span class="track" aria-hidden="true"></span>
                "Online"
            </label>
            {move || {
                ctl.settings
                    .admin
                    .get()
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="ghost"
                                aria-expanded=move || ctl.settings.open.get().to_string()
                                on:click=move |_| ctl.toggle_settings()
                            >
                                "Settings"
                            </button>
                        }
                    })
            }}
            <button
                type="button"
                class="ghost"
                aria-expanded=move || ctl.account.open.get().to_string()
                on:click=move |_| ctl.toggle_account()
            >
                "Account"
            </button>
            <button type="button" class="ghost" on:click=move |_| ctl.logout()>
                "Sign out"
            </button>
        </header>
    }
}
