//! "My chats": conversations I am part of, with a dot for unread ones. The list re-renders
//! only when a conversation is added; each row follows its own conversation's signal.

use leptos::prelude::*;

use crate::Ctl;
use crate::store::PaneRef;

#[component]
pub fn MyChats() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let panes = ctl.store.panes.0;
    view! {
        <section class="panel" aria-labelledby="mine-h">
            <h2 id="mine-h">"My chats"</h2>
            <Show
                when=move || panes.with(|l| !l.is_empty())
                fallback=|| view! { <p class="muted small">"No open chats."</p> }
            >
                <ul class="list">
                    <For
                        each=move || panes.get()
                        key=|p: &PaneRef| p.id
                        children=move |p: PaneRef| view! { <ChatLink pane=p /> }
                    />
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn ChatLink(pane: PaneRef) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let id = pane.id;
    let sig = pane.pane;
    let name = Memo::new({
        let sig = sig.clone();
        move |_| sig.with(|p| p.visitor_name().to_string())
    });
    let unread = Memo::new({
        let sig = sig.clone();
        move |_| sig.with(|p| p.unread)
    });
    let ended = Memo::new(move |_| sig.with(|p| p.ended()));
    let selected = Memo::new(move |_| ctl.store.desk.with(|d| d.selected == Some(id)));
    // The button's text is the name alone, which its label contains (what it says is what
    // voice control users say); "Ended" follows it, outside, drawn over its right end.
    view! {
        <li class="chat-row">
            <button
                type="button"
                class="chat-link"
                class:selected=move || selected.get()
                aria-current=move || selected.get().then_some("true")
                aria-label=move || format!("Open chat with {}", name.get())
                on:click=move |_| ctl.select(id)
            >
                <span class="name">{move || name.get()}</span>
                {move || {
                    unread
                        .get()
                        .then(|| view! { <span class="dot" title="Unread messages"></span> })
                }}
            </button>
            {move || ended.get().then(|| view! { <span class="tag">"Ended"</span> })}
        </li>
    }
}
