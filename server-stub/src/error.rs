//! Error types at the library's two outer boundaries: starting the server ([`Error`]) and
//! answering REST calls ([`RestError`], rendered as `protocol::ErrorBody`).
//!
//! The store, policy, sessions and hub have their own enums next to their code; socket errors
//! become `ServerMsg::Error` in `hub/dispatch.rs`. A policy refusal has one code on both paths
//! ([`Denied::code`]). Details are logged here; clients get only stable codes.

use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use protocol::{ErrorBody, ErrorCode};

use crate::config::ConfigError;
use crate::limits::Limited;
use crate::passwords::HashError;
use crate::policy::Denied;
use crate::sessions::SeedError;
use crate::store::StoreError;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("seeding the demo agents: {0}")]
    Seed(#[from] SeedError),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

/// A refused or failed REST call (the widget has its own, client-side error type).
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    #[error("{0}")]
    InvalidInput(String),
    /// The body is larger than any REST call takes (`413`).
    #[error("the request body is too large")]
    TooLarge,
    /// Nothing is routed at this path under `/api/`.
    #[error("no such API route")]
    NoRoute,
    /// The path is routed, but not for this method (`405`, with `Allow`).
    #[error("this API route does not take that method")]
    MethodNotAllowed,
    #[error("unknown e-mail or wrong password")]
    BadCredentials,
    #[error("missing or unknown token")]
    Unauthorized,
    /// A signed identity that did not verify; the reason is for the site's developer.
    #[error("{0}")]
    BadIdentity(String),
    #[error("origin not allowed")]
    OriginRefused,
    /// A rate limit refused: the caller's own attempts (`429`).
    #[error("too many requests; try again later")]
    RateLimited { retry_after: Duration },
    /// Every password-hashing thread stayed busy for the whole wait: the server's load, not
    /// the caller's doing (`503`).
    #[error("the server is busy; try again later")]
    Busy { retry_after: Duration },
    /// The policy refused, with the same code the socket would give.
    #[error(transparent)]
    Denied(Denied),
    #[error(transparent)]
    Store(StoreError),
    /// A password hash failed to run (a bug, or shutdown).
    #[error("password hashing failed")]
    Hashing,
}

impl From<Limited> for RestError {
    fn from(l: Limited) -> Self {
        RestError::RateLimited {
            retry_after: l.retry_after,
        }
    }
}

impl From<HashError> for RestError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy { retry_after } => RestError::Busy { retry_after },
            HashError::Failed => RestError::Hashing,
        }
    }
}

/// A hub refusal met over REST (an offer): the same codes the socket gives.
impl From<crate::hub::HubError> for RestError {
    fn from(e: crate::hub::HubError) -> Self {
        use crate::hub::HubError;
        match e {
            HubError::Denied(d) => RestError::Denied(d),
            HubError::InvalidInput(why) => RestError::InvalidInput(why),
            HubError::RateLimited => RestError::RateLimited {
                retry_after: Duration::from_secs(1),
            },
            HubError::Store(e) => e.into(),
            HubError::Unexpected(why) => RestError::InvalidInput(why.to_owned()),
            HubError::TooSlow => RestError::Store(StoreError::Blocking("too slow".into())),
        }
    }
}

impl From<StoreError> for RestError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Denied(d) => RestError::Denied(d),
            StoreError::Invalid(why) => RestError::InvalidInput(why),
            other => RestError::Store(other),
        }
    }
}

impl RestError {
    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            RestError::InvalidInput(_) => (StatusCode::BAD_REQUEST, ErrorCode::InvalidInput),
            RestError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::InvalidInput),
            // No new code: "no such thing" is what `not_found` already says, and a route that
            // exists for other methods is, for this method, no such thing.
            RestError::NoRoute => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            RestError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::NotFound),
            RestError::BadCredentials | RestError::Unauthorized | RestError::BadIdentity(_) => {
                (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized)
            }
            RestError::OriginRefused => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            RestError::RateLimited { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited)
            }
            RestError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::RateLimited),
            RestError::Denied(d) => {
                let status = match d {
                    Denied::NotFound => StatusCode::NOT_FOUND,
                    Denied::Forbidden => StatusCode::FORBIDDEN,
                    Denied::Ended | Denied::AlreadyAccepted(_) | Denied::TooManyOpen => {
                        StatusCode::CONFLICT
                    }
                    Denied::ChatDisabled
                    | Denied::NotYours
                    | Denied::TooEarly
                    | Denied::LastAgent => StatusCode::FORBIDDEN,
                    Denied::AlreadyRequested
                    | Denied::InvitationPending
                    | Denied::ContactOffline(_)
                    | Denied::ContactBusy(_) => StatusCode::CONFLICT,
                };
                (status, d.code())
            }
            RestError::Store(_) | RestError::Hashing => {
                (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal)
            }
        }
    }

    /// When the caller may try again, for `Retry-After`.
    fn retry_after(&self) -> Option<Duration> {
        match self {
            RestError::RateLimited { retry_after } | RestError::Busy { retry_after } => {
                Some(*retry_after)
            }
            _ => None,
        }
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            RestError::Store(e) => {
                tracing::error!(error = %e, "REST call failed");
                "internal error".to_owned()
            }
            RestError::Hashing => {
                tracing::error!("a password hash failed to run");
                "internal error".to_owned()
            }
            other => other.to_string(),
        };
        let mut response = (status, Json(ErrorBody { code, message })).into_response();
        if let Some(wait) = self.retry_after() {
            // Whole seconds, rounded up: never "0", which would invite an immediate retry.
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        response
    }
}
