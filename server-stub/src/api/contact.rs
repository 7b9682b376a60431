//! Portal contacts: signing in with the signed identity their portal gives the widget, and
//! their tickets; agents' view of the person behind a visitor id; and whether chats are
//! answered now (office hours), which any widget asks.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use protocol::helpdesk::{
    Availability, AvailabilityRequest, ContactSessionRequest, ContactSessionResponse,
    PastConversationList, TicketList, VisitorCard,
};
use protocol::workspace::SectionPick;
use protocol::{Principal, Role, VisitorId};

use super::{close_reason, device, json_body};
use crate::auth::{AgentCaller, VisitorCaller};
use crate::error::RestError;
use crate::identity::IdentityError;
use crate::limits::ClientIp;
use crate::office_hours::Schedule;
use crate::policy::Denied;
use crate::state::AppState;

/// `POST /api/contact/session` with a `ContactSessionRequest`: the contact's session (201).
/// With the widget's anonymous visitor token as `Authorization: Bearer`, the contact keeps
/// that visitor's open conversation and the anonymous token ends (its sockets close with
/// 1008 "identified"). A statement that is missing, expired, tampered or signed with another
/// secret is `401 unauthorized` with the reason for the site's developer, and attaches to
/// nothing; a contact without chat permission is `403 forbidden`. Rate-limited like visitor
/// sessions, per address.
pub async fn contact_session(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<Json<ContactSessionRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<ContactSessionResponse>), RestError> {
    super::refuse_foreign_origin(&app, &headers)?;
    app.limits.session(ip)?;
    let req = json_body(body)?;
    let claims = app.identity.verify(&req.identity).map_err(|e| {
        tracing::info!(%ip, error = %e, "signed identity refused");
        match e {
            IdentityError::NotConfigured => RestError::Denied(Denied::Forbidden),
            other => RestError::BadIdentity(other.to_string()),
        }
    })?;
    // The anonymous visitor this browser was, if the widget says so with a valid token.
    let anonymous = match crate::auth::bearer(&headers) {
        Some(token) => app.sessions.authenticate_as(token, Role::Visitor).await?,
        None => None,
    };
    let adopt_from = anonymous.as_ref().and_then(|a| match a.me.principal {
        Principal::Visitor(id) => Some(id),
        Principal::Agent(_) => None,
    });
    let session = app
        .sessions
        .contact(claims, device(&headers), adopt_from)
        .await?;
    if let Some(anonymous) = anonymous.filter(|a| a.me.principal != session.me.principal) {
        app.sessions.logout(anonymous.credential).await?;
        app.hub
            .revoke(&anonymous.credential, close_reason::IDENTIFIED);
    }
    if let Some(id) = session.adopted {
        app.hub.conversation_changed(id).await;
    }
    Ok((StatusCode::CREATED, Json(session)))
}

/// `GET /api/contact/tickets` with a visitor token: the tickets of the contact behind it,
/// newest first (none for an anonymous visitor).
pub async fn contact_tickets(
    State(app): State<AppState>,
    VisitorCaller(who): VisitorCaller,
) -> Result<Json<TicketList>, RestError> {
    let Principal::Visitor(id) = who.me.principal else {
        return Err(RestError::Unauthorized);
    };
    let tickets = app.db.call(move |s| s.tickets_of(id)).await?;
    Ok(Json(TicketList { tickets }))
}

/// `GET /api/agent/visitors/{id}` with an agent token: who a visitor is (a verified contact's
/// details and open tickets, or just a name) and whether they are on the site now, for the
/// console's conversation header.
pub async fn visitor_card(
    State(app): State<AppState>,
    AgentCaller(_): AgentCaller,
    Path(id): Path<String>,
) -> Result<Json<VisitorCard>, RestError> {
    let id = id
        .parse()
        .map(VisitorId)
        .map_err(|_| RestError::InvalidInput("the visitor id must be an integer".into()))?;
    let mut card = app
        .db
        .call(move |s| s.visitor_card(id))
        .await?
        .ok_or(RestError::Denied(Denied::NotFound))?;
    // Sockets are the hub's, not the store's: presence is filled in here.
    card.presence = app.hub.presence(id);
    Ok(Json(card))
}

/// `GET /api/availability`: what the loader of an anonymous visitor needs before it draws
/// the bubble: whether chat is on, whether chats are answered now (office hours) and, if not,
/// when next, and the unanswered wait. No sign-in.
pub async fn availability(State(app): State<AppState>) -> Result<Json<Availability>, RestError> {
    availability_for(&app, None).await.map(Json)
}

/// `POST /api/availability` with an `AvailabilityRequest`: the same for a portal's contact,
/// with their own chat permission and pre-ticket setting. A statement that does not verify is
/// answered as for an anonymous visitor, which is what the widget then becomes (its sign-in
/// tells the site's developer why).
pub async fn contact_availability(
    State(app): State<AppState>,
    body: Result<Json<AvailabilityRequest>, JsonRejection>,
) -> Result<Json<Availability>, RestError> {
    let req = json_body(body)?;
    let claims = app.identity.verify(&req.identity).ok();
    availability_for(&app, claims.map(|c| (c.sub, c.company)))
        .await
        .map(Json)
}

async fn availability_for(
    app: &AppState,
    contact: Option<(String, String)>,
) -> Result<Availability, RestError> {
    let (hours, terms) = app
        .db
        .call(move |s| {
            let terms = s.chat_terms(contact.as_ref().map(|(c, co)| (c.as_str(), co.as_str())))?;
            Ok((s.office_hours()?, terms))
        })
        .await?;
    let schedule = Schedule::parse(&hours).map_err(|e| {
        // Stored settings were validated when saved; a failure here is a corrupt row.
        RestError::Store(crate::store::StoreError::Corrupt(format!(
            "office hours: {e}"
        )))
    })?;
    let now = jiff::Timestamp::now();
    let open = schedule.is_open(now);
    let next_open = if open {
        None
    } else {
        schedule.next_open(now).map(|t| t.as_millisecond())
    };
    Ok(Availability {
        open,
        next_open,
        chat_enabled: terms.chat_enabled,
        unanswered_after_secs: terms.unanswered_after_secs,
        pre_ticket: terms.pre_ticket,
        sections: terms.sections,
    })
}

/// `PUT /api/visitor/section` with a `SectionPick`, by a visitor: the section their next
/// request goes to, one of `Availability::sections` (204); 400 `invalid_input` for any other.
pub async fn pick_section(
    State(app): State<AppState>,
    VisitorCaller(who): VisitorCaller,
    body: Result<Json<SectionPick>, JsonRejection>,
) -> Result<StatusCode, RestError> {
    let Principal::Visitor(id) = who.me.principal else {
        return Err(RestError::Unauthorized);
    };
    let pick = json_body(body)?;
    if app
        .db
        .call(move |s| s.pick_section(id, pick.section))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(RestError::InvalidInput(
            "section: not one this visitor may pick".to_owned(),
        ))
    }
}

/// `GET /api/contact/conversations` with a visitor token: a verified contact's conversations,
/// newest first, with their tickets (none for an anonymous visitor), for the widget's history.
pub async fn contact_conversations(
    State(app): State<AppState>,
    VisitorCaller(who): VisitorCaller,
) -> Result<Json<PastConversationList>, RestError> {
    let Principal::Visitor(id) = who.me.principal else {
        return Err(RestError::Unauthorized);
    };
    let conversations = app.db.call(move |s| s.past_conversations(id)).await?;
    Ok(Json(PastConversationList { conversations }))
}
