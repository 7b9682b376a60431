//! The chat logic and fan-out: who receives which frame.
//!
//! This file owns the [`Hub`] handle (shared state, the send rate limit, shutdown) and
//! [`HubError`]. Beside it: `registry.rs` (sockets by principal and credential, online flags,
//! delivery and kicking), `dispatch.rs` (the one `match` over [`ClientMsg`](protocol::ClientMsg)),
//! and one file per command family: `send.rs`, `accept.rs`, `end.rs`, `sync.rs` (the `welcome`
//! snapshot on connect and `sync`), `presence.rs` (agents' `set_online`), `notify.rs` (changes
//! made over REST) and `contacts.rs` (contacts' presence, agent-started chats), `teamwork.rs` (reject, join,
//! invite, leave and transfer, abandoning: changes made over REST), `team_chats.rs` (agents' own
//! chats: started, renamed, joined, left over REST), `note.rs`, `typing.rs`.
//! A new socket command gets a file of its own and an arm in `dispatch.rs`.
//!
//! The hub works on `protocol` types only: it never sees JSON or WebSocket frames (that is
//! `ws/`), and it never decides permissions (that is `policy.rs`, applied by the store).

mod accept;
mod contacts;
mod dispatch;
mod end;
mod note;
mod notify;
mod presence;
mod registry;
mod send;
mod sync;
mod team_chats;
mod teamwork;
mod typing;

use std::num::NonZeroU32;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use protocol::{ErrorCode, Principal};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use contacts::presence;
pub use registry::{Connection, Kick, Outbound, REPLY_HEADROOM, Roster, SocketId, offer_reply};
pub use sync::MAX_INVITATIONS_ON_CONNECT;

use crate::policy::Denied;
use crate::store::{Db, StoreError};

/// Why a client request failed; each maps to one stable [`ErrorCode`].
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("{0}")]
    InvalidInput(String),
    #[error("too many messages; slow down")]
    RateLimited,
    #[error("{0}")]
    Unexpected(&'static str),
    #[error("the client cannot keep up with its own queue")]
    TooSlow,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for HubError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Denied(d) => HubError::Denied(d),
            other => HubError::Store(other),
        }
    }
}

impl HubError {
    /// The stable code the client sees.
    pub fn code(&self) -> ErrorCode {
        match self {
            HubError::Denied(d) => d.code(),
            HubError::InvalidInput(_) => ErrorCode::InvalidInput,
            HubError::RateLimited => ErrorCode::RateLimited,
            HubError::Unexpected(_) => ErrorCode::BadFrame,
            HubError::TooSlow | HubError::Store(_) => ErrorCode::Internal,
        }
    }

    /// Human text for the client: details of internal failures stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            HubError::Store(_) | HubError::TooSlow => "internal error; retry later".to_owned(),
            other => other.to_string(),
        }
    }
}

/// Cheap, clonable handle to the hub.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    sockets: Mutex<registry::Registry>,
    /// Held (across `.await`, hence tokio's mutex) from a store write until its fan-out is
    /// queued, and while a snapshot (welcome, queue) is taken and the socket registered: so
    /// every socket sees a conversation's frames in `seq` order and no frame falls between a
    /// snapshot and live delivery. SQLite serialises writers anyway, so this costs little.
    order: tokio::sync::Mutex<()>,
    /// Per identity, across all its sockets, so opening more tabs does not buy more throughput.
    send_limiter: DefaultKeyedRateLimiter<Principal>,
    /// When each identity's last typing signal was passed on (`typing.rs`).
    typing: std::sync::Mutex<std::collections::HashMap<Principal, std::time::Instant>>,
    /// Each waiting request's place in the queue as its visitor was last told
    /// (`teamwork.rs`, `tell_positions`).
    positions: std::sync::Mutex<
        std::collections::HashMap<protocol::ConversationId, (protocol::VisitorId, u32)>,
    >,
    shutdown: CancellationToken,
    /// Every socket task, so shutdown can wait for their close frames to go out.
    tracker: TaskTracker,
    next_id: AtomicU64,
}

impl Hub {
    pub fn new(db: Db, sends_per_second: u32, send_burst: u32) -> Self {
        let rate = NonZeroU32::new(sends_per_second.max(1)).expect("max(1) is non-zero");
        let burst = NonZeroU32::new(send_burst.max(1)).expect("max(1) is non-zero");
        Hub {
            inner: Arc::new(Inner {
                db,
                sockets: Mutex::new(registry::Registry::default()),
                order: tokio::sync::Mutex::new(()),
                send_limiter: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
                typing: std::sync::Mutex::new(std::collections::HashMap::new()),
                positions: std::sync::Mutex::new(std::collections::HashMap::new()),
                shutdown: CancellationToken::new(),
                tracker: TaskTracker::new(),
                next_id: AtomicU64::new(1),
            }),
        }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Cancelled when the server shuts down; sockets then close with 1001.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    pub fn tracker(&self) -> TaskTracker {
        self.inner.tracker.clone()
    }

    /// Forget rate-limit state of identities that have been quiet (called periodically).
    pub fn retain_recent(&self) {
        self.inner.send_limiter.retain_recent();
    }
}
