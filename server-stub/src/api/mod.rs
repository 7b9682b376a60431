//! The REST surface, one file per audience: `account.rs` (visitor sessions and their logout,
//! agent login and logout, an agent's own sessions and password), `history.rs` (reading a
//! conversation's messages a page at a time), `tickets.rs` (a chat's ticket: link, or make
//! one from the chat), `callbacks.rs` (call-me-back requests), `contact.rs` (a portal contact's signed sign-in,
//! their tickets; agents' view of a visitor), `presence.rs` (a contact's tab away or back,
//! the contacts online now, an agent starting a chat with one), `admin.rs` (the helpdesk's companies, contacts,
//! tickets, settings and audit log, for admins and the helpdesk's sync job), `teamwork.rs`
//! (sections; rejecting, joining, inviting, leaving; abandoned requests), `team_chats.rs`
//! (agents' own chats). This file: what
//! they share, health, and the `/api/` fallbacks.
//!
//! Owns request parsing and status codes; credentials are issued and checked in `sessions.rs`,
//! who is calling (and whether their token is of the kind the endpoint takes) is `auth.rs`,
//! rate limits live in `limits.rs`, password hashing runs in `passwords.rs`, who may read what
//! is `policy.rs` (applied by the store, the same call the socket makes), and every non-2xx
//! answer is a `protocol::ErrorBody` (see `error.rs`), unknown routes and oversized bodies
//! included.

mod account;
mod admin;
mod agents;
mod callbacks;
mod canned;
mod contact;
mod history;
mod presence;
mod search;
mod team_chats;
mod teamwork;
mod tickets;

pub use account::*;
pub use admin::*;
pub use agents::*;
pub use callbacks::*;
pub use canned::*;
pub use contact::*;
pub use history::*;
pub use presence::*;
pub use search::*;
pub use team_chats::*;
pub use teamwork::*;
pub use tickets::*;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::{Value, json};

use crate::error::RestError;
use crate::sessions::device_label;
use crate::state::AppState;

/// Why a socket closes when its session ends (1008, with this reason).
pub mod close_reason {
    pub const SIGNED_OUT: &str = "signed out";
    pub const SESSION_ENDED: &str = "session ended";
    pub const PASSWORD_CHANGED: &str = "password changed";
    /// The anonymous visitor signed in as a portal contact; the contact's session goes on.
    pub const IDENTIFIED: &str = "identified";
    /// An admin deactivated the agent.
    pub const DEACTIVATED: &str = "account deactivated";
    /// An admin set a new password for the agent.
    pub const PASSWORD_RESET: &str = "password reset";
}

/// A conversation id from the path; anything but an integer is `invalid_input`.
pub(crate) fn conversation_id(id: &str) -> Result<protocol::ConversationId, RestError> {
    id.parse()
        .map(protocol::ConversationId)
        .map_err(|_| RestError::InvalidInput("the conversation id must be an integer".into()))
}

/// The device label of a request (its `User-Agent`).
pub(crate) fn device(headers: &HeaderMap) -> String {
    device_label(
        headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    )
}

/// Refuse a browser request from an origin not on the allow-list: CORS only hides the answer
/// from a foreign page, this refuses the side effect as well. No `Origin`: not a browser.
pub(crate) fn refuse_foreign_origin(app: &AppState, headers: &HeaderMap) -> Result<(), RestError> {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        if !app.origins.allows(origin.to_str().unwrap_or(""), host) {
            return Err(RestError::OriginRefused);
        }
    }
    Ok(())
}

/// `GET /healthz`: answered only once the store is open (the router exists only then).
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Any path under `/api/` nothing is routed at (axum's own 404 has an empty body).
pub async fn no_route() -> RestError {
    RestError::NoRoute
}

/// A routed `/api/` path asked with a method it does not take (axum adds `Allow`).
pub async fn method_not_allowed() -> RestError {
    RestError::MethodNotAllowed
}

/// A JSON body, or why not: too large is 413 (the limit is `lib.rs`'s `MAX_REST_BODY`),
/// anything else malformed 400.
pub(crate) fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, RestError> {
    match body {
        Ok(Json(value)) => Ok(value),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(RestError::TooLarge),
        Err(e) => Err(RestError::InvalidInput(e.body_text())),
    }
}
