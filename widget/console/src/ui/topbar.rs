//! Header: who is signed in, connection state, my status (online, away, busy, offline: what
//! colleagues see; only online is offered requests), the "Compact view" switch, Settings
//! (admins), Account and Sign out.

use leptos::prelude::*;

use crate::Ctl;
use livechat_client::transport::ConnState;
use protocol::presence::AgentStatus;

/// A status as a CSS class and `<option>` value.
pub fn status_class(s: AgentStatus) -> &'static str {
    match s {
        AgentStatus::Online => "online",
        AgentStatus::Away => "away",
        AgentStatus::Busy => "busy",
        AgentStatus::Offline => "offline",
    }
}

fn parse_status(value: &str) -> Option<AgentStatus> {
    [
        AgentStatus::Online,
        AgentStatus::Away,
        AgentStatus::Busy,
        AgentStatus::Offline,
    ]
    .into_iter()
    .find(|s| status_class(*s) == value)
}

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
    let status = Memo::new(move |_| ctl.store.desk.with(|d| (d.status, d.auto_away)));
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
            <label class="status-pick">
                <span class=move || format!("dot {}", status_class(status.get().0)) aria-hidden="true"></span>
                <span class="visually-hidden">"Status"</span>
                <select
                    aria-label="Status"
                    on:change=move |ev| {
                        if let Some(s) = parse_status(&event_target_value(&ev)) {
                            ctl.set_status(s);
                        }
                    }
                >
                    {[AgentStatus::Online, AgentStatus::Away, AgentStatus::Busy, AgentStatus::Offline]
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=status_class(s) selected=move || status.get().0 == s>
                                    {move || {
                                        let (now, auto) = status.get();
                                        if auto && now == s { "Away (no activity)" } else { s.label() }
                                    }}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <button
                type="button"
                class="ghost toggle"
                aria-pressed=move || ctl.prefs.compact.on.get().to_string()
                on:click=move |_| ctl.prefs.compact.set(!ctl.prefs.compact.on.get_untracked())
            >
                "Compact view"
            </button>
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
            <button
                type="button"
                class="ghost"
                aria-expanded=move || ctl.history.open.get().to_string()
                on:click=move |_| ctl.toggle_history()
            >
                "History"
            </button>
            <button type="button" class="ghost" on:click=move |_| ctl.logout()>
                "Sign out"
            </button>
        </header>
    }
}
