//! "Callbacks": visitors nobody could answer who asked to be called back, oldest first, with
//! their phone (a `tel:` link), when they prefer, their note and the ticket, and "Done".

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::helpdesk::Callback;

use super::Clock;
use super::list_section::ListSection;
use crate::Ctl;
use crate::callbacks::REFRESH_SECS;
use livechat_client::clock::format_wait;

#[component]
pub fn Callbacks() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let clock = expect_context::<Clock>();
    spawn_local(ctl.load_callbacks());
    if let Ok(handle) = set_interval_with_handle(
        move || spawn_local(ctl.load_callbacks()),
        std::time::Duration::from_secs(REFRESH_SECS),
    ) {
        on_cleanup(move || handle.clear());
    }
    let list = ctl.callbacks;
    view! {
        <ListSection
            heading_id="callbacks-h"
            title="Callbacks"
            count=Signal::derive(move || list.with(Vec::len))
            empty="No one is waiting for a call."
        >
                <ul class="list">
                    <For
                        each=move || list.get()
                        key=|c: &Callback| c.id
                        children=move |c: Callback| {
                            let id = c.id;
                            let since = c.requested_at;
                            let done_label = format!("Mark callback to {} done", c.visitor.name);
                            let tel = format!(
                                "tel:{}",
                                c.phone.chars().filter(|ch| ch.is_ascii_digit() || *ch == '+').collect::<String>(),
                            );
                            view! {
                                <li class="request callback">
                                    <div class="who">
                                        <strong>{c.visitor.name.clone()}</strong>
                                        <span class="muted small">
                                            {move || format_wait(since, clock.0.get())}
                                        </span>
                                    </div>
                                    <a href=tel>{c.phone.clone()}</a>
                                    {(!c.preferred_time.is_empty())
                                        .then(|| {
                                            view! {
                                                <p class="preview">
                                                    {format!("Prefers: {}", c.preferred_time)}
                                                </p>
                                            }
                                        })}
                                    {(!c.note.is_empty())
                                        .then(|| view! { <p class="preview">{c.note.clone()}</p> })}
                                    {c
                                        .ticket
                                        .clone()
                                        .map(|t| view! { <p class="ticket">{format!("Ticket {t}")}</p> })}
                                    <button
                                        type="button"
                                        class="ghost small"
                                        aria-label=done_label
                                        on:click=move |_| spawn_local(ctl.callback_done(id))
                                    >
                                        "Done"
                                    </button>
                                </li>
                            }
                        }
                    />
                </ul>
        </ListSection>
    }
}
