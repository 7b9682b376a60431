//! "Abandoned": requests nobody answered in time, newest first (`teamwork.rs` fetches them),
//! each with the visitor, how long ago, their last line and how many messages they left, and
//! "Follow up", which accepts it like a waiting request. Polled every 30 s while shown, like
//! the callbacks; a request abandoned meanwhile also fetches it (see `Ctl::receive`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::workspace::AbandonedChat;

use super::Clock;
use super::list_section::ListSection;
use crate::Ctl;
use crate::teamwork::{REFRESH_SECS, abandoned_text};

/// "1 message", "4 messages".
pub fn messages_text(n: u32) -> String {
    if n == 1 {
        "1 message".into()
    } else {
        format!("{n} messages")
    }
}

#[component]
pub fn Abandoned() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let clock = expect_context::<Clock>();
    if let Ok(handle) = set_interval_with_handle(
        move || spawn_local(ctl.load_abandoned()),
        std::time::Duration::from_secs(REFRESH_SECS),
    ) {
        on_cleanup(move || handle.clear());
    }
    let list = ctl.teamwork.abandoned;
    view! {
        <ListSection
            heading_id="abandoned-h"
            title="Abandoned"
            count=Signal::derive(move || list.with(Vec::len))
            empty="No abandoned chats."
        >
            <ul class="list">
                <For
                    each=move || list.get()
                    key=|a: &AbandonedChat| (a.conversation_id, a.messages)
                    children=move |a: AbandonedChat| {
                        let id = a.conversation_id;
                        let at = a.abandoned_at;
                        view! {
                            <li class="request abandoned">
                                <div class="who">
                                    <strong>{a.visitor.name.clone()}</strong>
                                    <span class="muted small">
                                        {move || abandoned_text(at, clock.0.get())}
                                    </span>
                                </div>
                                <p class="preview">{a.last_line.clone()}</p>
                                <p class="muted small">{messages_text(a.messages)}</p>
                                <button
                                    type="button"
                                    class="primary small"
                                    aria-label=format!("Follow up chat with {}", a.visitor.name)
                                    on:click=move |_| ctl.accept(id)
                                >
                                    "Follow up"
                                </button>
                            </li>
                        }
                    }
                />
            </ul>
        </ListSection>
    }
}
