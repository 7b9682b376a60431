//! Who the visitor in a chat is, and the ticket actions an agent takes there: the visitor's
//! card (`GET /api/agent/visitors/{id}`: a verified contact's e-mail, company and open tickets,
//! or just a name), linking the chat to one of those tickets, and making a new ticket from it.
//! Cards are fetched once per visitor and kept for the console's lifetime, in [`Cards`].

use std::collections::HashMap;

use leptos::prelude::*;
use protocol::helpdesk::{CreateTicketRequest, LinkTicketRequest, Ticket, VisitorCard};
use protocol::{ConversationId, VisitorId};

use crate::Ctl;
use livechat_client::client_id::client_id;
use livechat_client::rest::{self, ApiError};

/// Visitors' cards, by visitor: `None` while one is being fetched.
#[derive(Clone, Copy)]
pub struct Cards(pub RwSignal<HashMap<VisitorId, Option<VisitorCard>>>);

impl Cards {
    pub fn new() -> Self {
        Cards(RwSignal::new(HashMap::new()))
    }
}

impl Default for Cards {
    fn default() -> Self {
        Self::new()
    }
}

impl Ctl {
    /// The card of `visitor`, fetching it the first time it is asked for.
    pub fn card(self, visitor: VisitorId) -> Option<VisitorCard> {
        let known = self.cards.0.with(|c| c.get(&visitor).cloned());
        match known {
            Some(card) => card,
            None => {
                self.cards.0.update(|c| {
                    c.insert(visitor, None);
                });
                leptos::task::spawn_local(self.load_card(visitor));
                None
            }
        }
    }

    /// Fetch (again) the card of `visitor`, e.g. after a ticket was made for them.
    pub async fn load_card(self, visitor: VisitorId) {
        let Some(token) = self.token() else { return };
        let url = self.url(&format!("/api/agent/visitors/{}", visitor.0));
        if let Ok(card) = rest::get_json::<VisitorCard>(&url, &token).await {
            self.cards.0.update(|c| {
                c.insert(visitor, Some(card));
            });
        }
    }

    /// Link conversation `id` to ticket `number` (`None`: unlink). Everyone in the chat sees
    /// the change arrive as `ticket_linked`; a refusal shows in the alert.
    pub async fn link_ticket(self, id: ConversationId, number: Option<String>) {
        let Some(token) = self.token() else { return };
        let url = self.url(&format!("/api/conversations/{}/ticket", id.0));
        let body = LinkTicketRequest { ticket: number };
        if let Err(e) = rest::put_json(&url, &body, &token).await {
            self.ticket_failed(e);
        }
    }

    /// Save my closing note of an ended chat (empty: none). `false` when it was refused.
    pub async fn save_closing_note(self, id: ConversationId, note: String) -> bool {
        let Some(token) = self.token() else {
            return false;
        };
        let url = self.url(&format!("/api/conversations/{}/closing-note", id.0));
        rest::put_json(&url, &protocol::search::ClosingNote { note }, &token)
            .await
            .is_ok()
    }

    /// Make a ticket from conversation `id` for its contact, and link the chat to it.
    pub async fn create_ticket(self, id: ConversationId, visitor: VisitorId, subject: String) {
        let Some(token) = self.token() else { return };
        let url = self.url(&format!("/api/conversations/{}/tickets", id.0));
        let body = CreateTicketRequest {
            subject,
            client_key: client_id(),
        };
        match rest::post_json::<_, Ticket>(&url, &body, Some(&token)).await {
            Ok(_) => self.load_card(visitor).await,
            Err(e) => self.ticket_failed(e),
        }
    }

    fn ticket_failed(self, e: ApiError) {
        let text = match e {
            ApiError::Server { status: 409 } => "This chat has ended.",
            ApiError::Server { status: 404 } => {
                "That ticket is not one of this customer's open tickets."
            }
            ApiError::Server { status: 400 } => "Give the ticket a subject.",
            ApiError::Server { .. } => "The ticket could not be changed. Please try again.",
            ApiError::Network => "Could not reach the server. Please try again.",
        };
        self.store.desk.update(|d| d.show_alert(text));
    }
}
