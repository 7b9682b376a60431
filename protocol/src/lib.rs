//! The live-chat wire format, shared by the visitor widget, the agent console and the server.
//!
//! This crate alone defines what travels over the WebSocket and the few REST calls. It owns the
//! types and their JSON shape (every frame is an object with a snake_case `type` tag), the
//! protocol version checked in the handshake, the stable error codes, and the input bounds both
//! sides enforce. It owns no I/O: no tokio, no web-sys, so the widget stays small.
//!
//! One module per concern:
//! - [`ids`]: typed ids (`ConversationId`, `AgentId`, …), [`Role`] and [`Principal`]: who someone is;
//! - [`model`]: the shared data (participants, conversations, messages, requests);
//! - [`client`]: frames a client sends ([`ClientMsg`]);
//! - [`server`]: frames the server sends ([`ServerMsg`]) and the stable [`ErrorCode`]s;
//! - [`rest`]: REST request and answer bodies;
//! - [`helpdesk`], [`presence`], [`webhooks`]: the helpdesk beside the chat, contact presence and
//!   agent-started chats, outgoing webhooks;
//! - [`agents`], [`canned`], [`search`], [`workspace`]: the agents' side (accounts, canned
//!   replies, history search, sections, invitations, abandoned requests);
//! - [`validate`]: input bounds (`MAX_*`) and the checks both sides run;
//! - `wire` (private macros): how the types are declared so the visitor bundle stays small.
//!
//! The golden files under `tests/golden/` pin the JSON; changing a shape means bumping
//! [`PROTOCOL_VERSION`] and the goldens in the same commit.

// First: the declaring macros are used by every module below.
#[macro_use]
#[doc(hidden)]
pub mod wire;

pub mod agents;
pub mod canned;
pub mod client;
pub mod helpdesk;
pub mod ids;
pub mod model;
pub mod presence;
pub mod rest;
pub mod search;
pub mod server;
pub mod validate;
pub mod webhooks;
pub mod workspace;

pub use client::{ClientMsg, Cursor};
pub use ids::{
    AgentId, ConversationId, MessageId, Millis, Principal, Role, Seq, SessionId, VisitorId,
};
pub use model::{
    ChatRequest, Conversation, ConversationStatus, Identity, Message, MessageKind, Participant,
    PrivateNote,
};
pub use presence::Presence;
pub use rest::{
    ChangePasswordRequest, ErrorBody, HistoryPage, LoginRequest, SessionInfo, SessionList,
    SessionResponse, SessionsEnded, VisitorSessionRequest,
};
pub use server::{ErrorCode, ServerMsg};
pub use validate::{
    InputError, MAX_BODY_CHARS, MAX_CLIENT_ID_LEN, MAX_EMAIL_BYTES, MAX_NAME_CHARS,
    MAX_OPEN_CONVERSATIONS, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, valid_client_id, validate_body,
    validate_name, validate_new_password,
};

/// Bumped on every incompatible change; the server refuses a `hello` with another version.
pub const PROTOCOL_VERSION: u32 = 1;

/// Most messages one `history` frame carries; a longer history comes in pages, each asked for
/// with `sync` from the last `seq` of the page before (see [`ServerMsg::History`]'s `more`).
pub const HISTORY_PAGE: usize = 100;
/// Largest WebSocket frame the server reads; anything bigger closes the socket with 1009.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
