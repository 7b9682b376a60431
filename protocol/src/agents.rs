//! Agent accounts as admins manage them (`/api/admin/agents`): the list, adding an agent,
//! changing one (name, admin role, active), and setting a new password for one. Plain serde
//! derive: only the console and the server use these.

use serde::{Deserialize, Serialize};

use crate::ids::{AgentId, Millis};

/// An agent account, as admins see it (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentRecord {
    pub id: AgentId,
    pub name: String,
    pub email: String,
    pub is_admin: bool,
    /// A deactivated agent cannot sign in, and their sessions ended when they were deactivated.
    pub active: bool,
    pub created_at: Millis,
}

/// `GET /api/agent/me`: who the console is signed in as, and whether they may use the admin
/// API (the console's Settings screen), so it never has to probe that API to find out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentProfile {
    pub id: AgentId,
    pub name: String,
    pub is_admin: bool,
}

/// `GET /api/admin/agents`: every account, active ones first, then by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentList {
    pub agents: Vec<AgentRecord>,
}

/// `POST /api/admin/agents`: a new agent with a first password (at least
/// [`crate::MIN_PASSWORD_CHARS`] characters), which they can change in their account panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAgentRequest {
    pub email: String,
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub is_admin: bool,
}

/// `PUT /api/admin/agents/{id}`: what to change; absent fields stay as they are. Deactivating
/// ends every session of the agent (their sockets close). The last active admin cannot be
/// deactivated or lose the role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_admin: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// `POST /api/admin/agents/{id}/password`: set a new password for an agent who forgot theirs;
/// every session of theirs ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    pub password: String,
}
