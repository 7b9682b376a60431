//! A chat and its ticket: linking a conversation to one of its contact's open tickets (or
//! unlinking it), and making a new ticket from the chat. For the conversation's verified
//! contact (from the widget) and its agents (from the console); the store applies the rule
//! (`policy::may_link_ticket`), the hub tells every member. Also ending a chat over REST.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use protocol::helpdesk::{
    CreateTicketRequest, LinkTicketRequest, MAX_KEY_BYTES, MAX_TITLE_CHARS, Ticket,
};

use super::{conversation_id, json_body};
use crate::auth::Caller;
use crate::error::RestError;
use crate::state::AppState;

/// `PUT /api/conversations/{id}/ticket` with a `LinkTicketRequest`: 204. Members get the
/// system line and `ticket_linked`. 404 for a conversation the caller is not in or a ticket
/// that is not an open one of its contact's; 403 for an anonymous visitor; 409 once ended.
pub async fn link_ticket(
    State(app): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    body: Result<Json<LinkTicketRequest>, JsonRejection>,
) -> Result<StatusCode, RestError> {
    let conversation = conversation_id(&id)?;
    let req = json_body(body)?;
    let me = who.me;
    let change = app
        .db
        .call(move |s| s.link_ticket(&me, conversation, req.ticket.as_deref()))
        .await?;
    app.hub.ticket_linked(change).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/conversations/{id}/tickets` with a `CreateTicketRequest`: 201 and the new
/// ticket, linked to the chat (a retry with the same `client_key` answers 200 with the same
/// ticket and changes nothing). Same rules as linking.
pub async fn create_ticket(
    State(app): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    body: Result<Json<CreateTicketRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Ticket>), RestError> {
    let conversation = conversation_id(&id)?;
    let req = json_body(body)?;
    let chars = req.subject.trim().chars().count();
    if chars == 0 || chars > MAX_TITLE_CHARS {
        return Err(RestError::InvalidInput(format!(
            "subject must be 1 to {MAX_TITLE_CHARS} characters"
        )));
    }
    if !protocol::valid_client_id(&req.client_key) || req.client_key.len() > MAX_KEY_BYTES {
        return Err(RestError::InvalidInput(
            "client_key must be 1 to 64 printable ASCII characters".into(),
        ));
    }
    let me = who.me;
    let (ticket, change) = app
        .db
        .call(move |s| s.create_ticket_from_chat(&me, conversation, &req.subject, &req.client_key))
        .await?;
    let status = match change {
        Some(change) => {
            app.hub.ticket_linked(change).await;
            StatusCode::CREATED
        }
        None => StatusCode::OK,
    };
    Ok((status, Json(ticket)))
}

/// `POST /api/conversations/{id}/end`: 204, exactly as the socket's `end` (the same rule,
/// `policy::may_end`, and the same frames to every member). For clients that act without a
/// socket of their own: the widget's on-demand "when nobody answers" panel.
pub async fn end_conversation(
    State(app): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, RestError> {
    let conversation = conversation_id(&id)?;
    app.hub.end_conversation(who.me, conversation).await?;
    Ok(StatusCode::NO_CONTENT)
}
