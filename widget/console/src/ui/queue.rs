//! "Waiting chats": requests nobody has taken yet, oldest first. Each row's waiting time
//! follows the clock second by second (only that text changes, the list stays); after
//! [`OVERDUE_MS`] the row turns red and says "overdue" in words, which its Accept button
//! carries as its description. "Reject" passes a request to my colleagues: the row goes when
//! the server's `request_removed` comes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{ChatRequest, Millis};

use super::Clock;
use super::list_section::ListSection;
use crate::Ctl;

/// A visitor waiting longer than this is overdue.
pub const OVERDUE_MS: Millis = 30_000;

/// "waiting 45 s — overdue", "waiting 3 min 5 s", "waiting 1 h 2 min".
pub fn waiting_text(since: Millis, now: Millis) -> String {
    let waited = (now - since).max(0);
    let secs = waited / 1000;
    let time = match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs / 60 % 60),
    };
    if waited > OVERDUE_MS {
        format!("waiting {time} — overdue")
    } else {
        format!("waiting {time}")
    }
}

#[component]
pub fn WaitingChats() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let queue = Memo::new(move |_| ctl.store.desk.with(|d| d.queue.clone()));
    view! {
        <ListSection
            heading_id="queue-h"
            title="Waiting chats"
            count=Signal::derive(move || queue.with(Vec::len))
            empty="No one is waiting."
        >
            <ul class="list">
                <For
                    each=move || queue.get()
                    key=|r: &ChatRequest| r.conversation_id
                    children=move |r: ChatRequest| view! { <Request r=r /> }
                />
            </ul>
        </ListSection>
    }
}

#[component]
fn Request(r: ChatRequest) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let clock = expect_context::<Clock>();
    let id = r.conversation_id;
    let since = r.created_at;
    let wait_id = format!("wait-{}", id.0);
    let name = r.visitor.name.clone();
    let overdue = Memo::new(move |_| clock.0.get() - since > OVERDUE_MS);
    view! {
        <li class="request" class:overdue=move || overdue.get()>
            <div class="who">
                <strong>{r.visitor.name.clone()}</strong>
                <span class="wait small" id=wait_id.clone()>
                    {move || waiting_text(since, clock.0.get())}
                </span>
            </div>
            <p class="preview">{r.preview}</p>
            <button
                type="button"
                class="primary small"
                aria-label=format!("Accept chat with {name}")
                aria-describedby=wait_id
                on:click=move |_| ctl.accept(id)
            >
                "Accept"
            </button>
            <button
                type="button"
                class="ghost small"
                aria-label=format!("Reject chat with {name}")
                on:click=move |_| spawn_local(ctl.reject(id))
            >
                "Reject"
            </button>
        </li>
    }
}
