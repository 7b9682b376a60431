//! The conversation: the message log, the waiting/ended notices and the composer.

use leptos::prelude::*;
use protocol::{MessageKind, Role};

use super::Focus;
use crate::chat::Delivery;
use crate::chat::Line;
use crate::composer::Composer;
use crate::util::format_time;
use crate::visitor::Ctl;

#[component]
pub fn ChatView() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let focus = expect_context::<Focus>();
    let lines = Memo::new(move |_| ctl.state.with(|s| s.chat.lines.clone()));
    let me = Memo::new(move |_| ctl.state.with(|s| s.me.as_ref().map(|m| (m.id, m.role))));
    let waiting = Memo::new(move |_| ctl.state.with(|s| s.waiting()));
    let ended = Memo::new(move |_| ctl.state.with(|s| s.ended()));
    let log = NodeRef::<leptos::html::Div>::new();

    crate::chat::keep_scrolled_to_bottom(log, lines);

    view! {
        <div class="lc-log" role="log" aria-label="Messages" aria-live="polite" node_ref=log>
            {move || {
                let me = me.get_untracked();
                lines.get().into_iter().map(|line| view! { <MessageRow line=line me=me /> }).collect_view()
            }}
        </div>
        // Plain `Option` views rather than `<Show>`: same DOM, less code in the bundle.
        {move || {
            (waiting.get() && !ended.get())
                .then(|| view! { <p class="lc-note">"Waiting for an agent…"</p> })
        }}
        {move || {
            ended.get().then(|| view! {
                <div class="lc-ended">
                    <p role="status">"This chat has ended"</p>
                    <button type="button" class="lc-primary" on:click=move |_| ctl.start_over()>
                        "Start a new chat"
                    </button>
                </div>
            })
        }}
        <Composer
            label="Message"
            placeholder="Type your message…"
            disabled=Signal::derive(move || ended.get())
            on_send=Callback::new(move |body: String| ctl.send(&body))
            node_ref=focus.message
        />
    }
}

/// One message. Text only: bodies and names go through Leptos' escaping, never `inner_html`.
/// One shape for every kind (parts left out rather than a second view type) keeps the bundle
/// smaller.
#[component]
pub fn MessageRow(line: Line, me: Option<(i64, Role)>) -> impl IntoView {
    let system = line.kind == MessageKind::System;
    let mine = match (&line.author, line.id) {
        (_, None) => true,
        (Some(a), _) => me == Some((a.id, a.role)),
        (None, _) => false,
    };
    let class = match &line.delivery {
        _ if system => "lc-msg system",
        Delivery::Sent if mine => "lc-msg mine",
        Delivery::Sent => "lc-msg theirs",
        Delivery::Pending => "lc-msg mine pending",
        Delivery::Failed(_) => "lc-msg mine failed",
    };
    let meta = (!system).then(|| {
        let who = if mine {
            "You".to_string()
        } else {
            line.author.map(|a| a.name).unwrap_or_default()
        };
        view! {
            <div class="meta">
                <span class="author">{who}</span>
                <time>{format_time(line.sent_at)}</time>
            </div>
        }
    });
    let state = match line.delivery {
        Delivery::Sent => None,
        Delivery::Pending => Some("Sending…".to_string()),
        Delivery::Failed(why) => Some(format!("Not sent: {why}")),
    };
    view! {
        <div class=class>
            {meta}
            <p class="body">{line.body}</p>
            {state.map(|s| view! { <p class="delivery">{s}</p> })}
        </div>
    }
}
