//! Persistence: the [`Store`] traits and the async handle [`Db`] the rest of the server uses.
//!
//! Owns the shape of every durable operation (one method = one transaction) and what it returns
//! to the hub, grouped by area ([`IdentityStore`], [`CredentialStore`], [`ConversationStore`],
//! [`MessageStore`], [`HelpdeskStore`], [`WebhookStore`]; [`Store`] is all of them). It does not decide who may do what: each method
//! loads the facts and asks [`crate::policy`] inside its transaction, so the check and the write
//! cannot be separated. Backends are blocking (rusqlite); [`Db::call`] moves them onto tokio's
//! blocking pool. Each backend is a folder beside `sqlite/` with one file per area, and must
//! pass the contract suite in `contract.rs`.

#[cfg(test)]
mod contract;
pub mod sqlite;

use std::sync::Arc;

use protocol::agents::{AgentRecord, AgentUpdate};
use protocol::canned::{CannedInput, CannedReply};
use protocol::helpdesk::{
    AuditEntry, Callback, CallbackRequest, ChatSettings, Company, CompanyInput, Contact,
    ContactInput, NoteInput, OfficeHours, PastConversation, Ticket, TicketDetail, TicketInput,
    TicketNote, TicketRef, VisitorCard,
};
use protocol::search::{ArchivedChat, HistoryQuery, HistoryResults};
use protocol::webhooks::WebhookSettings;
use protocol::workspace::{
    AbandonedChat, Invitation, InvitationOutcome, InviteRequest, NewTeamChat, Section,
    SectionInput, TeamChat,
};
use protocol::{
    AgentId, ChatRequest, Conversation, ConversationId, Identity, Message, Millis, Participant,
    Principal, PrivateNote, Seq, SessionId, VisitorId,
};

use crate::credentials::TokenHash;
use crate::policy::Denied;

pub use sqlite::SqliteStore;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The policy refused; the caller maps this to a stable error code.
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("data directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("blocking task failed: {0}")]
    Blocking(String),
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The request names something that does not exist or breaks a rule of the data (a
    /// contact in an unknown company); the caller answers `invalid_input` with this text.
    #[error("{0}")]
    Invalid(String),
}

/// A client's `send`, to append. `body`, `client_id` and `options` are already validated.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    pub client_id: String,
    /// `None`: (visitors only) "my open conversation, or a new request".
    pub conversation_id: Option<ConversationId>,
    pub body: String,
    /// Choices offered with it (agents only, over REST).
    pub options: Vec<String>,
}

/// A conversation of either kind: a live chat with a visitor, or agents' own chat. Both hold
/// messages the same way; who is in them differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chat {
    Live(Conversation),
    Team(TeamChat),
}

impl Chat {
    pub fn id(&self) -> ConversationId {
        match self {
            Chat::Live(c) => c.id,
            Chat::Team(t) => t.id,
        }
    }

    /// What the policy decides on.
    pub fn facts(&self) -> Option<crate::policy::ConversationFacts> {
        match self {
            Chat::Live(c) => crate::policy::ConversationFacts::of(c),
            Chat::Team(t) => Some(crate::policy::ConversationFacts::of_team(t)),
        }
    }

    /// Everyone in it: a live chat's visitor and agents, a team chat's members.
    pub fn members(&self) -> Vec<Principal> {
        match self {
            Chat::Live(c) => c.members().collect(),
            Chat::Team(t) => t.members.iter().map(|m| m.principal).collect(),
        }
    }
}

/// What appending a message did.
#[derive(Debug, Clone)]
pub enum AppendOutcome {
    /// Newly stored. `conversation` is its state after the insert; `created` is true when this
    /// message opened a new waiting conversation.
    Stored {
        message: Message,
        conversation: Chat,
        created: bool,
    },
    /// The author already sent this `client_id`: here is the stored message, nothing changed.
    Duplicate { message: Message },
}

/// A won `accept`.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub conversation: Conversation,
    pub agent: protocol::Participant,
    /// "<Agent> joined the chat".
    pub system_message: Message,
    /// The first page of the conversation's messages (the system message included when it
    /// fits in the page).
    pub history: MessagePage,
}

/// At most a page of a conversation's messages (see [`MessageStore::messages_page`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePage {
    /// In `seq` order.
    pub messages: Vec<Message>,
    /// Messages after the last one here exist.
    pub more: bool,
    /// The conversation's highest `seq` (0 for none), to tell an honourable cursor from one
    /// beyond the end.
    pub last_seq: Seq,
}

/// An `end`.
#[derive(Debug, Clone)]
pub struct Ended {
    pub conversation: Conversation,
    /// "<Name> ended the chat".
    pub system_message: Message,
    /// It was still a waiting request (a visitor gave up): the queue loses it.
    pub was_waiting: bool,
    /// The invitation into it that was pending, withdrawn.
    pub cancelled: Option<ClosedInvitation>,
}

/// A credential to store: whom it stands for, when it was issued and until when it holds.
#[derive(Debug, Clone)]
pub struct NewCredential {
    pub holder: Principal,
    /// The `User-Agent` that signed in, already cut to a bound (see `sessions.rs`).
    pub device: String,
    pub now: Millis,
    pub expires_at: Millis,
}

/// A live credential as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRecord {
    pub me: Identity,
    pub session: SessionRecord,
    /// An agent with the admin role.
    pub admin: bool,
}

/// A session's public facts (never its digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: SessionId,
    pub created_at: Millis,
    pub last_used_at: Millis,
    pub expires_at: Millis,
    pub device: String,
}

/// Who exists: agent accounts and anonymous visitors.
pub trait IdentityStore {
    fn agent_count(&self) -> Result<i64, StoreError>;
    /// Fails on a duplicate e-mail. Stores the name as [`display_name`] makes it.
    fn create_agent(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        section: &str,
    ) -> Result<Identity, StoreError>;
    /// The agent with this (normalised) e-mail and their argon2 PHC string.
    fn agent_password_hash(&self, email: &str) -> Result<Option<(Identity, String)>, StoreError>;
    /// Give agent `id` the admin role, or take it away.
    fn set_admin(&self, id: AgentId, admin: bool) -> Result<(), StoreError>;
    /// The argon2 PHC string of agent `id`.
    fn agent_password_hash_of(&self, id: AgentId) -> Result<Option<String>, StoreError>;
    /// In one transaction: set agent `id`'s password hash, delete every session of theirs and
    /// store `replacement` (the session of the device that changed it). Returns the ended
    /// sessions' digests, so their sockets can be closed.
    fn replace_agent_password(
        &self,
        id: AgentId,
        password_hash: &str,
        replacement: (&TokenHash, &NewCredential),
    ) -> Result<Vec<TokenHash>, StoreError>;
    /// Stores the name as [`display_name`] makes it.
    fn create_visitor(&self, name: &str) -> Result<Identity, StoreError>;
}

/// Agent accounts as admins manage them (`/api/admin/agents`). Every write is audited; none
/// may leave the organisation without an active admin ([`StoreError::Invalid`]).
pub trait AgentAdminStore {
    /// Every account: active ones first, then by name.
    fn agents(&self) -> Result<Vec<AgentRecord>, StoreError>;
    /// [`StoreError::Invalid`] when the (normalised) e-mail is taken.
    fn add_agent(
        &self,
        actor: Actor,
        email: &str,
        name: &str,
        password_hash: &str,
        is_admin: bool,
    ) -> Result<AgentRecord, StoreError>;
    /// Apply `update`; deactivating deletes every session of the agent, whose digests come
    /// back so their sockets can be closed. `None` for an unknown agent.
    fn update_agent(
        &self,
        actor: Actor,
        id: AgentId,
        update: &AgentUpdate,
    ) -> Result<Option<(AgentRecord, Vec<TokenHash>)>, StoreError>;
    /// Set a new password and end every session (digests returned). `None` for an unknown
    /// agent.
    fn reset_agent_password(
        &self,
        actor: Actor,
        id: AgentId,
        password_hash: &str,
    ) -> Result<Option<Vec<TokenHash>>, StoreError>;
}

/// Canned replies: shared ones and each agent's own. Who may change which is decided here
/// (shared: admins; personal: their owner), shortcuts are unique among what one agent sees,
/// and an agent has at most one automatic greeting.
pub trait CannedStore {
    /// The shared replies and `agent`'s own, by kind, then title.
    fn canned_for(&self, agent: AgentId) -> Result<Vec<CannedReply>, StoreError>;
    /// `admin`: whether `agent` may write shared replies.
    fn add_canned(
        &self,
        agent: AgentId,
        admin: bool,
        input: &CannedInput,
    ) -> Result<CannedReply, StoreError>;
    /// `None` when there is no such reply `agent` may see.
    fn update_canned(
        &self,
        agent: AgentId,
        admin: bool,
        id: i64,
        input: &CannedInput,
    ) -> Result<Option<CannedReply>, StoreError>;
    /// `false` when there is no such reply `agent` may see.
    fn delete_canned(&self, agent: AgentId, admin: bool, id: i64) -> Result<bool, StoreError>;
    /// `agent`'s automatic greeting, if they set one.
    fn auto_greeting(&self, agent: AgentId) -> Result<Option<String>, StoreError>;
}

/// Searching the organisation's record of ended conversations (agents only; the caller
/// checks the role).
pub trait SearchStore {
    /// One page of ended conversations matching `query`: best text match first (the
    /// database's full-text ranking), else most recently ended.
    fn search_history(&self, query: &HistoryQuery) -> Result<HistoryResults, StoreError>;
    /// An ended conversation's messages and private notes, for any agent (the record);
    /// `None` when there is no such ended conversation.
    fn archived(&self, conversation: ConversationId) -> Result<Option<ArchivedChat>, StoreError>;
    /// Set the closing note of an ended chat, by the agent who ended it (`NotYours` for anyone
    /// else; `NotFound` when it is not an ended chat). Empty: none.
    fn set_closing_note(
        &self,
        agent: AgentId,
        conversation: ConversationId,
        note: &str,
    ) -> Result<(), StoreError>;
}

/// Credentials: digests of issued bearer tokens, whom they stand for and until when (the
/// `sessions` table). Expiry is decided by the `now` the caller passes, so the contract suite
/// can test it without waiting; `sessions.rs` decides the lifetimes.
pub trait CredentialStore {
    fn create_credential(
        &self,
        token: &TokenHash,
        new: &NewCredential,
    ) -> Result<SessionId, StoreError>;
    fn delete_credential(&self, token: &TokenHash) -> Result<(), StoreError>;
    /// Who holds the credential; `None` for unknown, revoked or (at `now`) expired ones.
    fn credential_holder(
        &self,
        token: &TokenHash,
        now: Millis,
    ) -> Result<Option<CredentialRecord>, StoreError>;
    /// Record that each credential was used at `now` and move its expiry to the time given
    /// with it. Unknown and already expired credentials are left alone (an expired session
    /// stays ended), all in one transaction.
    fn touch_credentials(
        &self,
        touches: &[(TokenHash, Millis)],
        now: Millis,
    ) -> Result<(), StoreError>;
    /// `holder`'s unexpired sessions with their digests, most recently used first.
    fn sessions_of(
        &self,
        holder: Principal,
        now: Millis,
    ) -> Result<Vec<(TokenHash, SessionRecord)>, StoreError>;
    /// End `holder`'s session `id`: its digest when it existed and was theirs.
    fn delete_session(
        &self,
        holder: Principal,
        id: SessionId,
    ) -> Result<Option<TokenHash>, StoreError>;
    /// End every session of `holder` but `keep`: the digests ended.
    fn delete_sessions_of(
        &self,
        holder: Principal,
        keep: Option<&TokenHash>,
    ) -> Result<Vec<TokenHash>, StoreError>;
    /// Delete the credentials expired at `now`: how many.
    fn delete_expired_credentials(&self, now: Millis) -> Result<usize, StoreError>;
}

/// Who made an admin change, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Agent(AgentId),
    /// The helpdesk's sync job, with `--admin-api-key`.
    ApiKey,
}

impl Actor {
    /// As the audit log writes it.
    pub fn label(self) -> String {
        match self {
            Actor::Agent(id) => format!("agent:{}", id.0),
            Actor::ApiKey => "api-key".to_owned(),
        }
    }
}

/// A contact signing in through their portal, as their signed identity says (validated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactSignIn {
    pub contact: String,
    pub company: String,
    /// Used when the company is new to us; an existing company keeps its name.
    pub company_name: Option<String>,
    pub name: String,
    pub email: String,
}

/// A contact's new session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedInContact {
    /// The visitor identity the contact chats as, the same on every device.
    pub me: Identity,
    pub contact: Contact,
    pub company_name: String,
    /// The anonymous visitor's open conversation that now belongs to the contact.
    pub adopted: Option<ConversationId>,
}

/// The chat settings that apply to one visitor ([`HelpdeskStore::chat_terms`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatTerms {
    pub chat_enabled: bool,
    pub pre_ticket: bool,
    pub unanswered_after_secs: u32,
    /// The sections this visitor may pick from (see `Availability::sections`).
    pub sections: Vec<protocol::workspace::SectionChoice>,
}

/// What linking a chat to a ticket did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketLinkChange {
    pub conversation: Conversation,
    pub ticket: Option<TicketRef>,
    /// "Chat linked to ticket T-1: …" / "Chat no longer linked to a ticket".
    pub system_message: Message,
}

/// The helpdesk beside the chat: companies, contacts, tickets and their notes, chat settings,
/// the audit log. The interface a real helpdesk plugs into (the built-in tables are one
/// implementation; the admin API and webhooks sync another). Every admin write records its
/// actor in the audit log in the same transaction.
pub trait HelpdeskStore {
    fn chat_settings(&self) -> Result<ChatSettings, StoreError>;
    /// Office hours (off until an admin sets them).
    fn office_hours(&self) -> Result<OfficeHours, StoreError>;
    /// Already validated (`office_hours::Schedule::parse`).
    fn put_office_hours(&self, actor: Actor, hours: &OfficeHours) -> Result<(), StoreError>;
    fn put_chat_settings(&self, actor: Actor, settings: ChatSettings) -> Result<(), StoreError>;
    fn put_company(
        &self,
        actor: Actor,
        id: &str,
        input: &CompanyInput,
    ) -> Result<Company, StoreError>;
    /// Every company, by id.
    fn companies(&self) -> Result<Vec<Company>, StoreError>;
    /// Fails with [`StoreError::Invalid`] when the company does not exist.
    fn put_contact(
        &self,
        actor: Actor,
        id: &str,
        input: &ContactInput,
    ) -> Result<Contact, StoreError>;
    /// The contacts of one company, or of all, by id.
    fn contacts(&self, company: Option<&str>) -> Result<Vec<Contact>, StoreError>;
    /// Fails with [`StoreError::Invalid`] when the contact does not exist.
    fn put_ticket(
        &self,
        actor: Actor,
        number: &str,
        input: &TicketInput,
    ) -> Result<Ticket, StoreError>;
    fn ticket(&self, number: &str) -> Result<Option<TicketDetail>, StoreError>;
    /// The tickets whose requester is contact `contact` (a helpdesk id), newest first; none
    /// for an unknown contact.
    fn tickets_of_contact(&self, contact: &str) -> Result<Vec<Ticket>, StoreError>;
    /// `None` when the ticket does not exist.
    fn add_ticket_note(
        &self,
        actor: Actor,
        number: &str,
        note: &NoteInput,
    ) -> Result<Option<TicketNote>, StoreError>;
    /// The newest `limit` entries, newest first.
    fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>, StoreError>;
    /// In one transaction: create or update the contact (and their company when new) from a
    /// verified identity, refuse with [`Denied::ChatDisabled`] when chat is not allowed for
    /// them, find or create the visitor identity they chat as, move `adopt_from`'s open
    /// conversation to it, and store `credential` for it.
    fn sign_in_contact(
        &self,
        who: &ContactSignIn,
        adopt_from: Option<VisitorId>,
        credential: (&TokenHash, &NewCredential),
    ) -> Result<SignedInContact, StoreError>;
    /// The tickets of the contact behind visitor `who`, newest first (none for anonymous
    /// visitors).
    fn tickets_of(&self, who: VisitorId) -> Result<Vec<Ticket>, StoreError>;
    /// The person behind a visitor id, for agents; `None` when there is no such visitor.
    fn visitor_card(&self, who: VisitorId) -> Result<Option<VisitorCard>, StoreError>;
    /// Link `conversation` to the contact's open ticket `ticket` (`None`: unlink), by its
    /// contact or one of its agents, with a system message. A ticket that is not one of the
    /// contact's open tickets is `NotFound`; an anonymous visitor's chat has no tickets.
    fn link_ticket(
        &self,
        who: &Identity,
        conversation: ConversationId,
        ticket: Option<&str>,
    ) -> Result<TicketLinkChange, StoreError>;
    /// Create a ticket for the conversation's contact and link the chat to it (same rules as
    /// [`HelpdeskStore::link_ticket`]). A retry with the same `client_key` returns the ticket
    /// already made and no change.
    fn create_ticket_from_chat(
        &self,
        who: &Identity,
        conversation: ConversationId,
        subject: &str,
        client_key: &str,
    ) -> Result<(Ticket, Option<TicketLinkChange>), StoreError>;
    /// Record a visitor's callback request, with their open conversation (and its ticket).
    /// Allowed outside office hours or once that conversation has waited unanswered for the
    /// configured time ([`Denied::TooEarly`] otherwise), one open request per visitor
    /// ([`Denied::AlreadyRequested`]).
    fn request_callback(
        &self,
        who: &Identity,
        request: &CallbackRequest,
    ) -> Result<Callback, StoreError>;
    /// Open requests oldest first, or done ones newest first (at most 200).
    fn callbacks(&self, done: bool) -> Result<Vec<Callback>, StoreError>;
    /// Mark request `id` done by `agent` (done once; a second time changes nothing). `None`
    /// when there is no such request.
    fn callback_done(&self, agent: AgentId, id: i64) -> Result<Option<Callback>, StoreError>;
    /// What applies to the contact `contact` of company `company` (helpdesk ids from a
    /// verified statement; either may not exist yet): may they chat, and does pre-ticket chat
    /// apply. `None` for both: an anonymous visitor (the site's chat setting, no pre-ticket).
    fn chat_terms(&self, contact: Option<(&str, &str)>) -> Result<ChatTerms, StoreError>;
    /// A verified contact's conversations (through visitor `who`), newest first, at most 50;
    /// none for an anonymous visitor.
    fn past_conversations(&self, who: VisitorId) -> Result<Vec<PastConversation>, StoreError>;
    /// The tickets of those of `conversations` that have one.
    fn conversation_tickets(
        &self,
        conversations: &[ConversationId],
    ) -> Result<Vec<(ConversationId, TicketRef)>, StoreError>;
}

/// An agent-started chat with a contact, as [`PushChatStore::push_chat`] made it.
#[derive(Debug, Clone)]
pub struct PushedChat {
    /// Active, with the agent as its only participant.
    pub conversation: Conversation,
    /// "<Agent> started a chat with <contact>" (and the ticket, when it is about one).
    pub system_message: Message,
    /// The ticket the chat is about, when one was given.
    pub ticket: Option<TicketRef>,
    /// The first page of its messages, for the agent (as after an `accept`).
    pub history: MessagePage,
}

/// Agent-started ("push") chats with portal contacts. Whether the contact is on the site now
/// is not the store's to know (sockets live in the hub): the caller passes it in as
/// `present`, asked inside the transaction, and the store applies the rule
/// ([`crate::policy::may_push_chat`]) with the rest of the facts.
pub trait PushChatStore {
    /// In one transaction: refuse unless `agent` may start a chat with contact `contact` (the
    /// helpdesk's id; unknown: [`Denied::NotFound`], chat not allowed:
    /// [`Denied::ChatDisabled`], not `present`: [`Denied::ContactOffline`], an open chat
    /// already: [`Denied::ContactBusy`], the agent at their bound: [`Denied::TooManyOpen`]),
    /// then create an active conversation for the contact's visitor with the agent in it and a
    /// system message, linked to `ticket` when given (one of the contact's open tickets, else
    /// [`StoreError::Invalid`]), and enqueue `chat.started`.
    fn push_chat(
        &self,
        agent: &Identity,
        contact: &str,
        ticket: Option<&str>,
        present: &dyn Fn(VisitorId) -> bool,
    ) -> Result<PushedChat, StoreError>;
}

/// Where webhooks go, as the delivery task needs it (both set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    pub url: String,
    pub secret: String,
}

/// A webhook delivery that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueWebhook {
    /// Also the `X-Livechat-Delivery` id.
    pub id: i64,
    pub event: String,
    pub payload: String,
    /// Attempts made so far.
    pub attempts: u32,
}

/// Outgoing webhooks: their settings and the durable outbox of deliveries. Events are written
/// to the outbox by the store methods that cause them (`append_message` opening a chat, `end`,
/// making a ticket from a chat), in their own transaction, when a target is configured.
pub trait WebhookStore {
    /// The URL, and whether a secret is set (the secret itself is never read back).
    fn webhook_settings(&self) -> Result<WebhookSettings, StoreError>;
    /// Set the URL (`None`: off) and, when given, the secret; audited without the secret.
    fn put_webhook_settings(
        &self,
        actor: Actor,
        url: Option<String>,
        secret: Option<String>,
    ) -> Result<WebhookSettings, StoreError>;
    fn webhook_target(&self) -> Result<Option<WebhookTarget>, StoreError>;
    /// Undelivered, not given-up deliveries due at `now`, oldest first.
    fn due_webhooks(&self, now: Millis, limit: usize) -> Result<Vec<DueWebhook>, StoreError>;
    fn webhook_delivered(&self, id: i64, now: Millis) -> Result<(), StoreError>;
    /// Delete deliveries that were delivered or given up before `before`: how many.
    fn prune_webhooks(&self, before: Millis) -> Result<usize, StoreError>;
    /// Record a failed attempt: try again at `retry_at`, or give up (`None`).
    fn webhook_failed(
        &self,
        id: i64,
        now: Millis,
        error: &str,
        retry_at: Option<Millis>,
    ) -> Result<(), StoreError>;
}

/// Conversations as a whole: the queue, accepting, ending, and what a client sees on connect.
pub trait ConversationStore {
    /// The conversations `who` sees on connect: a visitor's most recent one (any status), an
    /// agent's open conversations they participate in.
    fn welcome_conversations(&self, who: &Identity) -> Result<Vec<Conversation>, StoreError>;
    /// Atomically move a waiting request to active with `who` as its first agent.
    fn accept(&self, who: &Identity, conversation: ConversationId) -> Result<Accepted, StoreError>;
    fn end(&self, who: &Identity, conversation: ConversationId) -> Result<Ended, StoreError>;
    /// Conversation `id` as its members see it, with no caller to check (for the hub telling
    /// members about a change made elsewhere); `None` for a team chat, which is no live chat.
    fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>, StoreError>;
    /// Conversation `id` of either kind, with no caller to check.
    fn chat(&self, id: ConversationId) -> Result<Option<Chat>, StoreError>;
    /// All waiting requests (abandoned ones are not waiting any more), oldest first.
    fn waiting_requests(&self) -> Result<Vec<ChatRequest>, StoreError>;
}

/// Which agents a waiting request is offered to: `only` those (every agent when `None`: no
/// sections are set up), never those in `except` (they rejected it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    pub only: Option<Vec<AgentId>>,
    pub except: Vec<AgentId>,
}

impl Audience {
    /// Offered to `agent`: in the sections, and not rejected by them.
    pub fn admits(&self, agent: AgentId) -> bool {
        !self.except.contains(&agent) && self.in_sections(agent)
    }

    /// `agent` answers this request's sections (whether or not they rejected it: an abandoned
    /// request is theirs to follow up).
    pub fn in_sections(&self, agent: AgentId) -> bool {
        self.only.as_ref().is_none_or(|o| o.contains(&agent))
    }
}

/// A request that waited too long: out of the queue, the visitor told.
#[derive(Debug, Clone)]
pub struct Abandoned {
    pub conversation: Conversation,
    /// "Sorry, nobody could answer…", to the visitor.
    pub system_message: Message,
}

/// Sections, and which agents are offered which request.
pub trait RoutingStore {
    /// Every section, by name.
    fn sections(&self) -> Result<Vec<Section>, StoreError>;
    fn add_section(&self, actor: Actor, input: &SectionInput) -> Result<Section, StoreError>;
    /// `None`: no such section.
    fn update_section(
        &self,
        actor: Actor,
        id: i64,
        input: &SectionInput,
    ) -> Result<Option<Section>, StoreError>;
    fn delete_section(&self, actor: Actor, id: i64) -> Result<bool, StoreError>;
    /// Who waiting request `id` is offered to.
    fn request_audience(&self, id: ConversationId) -> Result<Audience, StoreError>;
    /// The waiting requests offered to `agent`, oldest first.
    fn queue_for(&self, agent: AgentId) -> Result<Vec<ChatRequest>, StoreError>;
    /// `who` declines waiting request `id`: it is not offered to them again.
    fn reject(&self, who: &Identity, id: ConversationId) -> Result<(), StoreError>;
    /// Mark every request that has waited past the site's abandon time (as of `now`).
    fn abandon_due(&self, now: Millis) -> Result<Vec<Abandoned>, StoreError>;
    /// The abandoned requests `agent` would have been offered, newest first.
    fn abandoned_for(&self, agent: AgentId) -> Result<Vec<AbandonedChat>, StoreError>;
    /// Every waiting request (not abandoned) with its visitor and its place among the requests
    /// routed the same way (the same section, or every eligible one), oldest first: 1 is next.
    fn queue_positions(&self) -> Result<Vec<(ConversationId, VisitorId, u32)>, StoreError>;
    /// `visitor` picks the section of their next request (`None`: the site decides again).
    /// `false`: not one they may pick now (see `Availability::sections`); nothing changes.
    fn pick_section(&self, visitor: VisitorId, section: Option<i64>) -> Result<bool, StoreError>;
}

/// An invitation's end, and whom to tell.
#[derive(Debug, Clone)]
pub struct ClosedInvitation {
    pub id: i64,
    pub conversation_id: ConversationId,
    pub outcome: InvitationOutcome,
    pub by: Option<Participant>,
    /// The inviter and the invitees.
    pub recipients: Vec<AgentId>,
}

/// An invitation made, and whom to tell (the inviter and the invitees).
#[derive(Debug, Clone)]
pub struct Invited {
    pub invitation: Invitation,
    pub recipients: Vec<AgentId>,
}

/// An agent left a conversation.
#[derive(Debug, Clone)]
pub struct Left {
    /// As it is now (without them).
    pub conversation: Conversation,
    pub agent: AgentId,
    /// "<Agent> left the chat".
    pub system_message: Message,
    /// Their pending invitation, withdrawn.
    pub cancelled: Option<ClosedInvitation>,
}

/// An answered invitation.
#[derive(Debug, Clone)]
pub struct Answered {
    pub closed: ClosedInvitation,
    /// Accepted: the invitee joined (what `accept` gives the winner).
    pub joined: Option<Accepted>,
    /// A transfer: the inviter left.
    pub left: Option<Left>,
}

/// A team chat made or changed: its state now, the line everyone in it sees, and an agent who
/// is no longer in it (they left: they get the new state too, to close it).
#[derive(Debug, Clone)]
pub struct TeamChange {
    pub chat: TeamChat,
    /// `None` when nothing changed (the existing direct chat of two agents was asked for).
    pub system_message: Option<Message>,
    pub removed: Option<AgentId>,
    /// Made just now (else it already existed).
    pub created: bool,
}

/// Agents' own chats: direct (two agents, one chat per pair) and groups.
pub trait TeamChatStore {
    /// A chat of `who` with `request.members`: their direct chat for one colleague and no
    /// title (made if missing), else a new group.
    fn start_team_chat(
        &self,
        who: &Identity,
        request: &NewTeamChat,
    ) -> Result<TeamChange, StoreError>;
    /// The team chats `agent` is in, most recently active first, at most `limit`.
    fn team_chats_of(&self, agent: AgentId, limit: usize) -> Result<Vec<TeamChat>, StoreError>;
    /// A group member renames it (empty: no title).
    fn rename_team_chat(
        &self,
        who: &Identity,
        id: ConversationId,
        title: &str,
    ) -> Result<TeamChange, StoreError>;
    /// A group member adds colleagues.
    fn add_team_members(
        &self,
        who: &Identity,
        id: ConversationId,
        members: &[AgentId],
    ) -> Result<TeamChange, StoreError>;
    /// A member leaves a group.
    fn leave_team_chat(&self, who: &Identity, id: ConversationId)
    -> Result<TeamChange, StoreError>;
}

/// Agents working together in a live chat: joining late, inviting, leaving.
pub trait TeamworkStore {
    /// An agent eligible for an active chat's section joins it as another participant.
    fn join(&self, who: &Identity, id: ConversationId) -> Result<Accepted, StoreError>;
    /// An agent leaves a chat another agent stays in.
    fn leave(&self, who: &Identity, id: ConversationId) -> Result<Left, StoreError>;
    fn invite(
        &self,
        who: &Identity,
        id: ConversationId,
        request: &InviteRequest,
    ) -> Result<Invited, StoreError>;
    /// The invitee accepts (joins; with `transfer` the inviter leaves) or declines.
    fn answer_invitation(
        &self,
        who: &Identity,
        id: i64,
        accept: bool,
    ) -> Result<Answered, StoreError>;
    /// The inviter withdraws invitation `id`.
    fn cancel_invitation(&self, who: &Identity, id: i64) -> Result<ClosedInvitation, StoreError>;
    /// The pending invitations `agent` made or may answer.
    fn invitations_for(&self, agent: AgentId) -> Result<Vec<Invitation>, StoreError>;
}

/// What adding a private note did.
#[derive(Debug, Clone)]
pub struct NoteOutcome {
    pub note: PrivateNote,
    /// The conversation, to tell its agents.
    pub conversation: Conversation,
    /// A retry of a note already stored (same author and client id): nothing new.
    pub duplicate: bool,
}

/// Private notes: agents only, kept apart from messages (see `PrivateNote`).
pub trait NoteStore {
    /// Store `note` by agent `who` in an open conversation they take part in
    /// (`policy::may_note`); a retried client id returns the note already stored.
    fn add_note(&self, who: &Identity, note: NewMessage) -> Result<NoteOutcome, StoreError>;
    /// Every note of `conversation`, oldest first, for an agent taking part
    /// (`policy::may_read_notes`).
    fn notes(
        &self,
        who: &Identity,
        conversation: ConversationId,
    ) -> Result<Vec<PrivateNote>, StoreError>;
}

/// The messages of a conversation.
pub trait MessageStore {
    /// Store a message with the next `seq` (or return the one already stored for its client
    /// id). A visitor's message without a conversation goes to their open one, or opens a
    /// waiting request.
    fn append_message(&self, who: &Identity, msg: NewMessage) -> Result<AppendOutcome, StoreError>;
    /// Messages with `seq > after`, in order, if `who` may read the conversation.
    fn messages_after(
        &self,
        who: &Identity,
        conversation: ConversationId,
        after: Seq,
    ) -> Result<Vec<Message>, StoreError>;
    /// Like [`MessageStore::messages_after`], but at most `limit` messages, with whether more
    /// follow and the conversation's `last_seq` (read after the messages, so never below the
    /// last one's `seq`).
    fn messages_page(
        &self,
        who: &Identity,
        conversation: ConversationId,
        after: Seq,
        limit: usize,
    ) -> Result<MessagePage, StoreError>;
}

/// Durable state of the chat: every area together. Every method is one transaction and
/// blocks the calling thread. Implemented automatically for any type that implements the area
/// traits, so a backend implements each area in its own file and callers holding a
/// `&dyn Store` reach every method without importing the area traits.
pub trait Store:
    IdentityStore
    + AgentAdminStore
    + CannedStore
    + SearchStore
    + CredentialStore
    + ConversationStore
    + MessageStore
    + NoteStore
    + HelpdeskStore
    + PushChatStore
    + RoutingStore
    + TeamworkStore
    + TeamChatStore
    + WebhookStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: IdentityStore
        + AgentAdminStore
        + CannedStore
        + SearchStore
        + CredentialStore
        + ConversationStore
        + MessageStore
        + NoteStore
        + HelpdeskStore
        + PushChatStore
        + RoutingStore
        + TeamworkStore
        + TeamChatStore
        + WebhookStore
        + Send
        + Sync
        + 'static
{
}

/// Cheap, clonable async handle to a [`Store`].
#[derive(Clone)]
pub struct Db {
    store: Arc<dyn Store>,
}

impl Db {
    pub fn new(store: impl Store) -> Self {
        Db {
            store: Arc::new(store),
        }
    }

    /// Run `f` against the store on the blocking pool, so a slow disk never stalls sockets.
    pub async fn call<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<R, StoreError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || f(&*store))
            .await
            .map_err(|e| StoreError::Blocking(e.to_string()))?
    }
}

/// A display name as every backend stores it: in Unicode NFC, so one name typed two ways
/// ("e" + combining acute, or "é") is one name, shown and compared the same everywhere. Names
/// reach the store already validated (`protocol::validate_name`); NFC needs Unicode tables the
/// widget cannot afford, so it is done here, on the way in, whichever path created the name.
pub fn display_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    name.nfc().collect()
}

/// Milliseconds since the Unix epoch, from the server's clock.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
