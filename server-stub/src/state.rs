//! [`AppState`]: what every HTTP and WebSocket handler is given. Its own module so the
//! handlers (`api`, `ws`) depend on it without depending on the crate root that wires them.

use std::sync::Arc;

use crate::config::KeepAlive;
use crate::credentials::TokenHash;
use crate::hub::Hub;
use crate::identity::IdentityVerifier;
use crate::limits::SignInLimits;
use crate::origin::OriginPolicy;
use crate::passwords::PasswordPool;
use crate::sessions::Sessions;
use crate::store::Db;

/// State shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub hub: Hub,
    pub db: Db,
    /// Sign-in, authentication and session lifetimes.
    pub sessions: Sessions,
    pub origins: Arc<OriginPolicy>,
    pub limits: Arc<SignInLimits>,
    /// Where every argon2 hash runs, a few at a time.
    pub passwords: PasswordPool,
    /// Handshake and keep-alive timings of every socket.
    pub keep_alive: KeepAlive,
    /// Permits for sockets waiting for `hello` (`--max-pending-sockets`).
    pub pending_sockets: Arc<tokio::sync::Semaphore>,
    /// Checks portal contacts' signed identities (`--identity-secret`).
    pub identity: IdentityVerifier,
    /// SHA-256 of `--admin-api-key`, if one is set.
    pub admin_key: Option<TokenHash>,
}
