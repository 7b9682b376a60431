//! Contacts only (feature `contact`): "Ticket", the picker of what the chat is about — one of
//! the contact's open tickets, or none. Before the chat exists the choice is kept and applied
//! as soon as the first message has opened it. Styled inline, so the anonymous bundle's CSS
//! carries nothing for it.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::Ctl;

#[component]
pub fn TicketPicker() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let tickets = ctl.tickets;
    let current = Memo::new(move |_| {
        ctl.state
            .with(|s| s.ticket.as_ref().map(|t| t.number.clone()))
    });
    let conversation =
        Memo::new(move |_| ctl.state.with(|s| s.conversation.as_ref().map(|c| c.id)));
    // A choice made before the chat existed, waiting for it.
    let wanted = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let (Some(_), Some(number)) = (conversation.get(), wanted.get()) {
            wanted.set(None);
            if current.get_untracked().as_deref() != Some(number.as_str()) {
                spawn_local(ctl.pick_ticket(Some(number)));
            }
        }
    });
    move || {
        let list = tickets.get();
        (!list.is_empty()).then(|| {
            let options = list
                .into_iter()
                .map(|t| {
                    let number = t.number.clone();
                    let selected = move || {
                        current.with(|c| c.as_deref() == Some(number.as_str()))
                            || wanted.with(|w| w.as_deref() == Some(number.as_str()))
                    };
                    view! {
                        <option value=t.number.clone() selected=selected>
                            {format!("{} · {}", t.number, t.subject)}
                        </option>
                    }
                })
                .collect_view();
            view! {
                <div style="display:flex;gap:8px;align-items:center;padding:8px 16px;border-bottom:1px solid #e3e7ee;font-size:13px">
                    <label for="lc-ticket">"Ticket"</label>
                    <select
                        id="lc-ticket"
                        style="flex:1;min-width:0;font:inherit;padding:4px 6px;border:1px solid #b9c1cf;border-radius:6px"
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            let number = (!value.is_empty()).then_some(value);
                            if conversation.get_untracked().is_some() {
                                spawn_local(ctl.pick_ticket(number));
                            } else {
                                wanted.set(number);
                            }
                        }
                    >
                        <option value="" selected=move || current.with(Option::is_none)>
                            "No ticket"
                        </option>
                        {options}
                    </select>
                </div>
            }
        })
    }
}
