//! Persistence: the [`Store`] traits and the async handle [`Db`] the rest of the server uses.
//!
//! Owns the shape of every durable operation (one method = one transaction) and what it returns
//! to the hub, grouped by area ([`IdentityStore`], [`CredentialStore`], [`ConversationStore`],
//! [`MessageStore`]; [`Store`] is all four). It does not decide who may do what: each method
//! loads the facts and asks [`crate::policy`] inside its transaction, so the check and the write
//! cannot be separated. Backends are blocking (rusqlite); [`Db::call`] moves them onto tokio's
//! blocking pool. Each backend is a folder beside `sqlite/` with one file per area, and must
//! pass the contract suite in `contract.rs`.

#[cfg(test)]
mod contract;
pub mod sqlite;

use std::sync::Arc;

use protocol::{ChatRequest, Conversation, ConversationId, Identity, Message, Principal, Seq};

use crate::credentials::TokenHash;
use crate::policy::Denied;

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

/// A client's `send`, to append. `body` and `client_id` are already validated.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub client_id: String,
    /// `None`: (visitors only) "my open conversation, or a new request".
    pub conversation_id: Option<ConversationId>,
    pub body: String,
}

/// What appending a message did.
#[derive(Debug, Clone)]
pub enum AppendOutcome {
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
    /// The first page of the conversation's messages (the system message included when it
    /// fits in the page).
    pub history: MessagePage,
}

/// At most a page of a conversation's messages (see [`MessageStore::messages_page`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePage {
    /// In `seq` order.
    pub messages: Vec<Message>,
    /// Messages after the last one here exist.
    pub more: bool,
    /// The conversation's highest `seq` (0 for none), to tell an honourable cursor from one
    /// beyond the end.
    pub last_seq: Seq,
}

/// An `end`.
#[derive(Debug, Clone)]
pub struct Ended {
    pub conversation: Conversation,
    /// "<Agent> ended the chat".
    pub system_message: Message,
}

/// Who exists: agent accounts and anonymous visitors.
pub trait IdentityStore {
    fn agent_count(&self) -> Result<i64, StoreError>;
    /// Fails on a duplicate e-mail. Stores the name as [`display_name`] makes it.
    fn create_agent(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        section: &str,
    ) -> Result<Identity, StoreError>;
    /// The agent with this (normalised) e-mail and their argon2 PHC string.
    fn agent_password_hash(&self, email: &str) -> Result<Option<(Identity, String)>, StoreError>;
    /// Stores the name as [`display_name`] makes it.
    fn create_visitor(&self, name: &str) -> Result<Identity, StoreError>;
}

/// Credentials: digests of issued bearer tokens and whom they stand for (the `sessions` table).
pub trait CredentialStore {
    fn create_credential(&self, token: &TokenHash, holder: Principal) -> Result<(), StoreError>;
    fn delete_credential(&self, token: &TokenHash) -> Result<(), StoreError>;
    /// Who holds the credential; `None` for unknown or revoked ones.
    fn credential_holder(&self, token: &TokenHash) -> Result<Option<Identity>, StoreError>;
}

/// Conversations as a whole: the queue, accepting, ending, and what a client sees on connect.
pub trait ConversationStore {
    /// The conversations `who` sees on connect: a visitor's most recent one (any status), an
    /// agent's open conversations they participate in.
    fn welcome_conversations(&self, who: &Identity) -> Result<Vec<Conversation>, StoreError>;
    /// Atomically move a waiting request to active with `who` as its first agent.
    fn accept(&self, who: &Identity, conversation: ConversationId) -> Result<Accepted, StoreError>;
    fn end(&self, who: &Identity, conversation: ConversationId) -> Result<Ended, StoreError>;
    /// All waiting requests, oldest first.
    fn waiting_requests(&self) -> Result<Vec<ChatRequest>, StoreError>;
}

/// The messages of a conversation.
pub trait MessageStore {
    /// Store a message with the next `seq` (or return the one already stored for its client
    /// id). A visitor's message without a conversation goes to their open one, or opens a
    /// waiting request.
    fn append_message(&self, who: &Identity, msg: NewMessage) -> Result<AppendOutcome, StoreError>;
    /// Messages with `seq > after`, in order, if `who` may read the conversation.
    fn messages_after(
        &self,
        who: &Identity,
        conversation: ConversationId,
        after: Seq,
    ) -> Result<Vec<Message>, StoreError>;
    /// Like [`MessageStore::messages_after`], but at most `limit` messages, with whether more
    /// follow and the conversation's `last_seq` (read after the messages, so never below the
    /// last one's `seq`).
    fn messages_page(
        &self,
        who: &Identity,
        conversation: ConversationId,
        after: Seq,
        limit: usize,
    ) -> Result<MessagePage, StoreError>;
}

/// Durable state of the chat: every area together. Every method is one transaction and
/// blocks the calling thread. Implemented automatically for any type that implements the four
/// area traits, so a backend implements each area in its own file and callers holding a
/// `&dyn Store` reach every method without importing the area traits.
pub trait Store:
    IdentityStore + CredentialStore + ConversationStore + MessageStore + Send + Sync + 'static
{
}

impl<T> Store for T where
    T: IdentityStore + CredentialStore + ConversationStore + MessageStore + Send + Sync + 'static
{
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

/// A display name as every backend stores it: in Unicode NFC, so one name typed two ways
/// ("e" + combining acute, or "é") is one name, shown and compared the same everywhere. Names
/// reach the store already validated (`protocol::validate_name`); NFC needs Unicode tables the
/// widget cannot afford, so it is done here, on the way in, whichever path created the name.
pub fn display_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    name.nfc().collect()
}

/// Milliseconds since the Unix epoch, from the server's clock.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
