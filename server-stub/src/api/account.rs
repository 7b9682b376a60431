//! Signing in and out: anonymous visitor sessions and their logout, agent login and logout,
//! an agent's own sessions (list, end one, end all others) and password change.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use protocol::{
    ChangePasswordRequest, LoginRequest, SessionId, SessionList, SessionResponse, SessionsEnded,
    VisitorSessionRequest,
};

use super::{close_reason, device, json_body};
use crate::auth::{AgentCaller, VisitorCaller};
use crate::error::RestError;
use crate::limits::ClientIp;
use crate::policy::Denied;
use crate::sessions::{self, LoginError, PasswordChangeError};
use crate::state::AppState;

/// `POST /api/visitor/session`: a new anonymous visitor and their token.
pub async fn visitor_session(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<Json<VisitorSessionRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<SessionResponse>), RestError> {
    super::refuse_foreign_origin(&app, &headers)?;
    app.limits.session(ip)?;
    let req = json_body(body)?;
    let name = protocol::validate_name(&req.name)
        .map_err(|e| RestError::InvalidInput(format!("name {e}")))?
        .to_owned();
    // Chat switched off for the site: no new anonymous chats (the loader draws no bubble;
    // this refuses a crafted request). Sessions made before keep their conversation.
    if !app.db.call(|s| s.chat_terms(None)).await?.chat_enabled {
        return Err(RestError::Denied(crate::policy::Denied::ChatDisabled));
    }
    let session = app.sessions.visitor(name, device(&headers)).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// `POST /api/agent/login`: limited per address, then per account, then by the hashing pool.
pub async fn login(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<SessionResponse>, RestError> {
    app.limits.login_from(ip)?;
    let req = json_body(body)?;
    if req.email.len() > protocol::MAX_EMAIL_BYTES
        || req.password.len() > protocol::MAX_PASSWORD_BYTES
    {
        return Err(RestError::BadCredentials);
    }
    app.limits
        .login_as(&sessions::normalise_email(&req.email))
        .inspect_err(|_| tracing::info!(%ip, "agent login refused: account rate limit"))?;
    let login = app
        .sessions
        .login(&app.passwords, &req.email, req.password, device(&headers));
    match login.await {
        Ok(session) => Ok(Json(session)),
        Err(LoginError::BadCredentials) => {
            tracing::info!(%ip, "failed agent login");
            Err(RestError::BadCredentials)
        }
        Err(LoginError::Hashing(e)) => {
            tracing::warn!(%ip, error = %e, "agent login not checked");
            Err(e.into())
        }
        Err(LoginError::Store(e)) => Err(e.into()),
    }
}

/// `POST /api/agent/logout` with an agent's `Authorization: Bearer <token>` (a visitor's is
/// refused, and stays valid).
pub async fn logout(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
) -> Result<StatusCode, RestError> {
    end_own_session(&app, &who).await
}

/// `POST /api/visitor/logout` with a visitor's token (an agent's is refused): the widget's
/// "forget me" and a site's sign-out.
pub async fn visitor_logout(
    State(app): State<AppState>,
    VisitorCaller(who): VisitorCaller,
) -> Result<StatusCode, RestError> {
    end_own_session(&app, &who).await
}

async fn end_own_session(
    app: &AppState,
    who: &sessions::Authenticated,
) -> Result<StatusCode, RestError> {
    // Revoked in the store first, so a socket racing to reconnect with it is refused.
    app.sessions.logout(who.credential).await?;
    app.hub.revoke(&who.credential, close_reason::SIGNED_OUT);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/agent/sessions`: the caller's sessions (their own first, then the most recently
/// used), and which have a socket open.
pub async fn list_sessions(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
) -> Result<Json<SessionList>, RestError> {
    let hub = app.hub.clone();
    let sessions = app
        .sessions
        .list(&who, |credential| hub.has_socket_with(credential))
        .await?;
    Ok(Json(SessionList { sessions }))
}

/// `DELETE /api/agent/sessions/{id}`: end one of the caller's sessions (their current one
/// too); its sockets close with 1008 "session ended". Another agent's session, or one that
/// is already gone, is `404 not_found`.
pub async fn end_session(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, RestError> {
    let id = id
        .parse()
        .map(SessionId)
        .map_err(|_| RestError::InvalidInput("the session id must be an integer".into()))?;
    let ended = app.sessions.end(&who, id).await?;
    let credential = ended.ok_or(RestError::Denied(Denied::NotFound))?;
    app.hub.revoke(&credential, close_reason::SESSION_ENDED);
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/agent/sessions`: end every session of the caller but the one asking.
pub async fn end_other_sessions(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
) -> Result<Json<SessionsEnded>, RestError> {
    let ended = app.sessions.end_others(&who).await?;
    for credential in &ended {
        app.hub.revoke(credential, close_reason::SESSION_ENDED);
    }
    Ok(Json(SessionsEnded {
        ended: u32::try_from(ended.len()).unwrap_or(u32::MAX),
    }))
}

/// `POST /api/agent/password`: check the current password, set the new one, end every
/// session of the agent (their sockets close with 1008 "password changed") and answer with a
/// new session for this device. Attempts count against the account's login limit.
pub async fn change_password(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    headers: HeaderMap,
    body: Result<Json<ChangePasswordRequest>, JsonRejection>,
) -> Result<Json<SessionResponse>, RestError> {
    let req = json_body(body)?;
    if req.current_password.len() > protocol::MAX_PASSWORD_BYTES {
        return Err(RestError::InvalidInput(
            PasswordChangeError::WrongPassword.to_string(),
        ));
    }
    app.limits.password_change(who.me.principal)?;
    let change = app.sessions.change_password(
        &app.passwords,
        &who,
        req.current_password,
        req.new_password,
        device(&headers),
    );
    let (session, ended) = match change.await {
        Ok(done) => done,
        Err(e @ (PasswordChangeError::WrongPassword | PasswordChangeError::Weak(_))) => {
            return Err(RestError::InvalidInput(e.to_string()));
        }
        Err(PasswordChangeError::Hashing(e)) => return Err(e.into()),
        Err(PasswordChangeError::Store(e)) => return Err(e.into()),
    };
    for credential in &ended {
        app.hub.revoke(credential, close_reason::PASSWORD_CHANGED);
    }
    tracing::info!(agent = ?who.me.principal, sessions_ended = ended.len(), "password changed");
    Ok(Json(session))
}
