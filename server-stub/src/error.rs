//! Error types at the library's two outer boundaries: starting the server ([`Error`]) and
//! answering REST calls ([`ApiError`], rendered as `protocol::ErrorBody`).
//!
//! The store, auth and hub have their own enums next to their code; socket errors become
//! `ServerMsg::Error` in `hub.rs`. Details are logged here; clients get only stable codes.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use protocol::{ErrorBody, ErrorCode};

use crate::config::ConfigError;
use crate::store::StoreError;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

/// A refused or failed REST call.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    InvalidInput(String),
    #[error("unknown e-mail or wrong password")]
    BadCredentials,
    #[error("missing or unknown token")]
    Unauthorized,
    #[error("origin not allowed")]
    OriginRefused,
    #[error("too many requests; try again later")]
    RateLimited,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            ApiError::InvalidInput(_) => (StatusCode::BAD_REQUEST, ErrorCode::InvalidInput),
            ApiError::BadCredentials | ApiError::Unauthorized => {
                (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized)
            }
            ApiError::OriginRefused => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            ApiError::RateLimited => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::RateLimited),
            ApiError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            ApiError::Store(e) => {
                tracing::error!(error = %e, "REST call failed");
                "internal error".to_owned()
            }
            other => other.to_string(),
        };
        (status, Json(ErrorBody { code, message })).into_response()
    }
}
