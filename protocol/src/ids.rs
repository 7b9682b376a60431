//! Typed ids and who someone is.
//!
//! Every server-assigned id is its own type, so an agent id can never be passed where a
//! conversation id belongs; on the wire each is a bare JSON number (`#[serde(transparent)]`),
//! so the format is unchanged. [`Principal`] names a person across roles: the hub routes frames
//! to principals and the policy decides by them. Portal contacts and admins become variants
//! here when they arrive.

use serde::{Deserialize, Serialize};

/// Per-conversation sequence number: 1, 2, 3, ... in the order the server stored them.
pub type Seq = i64;
/// Milliseconds since the Unix epoch, as the server's clock saw it.
pub type Millis = i64;

wire_names! {
    /// The kind of person behind a [`Principal`], as the wire writes it (`"visitor"`, `"agent"`).
    pub enum Role {
        Visitor,
        Agent,
    }
}

macro_rules! id_types {
    ($( $(#[$meta:meta])* $name:ident ),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }
    )*};
}

id_types! {
    /// Server-assigned conversation id.
    ConversationId,
    /// Server-assigned message id, unique across conversations.
    MessageId,
    /// An agent account.
    AgentId,
    /// An anonymous visitor (one per widget session).
    VisitorId,
    /// A signed-in session (one per login), as its holder lists and ends them; never a
    /// credential by itself.
    SessionId,
}

/// Who someone is, whatever their role: the key frames are routed by and permissions are
/// decided on. On the wire it is the `role` and `id` members of a [`crate::Participant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Principal {
    Visitor(VisitorId),
    Agent(AgentId),
}

impl Principal {
    pub fn role(self) -> Role {
        match self {
            Principal::Visitor(_) => Role::Visitor,
            Principal::Agent(_) => Role::Agent,
        }
    }

    /// The agent behind this principal, if it is one.
    pub fn agent(self) -> Option<AgentId> {
        match self {
            Principal::Agent(id) => Some(id),
            Principal::Visitor(_) => None,
        }
    }

    /// The visitor behind this principal, if it is one.
    pub fn visitor(self) -> Option<VisitorId> {
        match self {
            Principal::Visitor(id) => Some(id),
            Principal::Agent(_) => None,
        }
    }

    /// The id as the wire and the database write it (its meaning depends on the role).
    pub fn raw(self) -> i64 {
        match self {
            Principal::Visitor(VisitorId(id)) | Principal::Agent(AgentId(id)) => id,
        }
    }

    /// The principal a `role` and raw id name, as read from the wire or a database row.
    pub fn from_parts(role: Role, id: i64) -> Self {
        match role {
            Role::Visitor => Principal::Visitor(VisitorId(id)),
            Role::Agent => Principal::Agent(AgentId(id)),
        }
    }
}
