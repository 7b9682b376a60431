//! What outgoing webhooks deliver: one JSON object per event, `event` naming it.
//!
//! Each delivery is an HTTP `POST` of one [`WebhookEvent`] to the URL an admin configured, with
//! `X-Livechat-Event` (the event's name), `X-Livechat-Delivery` (the same id on every retry, for
//! the receiver to drop duplicates) and `X-Livechat-Signature: t=<unix seconds>,v1=<hex>`, where
//! `<hex>` is HMAC-SHA256 with the webhook secret over `<t>.<body>`. A receiver checks the
//! signature in constant time and refuses old timestamps; the README shows how.

use serde::{Deserialize, Serialize};

use crate::helpdesk::{Callback, Ticket};
use crate::ids::{ConversationId, Millis};
use crate::model::Participant;

/// `GET`/`PUT /api/admin/webhook`: where events go. The secret is write-only: reading answers
/// `secret_set` instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// `http://` or `https://`; `None` switches webhooks off.
    #[serde(default)]
    pub url: Option<String>,
    /// At least 32 bytes; `None` keeps the one already set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// Reading only: a secret is set.
    #[serde(default)]
    pub secret_set: bool,
}

/// One event, as delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event")]
pub enum WebhookEvent {
    /// A visitor's first message opened a chat request.
    #[serde(rename = "chat.started")]
    ChatStarted {
        conversation_id: ConversationId,
        visitor: Participant,
        /// The helpdesk's id of the verified contact, when the visitor is one.
        #[serde(default)]
        contact: Option<String>,
        first_message: String,
        at: Millis,
    },
    /// An agent ended a chat.
    #[serde(rename = "chat.ended")]
    ChatEnded {
        conversation_id: ConversationId,
        /// The agent who ended it.
        ended_by: String,
        /// The ticket it was about (its transcript is on it already, in the built-in store).
        #[serde(default)]
        ticket: Option<String>,
        transcript: String,
        at: Millis,
    },
    /// A visitor nobody could answer asked to be called back.
    #[serde(rename = "callback.requested")]
    CallbackRequested { callback: Callback, at: Millis },
    /// A ticket was made from a chat (an agent's, or a contact's pre-ticket chat).
    #[serde(rename = "ticket.created")]
    TicketCreated {
        ticket: Ticket,
        conversation_id: ConversationId,
        at: Millis,
    },
}

impl WebhookEvent {
    /// The event's name, as in `event` and `X-Livechat-Event`.
    pub fn name(&self) -> &'static str {
        match self {
            WebhookEvent::ChatStarted { .. } => "chat.started",
            WebhookEvent::ChatEnded { .. } => "chat.ended",
            WebhookEvent::TicketCreated { .. } => "ticket.created",
            WebhookEvent::CallbackRequested { .. } => "callback.requested",
        }
    }
}
