//! Contacts on the site, as agents work with them: the "Contacts online" list
//! (`GET /api/agent/contacts/online`, refreshed every 30 s while signed in), the ticket picked
//! for each, and starting a chat with one (`POST /api/agent/push-chat`; the server then sends
//! this console `accepted`, which opens the chat like an accept). Each refresh also brings the
//! presence on the visitors' cards up to date. Polled rather than pushed, like callbacks: a
//! push frame would cost the anonymous visitor's bundle bytes.
//!
//! [`OnlineList`] holds the panel's rules as plain data (tested in `tests.rs`); [`Ctl`]'s
//! methods here are the calls.

use std::collections::HashMap;

use leptos::prelude::*;
use protocol::helpdesk::VisitorCard;
use protocol::presence::{OnlineContact, OnlineContacts, PushChatRequest};
use protocol::{Conversation, Presence, VisitorId};

use crate::Ctl;
use livechat_client::rest::{self, ApiError};

/// How often the list is fetched again.
pub const REFRESH_SECS: u64 = 30;

/// The "Contacts online" panel's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OnlineList {
    /// As the server listed them: online first, then away, by name.
    pub contacts: Vec<OnlineContact>,
    /// The ticket picked for each contact (by contact id); none picked: no ticket.
    picked: HashMap<String, String>,
    /// The contact a chat is being started with: their button waits for the answer.
    pub starting: Option<String>,
}

impl OnlineList {
    /// A fresh list from the server. A pick stays while its contact is listed and the ticket
    /// is still one of their open ones; otherwise it is forgotten (closed since, or gone).
    pub fn replace(&mut self, contacts: Vec<OnlineContact>) {
        self.picked.retain(|id, number| {
            contacts
                .iter()
                .any(|c| c.contact.id == *id && c.open_tickets.iter().any(|t| t.number == *number))
        });
        self.contacts = contacts;
    }

    /// Pick `ticket` (`None`: no ticket) for contact `contact`.
    pub fn pick(&mut self, contact: &str, ticket: Option<String>) {
        match ticket.filter(|t| !t.is_empty()) {
            Some(t) => self.picked.insert(contact.to_owned(), t),
            None => self.picked.remove(contact),
        };
    }

    /// The ticket picked for `contact`.
    pub fn picked(&self, contact: &str) -> Option<&str> {
        self.picked.get(contact).map(String::as_str)
    }

    /// The request that starts a chat with `contact`, which is now starting; `None` while
    /// another start is waiting for its answer (one at a time: a double click starts one chat).
    pub fn start(&mut self, contact: &str) -> Option<PushChatRequest> {
        if self.starting.is_some() {
            return None;
        }
        self.starting = Some(contact.to_owned());
        Some(PushChatRequest {
            contact_id: contact.to_owned(),
            ticket: self.picked(contact).map(str::to_owned),
        })
    }

    /// The start got its answer; a chat started forgets the pick.
    pub fn finished(&mut self, started: bool) {
        if let Some(contact) = self.starting.take()
            && started
        {
            self.picked.remove(&contact);
        }
    }

    /// The name of contact `contact`, as listed.
    pub fn name(&self, contact: &str) -> String {
        self.contacts
            .iter()
            .find(|c| c.contact.id == contact)
            .map(|c| c.contact.name.clone())
            .unwrap_or_else(|| "This contact".to_owned())
    }
}

/// Bring the presence on known contacts' cards up to date from the online list: listed ones
/// take its presence, unlisted ones are offline. Anonymous visitors are never listed, so
/// their cards keep the presence they were fetched with.
pub fn refresh_presence(
    cards: &mut HashMap<VisitorId, Option<VisitorCard>>,
    list: &[OnlineContact],
) {
    for (visitor, card) in cards.iter_mut() {
        if let Some(card) = card.as_mut().filter(|c| c.contact.is_some()) {
            card.presence = list
                .iter()
                .find(|c| c.visitor_id == *visitor)
                .map_or(Presence::Offline, |c| c.presence);
        }
    }
}

/// What the alert says when a chat could not be started with `name`.
pub fn start_failed_text(e: &ApiError, name: &str) -> String {
    match e {
        ApiError::Server { status: 409 } => {
            format!("{name} has left the site or already has an open chat.")
        }
        ApiError::Server { status: 403 } => format!("Chat is switched off for {name}."),
        ApiError::Server { status: 400 } => {
            format!("That ticket is no longer one of {name}'s open tickets.")
        }
        ApiError::Server { status: 404 } => format!("{name} is no longer a contact."),
        ApiError::Server { .. } => {
            format!("The chat with {name} could not be started. Please try again.")
        }
        ApiError::Network => "Could not reach the server. Please try again.".to_owned(),
    }
}

impl Ctl {
    /// Fetch the contacts online now, and refresh the presence on their cards.
    pub async fn load_online(self) {
        let Some(token) = self.token() else { return };
        let url = self.url("/api/agent/contacts/online");
        if let Ok(list) = rest::get_json::<OnlineContacts>(&url, &token).await {
            self.cards
                .0
                .update(|cards| refresh_presence(cards, &list.contacts));
            self.online.update(|l| l.replace(list.contacts));
        }
    }

    /// Start a chat with contact `contact` (about the ticket picked for them). The chat opens
    /// when the server's `accepted` arrives; a refusal shows in the alert and the list is
    /// fetched again (they may have left).
    pub async fn start_chat(self, contact: String) {
        let Some(token) = self.token() else { return };
        let Some(body) = self.online.try_update(|l| l.start(&contact)).flatten() else {
            return;
        };
        let url = self.url("/api/agent/push-chat");
        let answer = rest::post_json::<_, Conversation>(&url, &body, Some(&token)).await;
        self.online.update(|l| l.finished(answer.is_ok()));
        if let Err(e) = answer {
            let name = self.online.with_untracked(|l| l.name(&contact));
            let text = start_failed_text(&e, &name);
            self.store.desk.update(|d| d.show_alert(text));
            self.load_online().await;
        }
    }
}
