//! The agents' side of routing and working together: sections (queues) and who is in them
//! (`/api/admin/sections`), invitations into a live chat
//! (`/api/agent/conversations/{id}/invitations`,
//! [`crate::ServerMsg::Invitation`]), and the abandoned requests an agent follows up on
//! (`GET /api/agent/abandoned`). Plain serde derive: only the console and the server use these,
//! so none of it is in a visitor's bundle.

use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, ConversationId, Millis, Seq};
use crate::model::Participant;

/// Longest section name, in characters.
pub const MAX_SECTION_NAME_CHARS: usize = 80;

/// A section (queue): the agents who answer one kind of request. While no section exists every
/// agent answers every request; once one does, a request goes to the online members of the
/// sections eligible for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: i64,
    pub name: String,
    /// Live chat from anonymous visitors is routed here.
    pub anonymous_chat: bool,
    /// Live chat from verified portal contacts is routed here.
    pub contact_chat: bool,
    /// Its agents, by id.
    pub members: Vec<AgentId>,
}

/// `POST /api/admin/sections` and `PUT /api/admin/sections/{id}`: the whole section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionInput {
    pub name: String,
    #[serde(default = "yes")]
    pub anonymous_chat: bool,
    #[serde(default = "yes")]
    pub contact_chat: bool,
    #[serde(default)]
    pub members: Vec<AgentId>,
}

fn yes() -> bool {
    true
}

/// `GET /api/admin/sections` (admins) and `GET /api/agent/sections` (every agent: to invite
/// "any available agent of section X"): every section, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionList {
    pub sections: Vec<Section>,
}

/// Whom an invitation asks: one named agent, or any available agent of a section (the first
/// to accept joins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Invitee {
    Agent(AgentId),
    Section(i64),
}

/// `POST /api/agent/conversations/{id}/invitations`: ask a colleague into a live chat the caller
/// takes part in. With `transfer`, the inviter leaves the chat when the invitee joins (in the
/// same transaction: the chat is never without an agent). One invitation per chat is pending at
/// a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    pub invitee: Invitee,
    #[serde(default)]
    pub transfer: bool,
}

/// A pending invitation, as the inviter and the invitees see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: i64,
    pub conversation_id: ConversationId,
    /// The visitor's name, so the invitee knows which chat without opening it.
    pub visitor: String,
    pub from: Participant,
    pub invitee: Invitee,
    /// The invitee's name: the agent's, or the section's.
    pub invitee_name: String,
    pub transfer: bool,
    pub created_at: Millis,
}

/// How an invitation ended ([`crate::ServerMsg::InvitationClosed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationOutcome {
    Accepted,
    Declined,
    /// The inviter withdrew it, left, or the chat ended.
    Cancelled,
}

/// A request nobody answered within the site's wait ([`crate::helpdesk::ChatSettings`]'s
/// `abandon_after_secs`): out of the queue, kept for agents to follow up. The visitor may still
/// write into it (their messages are there when an agent opens it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbandonedChat {
    pub conversation_id: ConversationId,
    pub visitor: Participant,
    /// The visitor's latest message.
    pub last_line: String,
    /// Messages the visitor wrote.
    pub messages: u32,
    pub created_at: Millis,
    pub abandoned_at: Millis,
}

/// `GET /api/agent/abandoned`: the abandoned requests the caller's sections receive, newest
/// first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbandonedList {
    pub chats: Vec<AbandonedChat>,
}

/// Longest team chat title, in characters.
pub const MAX_TEAM_TITLE_CHARS: usize = 80;
/// Most agents in one team chat.
pub const MAX_TEAM_MEMBERS: usize = 50;
/// Team chats an agent's console is sent on connect (the most recently active; the rest come
/// from `GET /api/agent/team-chats`).
pub const MAX_TEAM_CHATS_ON_CONNECT: usize = 30;

/// Agents' own chats: `direct` between two agents (one per pair; started from a colleague's
/// name), or a `group` of any number with a title anyone in it may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TeamChatKind {
    Direct,
    Group,
}

/// A chat among agents, no visitor in it. Its messages are ordinary [`crate::Message`]s under
/// its `id` (the same id space as live chats), sent, synced and typed into with the same
/// frames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamChat {
    pub id: ConversationId,
    pub kind: TeamChatKind,
    /// A group's name (`None`: unnamed, shown as its members' names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Who is in it now, in the order they joined.
    pub members: Vec<Participant>,
    pub created_at: Millis,
    pub last_seq: crate::ids::Seq,
}

/// `POST /api/agent/team-chats`: a chat with these colleagues (the caller is added). One
/// colleague and no title: their direct chat (the existing one if there is one); otherwise a
/// new group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTeamChat {
    pub members: Vec<AgentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// `PUT /api/agent/team-chats/{id}` (groups): a new title (empty: none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenameTeamChat {
    pub title: String,
}

/// `POST /api/agent/team-chats/{id}/members` (groups): colleagues to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddTeamMembers {
    pub members: Vec<AgentId>,
}

/// Most choices one offer carries.
pub const MAX_OFFER_OPTIONS: usize = 6;
/// Longest choice, in characters.
pub const MAX_OFFER_OPTION_CHARS: usize = 60;

/// `POST /api/agent/conversations/{id}/offer`: a message with choices the visitor answers by
/// clicking one (it comes back as their reply). Idempotent by `client_id`, like `send`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfferRequest {
    pub client_id: String,
    pub body: String,
    pub options: Vec<String>,
}

/// `POST /api/conversations/{id}/answer`: the visitor picks one of the choices offered with
/// message `seq`; it is stored as their reply (its text as the body), exactly as if typed.
/// Idempotent by `client_id`, like `send`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub client_id: String,
    /// The offering message's `seq` in this conversation.
    pub seq: Seq,
    /// One of its choices, exactly as offered.
    pub choice: String,
}

/// A section a visitor may pick in the widget (`Availability::sections`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionChoice {
    pub id: i64,
    pub name: String,
}

/// `PUT /api/visitor/section`: the section the visitor's next request goes to (one of
/// `Availability::sections`), or `None` to let the site decide again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionPick {
    pub section: Option<i64>,
}
