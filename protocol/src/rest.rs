//! Bodies of the REST calls: visitor sessions, agent login, and every error answer.

use serde::{Deserialize, Serialize};

use crate::ids::ConversationId;
use crate::model::{Identity, Message};
use crate::server::ErrorCode;

/// `POST /api/visitor/session`: an anonymous visitor introduces themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitorSessionRequest {
    pub name: String,
}

/// `POST /api/agent/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

wire_objects! {
    /// Answer to both session calls: keep `token` and present it in `hello`.
    pub struct SessionResponse {
        pub token: String,
        pub me: Identity,
    }
}

/// Body of every non-2xx REST answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

wire_objects! {
    /// `GET /api/conversations/{id}/messages?after_seq=N`: the messages after `after_seq`, in
    /// order, for a caller who may read the conversation (the same rule as the socket's `sync`).
    pub struct HistoryPage {
        pub conversation_id: ConversationId,
        pub messages: Vec<Message>,
    }
}
