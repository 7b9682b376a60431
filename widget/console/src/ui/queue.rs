//! "Waiting chats": requests nobody has taken yet, oldest first.

use leptos::prelude::*;
use protocol::ChatRequest;

use super::Clock;
use crate::Ctl;
use livechat_client::clock::format_wait;

#[component]
pub fn WaitingChats() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let clock = expect_context::<Clock>();
    let queue = Memo::new(move |_| ctl.store.desk.with(|d| d.queue.clone()));
    view! {
        <section class="panel" aria-labelledby="queue-h">
            <h2 id="queue-h">
                "Waiting chats" <span class="count">{move || queue.with(Vec::len)}</span>
            </h2>
            <Show
                when=move || queue.with(|q| !q.is_empty())
                fallback=|| view! { <p class="muted small">"No one is waiting."</p> }
            >
                <ul class="list">
                    <For
                        each=move || queue.get()
                        key=|r: &ChatRequest| r.conversation_id
                        children=move |r: ChatRequest| {
                            let id = r.conversation_id;
                            let label = format!("Accept chat with {}", r.visitor.name);
                            let since = r.created_at;
                            view! {
                                <li class="request">
                                    <div class="who">
                                        <strong>{r.visitor.name}</strong>
                                        <span class="muted small">
                                            {move || format_wait(since, clock.0.get())}
                                        </span>
                                    </div>
                                    <p class="preview">{r.preview}</p>
                                    <button
                                        type="button"
                                        class="primary small"
                                        aria-label=label
                                        on:click=move |_| ctl.accept(id)
                                    >
                                        "Accept"
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
