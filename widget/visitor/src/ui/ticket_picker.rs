//! Contacts only (feature `contact`): the bar above the chat. "Ticket", the picker of what the
//! chat is about — one of the contact's open tickets, or none; before the chat exists the
//! choice is kept and applied as soon as the first message has opened it. With pre-ticket chat
//! and no ticket chosen, the first message's first line becomes a new ticket. "Past chats"
//! asks the loader for the on-demand history panel. Styled inline, so the anonymous bundle's CSS carries nothing for it.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::Ctl;
use livechat_client::i18n::tr;

const BAR: &str = "display:flex;gap:8px;align-items:center;padding:8px 16px;\
                   border-bottom:1px solid var(--lc-line);font-size:13px";
const LINK: &str = "margin-inline-start:auto;border:0;background:none;color:var(--lc-accent);padding:4px;\
                    font-size:13px;text-decoration:underline";

#[component]
pub fn TicketPicker() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let tickets = ctl.contact.tickets;
    let wanted = ctl.contact.wanted;
    let current = Memo::new(move |_| {
        ctl.state
            .with(|s| s.ticket.as_ref().map(|t| t.number.clone()))
    });
    let conversation =
        Memo::new(move |_| ctl.state.with(|s| s.conversation.as_ref().map(|c| c.id)));
    // Once the first message has opened the chat: link the ticket chosen before, or (pre-ticket
    // chat) open one named after that message. A ticket chosen while the last chat is over
    // ("Chat about this ticket") starts a new chat.
    let chosen_for = StoredValue::new(None);
    Effect::new(move |_| {
        let (id, ended) = ctl
            .state
            .with(|s| (s.conversation.as_ref().map(|c| c.id), s.ended()));
        if let Some(number) = wanted.get() {
            if ended {
                ctl.start_over();
                return;
            }
            let Some(_) = id else { return };
            wanted.set(None);
            // Chosen: no pre-ticket for this chat (its first message's ack may come later).
            chosen_for.set_value(id);
            if current.get_untracked().as_deref() != Some(number.as_str()) {
                spawn_local(ctl.pick_ticket(Some(number)));
            }
            return;
        }
        let Some(id) = id else { return };
        let opened = ctl.state.with(|s| s.opened_here.clone());
        if let Some((opened, first)) = opened
            && opened == id
        {
            ctl.state.update(|s| s.opened_here = None);
            if ctl.contact.pre_ticket.get_untracked()
                && current.get_untracked().is_none()
                && chosen_for.get_value() != Some(id)
            {
                spawn_local(ctl.open_ticket_for(id, first));
            }
        }
    });
    let hint = move || {
        (ctl.contact.pre_ticket.get()
            && conversation.get().is_none()
            && wanted.with(Option::is_none))
        .then(|| {
            view! {
                <p style="margin:0;padding:8px 16px;font-size:13px;color:var(--lc-muted);border-bottom:1px solid var(--lc-line)">
                    {tr("pre_ticket_hint")}
                </p>
            }
        })
    };
    let picker = move || {
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
                <label for="lc-ticket">{tr("ticket")}</label>
                <select
                    id="lc-ticket"
                    style="flex:1;min-width:0;font:inherit;padding:4px 6px;border:1px solid var(--lc-field);border-radius:6px;background:var(--lc-bg);color:inherit"
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
                    <option value="" selected=move || current.with(Option::is_none) && wanted.with(Option::is_none)>
                        {tr("no_ticket")}
                    </option>
                    {options}
                </select>
            }
        })
    };
    view! {
        <div style=BAR>
            {picker}
            <button type="button" style=LINK on:click=move |_| ctl.show_history()>
                {tr("past_chats")}
            </button>
        </div>
        {hint}
    }
}
