//! The open conversation: its log, Reply box, and End chat.

use leptos::prelude::*;
use protocol::{ConversationId, MessageKind};

use crate::chat::{Delivery, Line};
use crate::composer::Composer;
use crate::console::Ctl;
use crate::util::format_time;

#[component]
pub fn ConversationPane(id: ConversationId) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let pane = move |f: &dyn Fn(&crate::console::state::Pane) -> bool| {
        ctl.state.with(|s| s.pane(id).is_some_and(f))
    };
    let name = Memo::new(move |_| {
        ctl.state
            .with(|s| s.pane(id).map(|p| p.visitor_name().to_string()))
            .unwrap_or_default()
    });
    let ended = Memo::new(move |_| pane(&|p| p.ended()));
    let lines = Memo::new(move |_| {
        ctl.state
            .with(|s| s.pane(id).map(|p| p.chat.lines.clone()))
            .unwrap_or_default()
    });
    let me = Memo::new(move |_| ctl.state.with(|s| s.me.as_ref().map(|m| m.id)));
    let log = NodeRef::<leptos::html::Div>::new();
    crate::chat::keep_scrolled_to_bottom(log, lines);
    view! {
        <section class="conversation" aria-label=move || format!("Chat with {}", name.get())>
            <header class="conv-head">
                <h2>{move || name.get()}</h2>
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
                <For each=move || lines.get() key=Line::key let:line>
                    <Row line=line me=me.get_untracked() />
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
}

/// One message, rendered as text only.
#[component]
fn Row(line: Line, me: Option<i64>) -> impl IntoView {
    if line.kind == MessageKind::System {
        return view! { <p class="msg system">{line.body}</p> }.into_any();
    }
    let mine = line.id.is_none()
        || line
            .author
            .as_ref()
            .is_some_and(|a| a.role == protocol::Role::Agent && Some(a.id) == me);
    let who = line.author.map(|a| a.name).unwrap_or_else(|| "You".into());
    let (class, state) = match line.delivery {
        Delivery::Sent => (if mine { "msg mine" } else { "msg theirs" }, None),
        Delivery::Pending => ("msg mine pending", Some("Sending…".to_string())),
        Delivery::Failed(why) => ("msg mine failed", Some(format!("Not sent: {why}"))),
    };
    view! {
        <div class=class>
            <div class="meta">
                <span class="author">{who}</span>
                <time>{format_time(line.sent_at)}</time>
            </div>
            <p class="body">{line.body}</p>
            {state.map(|s| view! { <p class="delivery">{s}</p> })}
        </div>
    }
    .into_any()
}
