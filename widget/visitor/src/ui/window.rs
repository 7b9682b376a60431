//! The chat window (`role=dialog` "Live chat"): header with minimise, then the name step or
//! the chat. Esc anywhere inside minimises it.

use leptos::prelude::*;

use super::{ChatView, NameStep, icons};
use crate::Ctl;
use livechat_client::i18n::tr;
use livechat_client::transport::ConnState;

#[component]
pub fn ChatWindow(open: Signal<bool>, has_session: Signal<bool>) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let expanded = ctl.expanded;
    // Drawn again whenever the language changes (see `App`): read once here.
    let (lang, rtl) =
        livechat_client::i18n::use_words().with_untracked(|c| (c.lang.clone(), c.rtl));
    let subtitle = move || {
        tr(match ctl.conn.get() {
            ConnState::Online => "reply_time",
            ConnState::Connecting if has_session.get() => "connecting",
            ConnState::Offline if has_session.get() => "offline",
            _ => "reply_time",
        })
    };
    view! {
        <div
            id="lc-window"
            class="lc-window"
            class:lc-expanded=move || expanded.get()
            role="dialog"
            // The window speaks the visitor's language, mirrored for one written right to left
            // (the bubble stays where the site put it).
            lang=lang
            dir=if rtl { "rtl" } else { "ltr" }
            aria-label=tr("live_chat")
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
                    <h2>{tr("chat_with_us")}</h2>
                    <p class="lc-sub">{subtitle}</p>
                </div>
                // Desktop only (CSS): a larger window for a longer conversation.
                <button
                    type="button"
                    class="lc-icon-btn lc-expand"
                    aria-label=tr("larger_window")
                    aria-pressed=move || expanded.get().to_string()
                    on:click=move |_| expanded.update(|e| *e = !*e)
                >
                    {icons::expand()}
                </button>
                <button
                    type="button"
                    class="lc-icon-btn"
                    aria-label=tr("minimise_chat")
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
