//! Agent accounts for admins (`/api/admin/agents`): list, add, change (name, admin role,
//! active) and set a new password. Deactivating or resetting ends every session of the agent
//! and closes their sockets at once; a deactivated agent cannot sign in. Passwords are hashed
//! in the password pool, never logged or audited.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use protocol::AgentId;
use protocol::agents::{
    AgentList, AgentProfile, AgentRecord, AgentUpdate, NewAgentRequest, ResetPasswordRequest,
};

use super::admin::{email, name};
use super::{close_reason, json_body};
use crate::auth::{AdminCaller, AgentCaller};
use crate::error::RestError;
use crate::policy::Denied;
use crate::sessions::normalise_email;
use crate::state::AppState;

fn agent_id(id: &str) -> Result<AgentId, RestError> {
    id.parse()
        .map(AgentId)
        .map_err(|_| RestError::InvalidInput("the agent id must be an integer".into()))
}

fn password(value: &str) -> Result<(), RestError> {
    if value.len() > protocol::MAX_PASSWORD_BYTES {
        return Err(RestError::InvalidInput("the password is too long".into()));
    }
    protocol::validate_new_password(value)
        .map_err(|e| RestError::InvalidInput(format!("the password {e}")))
}

/// `GET /api/agent/me`: the calling agent, and whether they are an admin.
pub async fn me(AgentCaller(who): AgentCaller) -> Result<Json<AgentProfile>, RestError> {
    let id = who.me.principal.agent().ok_or(RestError::Unauthorized)?;
    Ok(Json(AgentProfile {
        id,
        name: who.me.name,
        is_admin: who.admin,
    }))
}

/// `GET /api/admin/agents`: every account, active first, by name.
pub async fn list_agents(
    State(app): State<AppState>,
    AdminCaller(_): AdminCaller,
) -> Result<Json<AgentList>, RestError> {
    let agents = app.db.call(|s| s.agents()).await?;
    Ok(Json(AgentList { agents }))
}

/// `POST /api/admin/agents` with a `NewAgentRequest`: 201 and the account. 400 for a bad
/// e-mail or name, a short password, or an e-mail already in use.
pub async fn add_agent(
    State(app): State<AppState>,
    AdminCaller(actor): AdminCaller,
    body: Result<Json<NewAgentRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<AgentRecord>), RestError> {
    let req = json_body(body)?;
    let address = normalise_email(&req.email);
    email(&address)?;
    name("name", &req.name)?;
    password(&req.password)?;
    let phc = app.passwords.hash(req.password).await?;
    let agent = app
        .db
        .call(move |s| s.add_agent(actor, &address, &req.name, &phc, req.is_admin))
        .await?;
    Ok((StatusCode::CREATED, Json(agent)))
}

/// `PUT /api/admin/agents/{id}` with an `AgentUpdate`: the account after the change.
/// Deactivating closes the agent's sockets (1008 "account deactivated"). 400 when it would
/// leave no active admin; 404 for an unknown agent.
pub async fn update_agent(
    State(app): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(id): Path<String>,
    body: Result<Json<AgentUpdate>, JsonRejection>,
) -> Result<Json<AgentRecord>, RestError> {
    let id = agent_id(&id)?;
    let update = json_body(body)?;
    if let Some(new_name) = &update.name {
        name("name", new_name)?;
    }
    let (agent, ended) = app
        .db
        .call(move |s| s.update_agent(actor, id, &update))
        .await?
        .ok_or(RestError::Denied(Denied::NotFound))?;
    for credential in &ended {
        app.hub.revoke(credential, close_reason::DEACTIVATED);
    }
    Ok(Json(agent))
}

/// `POST /api/admin/agents/{id}/password` with a `ResetPasswordRequest`: 204; every session
/// of the agent ends (1008 "password reset").
pub async fn reset_agent_password(
    State(app): State<AppState>,
    AdminCaller(actor): AdminCaller,
    Path(id): Path<String>,
    body: Result<Json<ResetPasswordRequest>, JsonRejection>,
) -> Result<StatusCode, RestError> {
    let id = agent_id(&id)?;
    let req = json_body(body)?;
    password(&req.password)?;
    let phc = app.passwords.hash(req.password).await?;
    let ended = app
        .db
        .call(move |s| s.reset_agent_password(actor, id, &phc))
        .await?
        .ok_or(RestError::Denied(Denied::NotFound))?;
    for credential in &ended {
        app.hub.revoke(credential, close_reason::PASSWORD_RESET);
    }
    Ok(StatusCode::NO_CONTENT)
}
