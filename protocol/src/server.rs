//! Frames the server sends, and the stable error codes clients branch on.
//!
//! [`ServerMsg`] is declared through `server_frames!` (see the `wire` module): frames an
//! anonymous visitor never receives sit in its `not_for_anonymous` group (tickets: contacts
//! get them) or its `agents_only` group (the queue, notes, presence, invitations, team chats);
//! each widget's decoder leaves out what its reader never gets.

use crate::helpdesk::TicketRef;
use crate::ids::ConversationId;
use crate::model::{ChatRequest, Conversation, Identity, Message, Participant, PrivateNote};
use crate::presence::AgentPresence;
use crate::workspace::{Invitation, InvitationOutcome, TeamChat};

server_frames! {
    /// Every frame the server may send.
    ///
    /// Serialised with `type` as the first member (serde's internally tagged form). Decoding
    /// relies on that order: it reads the tag, then the rest of the object straight into the
    /// variant, with no intermediate buffer. That is what keeps the visitor bundle inside its
    /// size budget (serde's generic tagged-enum path buffers every frame and doubles the decode
    /// code). Only our server produces these frames, and it always writes `type` first.
    pub enum ServerMsg {
        /// Answer to `hello`: who the server thinks you are and the conversations you can see.
        /// For a visitor that is their most recent conversation (open or ended); for an agent, the
        /// conversations they are a participant of that are still open.
        Welcome {
            protocol: u32,
            me: Identity,
            conversations: Vec<Conversation>,
        },
        /// Messages of one conversation, in `seq` order, sent after `welcome`, on `accept` and on
        /// `sync`: one page of at most [`crate::HISTORY_PAGE`] messages.
        History {
            conversation_id: ConversationId,
            messages: Vec<Message>,
            /// The client's cursor could not be honoured (beyond the conversation's `last_seq`,
            /// or negative): drop everything held for this conversation and take these messages,
            /// which start again from the first one. Omitted when false.
            #[serde(default, skip_serializing_if = "crate::wire::is_false")]
            reset: bool,
            /// Messages after the last one here exist: ask for them with `sync` from its `seq`.
            /// Omitted when false.
            #[serde(default, skip_serializing_if = "crate::wire::is_false")]
            more: bool,
        },
        /// A new message in a conversation you follow (never echoed to the socket that sent it:
        /// that socket gets [`ServerMsg::Ack`]).
        Message { message: Message },
        /// Your `send` with `client_id` is durably stored as `message`. A retried `client_id`
        /// gets the same stored message again.
        Ack { client_id: String, message: Message },
        /// A conversation you follow changed (created, accepted, ended).
        Conversation { conversation: Conversation },
        /// Someone else in `conversation_id` is typing (`name`: who). Shown for a few seconds,
        /// or until their message arrives.
        Typing {
            conversation_id: ConversationId,
            name: String,
        },
        /// Visitors: your waiting request's place in the queue (1: next), among the requests
        /// waiting for the same agents; sent within a second of each change while it waits.
        QueuePosition {
            conversation_id: ConversationId,
            position: u32,
        },
        /// Something you sent was refused. The socket stays open unless the code says otherwise.
        Error {
            code: ErrorCode,
            message: String,
            /// Set when the error answers a `send`, so the client can mark that message failed.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            client_id: Option<String>,
        },
    }
    /// Frames an anonymous visitor never receives, but a verified contact does: tickets (only
    /// agents and contacts have those). The contact's widget decodes with
    /// [`ServerMsg::deserialize_for_contact`], the anonymous one with
    /// [`ServerMsg::deserialize_for_visitor`], which refuses these.
    not_for_anonymous {
        /// Agents and verified contacts: the ticket `conversation_id` is about (`None`: none any
        /// more). Sent when it changes (with a system message) and after `welcome` for every
        /// conversation that has one.
        TicketLinked {
            conversation_id: ConversationId,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            ticket: Option<TicketRef>,
        },
    }
    /// Frames only agents receive: the queue, notes, presence, invitations, team chats. Both
    /// visitor widgets' decoders refuse them, so their decoding code is in neither bundle.
    agents_only {
        /// Agents: the full list of waiting requests, sent when going online.
        Queue { requests: Vec<ChatRequest> },
        /// Agents: a visitor is waiting.
        RequestAdded { request: ChatRequest },
        /// Agents: a request left the queue: accepted by `accepted_by`; or, when `None`,
        /// withdrawn (the visitor ended it, or this agent rejected it) or, with `abandoned`,
        /// left unanswered too long (it is now in `GET /api/agent/abandoned`).
        RequestRemoved {
            conversation_id: ConversationId,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            accepted_by: Option<Participant>,
            #[serde(default, skip_serializing_if = "crate::wire::is_false")]
            abandoned: bool,
        },
        /// Agents: your `accept` won; you are now a participant of `conversation`.
        Accepted { conversation: Conversation },
        /// Agents of the conversation: a private note (to its author's sockets too, which
        /// de-duplicate by `client_id`; the author's sending socket gets it as the answer).
        Note { note: PrivateNote },
        /// Agents: every colleague with a console open and their status, after `welcome` (and
        /// its histories and notes); then `agent_status` for each change.
        Team {
            agents: Vec<AgentPresence>,
            /// The console sets `away` after this many seconds without activity.
            away_after_secs: u32,
        },
        /// Agents: a colleague's status changed (`offline`: their last console closed).
        AgentStatus { presence: AgentPresence },
        /// Agents: every private note of `conversation_id`, oldest first, sent after its
        /// `history` (on `welcome`, `accept` and `sync` from 0).
        Notes {
            conversation_id: ConversationId,
            notes: Vec<PrivateNote>,
        },
        /// Agents: an invitation into a live chat, to its invitees (the named agent, or the
        /// online members of the section) and to the inviter's sockets; after `welcome` for
        /// every one still pending.
        Invitation { invitation: Invitation },
        /// Agents: the team chats they are in (the most recently active, at most
        /// [`crate::workspace::MAX_TEAM_CHATS_ON_CONNECT`]), after `welcome`'s frames, each
        /// followed by its `history`; not sent when they are in none. Their messages then come as `message`/`ack` like any
        /// chat's.
        TeamChats { chats: Vec<TeamChat> },
        /// Agents: a team chat was started, renamed, or someone joined or left it (to everyone
        /// in it, and to whoever just left, who is no longer among its members).
        TeamChat { chat: TeamChat },
        /// Agents: invitation `id` is over (to the same sockets that got it). `by`: who
        /// accepted or declined.
        InvitationClosed {
            id: i64,
            conversation_id: ConversationId,
            outcome: InvitationOutcome,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            by: Option<Participant>,
        },
    }
}

wire_names! {
    /// Stable, machine-readable reasons. Clients branch on these; the text beside them is for humans.
    pub enum ErrorCode {
        /// Not JSON, or not a frame this protocol knows.
        BadFrame,
        /// `hello` carried a protocol version the server does not speak.
        UnsupportedVersion,
        /// Missing, unknown or expired credential; the first frame was not `hello`.
        Unauthorized,
        /// The thing does not exist *or* the caller may not see it (never tells which).
        NotFound,
        /// The caller is known but their role may not do this (a visitor accepting a chat).
        Forbidden,
        /// A field is empty, too long or malformed.
        InvalidInput,
        /// The conversation has ended; start a new one.
        ConversationEnded,
        /// Another agent accepted this request first.
        AlreadyAccepted,
        /// Too many requests from this client; slow down.
        RateLimited,
        /// A bound on what one person may hold was reached (an agent's open conversations,
        /// [`crate::MAX_OPEN_CONVERSATIONS`]); end something first.
        LimitReached,
        /// The server failed; the request may be retried with the same `client_id`.
        Internal,
    }
}

impl ErrorCode {
    /// Every code, for readers that match a wire name by hand (the anonymous widget's): a new
    /// code goes here too (the tests check each against `as_str` and serde).
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::BadFrame,
        ErrorCode::UnsupportedVersion,
        ErrorCode::Unauthorized,
        ErrorCode::NotFound,
        ErrorCode::Forbidden,
        ErrorCode::InvalidInput,
        ErrorCode::ConversationEnded,
        ErrorCode::AlreadyAccepted,
        ErrorCode::RateLimited,
        ErrorCode::LimitReached,
        ErrorCode::Internal,
    ];

    /// The snake_case code as it appears on the wire and in REST error bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadFrame => "bad_frame",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::ConversationEnded => "conversation_ended",
            ErrorCode::AlreadyAccepted => "already_accepted",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::LimitReached => "limit_reached",
            ErrorCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_code_strings_match_serde() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        // A new code stops this match compiling until it is given its place in ALL.
        let place = |code: ErrorCode| match code {
            ErrorCode::BadFrame => 0,
            ErrorCode::UnsupportedVersion => 1,
            ErrorCode::Unauthorized => 2,
            ErrorCode::NotFound => 3,
            ErrorCode::Forbidden => 4,
            ErrorCode::InvalidInput => 5,
            ErrorCode::ConversationEnded => 6,
            ErrorCode::AlreadyAccepted => 7,
            ErrorCode::RateLimited => 8,
            ErrorCode::LimitReached => 9,
            ErrorCode::Internal => 10,
        };
        for (i, code) in ErrorCode::ALL.into_iter().enumerate() {
            assert_eq!(place(code), i, "{code}");
        }
    }
}
