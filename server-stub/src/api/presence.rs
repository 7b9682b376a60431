//! Contacts on the site, over REST: a contact's widget reporting its tab away or back
//! (`POST /api/contact/presence`), the contacts online now as agents list them
//! (`GET /api/agent/contacts/online`), and an agent starting a chat with one of them
//! (`POST /api/agent/push-chat`). Presence itself is the hub's (`hub/contacts.rs`); who may
//! start which chat is `policy::may_push_chat`, applied by the store.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use protocol::helpdesk::MAX_KEY_BYTES;
use protocol::presence::{OnlineContact, OnlineContacts, PresenceReport, PushChatRequest};
use protocol::{Conversation, Presence, Principal};

use super::json_body;
use crate::auth::{AgentCaller, VisitorCaller};
use crate::error::RestError;
use crate::policy::Denied;
use crate::state::AppState;

/// `POST /api/contact/presence` with a contact's visitor token and a `PresenceReport`: 204.
/// The widget sends `away: true` after 5 minutes without activity in its tab and
/// `away: false` when activity resumes. An anonymous visitor has no presence to report:
/// `403 forbidden`, as for their (absent) tickets.
pub async fn report_presence(
    State(app): State<AppState>,
    VisitorCaller(who): VisitorCaller,
    body: Result<Json<PresenceReport>, JsonRejection>,
) -> Result<StatusCode, RestError> {
    let Principal::Visitor(id) = who.me.principal else {
        return Err(RestError::Unauthorized);
    };
    let report = json_body(body)?;
    let card = app.db.call(move |s| s.visitor_card(id)).await?;
    if card.is_none_or(|c| c.contact.is_none()) {
        return Err(RestError::Denied(Denied::Forbidden));
    }
    app.hub.report_away(id, who.credential, report.away);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/agent/contacts/online` with an agent token: every contact with a portal tab open
/// now, online ones first, then away ones, each by name, with their company and open tickets.
pub async fn online_contacts(
    State(app): State<AppState>,
    AgentCaller(_): AgentCaller,
) -> Result<Json<OnlineContacts>, RestError> {
    let present = app.hub.present_visitors();
    let mut contacts = app
        .db
        .call(move |s| {
            let mut out = Vec::new();
            for (visitor_id, presence) in present {
                // Anonymous visitors have sockets too; only contacts are listed.
                if let Some(card) = s.visitor_card(visitor_id)?
                    && let Some(contact) = card.contact
                {
                    out.push(OnlineContact {
                        visitor_id,
                        contact,
                        company_name: card.company_name.unwrap_or_default(),
                        presence,
                        open_tickets: card.open_tickets,
                    });
                }
            }
            Ok(out)
        })
        .await?;
    contacts.sort_by(|a, b| {
        (
            a.presence != Presence::Online,
            &a.contact.name,
            &a.contact.id,
        )
            .cmp(&(
                b.presence != Presence::Online,
                &b.contact.name,
                &b.contact.id,
            ))
    });
    Ok(Json(OnlineContacts { contacts }))
}

/// `POST /api/agent/push-chat` with an agent token and a `PushChatRequest`: 201 and the new
/// conversation, active with the agent in it. The contact's sockets get `conversation` and
/// the system line (their widget opens it), the agent's `accepted` and `history` (the console
/// opens it), everyone in it `ticket_linked` when it is about a ticket.
///
/// Refusals: 404 `not_found` for an unknown contact; 403 `forbidden` when chat is not allowed
/// for them; 409 `not_found` when they are offline (no portal tab open); 409 `limit_reached`
/// when they already have an open chat (waiting or active: accept it from the queue, or leave
/// it to its agent) or the agent holds `MAX_OPEN_CONVERSATIONS`; 400 `invalid_input` for a
/// ticket that is not one of their open tickets.
pub async fn push_chat(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    body: Result<Json<PushChatRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Conversation>), RestError> {
    let req = json_body(body)?;
    if req.contact_id.is_empty() || req.contact_id.len() > MAX_KEY_BYTES {
        return Err(RestError::InvalidInput(format!(
            "contact_id must be 1 to {MAX_KEY_BYTES} bytes"
        )));
    }
    if req
        .ticket
        .as_ref()
        .is_some_and(|t| t.is_empty() || t.len() > MAX_KEY_BYTES)
    {
        return Err(RestError::InvalidInput(format!(
            "ticket must be 1 to {MAX_KEY_BYTES} bytes"
        )));
    }
    let pushed = app
        .hub
        .push_chat(who.me, req.contact_id, req.ticket)
        .await?;
    Ok((StatusCode::CREATED, Json(pushed.conversation)))
}
