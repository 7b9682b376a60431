//! Bodies of the REST calls: visitor sessions, agent login, and every error answer.

use serde::{Deserialize, Serialize};

use crate::ids::{ConversationId, Millis, SessionId};
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
    /// `GET /api/conversations/{id}/messages?after_seq=N&limit=L`: at most `limit` (default and
    /// maximum [`crate::HISTORY_PAGE`]) messages after `after_seq`, in order, for a caller who
    /// may read the conversation (the same rule as the socket's `sync`).
    pub struct HistoryPage {
        pub conversation_id: ConversationId,
        pub messages: Vec<Message>,
        /// Messages after the last one here exist: ask again with `after_seq` set to its `seq`.
        /// Omitted when false.
        #[serde(default, skip_serializing_if = "crate::wire::is_false")]
        pub more: bool,
    }
}

/// One signed-in session of the caller, as `GET /api/agent/sessions` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Names the session for `DELETE /api/agent/sessions/{id}`; not a credential.
    pub id: SessionId,
    pub created_at: Millis,
    /// Last time the session was used: a request, or a socket open with it (refreshed while
    /// the socket stays open).
    pub last_used_at: Millis,
    /// The session ends at this time unless it is used before (sliding expiry).
    pub expires_at: Millis,
    /// The `User-Agent` that signed in (at most 256 bytes), for telling devices apart.
    pub device: String,
    /// This is the session the request was made with.
    pub current: bool,
    /// A socket is open with this session right now.
    pub connected: bool,
}

/// `GET /api/agent/sessions`: the caller's sessions, their own first, then the most recently
/// used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionList {
    pub sessions: Vec<SessionInfo>,
}

/// `DELETE /api/agent/sessions`: how many of the caller's other sessions were ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionsEnded {
    pub ended: u32,
}

/// `POST /api/agent/password`: every session of the agent ends, and the answer is a new
/// [`SessionResponse`] for the device that asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}
