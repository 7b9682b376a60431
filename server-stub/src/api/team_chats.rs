//! Agents' own chats over REST: `GET`/`POST /api/agent/team-chats` (the caller's chats; start
//! one: a colleague's direct chat, or a group), `PUT /api/agent/team-chats/{id}` (rename a
//! group), `POST /api/agent/team-chats/{id}/members` (add colleagues), `POST
//! /api/agent/team-chats/{id}/leave`. Their messages go over the socket like any chat's.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use protocol::workspace::{AddTeamMembers, NewTeamChat, RenameTeamChat, TeamChat};

use super::{conversation_id, json_body};
use crate::auth::AgentCaller;
use crate::error::RestError;
use crate::state::AppState;

/// Most team chats listed at once.
const LIST_LIMIT: usize = 500;

/// `GET /api/agent/team-chats`: the caller's team chats, most recently active first.
pub async fn list_team_chats(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
) -> Result<Json<Vec<TeamChat>>, RestError> {
    let agent = who.me.principal.agent().ok_or(RestError::Unauthorized)?;
    let chats = app
        .db
        .call(move |s| s.team_chats_of(agent, LIST_LIMIT))
        .await?;
    Ok(Json(chats))
}

/// `POST /api/agent/team-chats` with a `NewTeamChat`: 201 and a new chat, or 200 and the
/// existing direct chat with that colleague.
pub async fn start_team_chat(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    body: Result<Json<NewTeamChat>, JsonRejection>,
) -> Result<(StatusCode, Json<TeamChat>), RestError> {
    let request = json_body(body)?;
    let (chat, created) = app.hub.start_team_chat(who.me, request).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(chat)))
}

/// `PUT /api/agent/team-chats/{id}` with a `RenameTeamChat`.
pub async fn rename_team_chat(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
    body: Result<Json<RenameTeamChat>, JsonRejection>,
) -> Result<Json<TeamChat>, RestError> {
    let id = conversation_id(&id)?;
    let RenameTeamChat { title } = json_body(body)?;
    Ok(Json(app.hub.rename_team_chat(who.me, id, title).await?))
}

/// `POST /api/agent/team-chats/{id}/members` with `AddTeamMembers`.
pub async fn add_team_members(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
    body: Result<Json<AddTeamMembers>, JsonRejection>,
) -> Result<Json<TeamChat>, RestError> {
    let id = conversation_id(&id)?;
    let AddTeamMembers { members } = json_body(body)?;
    Ok(Json(app.hub.add_team_members(who.me, id, members).await?))
}

/// `POST /api/agent/team-chats/{id}/leave`: 204.
pub async fn leave_team_chat(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, RestError> {
    let id = conversation_id(&id)?;
    app.hub.leave_team_chat(who.me, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
