//! The REST surface: health, anonymous visitor sessions, agent login and logout.
//!
//! Owns request parsing, per-IP rate limits and status codes; credentials are made and checked
//! in `auth.rs`, and every non-2xx answer is a `protocol::ErrorBody` (see `error.rs`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use protocol::{LoginRequest, SessionResponse, VisitorSessionRequest};
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::{self, AuthError};
use crate::error::ApiError;

/// Per-client-IP limits on the two calls that mint credentials.
pub struct IpLimits {
    sessions: DefaultKeyedRateLimiter<IpAddr>,
    logins: DefaultKeyedRateLimiter<IpAddr>,
}

impl IpLimits {
    pub fn new(sessions_per_minute: u32, logins_per_minute: u32) -> Self {
        let per_minute = |n: u32| {
            let n = NonZeroU32::new(n.max(1)).expect("max(1) is non-zero");
            Quota::per_minute(n).allow_burst(n)
        };
        IpLimits {
            sessions: RateLimiter::keyed(per_minute(sessions_per_minute)),
            logins: RateLimiter::keyed(per_minute(logins_per_minute)),
        }
    }

    /// Forget addresses that have been quiet, so the maps do not grow without bound.
    pub fn retain_recent(&self) {
        self.sessions.retain_recent();
        self.logins.retain_recent();
    }
}

/// The peer address of the TCP connection. Behind a reverse proxy this is the proxy; limits
/// then apply to it as a whole (we do not trust `X-Forwarded-For` from arbitrary clients).
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(ClientIp(ip))
    }
}

/// `GET /healthz`: answered only once the store is open (the router exists only then).
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `POST /api/visitor/session`: a new anonymous visitor and their token.
pub async fn visitor_session(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<Json<VisitorSessionRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<SessionResponse>), ApiError> {
    // CORS only hides the answer from a foreign page; refuse the side effect as well.
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let origin = origin.to_str().unwrap_or("");
        if !app.origins.allows(origin, host) {
            return Err(ApiError::OriginRefused);
        }
    }
    if app.limits.sessions.check_key(&ip).is_err() {
        return Err(ApiError::RateLimited);
    }
    let Json(req) = body.map_err(|e| ApiError::InvalidInput(e.body_text()))?;
    let name = protocol::validate_name(&req.name)
        .map_err(|e| ApiError::InvalidInput(format!("name {e}")))?
        .to_owned();
    let session = auth::visitor_session(&app.db, name).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// `POST /api/agent/login`.
pub async fn login(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<SessionResponse>, ApiError> {
    if app.limits.logins.check_key(&ip).is_err() {
        return Err(ApiError::RateLimited);
    }
    let Json(req) = body.map_err(|e| ApiError::InvalidInput(e.body_text()))?;
    if req.email.len() > 254 || req.password.len() > 1024 {
        return Err(ApiError::BadCredentials);
    }
    match auth::login(&app.db, &req.email, req.password).await {
        Ok(session) => Ok(Json(session)),
        Err(AuthError::BadCredentials) => {
            tracing::info!(%ip, "failed agent login");
            Err(ApiError::BadCredentials)
        }
        Err(AuthError::Store(e)) => Err(e.into()),
    }
}

/// `POST /api/agent/logout` with `Authorization: Bearer <token>`.
pub async fn logout(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    let token = token.trim();
    auth::logout(&app.db, token).await?;
    // Revoked in the store first, so a socket racing to reconnect with it is refused.
    app.hub.revoke(&auth::hash_token(token));
    Ok(StatusCode::NO_CONTENT)
}
