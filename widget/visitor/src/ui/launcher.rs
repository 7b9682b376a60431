//! The round bubble bottom-right: opens and closes the window and carries the unread badge.
//! It looks exactly like `loader.js`'s placeholder so the swap is invisible.

use leptos::prelude::*;

use super::{Focus, icons};
use crate::Ctl;
use livechat_client::i18n::{tr, tr_with};

/// The launcher's accessible name, which the end-to-end tests rely on.
pub fn launcher_label(open: bool, unread: u32) -> String {
    match (open, unread) {
        (true, _) => tr("close_chat"),
        (false, 0) => tr("open_chat"),
        (false, 1) => tr("open_chat_one_unread"),
        (false, n) => tr_with("open_chat_unread", &[("n", &n.to_string())]),
    }
}

#[component]
pub fn Launcher(open: Signal<bool>, unread: Signal<u32>) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let focus = expect_context::<Focus>();
    view! {
        <button
            type="button"
            class="lc-launcher"
            class:open=move || open.get()
            node_ref=focus.launcher
            aria-label=move || launcher_label(open.get(), unread.get())
            aria-expanded=move || open.get().to_string()
            aria-controls="lc-window"
            on:click=move |_| ctl.set_open(!open.get_untracked())
        >
            // Both icons stay in the DOM (CSS shows one): cheaper than swapping views.
            <span class="lc-icon-chat">{icons::chat()}</span>
            <span class="lc-icon-close">{icons::close()}</span>
            {move || {
                let n = unread.get();
                (!open.get() && n != 0)
                    .then(|| view! { <span class="lc-badge" aria-hidden="true">{n.min(99)}</span> })
            }}
        </button>
    }
}
