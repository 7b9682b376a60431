//! The conversation: the message log, the waiting/ended notices and the composer.

use leptos::prelude::*;

use super::Focus;
use crate::Ctl;
use livechat_client::chat::keep_scrolled_to_bottom;
use livechat_client::composer::Composer;
use livechat_client::i18n::{tr, tr_with};
use livechat_client::message_row::MessageRow;

#[component]
pub fn ChatView() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let focus = expect_context::<Focus>();
    let lines = Memo::new(move |_| ctl.state.with(|s| s.chat.lines.clone()));
    let me = Memo::new(move |_| ctl.state.with(|s| s.me.as_ref().map(|m| m.principal)));
    let waiting = Memo::new(move |_| ctl.state.with(|s| s.waiting()));
    let ended = Memo::new(move |_| ctl.state.with(|s| s.ended()));
    let log = NodeRef::<leptos::html::Div>::new();
    let clock = super::Clock::default();

    keep_scrolled_to_bottom(log, move || lines.track());

    with_picker(view! {
        <div class="lc-log" role="log" aria-label=tr("messages") aria-live="polite" node_ref=log>
            {move || {
                let me = me.get_untracked();
                lines.get().into_iter().map(|line| view! { <MessageRow line=line me=me /> }).collect_view()
            }}
        </div>
        // Plain `Option` views rather than `<Show>`: same DOM, less code in the bundle.
        // One note line: who is typing, else that we wait for an agent.
        {move || {
            let typing = ctl.state.with(|s| s.typing.as_ref().map(|t| tr_with("typing", &[("name", &t.0)])));
            typing
                .or_else(|| {
                    (waiting.get() && !ended.get()).then(|| {
                        // With the place in the queue once the server told it, and how long
                        // the request has waited (drawn again every half minute).
                        let mut note = match ctl.state.with(|s| s.position) {
                            Some(n) => tr_with("waiting_position", &[("n", &n.to_string())]),
                            None => tr("waiting"),
                        };
                        clock.tick_in(30_000);
                        let since = ctl.state.with(|s| s.conversation.as_ref().map(|c| c.created_at));
                        let minutes = since.map_or(0, |at| (clock.now() - at) / 60_000);
                        if minutes > 0 {
                            note.push(' ');
                            note.push_str(&tr_with("minutes_waited", &[("n", &minutes.to_string())]));
                        }
                        note
                    })
                })
                .map(|note| view! { <p class="lc-note">{note}</p> })
        }}
        // Where the loader mounts an on-demand panel: "when nobody answers", the sections to
        // pick before the first message, or an agent's offered choices as buttons.
        <div id="lc-help"></div>
        {move || {
            ended.get().then(|| view! {
                <div class="lc-ended">
                    <p role="status">{tr("chat_ended")}</p>
                    <button type="button" class="lc-primary" on:click=move |_| ctl.start_over()>
                        {tr("start_new_chat")}
                    </button>
                </div>
            })
        }}
        <Composer
            label=tr("message")
            placeholder=tr("type_message")
            disabled=Signal::derive(move || ended.get())
            on_send=Callback::new(move |body: String| ctl.send(&body))
            node_ref=focus.message
            on:input=move |_| ctl.typed()
        />
    })
}

/// Contacts get the ticket picker above the chat; the anonymous build, exactly the chat (as a
/// pass-through, so its bundle pays nothing for the picker).
#[cfg(feature = "contact")]
fn with_picker(chat: impl IntoView + 'static) -> impl IntoView {
    // Positioned, so the on-demand history panel (mounted by the loader in #lc-history) can
    // cover the picker and the chat, which stay live beneath it.
    view! {
        <div style="position:relative;flex:1;min-height:0;display:flex;flex-direction:column">
            <div id="lc-history"></div>
            <super::ticket_picker::TicketPicker />
            {chat}
        </div>
    }
}

#[cfg(not(feature = "contact"))]
fn with_picker(chat: impl IntoView) -> impl IntoView {
    chat
}
