//! Contact presence and agent-started chats: whether a portal contact is on the site now
//! ([`Presence`]), what their widget reports ([`PresenceReport`]), the list agents see
//! ([`OnlineContacts`]) and an agent starting a chat with one of them ([`PushChatRequest`]).
//!
//! Presence is decided by the server from the contact's open sockets (one per portal tab) and
//! the widget's away reports; nothing here is stored. Plain serde derive: none of this is in
//! the anonymous visitor's bundle (only the contact build sends a report).

use serde::{Deserialize, Serialize};

use crate::helpdesk::{Contact, Ticket};
use crate::ids::VisitorId;

/// Whether a contact is on the site now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// At least one of their portal tabs is open and was used in the last 5 minutes.
    Online,
    /// Tabs are open, but none was used for 5 minutes.
    Away,
    /// No tab is open (the default: what an agent is told about anyone not connected).
    #[default]
    Offline,
}

impl Presence {
    /// Online or away: someone an agent can start a chat with.
    pub fn is_present(self) -> bool {
        !matches!(self, Presence::Offline)
    }

    /// As agents read it.
    pub fn label(self) -> &'static str {
        match self {
            Presence::Online => "Online",
            Presence::Away => "Away",
            Presence::Offline => "Offline",
        }
    }
}

/// `POST /api/contact/presence` (a contact's visitor token): the widget's tab went quiet for
/// 5 minutes (`away: true`) or was used again (`away: false`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresenceReport {
    pub away: bool,
}

/// A contact who is online or away, as `GET /api/agent/contacts/online` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineContact {
    /// The visitor id they chat as (the same on every device).
    pub visitor_id: VisitorId,
    pub contact: Contact,
    /// Their company's name, for display.
    pub company_name: String,
    pub presence: Presence,
    /// Their open tickets, newest first: what a chat started with them may be about.
    #[serde(default)]
    pub open_tickets: Vec<Ticket>,
}

/// `GET /api/agent/contacts/online`: online contacts first, then away ones, each by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineContacts {
    pub contacts: Vec<OnlineContact>,
}

/// `POST /api/agent/push-chat`: start a chat with contact `contact_id` (the helpdesk's id),
/// about their open ticket `ticket` when given. Their widget opens with the agent in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushChatRequest {
    pub contact_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
}

/// An agent's status, as they choose it in the console (or the console sets `Away` after a
/// while without activity), and as colleagues see it. Only `Online` agents are offered
/// requests. With no console open an agent is `Offline`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentStatus {
    Online,
    Away,
    Busy,
    #[default]
    Offline,
}

impl AgentStatus {
    /// As colleagues read it beside the coloured dot.
    pub fn label(self) -> &'static str {
        match self {
            AgentStatus::Online => "Online",
            AgentStatus::Away => "Away",
            AgentStatus::Busy => "Busy",
            AgentStatus::Offline => "Offline",
        }
    }

    /// Which of several tabs' statuses shows: the most available one.
    pub fn rank(self) -> u8 {
        match self {
            AgentStatus::Online => 3,
            AgentStatus::Busy => 2,
            AgentStatus::Away => 1,
            AgentStatus::Offline => 0,
        }
    }
}

/// One agent's status, as `team` and `agent_status` frames carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPresence {
    pub agent: crate::model::Participant,
    pub status: AgentStatus,
}
