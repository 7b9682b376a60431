//! Choices offered in a live chat, as the console shows them: below any message that carries
//! choices, the list of them as plain chips (only the visitor picks one, in the widget).
//!
//! The chips are drawn here, around the shared `MessageRow`, not inside it: the visitor
//! widget shares that row and its bundle has no room for them.

use leptos::prelude::*;
use protocol::Principal;

use livechat_client::chat::Line;
use livechat_client::message_row::MessageRow;

/// A line of a live chat's log: the message, and the choices offered with it.
#[component]
pub fn LineRow(line: Line, me: Option<Principal>) -> impl IntoView {
    let options = line.options.clone();
    // On the same side as the message it belongs to (the row's own rule: mine unless
    // someone else wrote it).
    let mine = match (&line.author, line.id) {
        (_, None) => true,
        (Some(a), _) => me == Some(a.principal),
        (None, _) => false,
    };
    view! {
        <MessageRow line=line me=me />
        {(!options.is_empty()).then(|| view! { <OfferedChoices options=options mine=mine /> })}
    }
}

/// The choices offered with a message: a list of chips, not buttons (agents do not answer).
#[component]
fn OfferedChoices(options: Vec<String>, mine: bool) -> impl IntoView {
    view! {
        <ul class="offered" class:mine=mine aria-label="Choices offered">
            {options.into_iter().map(|o| view! { <li class="chip">{o}</li> }).collect_view()}
        </ul>
    }
}
