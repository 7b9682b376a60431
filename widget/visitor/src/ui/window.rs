//! The chat window (`role=dialog` "Live chat"): header with minimise, then the name step or
//! the chat. Esc anywhere inside minimises it.

use leptos::prelude::*;

use super::{ChatView, NameStep, icons};
use crate::Ctl;
use livechat_client::i18n::{tr, tr_with};
use livechat_client::transport::ConnState;

#[component]
pub fn ChatWindow(open: Signal<bool>, has_session: Signal<bool>) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let expanded = ctl.expanded;
    // Drawn again whenever the language changes (see `App`): read once here.
    let (lang, rtl) =
        livechat_client::i18n::use_words().with_untracked(|c| (c.lang.clone(), c.rtl));
    // The connection, honestly, in a line laid over the top of the chat (no layout jumps):
    // nothing while online; connecting; offline and when the next attempt is due, counted
    // down; offline with nothing due (the browser has no network). The status element stays
    // in place (empty while online) so screen readers announce each state once; the seconds
    // sit outside it.
    let clock = super::Clock::default();
    let state = move || match ctl.conn.get() {
        _ if !has_session.get() => None,
        ConnState::Online => None,
        ConnState::Connecting => Some("connecting"),
        ConnState::Offline if ctl.retry_at.get() > 0 => Some("reconnecting"),
        ConnState::Offline => Some("offline"),
    };
    let countdown = move || {
        let left = (ctl.retry_at.get() - clock.now() + 999) / 1_000;
        (state() == Some("reconnecting") && left > 0).then(|| {
            // Again in a second, for as long as there is something to count down.
            clock.tick_in(1_000);
            tr_with("seconds", &[("n", &left.to_string())])
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
                    <p class="lc-sub">{tr("reply_time")}</p>
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
                <p class="lc-conn">
                    <span role="status">{move || state().map(tr)}</span>
                    " "
                    <span aria-hidden="true">{countdown}</span>
                </p>
            </div>
            {move || {
                if has_session.get() { view! { <ChatView /> }.into_any() } else { view! { <NameStep /> }.into_any() }
            }}
        </div>
    }
}
