//! Canned replies over REST, for agents: the shared ones and their own (`GET`), adding,
//! changing and deleting (`POST`, `PUT`, `DELETE /api/agent/canned[/{id}]`). Shared replies are
//! written by admins only; the store decides, in the transaction that writes.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use protocol::canned::{
    CannedInput, CannedList, CannedReply, MAX_CANNED_TITLE_CHARS, valid_shortcut,
};

use super::json_body;
use crate::auth::AgentCaller;
use crate::error::RestError;
use crate::policy::Denied;
use crate::sessions::Authenticated;
use crate::state::AppState;

fn agent_of(who: &Authenticated) -> Result<protocol::AgentId, RestError> {
    who.me.principal.agent().ok_or(RestError::Unauthorized)
}

/// Bounds and shapes, before the store sees it.
fn checked(mut input: CannedInput) -> Result<CannedInput, RestError> {
    let title = input.title.trim().chars().count();
    if title == 0 || title > MAX_CANNED_TITLE_CHARS {
        return Err(RestError::InvalidInput(format!(
            "title must be 1 to {MAX_CANNED_TITLE_CHARS} characters"
        )));
    }
    protocol::validate_body(&input.body)
        .map_err(|e| RestError::InvalidInput(format!("body {e}")))?;
    // An empty shortcut means none; a leading slash is how it is typed, not part of it.
    input.shortcut = input
        .shortcut
        .map(|s| s.trim().trim_start_matches('/').to_owned())
        .filter(|s| !s.is_empty());
    if let Some(s) = &input.shortcut
        && !valid_shortcut(s)
    {
        return Err(RestError::InvalidInput(
            "shortcut must be 1 to 32 letters, digits, - or _".into(),
        ));
    }
    Ok(input)
}

fn reply_id(id: &str) -> Result<i64, RestError> {
    id.parse()
        .map_err(|_| RestError::InvalidInput("the id must be an integer".into()))
}

/// `GET /api/agent/canned`: the shared replies and the caller's own.
pub async fn list_canned(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
) -> Result<Json<CannedList>, RestError> {
    let agent = agent_of(&who)?;
    let replies = app.db.call(move |s| s.canned_for(agent)).await?;
    Ok(Json(CannedList { replies }))
}

/// `POST /api/agent/canned` with a `CannedInput`: 201 and the reply. 403 for a shared one by a
/// non-admin; 400 for bad bounds or a shortcut already in use.
pub async fn add_canned(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    body: Result<Json<CannedInput>, JsonRejection>,
) -> Result<(StatusCode, Json<CannedReply>), RestError> {
    let agent = agent_of(&who)?;
    let input = checked(json_body(body)?)?;
    let admin = who.admin;
    let reply = app
        .db
        .call(move |s| s.add_canned(agent, admin, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(reply)))
}

/// `PUT /api/agent/canned/{id}`: the reply after the change; 404 for one the caller does not
/// see, 403 for a shared one changed by a non-admin.
pub async fn update_canned(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
    body: Result<Json<CannedInput>, JsonRejection>,
) -> Result<Json<CannedReply>, RestError> {
    let agent = agent_of(&who)?;
    let id = reply_id(&id)?;
    let input = checked(json_body(body)?)?;
    let admin = who.admin;
    app.db
        .call(move |s| s.update_canned(agent, admin, id, &input))
        .await?
        .map(Json)
        .ok_or(RestError::Denied(Denied::NotFound))
}

/// `DELETE /api/agent/canned/{id}`: 204; the same rules as changing it.
pub async fn delete_canned(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, RestError> {
    let agent = agent_of(&who)?;
    let id = reply_id(&id)?;
    let admin = who.admin;
    if app
        .db
        .call(move |s| s.delete_canned(agent, admin, id))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(RestError::Denied(Denied::NotFound))
    }
}
