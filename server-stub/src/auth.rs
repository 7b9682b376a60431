//! Who calls a REST endpoint: the extractors that read `Authorization: Bearer <token>`, check it
//! against the store, and check that its kind (role) is one the endpoint takes.
//!
//! The rule is written once, here: a handler names the caller it takes ([`Caller`]: anyone signed
//! in; [`AgentCaller`]: agents only; [`VisitorCaller`]: visitors only) and cannot run without one.
//! Agent logout once checked no role and revoked a visitor's token; with these that cannot be
//! forgotten again. A missing, unknown or wrong-kind token is `401 unauthorized` (the same answer
//! for all three).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use protocol::{Principal, Role};

use crate::credentials;
use crate::error::RestError;
use crate::policy::Denied;
use crate::sessions::Authenticated;
use crate::state::AppState;
use crate::store::Actor;

/// Anyone signed in: a visitor or an agent.
pub struct Caller(pub Authenticated);

/// An agent; a visitor's token is refused as if it were unknown.
pub struct AgentCaller(pub Authenticated);

/// A visitor; an agent's token is refused as if it were unknown.
pub struct VisitorCaller(pub Authenticated);

impl FromRequestParts<AppState> for Caller {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, RestError> {
        authenticate(parts, app, None).await.map(Caller)
    }
}

impl FromRequestParts<AppState> for AgentCaller {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, RestError> {
        authenticate(parts, app, Some(Role::Agent))
            .await
            .map(AgentCaller)
    }
}

impl FromRequestParts<AppState> for VisitorCaller {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, RestError> {
        authenticate(parts, app, Some(Role::Visitor))
            .await
            .map(VisitorCaller)
    }
}

/// Someone allowed to use the admin API: an agent with the admin role, or the helpdesk's sync
/// job presenting `--admin-api-key`. Anyone else signed in is `403 forbidden`; no token, or
/// an unknown one, `401 unauthorized`.
pub struct AdminCaller(pub Actor);

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, RestError> {
        let token = bearer(&parts.headers).ok_or(RestError::Unauthorized)?;
        // Digests, not the keys, are compared: equal-length values whose comparison time says
        // nothing about the key.
        if app
            .admin_key
            .is_some_and(|key| key == credentials::hash_token(token))
        {
            return Ok(AdminCaller(Actor::ApiKey));
        }
        let who = authenticate(parts, app, None).await?;
        match who.me.principal {
            Principal::Agent(id) if who.admin => Ok(AdminCaller(Actor::Agent(id))),
            _ => Err(RestError::Denied(Denied::Forbidden)),
        }
    }
}

/// The holder of the request's bearer token, if it has one of `role` (any role: `None`).
async fn authenticate(
    parts: &Parts,
    app: &AppState,
    role: Option<Role>,
) -> Result<Authenticated, RestError> {
    let token = bearer(&parts.headers).ok_or(RestError::Unauthorized)?;
    let who = match role {
        Some(role) => app.sessions.authenticate_as(token, role).await?,
        None => app.sessions.authenticate(token).await?,
    };
    who.ok_or(RestError::Unauthorized)
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}
