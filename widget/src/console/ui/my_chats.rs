//! "My chats": conversations I am part of, with a dot for unread ones.

use leptos::prelude::*;
use protocol::ConversationId;

use crate::console::Ctl;

#[derive(Clone, PartialEq, Eq)]
struct Item {
    id: ConversationId,
    name: String,
    unread: bool,
    ended: bool,
    selected: bool,
}

#[component]
pub fn MyChats() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let items = Memo::new(move |_| {
        ctl.state.with(|s| {
            s.panes
                .iter()
                .map(|p| Item {
                    id: p.conversation.id,
                    name: p.visitor_name().to_string(),
                    unread: p.unread,
                    ended: p.ended(),
                    selected: s.selected == Some(p.conversation.id),
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="panel" aria-labelledby="mine-h">
            <h2 id="mine-h">"My chats"</h2>
            <Show
                when=move || items.with(|i| !i.is_empty())
                fallback=|| view! { <p class="muted small">"No open chats."</p> }
            >
                <ul class="list">
                    <For
                        each=move || items.get()
                        key=|i: &Item| (i.id, i.unread, i.ended, i.selected)
                        children=move |i: Item| {
                            let id = i.id;
                            let label = format!("Open chat with {}", i.name);
                            view! {
                                <li>
                                    <button
                                        type="button"
                                        class="chat-link"
                                        class:selected=i.selected
                                        aria-current=i.selected.then_some("true")
                                        aria-label=label
                                        on:click=move |_| ctl.select(id)
                                    >
                                        <span class="name">{i.name}</span>
                                        {i.ended.then(|| view! { <span class="tag">"Ended"</span> })}
                                        {i
                                            .unread
                                            .then(|| {
                                                view! {
                                                    <span class="dot" title="Unread messages"></span>
                                                }
                                            })}
                                    </button>
                                </li>
                            }
                        }
                    />
                </ul>
            </Show>
        </section>
    }
}
