//! "My chats" and "Closed": the conversations I am part of, going on and ended, each list
//! most recently updated first ([`Lists`]). A row shows the visitor, how many messages are
//! unread (a number, and in words in the button's name) and the last line. Ended chats stay
//! openable, read-only. The lists move rows only when an order changes; each row follows its
//! own conversation's signal.

use leptos::prelude::*;
use protocol::ConversationId;

use super::list_section::ListSection;
use crate::Ctl;
use crate::store::Lists;

/// ", 3 unread" (nothing when all is read): the part of a chat's accessible name that counts.
pub fn unread_words(n: u32) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(", {n} unread")
    }
}

#[component]
pub fn MyChats() -> impl IntoView {
    let lists = expect_context::<Lists>();
    view! { <ChatList heading_id="mine-h" title="My chats" ids=lists.open empty="No open chats." /> }
}

#[component]
pub fn ClosedChats() -> impl IntoView {
    let lists = expect_context::<Lists>();
    view! {
        <ChatList heading_id="closed-h" title="Closed" ids=lists.closed empty="No closed chats yet." />
    }
}

#[component]
fn ChatList(
    heading_id: &'static str,
    title: &'static str,
    ids: Memo<Vec<ConversationId>>,
    empty: &'static str,
) -> impl IntoView {
    view! {
        <ListSection
            heading_id=heading_id
            title=title
            count=Signal::derive(move || ids.with(Vec::len))
            empty=empty
        >
            <ul class="list">
                <For each=move || ids.get() key=|id| *id children=|id| view! { <ChatRow id=id /> } />
            </ul>
        </ListSection>
    }
}

#[component]
fn ChatRow(id: ConversationId) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let Some(sig) = ctl.store.panes.get(id) else {
        return ().into_any();
    };
    let row =
        Memo::new(move |_| sig.with(|p| (p.visitor_name().to_string(), p.unread, p.preview())));
    let selected = Memo::new(move |_| ctl.store.desk.with(|d| d.selected == Some(id)));
    let preview_id = format!("last-{}", id.0);
    let described_by = preview_id.clone();
    view! {
        <li class="chat-row">
            <button
                type="button"
                class="chat-link"
                class:selected=move || selected.get()
                aria-current=move || selected.get().then_some("true")
                aria-label=move || {
                    row.with(|(name, unread, _)| format!("Open chat with {name}{}", unread_words(*unread)))
                }
                aria-describedby=described_by
                on:click=move |_| ctl.select(id)
            >
                <span class="name">{move || row.with(|r| r.0.clone())}</span>
                {move || {
                    let n = row.with(|r| r.1);
                    (n > 0)
                        .then(|| view! { <span class="badge" aria-hidden="true">{n}</span> })
                }}
            </button>
            // Outside the button, as its description: a button's visible text must be in its
            // name (what voice control users say), and the last line is not.
            <span class="last" id=preview_id>
                {move || row.with(|r| r.2.clone())}
            </span>
        </li>
    }
    .into_any()
}
