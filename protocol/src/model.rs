//! The data both sides share: participants, conversations, messages and waiting requests.
//!
//! Plain data with serde shapes; frames ([`crate::ClientMsg`], [`crate::ServerMsg`]) carry these.

use serde::{Deserialize, Serialize};

use crate::ids::{ConversationId, MessageId, Millis, Principal, Role, Seq};

/// The authenticated caller, as the server sees them. The same shape as a [`Participant`] (and
/// one type, so the widget carries one decoder for both and uses `me` as an author directly).
pub type Identity = Participant;

/// Someone taking part in a conversation, as shown to others.
///
/// On the wire: `{"role": …, "id": …, "name": …}`; in Rust the role and id are one typed
/// [`Principal`], so a visitor's id can never be mistaken for an agent's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub principal: Principal,
    pub name: String,
}

impl Participant {
    pub fn new(principal: Principal, name: impl Into<String>) -> Self {
        Participant {
            principal,
            name: name.into(),
        }
    }

    pub fn role(&self) -> Role {
        self.principal.role()
    }
}

/// The wire shape of a [`Participant`]: role and id as two members.
mod participant_wire {
    use crate::ids::Role;

    wire_objects! {
        pub struct Wire {
            pub role: Role,
            pub id: i64,
            pub name: String,
        }
    }

    #[derive(serde::Serialize)]
    pub struct WireRef<'a> {
        pub role: Role,
        pub id: i64,
        pub name: &'a str,
    }
}

impl Serialize for Participant {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        participant_wire::WireRef {
            role: self.principal.role(),
            id: self.principal.raw(),
            name: &self.name,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Participant {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let w = participant_wire::Wire::deserialize(deserializer)?;
        Ok(Participant {
            principal: Principal::from_parts(w.role, w.id),
            name: w.name,
        })
    }
}

wire_names! {
    pub enum ConversationStatus {
        /// In the queue, no agent yet.
        Waiting,
        /// At least one agent accepted.
        Active,
        /// Closed; nobody can send any more.
        Ended,
    }
}

wire_objects! {
    pub struct Conversation {
        pub id: ConversationId,
        pub status: ConversationStatus,
        pub visitor: Participant,
        /// Agents who joined, in the order they joined.
        pub agents: Vec<Participant>,
        pub created_at: Millis,
        /// Highest `seq` stored so far (0 for none).
        pub last_seq: Seq,
    }
}

wire_names! {
    pub enum MessageKind {
        /// Written by a person.
        Text,
        /// Written by the server about the conversation ("Ada joined", "Chat ended").
        System,
    }
}

wire_objects! {
    pub struct Message {
        pub id: MessageId,
        pub conversation_id: ConversationId,
        pub seq: Seq,
        pub kind: MessageKind,
        /// `None` for system messages.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub author: Option<Participant>,
        /// Plain text. Clients render it as text, never as HTML.
        pub body: String,
        /// The sender's idempotency key, echoed so the sender's other tabs can de-duplicate.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub client_id: Option<String>,
        pub sent_at: Millis,
        /// Choices an agent offers with this message (`POST
        /// /api/agent/conversations/{id}/offer`), for the visitor to answer with one (`POST
        /// /api/conversations/{id}/answer`). Omitted when empty. (The visitor widget's own
        /// reader keeps only whether there are any; its on-demand panel reads them.)
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub options: Vec<String>,
    }
}

/// A private note: what agents of a conversation say among themselves inside it. Kept apart
/// from its messages (its own table, its own frames), so no path that serves a visitor can
/// carry one. Agents-only frames carry it, so it is plain serde (not in the visitor's bundle).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PrivateNote {
    pub id: i64,
    pub conversation_id: ConversationId,
    /// The conversation's `last_seq` when it was written: it shows after that message.
    pub after_seq: Seq,
    pub author: Participant,
    pub body: String,
    /// The author's idempotency key, so their other tabs can de-duplicate.
    pub client_id: String,
    pub sent_at: Millis,
}

wire_objects! {
    /// A waiting chat as agents see it in the queue.
    pub struct ChatRequest {
        pub conversation_id: ConversationId,
        pub visitor: Participant,
        /// The visitor's first message, so agents can triage without opening the chat.
        pub preview: String,
        pub created_at: Millis,
    }
}

impl Conversation {
    /// Everyone taking part: the visitor, then the agents in join order.
    pub fn members(&self) -> impl Iterator<Item = Principal> + '_ {
        std::iter::once(self.visitor.principal).chain(self.agents.iter().map(|a| a.principal))
    }
}
