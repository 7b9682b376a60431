//! Persistence: the [`Store`] trait and the async handle [`Db`] the rest of the server uses.
//!
//! Owns the shape of every durable operation (one method = one transaction) and what it returns
//! to the hub. It does not decide who may do what: each method loads the facts and asks
//! [`crate::auth`] inside its transaction, so the check and the write cannot be separated.
//! Backends are blocking (rusqlite); [`Db::call`] moves them onto tokio's blocking pool.

pub mod sqlite;

use std::sync::Arc;

use protocol::{ChatRequest, Conversation, ConversationId, Identity, Message, Role, Seq};

use crate::auth::{Denied, TokenHash};

pub use sqlite::SqliteStore;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The policy refused; the caller maps this to a stable error code.
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("data directory: {0}")]
    Io(#[from] std::io::Error),
    #[error("blocking task failed: {0}")]
    Blocking(String),
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

/// A `send` to store. `body` and `client_id` are already validated.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub client_id: String,
    /// `None`: (visitors only) "my open conversation, or a new request".
    pub conversation_id: Option<ConversationId>,
    pub body: String,
}

/// What storing a message did.
#[derive(Debug, Clone)]
pub enum SendOutcome {
    /// Newly stored. `conversation` is its state after the insert; `created` is true when this
    /// message opened a new waiting conversation.
    Stored {
        message: Message,
        conversation: Conversation,
        created: bool,
    },
    /// The author already sent this `client_id`: here is the stored message, nothing changed.
    Duplicate { message: Message },
}

/// A won `accept`.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub conversation: Conversation,
    pub agent: protocol::Participant,
    /// "<Agent> joined the chat".
    pub system_message: Message,
    /// Every message of the conversation, the system message included.
    pub history: Vec<Message>,
}

/// An `end`.
#[derive(Debug, Clone)]
pub struct Ended {
    pub conversation: Conversation,
    /// "<Agent> ended the chat".
    pub system_message: Message,
}

/// Durable state of the chat. Every method is one transaction and blocks the calling thread.
pub trait Store: Send + Sync + 'static {
    fn agent_count(&self) -> Result<i64, StoreError>;
    /// Fails on a duplicate e-mail.
    fn create_agent(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        section: &str,
    ) -> Result<Identity, StoreError>;
    /// The agent with this (normalised) e-mail and their argon2 PHC string.
    fn agent_credentials(&self, email: &str) -> Result<Option<(Identity, String)>, StoreError>;
    fn create_visitor(&self, name: &str) -> Result<Identity, StoreError>;
    fn create_session(&self, token: &TokenHash, role: Role, subject: i64)
    -> Result<(), StoreError>;
    fn delete_session(&self, token: &TokenHash) -> Result<(), StoreError>;
    fn session_identity(&self, token: &TokenHash) -> Result<Option<Identity>, StoreError>;

    /// The conversations `who` sees on connect: a visitor's most recent one (any status), an
    /// agent's open conversations they participate in.
    fn welcome_conversations(&self, who: &Identity) -> Result<Vec<Conversation>, StoreError>;
    /// Messages with `seq > after`, in order, if `who` may read the conversation.
    fn messages_after(
        &self,
        who: &Identity,
        conversation: ConversationId,
        after: Seq,
    ) -> Result<Vec<Message>, StoreError>;
    /// Store a message with the next `seq` (or return the one already stored for its client id).
    fn send(&self, who: &Identity, msg: NewMessage) -> Result<SendOutcome, StoreError>;
    /// Atomically move a waiting request to active with `who` as its first agent.
    fn accept(&self, who: &Identity, conversation: ConversationId) -> Result<Accepted, StoreError>;
    fn end(&self, who: &Identity, conversation: ConversationId) -> Result<Ended, StoreError>;
    /// All waiting requests, oldest first.
    fn waiting_requests(&self) -> Result<Vec<ChatRequest>, StoreError>;
}

/// Cheap, clonable async handle to a [`Store`].
#[derive(Clone)]
pub struct Db {
    store: Arc<dyn Store>,
}

impl Db {
    pub fn new(store: impl Store) -> Self {
        Db {
            store: Arc::new(store),
        }
    }

    /// Run `f` against the store on the blocking pool, so a slow disk never stalls sockets.
    pub async fn call<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<R, StoreError> + Send + 'static,
    {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || f(&*store))
            .await
            .map_err(|e| StoreError::Blocking(e.to_string()))?
    }
}

/// Milliseconds since the Unix epoch, from the server's clock.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
