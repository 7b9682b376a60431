//! The chat window (`role=dialog` "Live chat"): header with minimise, then the name step or
//! the chat. Esc anywhere inside minimises it.

use leptos::prelude::*;

use super::{ChatView, NameStep, icons};
use crate::Ctl;
use livechat_client::transport::ConnState;

#[component]
pub fn ChatWindow(open: Signal<bool>, has_session: Signal<bool>) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let subtitle = move || match ctl.conn.get() {
        ConnState::Online => "We typically reply in a few minutes",
        ConnState::Connecting if has_session.get() => "Connecting…",
        ConnState::Offline if has_session.get() => {
            "You're offline. Messages will be sent when you're back."
        }
        _ => "We typically reply in a few minutes",
    };
    view! {
        <div
            id="lc-window"
            class="lc-window"
            role="dialog"
            aria-label="Live chat"
            hidden=move || !open.get()
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    ev.stop_propagation();
                    ctl.set_open(false);
                }
            }
        >
            // A div, not <header>: inside the host page it would be a second banner landmark.
            <div class="lc-header">
                <div class="lc-heading">
                    <h2>"Chat with us"</h2>
                    <p class="lc-sub">{subtitle}</p>
                </div>
                <button
                    type="button"
                    class="lc-icon-btn"
                    aria-label="Minimise chat"
                    on:click=move |_| ctl.set_open(false)
                >
                    {icons::minimise()}
                </button>
            </div>
            {move || {
                if has_session.get() { view! { <ChatView /> }.into_any() } else { view! { <NameStep /> }.into_any() }
            }}
        </div>
    }
}
