//! Sections and working together over REST. Admins: `GET`/`POST /api/admin/sections`,
//! `PUT`/`DELETE /api/admin/sections/{id}` (audited). Agents: `GET /api/agent/sections` (to
//! invite a section), `POST /api/agent/conversations/{id}/reject|join|leave`,
//! `POST /api/agent/conversations/{id}/invitations`, `POST
//! /api/agent/invitations/{id}/accept|decline`, `DELETE /api/agent/invitations/{id}`, and
//! `GET /api/agent/abandoned`. A change to sections re-sends every online agent their queue.
//! Every rule is the store's (one transaction with the change); the
//! hub tells the sockets (`hub/teamwork.rs`).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use protocol::Message;
use protocol::workspace::{
    AbandonedList, AnswerRequest, Invitation, InviteRequest, OfferRequest, Section, SectionInput,
    SectionList,
};

use super::{conversation_id, json_body};
use crate::auth::{AdminCaller, AgentCaller, VisitorCaller};
use crate::error::RestError;
use crate::policy::Denied;
use crate::state::AppState;

fn number(id: &str) -> Result<i64, RestError> {
    id.parse()
        .map_err(|_| RestError::InvalidInput("the id must be an integer".into()))
}

/// `GET /api/admin/sections`.
pub async fn list_sections(
    State(app): State<AppState>,
    AdminCaller(_): AdminCaller,
) -> Result<Json<SectionList>, RestError> {
    let sections = app.db.call(|s| s.sections()).await?;
    Ok(Json(SectionList { sections }))
}

/// `GET /api/agent/sections`: the same list, for any agent.
pub async fn agent_sections(
    State(app): State<AppState>,
    AgentCaller(_): AgentCaller,
) -> Result<Json<SectionList>, RestError> {
    let sections = app.db.call(|s| s.sections()).await?;
    Ok(Json(SectionList { sections }))
}

/// `POST /api/admin/sections` with a `SectionInput`: 201 and the section; 400 for a bad or
/// taken name or an unknown agent.
pub async fn add_section(
    State(app): State<AppState>,
    AdminCaller(actor): AdminCaller,
    body: Result<Json<SectionInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Section>), RestError> {
    let input = json_body(body)?;
    let section = app.db.call(move |s| s.add_section(actor, &input)).await?;
    app.hub.sections_changed().await?;
    Ok((StatusCode::CREATED, Json(section)))
}

/// `PUT /api/admin/sections/{id}` with the whole `SectionInput`.
pub async fn put_section(
    State(app): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(id): Path<String>,
    body: Result<Json<SectionInput>, JsonRejection>,
) -> Result<Json<Section>, RestError> {
    let id = number(&id)?;
    let input = json_body(body)?;
    let section = app
        .db
        .call(move |s| s.update_section(actor, id, &input))
        .await?
        .ok_or(RestError::Denied(Denied::NotFound))?;
    app.hub.sections_changed().await?;
    Ok(Json(section))
}

/// `DELETE /api/admin/sections/{id}`: 204. Its open requests widen to every eligible section.
pub async fn delete_section(
    State(app): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, RestError> {
    let id = number(&id)?;
    if app.db.call(move |s| s.delete_section(actor, id)).await? {
        app.hub.sections_changed().await?;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(RestError::Denied(Denied::NotFound))
    }
}

/// `POST /api/agent/conversations/{id}/reject`: 204; not offered to the caller again.
pub async fn reject_request(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, RestError> {
    app.hub.reject(who.me, conversation_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/agent/conversations/{id}/join`: 204; the caller's sockets get the chat.
pub async fn join_chat(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, RestError> {
    app.hub.join(who.me, conversation_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/agent/conversations/{id}/leave`: 204; 403 for the chat's only agent.
pub async fn leave_chat(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, RestError> {
    app.hub.leave(who.me, conversation_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/agent/conversations/{id}/invitations` with an `InviteRequest`: 201 and the
/// invitation; 429-free `limit_reached` (409) while another is pending.
pub async fn invite(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
    body: Result<Json<InviteRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Invitation>), RestError> {
    let id = conversation_id(&id)?;
    let request = json_body(body)?;
    let invitation = app.hub.invite(who.me, id, request).await?;
    Ok((StatusCode::CREATED, Json(invitation)))
}

/// `POST /api/agent/invitations/{id}/accept`: 204; the caller joins the chat.
pub async fn accept_invitation(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, RestError> {
    app.hub
        .answer_invitation(who.me, number(&id)?, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/agent/invitations/{id}/decline`: 204.
pub async fn decline_invitation(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, RestError> {
    app.hub
        .answer_invitation(who.me, number(&id)?, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/agent/invitations/{id}`: the inviter withdraws it; 204.
pub async fn cancel_invitation(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, RestError> {
    app.hub.cancel_invitation(who.me, number(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/agent/conversations/{id}/offer` with an `OfferRequest`: 201 and the message
/// (a retry: 200 and the same one).
pub async fn offer(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
    body: Result<Json<OfferRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Message>), RestError> {
    let id = conversation_id(&id)?;
    let request = json_body(body)?;
    created_or_retried(app.hub.offer(who.me, id, request).await?)
}

/// `POST /api/conversations/{id}/answer` with an `AnswerRequest`, by the chat's visitor: the
/// picked choice becomes their reply. 201 and the message (a retry: 200 and the same one).
pub async fn answer(
    State(app): State<AppState>,
    VisitorCaller(who): VisitorCaller,
    Path(id): Path<String>,
    body: Result<Json<AnswerRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Message>), RestError> {
    let id = conversation_id(&id)?;
    let request = json_body(body)?;
    created_or_retried(app.hub.answer(who.me, id, request).await?)
}

/// 201 for a message stored now, 200 for the one a retried `client_id` stored before.
fn created_or_retried(
    (message, new): (Message, bool),
) -> Result<(StatusCode, Json<Message>), RestError> {
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(message)))
}

/// `GET /api/agent/abandoned`: the abandoned requests of the caller's sections.
pub async fn list_abandoned(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
) -> Result<Json<AbandonedList>, RestError> {
    let agent = who.me.principal.agent().ok_or(RestError::Unauthorized)?;
    let chats = app.db.call(move |s| s.abandoned_for(agent)).await?;
    Ok(Json(AbandonedList { chats }))
}
