//! The helpdesk beside the chat, as the admin API, agents and portal contacts see it:
//! companies, contacts (portal users), tickets with notes, chat settings, the audit log, and the
//! bodies of a contact's sign-in.
//!
//! Everything is keyed by the ids an external helpdesk already has (`Company::id`,
//! `Contact::id`, `Ticket::number`: strings the admin API `PUT`s by), so a sync job never needs
//! ours. Plain serde derive: none of this is in the anonymous visitor's bundle.

use serde::{Deserialize, Serialize};

use crate::ids::{ConversationId, Millis};
use crate::model::{Identity, Participant};

/// Longest external id (company, contact) or ticket number, in bytes.
pub const MAX_KEY_BYTES: usize = 64;
/// Longest company name or ticket subject, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest ticket note an API caller may add, in characters (transcripts are not bounded by
/// this: they are as long as the chat).
pub const MAX_NOTE_CHARS: usize = 20_000;

/// A customer organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    /// The helpdesk's own id for it.
    pub id: String,
    pub name: String,
    /// Chat allowed for this company's contacts: overrides the global setting; `None`
    /// inherits it.
    #[serde(default)]
    pub chat_enabled: Option<bool>,
    /// Pre-ticket chat for this company's contacts (see [`ChatSettings::pre_ticket`]):
    /// overrides the global setting; `None` inherits it.
    #[serde(default)]
    pub pre_ticket: Option<bool>,
    /// The section this company's contacts' chats go to (when it takes contacts); `None`: the
    /// site's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<i64>,
}

/// `PUT /api/admin/companies/{id}`: create or update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyInput {
    pub name: String,
    #[serde(default)]
    pub chat_enabled: Option<bool>,
    #[serde(default)]
    pub pre_ticket: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<i64>,
}

/// A portal user, in exactly one company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: String,
    /// The company's id.
    pub company: String,
    pub name: String,
    pub email: String,
    /// Overrides the company's and the global setting; `None` inherits.
    #[serde(default)]
    pub chat_enabled: Option<bool>,
}

/// `PUT /api/admin/contacts/{id}`: create or update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    pub company: String,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub chat_enabled: Option<bool>,
}

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    Open,
    Pending,
    Resolved,
    Closed,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Pending => "pending",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }

    /// Open and pending tickets are the ones a contact can chat about.
    pub fn is_open(self) -> bool {
        matches!(self, TicketStatus::Open | TicketStatus::Pending)
    }
}

/// A ticket as a chat names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketRef {
    pub number: String,
    pub subject: String,
}

/// `PUT /api/conversations/{id}/ticket`: what the chat is about now (`None`: no ticket). By
/// the conversation's contact or one of its agents; the ticket must be an open one of the
/// contact's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkTicketRequest {
    #[serde(default)]
    pub ticket: Option<String>,
}

/// `POST /api/conversations/{id}/tickets`: a new ticket for the conversation's contact, linked
/// to the chat (an agent making one from the chat, or a contact's pre-ticket chat). Retrying
/// with the same `client_key` returns the same ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTicketRequest {
    pub subject: String,
    pub client_key: String,
}

/// A ticket, without its notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    /// The helpdesk's ticket number ("T-1001").
    pub number: String,
    pub subject: String,
    pub status: TicketStatus,
    /// The requester: a contact's id.
    pub contact: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// `PUT /api/admin/tickets/{number}`: create or update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketInput {
    pub subject: String,
    pub status: TicketStatus,
    pub contact: String,
}

/// What a note on a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Written by someone (an agent, or the helpdesk through the API).
    Note,
    /// A chat's transcript, added when the chat ended.
    Transcript,
}

/// One note on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketNote {
    pub kind: NoteKind,
    /// Who wrote it, as shown ("Ada", "Helpdesk sync").
    pub author: String,
    pub body: String,
    pub created_at: Millis,
}

/// `POST /api/admin/tickets/{number}/notes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    pub author: String,
    pub body: String,
}

/// A ticket with its notes, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketDetail {
    pub ticket: Ticket,
    pub notes: Vec<TicketNote>,
}

/// Global chat settings (`GET`/`PUT /api/admin/settings`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatSettings {
    /// Chat on this site: for anonymous visitors, and for verified contacts unless their
    /// company or they themselves say otherwise. Off, the loader draws no bubble.
    pub chat_enabled: bool,
    /// Seconds a request may wait unanswered before the visitor is offered a callback and may
    /// end it themselves.
    #[serde(default = "default_unanswered_after")]
    pub unanswered_after_secs: u32,
    /// Pre-ticket chat: a verified contact who starts a chat without picking a ticket
    /// describes the problem in one line, which becomes a new ticket the chat is linked to.
    /// A company's setting overrides this one.
    #[serde(default = "default_true")]
    pub pre_ticket: bool,
    /// An agent's console shows them away after this many seconds without activity.
    #[serde(default = "default_agent_away")]
    pub agent_away_after_secs: u32,
    /// A request nobody accepted within this many seconds is abandoned: it leaves the queue
    /// for the agents' Abandoned list and the visitor is told to leave a message. 0: never.
    /// Never sooner than `unanswered_after_secs` (the visitor is offered a callback first).
    #[serde(default = "default_abandon_after")]
    pub abandon_after_secs: u32,
    /// The section (see [`crate::workspace::Section`]) this site's requests go to, when it
    /// takes that kind of visitor; `None`: every section that does. A contact's company may
    /// name its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_section: Option<i64>,
    /// Visitors pick the section themselves in the widget, before their first message, when
    /// more than one takes them (a contact's company's own section still wins).
    #[serde(default)]
    pub section_choice: bool,
}

fn default_abandon_after() -> u32 {
    600
}

fn default_agent_away() -> u32 {
    300
}

fn default_unanswered_after() -> u32 {
    60
}

fn default_true() -> bool {
    true
}

impl Default for ChatSettings {
    fn default() -> Self {
        ChatSettings {
            chat_enabled: true,
            unanswered_after_secs: default_unanswered_after(),
            pre_ticket: true,
            agent_away_after_secs: default_agent_away(),
            abandon_after_secs: default_abandon_after(),
            default_section: None,
            section_choice: false,
        }
    }
}

/// When people answer chats (`GET`/`PUT /api/admin/office-hours`). Outside them the widget says
/// so and offers a callback, and a visitor may end their own chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeHours {
    /// Off: always open (the default).
    pub enabled: bool,
    /// An IANA time zone ("Europe/Berlin"); the hours are wall-clock times there, so they stay
    /// put across daylight-saving changes.
    pub time_zone: String,
    /// Opening windows; a day may have several, and a day without any is closed.
    #[serde(default)]
    pub weekly: Vec<OpeningWindow>,
    /// Closed all day, as `YYYY-MM-DD` in the time zone.
    #[serde(default)]
    pub holidays: Vec<String>,
}

impl Default for OfficeHours {
    fn default() -> Self {
        OfficeHours {
            enabled: false,
            time_zone: "UTC".into(),
            weekly: Vec::new(),
            holidays: Vec::new(),
        }
    }
}

/// Open from `open` to `close` (`HH:MM`, `open` < `close`) on `day` (`mon` … `sun`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningWindow {
    pub day: String,
    pub open: String,
    pub close: String,
}

/// `GET /api/availability` (an anonymous visitor) or `POST /api/availability` with an
/// [`AvailabilityRequest`] (a portal's contact): what the loader needs before it draws the
/// bubble. No sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// Inside office hours (always, when they are off).
    pub open: bool,
    /// When it opens next (closed now, and within two weeks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_open: Option<Millis>,
    /// May this visitor chat at all (global, company and contact settings). Off: no bubble.
    pub chat_enabled: bool,
    /// After this many seconds unanswered a waiting visitor is offered a callback and may end
    /// the chat.
    pub unanswered_after_secs: u32,
    /// Pre-ticket chat applies to this contact (always `false` for anonymous visitors).
    pub pre_ticket: bool,
    /// The sections this visitor may pick from before their first message (`PUT
    /// /api/visitor/section`): only with `ChatSettings::section_choice` and more than one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<crate::workspace::SectionChoice>,
}

/// `POST /api/availability`: the page's signed statement about its contact. An invalid one
/// is answered as for an anonymous visitor (the widget's sign-in reports why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityRequest {
    pub identity: String,
}

/// One of a verified contact's conversations in their history (`GET
/// /api/contact/conversations`), newest first; the messages come from the conversation's
/// paged history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastConversation {
    pub id: ConversationId,
    pub status: crate::model::ConversationStatus,
    pub created_at: Millis,
    /// The agents who answered, in the order they joined.
    pub agents: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<TicketRef>,
    /// The first thing the visitor wrote, cut to [`PREVIEW_CHARS`].
    pub preview: String,
}

/// Longest [`PastConversation::preview`], in characters.
pub const PREVIEW_CHARS: usize = 120;

/// `GET /api/contact/conversations`: the contact's conversations, newest first (at most 50).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastConversationList {
    pub conversations: Vec<PastConversation>,
}

/// `POST /api/callbacks`: "call me back", from a visitor nobody could answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackRequest {
    pub phone: String,
    /// In the visitor's words ("after 3 pm", "tomorrow morning").
    #[serde(default)]
    pub preferred_time: String,
    #[serde(default)]
    pub note: String,
}

/// A callback request, as agents see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Callback {
    pub id: i64,
    /// Who asked.
    pub visitor: Participant,
    /// The helpdesk's id of the contact, when the visitor is one.
    #[serde(default)]
    pub contact: Option<String>,
    /// The chat they were waiting in, and the ticket it was about.
    #[serde(default)]
    pub conversation_id: Option<ConversationId>,
    #[serde(default)]
    pub ticket: Option<String>,
    pub phone: String,
    pub preferred_time: String,
    pub note: String,
    pub requested_at: Millis,
    /// When an agent marked it done, and who.
    #[serde(default)]
    pub done_at: Option<Millis>,
    #[serde(default)]
    pub done_by: Option<String>,
}

/// `GET /api/agent/callbacks`: open ones oldest first, or (`?done=true`) the done ones newest
/// first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackList {
    pub callbacks: Vec<Callback>,
}

/// Longest phone number, preferred time and note of a callback request, in characters.
pub const MAX_PHONE_CHARS: usize = 32;
pub const MAX_PREFERRED_TIME_CHARS: usize = 100;
pub const MAX_CALLBACK_NOTE_CHARS: usize = 1000;

/// One admin write, as the audit log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// `agent:<id>` or `api-key`.
    pub actor: String,
    /// `company.put`, `contact.put`, `ticket.put`, `ticket.note`, `settings.put`.
    pub action: String,
    /// What it changed: `company:acme`, `ticket:T-1001`, `settings`.
    pub target: String,
    /// The body it was given, as JSON.
    pub detail: String,
    pub at: Millis,
}

/// `POST /api/contact/session`: a portal page's signed identity for its logged-in contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactSessionRequest {
    /// A JWT (HS256) signed with the site's identity secret; see the README.
    pub identity: String,
}

/// Answer to [`ContactSessionRequest`]: like `SessionResponse`, plus who the contact is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactSessionResponse {
    pub token: String,
    pub me: Identity,
    pub contact: Contact,
    /// The company's name, for display.
    pub company_name: String,
    /// An anonymous visitor's open conversation that now belongs to the contact (the request
    /// carried that visitor's token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopted: Option<ConversationId>,
}

/// `GET /api/contact/tickets`: the caller's tickets, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketList {
    pub tickets: Vec<Ticket>,
}

/// A person behind a visitor id, as agents see them (`GET /api/agent/visitors/{id}`):
/// verified contact details when the visitor signed in through a portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorCard {
    pub name: String,
    /// `None` for an anonymous visitor.
    #[serde(default)]
    pub contact: Option<Contact>,
    #[serde(default)]
    pub company_name: Option<String>,
    /// The contact's open tickets (to link a chat to), newest first.
    #[serde(default)]
    pub open_tickets: Vec<Ticket>,
    /// Whether they are on the site now (any visitor: anonymous ones are online or offline).
    #[serde(default)]
    pub presence: crate::presence::Presence,
}

/// A phone number as a callback request takes it: up to [`MAX_PHONE_CHARS`] of digits, spaces
/// and `+ - ( ) . /`, with at least one digit (surrounding spaces ignored). The server refuses
/// anything else; the widget checks first to save a round trip.
pub fn valid_phone(phone: &str) -> bool {
    let phone = phone.trim();
    phone.chars().count() <= MAX_PHONE_CHARS
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
        && phone.chars().any(|c| c.is_ascii_digit())
}

/// A ticket's subject made from a chat: the first non-blank line the visitor wrote, cut to
/// [`MAX_TITLE_CHARS`] (with an ellipsis), or a plain subject when they wrote nothing.
pub fn ticket_subject(first_message: Option<&str>) -> String {
    let line = first_message
        .and_then(|m| m.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("Message left in the chat");
    if line.chars().count() <= MAX_TITLE_CHARS {
        return line.to_owned();
    }
    let mut subject: String = line.chars().take(MAX_TITLE_CHARS - 1).collect();
    subject.push('…');
    subject
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_digits_with_the_usual_separators() {
        for ok in ["+49 30 1234567", " (030) 123-45.67 ", "0/1"] {
            assert!(valid_phone(ok), "{ok}");
        }
        for bad in ["", "   ", "+-()", "call me", "123 ext. 4", &"1".repeat(33)] {
            assert!(!valid_phone(bad), "{bad}");
        }
    }

    #[test]
    fn a_subject_is_the_first_line_written_cut_to_its_bound() {
        assert_eq!(
            ticket_subject(Some("\n  The grinder is noisy \nsince Monday")),
            "The grinder is noisy"
        );
        assert_eq!(ticket_subject(None), "Message left in the chat");
        assert_eq!(ticket_subject(Some(" \n ")), "Message left in the chat");
        let long = ticket_subject(Some(&"é".repeat(500)));
        assert_eq!(long.chars().count(), MAX_TITLE_CHARS);
        assert!(long.ends_with('…'));
    }
}
