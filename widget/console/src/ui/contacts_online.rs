//! "Contacts online": portal contacts on the site now (online first, then away), each with
//! their company, a select of their open tickets and "Start chat"; and [`PresenceBadge`], the
//! dot and word that say whether a contact is online, away or offline (also in a chat's
//! header).

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::Presence;
use protocol::presence::OnlineContact;

use super::list_section::ListSection;
use crate::Ctl;
use crate::presence::REFRESH_SECS;

/// A coloured dot and the word: the word is the accessible text, the dot only decoration.
#[component]
pub fn PresenceBadge(#[prop(into)] presence: Signal<Presence>) -> impl IntoView {
    let class = move || match presence.get() {
        Presence::Online => "presence online",
        Presence::Away => "presence away",
        Presence::Offline => "presence offline",
    };
    view! {
        <span class=class>
            <span class="presence-dot" aria-hidden="true"></span>
            {move || presence.get().label()}
        </span>
    }
}

#[component]
pub fn ContactsOnline() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    spawn_local(ctl.load_online());
    if let Ok(handle) = set_interval_with_handle(
        move || spawn_local(ctl.load_online()),
        std::time::Duration::from_secs(REFRESH_SECS),
    ) {
        on_cleanup(move || handle.clear());
    }
    let list = ctl.online;
    let contacts = Memo::new(move |_| list.with(|l| l.contacts.clone()));
    view! {
        <ListSection
            heading_id="online-h"
            title="Contacts online"
            count=Signal::derive(move || contacts.with(Vec::len))
            empty="No contacts are on the site."
        >
            <ul class="list">
                    // Keyed by everything a row shows, so a change of presence or tickets
                    // redraws that row.
                    <For
                        each=move || contacts.get()
                        key=|c: &OnlineContact| {
                            (
                                c.contact.id.clone(),
                                c.contact.name.clone(),
                                c.presence,
                                c.open_tickets.iter().map(|t| t.number.clone()).collect::<Vec<_>>(),
                            )
                        }
                        children=move |c: OnlineContact| view! { <OnlineRow c=c /> }
                    />
                </ul>
        </ListSection>
    }
}

#[component]
fn OnlineRow(c: OnlineContact) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let list = ctl.online;
    let id = c.contact.id.clone();
    let name = c.contact.name.clone();
    let select_id = format!("push-ticket-{}", c.visitor_id.0);
    let starting = Memo::new(move |_| list.with(|l| l.starting.is_some()));
    let tickets = (!c.open_tickets.is_empty()).then(|| {
        let options = c
            .open_tickets
            .iter()
            .map(|t| {
                let number = t.number.clone();
                let selected = {
                    let (id, number) = (id.clone(), number.clone());
                    move || list.with(|l| l.picked(&id) == Some(number.as_str()))
                };
                view! {
                    <option value=number selected=selected>
                        {format!("{} · {}", t.number, t.subject)}
                    </option>
                }
            })
            .collect_view();
        let (pick_id, none_id) = (id.clone(), id.clone());
        view! {
            <label for=select_id.clone() class="sr-only">{format!("Ticket for {name}")}</label>
            <select
                id=select_id
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    list.update(|l| l.pick(&pick_id, Some(value)));
                }
            >
                <option value="" selected=move || list.with(|l| l.picked(&none_id).is_none())>
                    "No ticket"
                </option>
                {options}
            </select>
        }
    });
    let start = id.clone();
    view! {
        <li class="request contact-online">
            <div class="who">
                <strong>{name.clone()}</strong>
                <PresenceBadge presence=c.presence />
            </div>
            <p class="preview">{c.company_name.clone()}</p>
            {tickets}
            <button
                type="button"
                class="primary small"
                aria-label=format!("Start chat with {name}")
                disabled=move || starting.get()
                on:click=move |_| spawn_local(ctl.start_chat(start.clone()))
            >
                "Start chat"
            </button>
        </li>
    }
}
