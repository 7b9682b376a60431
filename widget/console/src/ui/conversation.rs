//! The open conversation: its header (visitor, the ticket it is about), log, Reply box, and
//! End chat. It follows that conversation's
//! own signal, so frames for other conversations leave it alone.

use leptos::prelude::*;
use protocol::ConversationId;

use crate::Ctl;
use livechat_client::chat::{Line, keep_scrolled_to_bottom};
use livechat_client::composer::Composer;
use livechat_client::message_row::MessageRow;

#[component]
pub fn ConversationPane(id: ConversationId) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    // Selecting happens after the pane exists (accepted, or clicked in "My chats").
    let Some(pane) = ctl.store.panes.get(id) else {
        return view! { <p class="empty">"This chat is not available."</p> }.into_any();
    };
    let name = Memo::new({
        let pane = pane.clone();
        move |_| pane.with(|p| p.visitor_name().to_string())
    });
    let ended = Memo::new({
        let pane = pane.clone();
        move |_| pane.with(|p| p.ended())
    });
    let ticket = Memo::new({
        let pane = pane.clone();
        move |_| pane.with(|p| p.ticket.clone())
    });
    let me = Memo::new(move |_| ctl.store.desk.with(|d| d.me.as_ref().map(|m| m.principal)));
    let log = NodeRef::<leptos::html::Div>::new();
    keep_scrolled_to_bottom(log, {
        let pane = pane.clone();
        move || pane.track()
    });
    view! {
        <section class="conversation" aria-label=move || format!("Chat with {}", name.get())>
            <header class="conv-head">
                <div class="conv-title">
                    <h2>{move || name.get()}</h2>
                    {move || {
                        ticket
                            .get()
                            .map(|t| {
                                view! {
                                    <p class="ticket" aria-label=format!("Ticket {}", t.number)>
                                        <span class="number">{t.number.clone()}</span>
                                        " "
                                        <span class="subject">{t.subject}</span>
                                    </p>
                                }
                            })
                    }}
                </div>
                <button
                    type="button"
                    class="danger"
                    disabled=move || ended.get()
                    on:click=move |_| ctl.end(id)
                >
                    "End chat"
                </button>
            </header>
            <div
                class="log"
                role="log"
                aria-live="polite"
                aria-label=move || format!("Conversation with {}", name.get())
                node_ref=log
            >
                <For each=move || pane.with(|p| p.chat.lines.clone()) key=Line::key let:line>
                    <MessageRow line=line me=me.get_untracked() />
                </For>
            </div>
            <Show when=move || ended.get()>
                <p class="ended" role="status">"Chat ended"</p>
            </Show>
            <Composer
                label="Reply"
                placeholder="Write a reply…"
                disabled=Signal::derive(move || ended.get())
                on_send=Callback::new(move |body: String| ctl.send(id, &body))
            />
        </section>
    }
    .into_any()
}
