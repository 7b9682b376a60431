//! "My chats" and "Closed": the conversations I am part of, going on and ended, each list
//! most recently updated first ([`Lists`]). A row shows the visitor, how many messages are
//! unread (a number, and in words in the button's name) and the last line. Ended chats stay
//! openable, read-only. The lists move rows only when an order changes; each row (the
//! [`ChatRow`] "Team chats" uses too) follows its own conversation's signal.

use leptos::prelude::*;
use protocol::ConversationId;

use super::chat_row::{ChatRow, unread_words};
use super::list_section::ListSection;
use crate::store::Lists;

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
                <For each=move || ids.get() key=|id| *id children=|id| view! { <VisitorChatRow id=id /> } />
            </ul>
        </ListSection>
    }
}

/// A live chat's row: named after the visitor ("Open chat with Marta, 2 unread").
#[component]
fn VisitorChatRow(id: ConversationId) -> impl IntoView {
    let label = Callback::new(|(name, unread): (String, u32)| {
        format!("Open chat with {name}{}", unread_words(unread))
    });
    view! { <ChatRow id=id label=label preview_prefix="last" /> }
}
