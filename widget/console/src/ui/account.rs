//! The account panel: "Your sessions" (each device, which one this is, sign out one or all
//! the others), "Change password" and "Sounds" (this browser's choice to repeat the
//! new-message tone until read). Shown in the main area, opened from the top bar.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::SessionInfo;

use super::Clock;
use crate::Ctl;
use crate::account::device_name;
use livechat_client::clock::format_wait;

#[component]
pub fn AccountPane() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let account = ctl.account;
    view! {
        <section class="account" aria-labelledby="account-h">
            <div class="pane-head">
                <h2 id="account-h">"Your account"</h2>
                <button type="button" class="ghost" on:click=move |_| ctl.toggle_account()>
                    "Back to chats"
                </button>
            </div>
            {move || account.error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <p class="notice" role="status">{move || account.notice.get()}</p>
            <Sessions />
            <ChangePassword />
            <Sounds />
        </section>
    }
}

#[component]
fn Sounds() -> impl IntoView {
    let repeat = expect_context::<Ctl>().prefs.repeat_sound;
    view! {
        <section class="panel" aria-labelledby="sounds-h">
            <h3 id="sounds-h">"Sounds"</h3>
            <p class="muted small">
                "A tone plays when a message arrives in a chat you do not have open."
            </p>
            <label class="check">
                <input
                    type="checkbox"
                    aria-describedby="repeat-hint"
                    prop:checked=move || repeat.on.get()
                    on:change=move |ev| repeat.set(event_target_checked(&ev))
                />
                "Repeat sound until read"
            </label>
            <p class="muted small" id="repeat-hint">
                "Every 10 seconds, for as long as any chat has unread messages."
            </p>
        </section>
    }
}

#[component]
fn Sessions() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let clock = expect_context::<Clock>();
    let account = ctl.account;
    let others = move || {
        account.sessions.with(|s| {
            s.as_ref()
                .map_or(0, |s| s.iter().filter(|s| !s.current).count())
        })
    };
    view! {
        <section class="panel" aria-labelledby="sessions-h">
            <h3 id="sessions-h">"Your sessions"</h3>
            <p class="muted small">
                "Everywhere you are signed in. Sign out a device you no longer use or do not recognise."
            </p>
            {move || match account.sessions.get() {
                None => view! { <p class="muted small">"Loading…"</p> }.into_any(),
                Some(list) => {
                    view! {
                        <ul class="list sessions" aria-label="Sessions">
                            {list
                                .into_iter()
                                .map(|s| view! { <SessionRow s=s clock=clock /> })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            <button
                type="button"
                class="ghost"
                disabled=move || account.busy.get() || others() == 0
                on:click=move |_| spawn_local(ctl.end_other_sessions())
            >
                "Sign out all other sessions"
            </button>
        </section>
    }
}

#[component]
fn SessionRow(s: SessionInfo, clock: Clock) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let name = device_name(&s.device);
    let (id, used, current, connected) = (s.id, s.last_used_at, s.current, s.connected);
    let label = format!("Sign out {name}");
    view! {
        <li class="session">
            <div class="who">
                <strong title=s.device.clone()>{name}</strong>
                <span class="muted small">
                    {move || {
                        if current {
                            "This device".to_owned()
                        } else if connected {
                            "Active now".to_owned()
                        } else {
                            match format_wait(used, clock.0.get()).as_str() {
                                "just now" => "Last active just now".to_owned(),
                                ago => format!("Last active {ago} ago"),
                            }
                        }
                    }}
                </span>
            </div>
            {(!current)
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="ghost small"
                            aria-label=label
                            disabled=move || ctl.account.busy.get()
                            on:click=move |_| spawn_local(ctl.end_session(id))
                        >
                            "Sign out"
                        </button>
                    }
                })}
        </li>
    }
}

#[component]
fn ChangePassword() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let field = move |id: &'static str, label: &'static str, value: RwSignal<String>, auto| {
        view! {
            <label for=id>{label}</label>
            <input
                id=id
                type="password"
                autocomplete=auto
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        }
    };
    view! {
        <section class="panel" aria-labelledby="password-h">
            <h3 id="password-h">"Change password"</h3>
            <form
                class="stack"
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    if ctl.account.busy.get_untracked() {
                        return;
                    }
                    spawn_local(async move {
                        let done = ctl
                            .change_password(
                                current.get_untracked(),
                                new.get_untracked(),
                                confirm.get_untracked(),
                            )
                            .await;
                        if done {
                            for s in [current, new, confirm] {
                                s.set(String::new());
                            }
                        }
                    });
                }
            >
                {field("current-password", "Current password", current, "current-password")}
                {field("new-password", "New password", new, "new-password")}
                {field("confirm-password", "Confirm new password", confirm, "new-password")}
                <p class="muted small">
                    {format!(
                        "At least {} characters. Every other session is signed out.",
                        protocol::MIN_PASSWORD_CHARS,
                    )}
                </p>
                <button type="submit" class="primary" disabled=move || ctl.account.busy.get()>
                    "Change password"
                </button>
            </form>
        </section>
    }
}
