//! [`ChatRow`]: one conversation as a row of a sidebar list ("My chats", "Closed", "Team
//! chats"). Its button opens the chat (marked as the current one while it is open) and is
//! named "Open chat with Marta, 2 unread" or however the list words it; the unread count
//! shows as a badge; the last line sits outside the button as its description. The lists
//! differ only in the words of that name, what (if anything) they show beside the button,
//! and the prefix of the last line's id, so those are what a row is given.

use leptos::prelude::*;
use protocol::ConversationId;

use crate::Ctl;

/// ", 3 unread" (nothing when all is read): the part of a chat's accessible name that counts.
pub fn unread_words(n: u32) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(", {n} unread")
    }
}

#[component]
pub fn ChatRow(
    id: ConversationId,
    /// The button's accessible name from the chat's name and unread count. Run inside a
    /// reactive closure, so any signal it reads (a colleague's status) keeps it current.
    label: Callback<(String, u32), String>,
    /// The last line's id is `{preview_prefix}-{id}`: two lists may show the same chat id
    /// space, and the ids must stay unique in the page.
    preview_prefix: &'static str,
    /// Shown between the button and the last line (a team chat's status or "Group").
    #[prop(optional)]
    children: Option<ChildrenFn>,
) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let Some(sig) = ctl.store.panes.get(id) else {
        return ().into_any();
    };
    let row =
        Memo::new(move |_| sig.with(|p| (p.visitor_name().to_string(), p.unread, p.preview())));
    let selected = Memo::new(move |_| ctl.store.desk.with(|d| d.selected == Some(id)));
    let preview_id = format!("{preview_prefix}-{}", id.0);
    let described_by = preview_id.clone();
    view! {
        <li class="chat-row">
            <button
                type="button"
                class="chat-link"
                class:selected=move || selected.get()
                aria-current=move || selected.get().then_some("true")
                aria-label=move || row.with(|(name, unread, _)| label.run((name.clone(), *unread)))
                aria-describedby=described_by
                on:click=move |_| ctl.select(id)
            >
                <span class="name">{move || row.with(|r| r.0.clone())}</span>
                {move || {
                    let n = row.with(|r| r.1);
                    (n > 0).then(|| view! { <span class="badge" aria-hidden="true">{n}</span> })
                }}
            </button>
            // Beside the button, not in it: a button's visible text must be in its name (what
            // voice control users say), and these are not.
            {children.map(|c| c())}
            <span class="last" id=preview_id>
                {move || row.with(|r| r.2.clone())}
            </span>
        </li>
    }
    .into_any()
}
