//! Frames a client (visitor widget or agent console) sends to the server.

use serde::{Deserialize, Serialize};

use crate::ids::{ConversationId, Seq};

/// Every frame a widget or console may send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientMsg {
    /// Must be the first frame on a socket. `token` is the credential from the REST session
    /// call (visitor) or login (agent); it travels in the frame rather than the URL so it never
    /// lands in access logs.
    Hello {
        protocol: u32,
        token: String,
        /// Highest `seq` the client already holds per conversation; the server sends the rest.
        /// Conversations the client does not list are sent in full.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        cursors: Vec<Cursor>,
    },
    /// Post a message. For a visitor, `conversation_id: None` means "my open conversation, or a
    /// new chat request if I have none". Agents always name the conversation.
    Send {
        client_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation_id: Option<ConversationId>,
        body: String,
    },
    /// Agent only: go online (receive the queue and new requests) or offline.
    SetOnline { online: bool },
    /// Agent only: the status colleagues see; only `online` is offered requests (it is
    /// `set_online` with the in-between states).
    SetStatus {
        status: crate::presence::AgentStatus,
    },
    /// Agent only: take a waiting request. Exactly one agent wins; see [`ServerMsg::Accepted`].
    Accept { conversation_id: ConversationId },
    /// Agent only: close a conversation. The visitor can no longer send into it.
    End { conversation_id: ConversationId },
    /// Ask for messages after `after_seq` (gap repair without reconnecting).
    Sync {
        conversation_id: ConversationId,
        after_seq: Seq,
    },
    /// "I am typing" in a conversation I take part in (the text itself never travels). Sent
    /// at most every few seconds while typing; the others see it for a few seconds.
    Typing { conversation_id: ConversationId },
    /// Agent only: a private note in a conversation the agent takes part in. Only agents ever
    /// see it ([`crate::ServerMsg::Note`]): it is not a message, has no `seq` (so a visitor sees
    /// no gap), and is in no visitor's history, transcript or webhook. Idempotent by
    /// `client_id`, like `send`.
    Note {
        client_id: String,
        conversation_id: ConversationId,
        body: String,
    },
}

/// "I have everything in this conversation up to and including `last_seq`."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub conversation_id: ConversationId,
    pub last_seq: Seq,
}
