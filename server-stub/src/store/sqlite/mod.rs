//! The SQLite backend of [`Store`](super::Store): one file `livechat.db` in WAL mode.
//!
//! This file owns opening, pragmas, migrations (`.sql` files in `migrations/`) and the two
//! transaction helpers; each store area lives in its own file beside it ([`identities`],
//! [`credentials`], [`conversations`], [`messages`], `helpdesk`, `push_chat`, `webhooks`) and
//! [`rows`] maps rows to `protocol` types. Writes run in `BEGIN IMMEDIATE` transactions, which take the database's write lock
//! before the first read: the policy check, the `seq` allocation and the insert then all see
//! the latest committed state, which is what makes `seq` gap-free and `accept` single-winner
//! even with several connections (or processes) on the file.

mod agents;
mod canned;
mod conversations;
mod credentials;
mod helpdesk;
mod identities;
mod messages;
mod notes;
mod push_chat;
mod routing;
mod rows;
mod search;
mod team_chats;
mod teamwork;
mod webhooks;

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

use super::StoreError;

const MIGRATION_LIST: &[M<'static>] = &[
    M::up(include_str!("../../../migrations/0001_init.sql")),
    M::up(include_str!(
        "../../../migrations/0002_session_lifetimes.sql"
    )),
    M::up(include_str!("../../../migrations/0003_helpdesk.sql")),
    M::up(include_str!("../../../migrations/0004_pre_ticket.sql")),
    M::up(include_str!("../../../migrations/0005_private_notes.sql")),
    M::up(include_str!("../../../migrations/0006_agent_accounts.sql")),
    M::up(include_str!("../../../migrations/0007_canned_replies.sql")),
    M::up(include_str!("../../../migrations/0008_message_search.sql")),
    M::up(include_str!("../../../migrations/0009_closing_notes.sql")),
    M::up(include_str!(
        "../../../migrations/0010_sections_and_routing.sql"
    )),
    M::up(include_str!("../../../migrations/0011_team_chats.sql")),
    M::up(include_str!("../../../migrations/0012_message_options.sql")),
    M::up(include_str!("../../../migrations/0013_section_pick.sql")),
];
const MIGRATIONS: Migrations<'static> = Migrations::from_slice(MIGRATION_LIST);

/// A SQLite database behind one connection.
pub struct SqliteStore {
    /// One connection: SQLite serialises writers anyway, and a std Mutex is fine because it is
    /// only ever taken on the blocking pool, never across an `.await`.
    conn: Mutex<Connection>,
    /// How often `accept`'s conditional update found the request already taken after the
    /// policy check had passed (see `conversations.rs`): the contract's race test proves it
    /// stays zero under `BEGIN IMMEDIATE`.
    #[cfg(test)]
    lost_at_update: std::sync::atomic::AtomicUsize,
}

impl SqliteStore {
    /// Open (creating when missing) `<data_dir>/livechat.db` and migrate it to the latest schema.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir)?;
        let conn = Connection::open(data_dir.join("livechat.db"))?;
        Self::setup(conn)
    }

    /// A private in-memory database (unit tests).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Self, StoreError> {
        // Another process (a test, the e2e harness) may hold the write lock briefly.
        conn.busy_timeout(Duration::from_secs(5))?;
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        // FULL: an acknowledged message must survive even a power cut, not just a crash.
        conn.execute_batch("PRAGMA synchronous = FULL;")?;
        // Foreign keys off while migrating (a migration may rebuild a referenced table, which
        // SQLite's procedure for changing a column requires; the pragma is a no-op inside the
        // migration's transaction), then every reference checked before they are enforced.
        conn.execute_batch("PRAGMA foreign_keys = OFF;")?;
        MIGRATIONS.to_latest(&mut conn)?;
        let broken: Option<String> = conn
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        if let Some(table) = broken {
            return Err(StoreError::Corrupt(format!(
                "a migration left a dangling reference in {table}"
            )));
        }
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
            #[cfg(test)]
            lost_at_update: Default::default(),
        })
    }

    /// Run `f` on the connection: reads, and writes that manage their own transaction.
    fn with<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        // A panic while holding the lock cannot leave a half-written transaction (SQLite rolls
        // back), so a poisoned lock is safe to keep using.
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }

    /// Run `f` in a `BEGIN IMMEDIATE` transaction, committed when `f` succeeds and rolled back
    /// (on drop) when it fails, so a refused or failed write leaves nothing behind.
    fn write<R>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    /// Test probe: one integer from `sql` with `?1 = arg` (e.g. counting rows the `Store`
    /// traits do not expose).
    #[cfg(test)]
    pub(crate) fn count(&self, sql: &str, arg: i64) -> i64 {
        self.with(|c| Ok(c.query_row(sql, [arg], |r| r.get(0))?))
            .expect("test query")
    }

    /// Test probe: see [`SqliteStore::lost_at_update`].
    #[cfg(test)]
    pub(crate) fn lost_at_update(&self) -> usize {
        self.lost_at_update
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::hash_token;
    use crate::store::{CredentialStore, now_millis};

    /// A database from before session lifetimes keeps its sessions through the upgrade, with
    /// a day to live, and its holders stay who they were.
    #[test]
    fn sessions_survive_the_lifetimes_migration() {
        let mut conn = Connection::open_in_memory().unwrap();
        Migrations::from_slice(&MIGRATION_LIST[..1])
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch("INSERT INTO visitors (id, name, created_at) VALUES (7, 'Vi', 1);")
            .unwrap();
        conn.execute(
            "INSERT INTO sessions (token_hash, role, subject_id, created_at) \
             VALUES (?1, 'visitor', 7, 5)",
            [&hash_token("v_old")[..]],
        )
        .unwrap();
        let store = SqliteStore::setup(conn).unwrap();
        let now = now_millis();
        let record = store
            .credential_holder(&hash_token("v_old"), now)
            .unwrap()
            .expect("the session survived");
        assert_eq!(record.me.name, "Vi");
        assert_eq!(record.session.created_at, 5);
        let day = 86_400_000;
        assert!((now + day - 60_000..=now + day).contains(&record.session.expires_at));
        assert!(
            store
                .credential_holder(&hash_token("v_old"), now + day + 1)
                .unwrap()
                .is_none()
        );
    }

    /// Rebuilding `conversations` for team chats (migration 11) keeps every live chat, its
    /// messages, participants and notes pointing at it, and foreign keys hold afterwards.
    #[test]
    fn live_chats_survive_the_team_chats_rebuild() {
        use crate::store::{ConversationStore, MessageStore};
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA foreign_keys = OFF;").unwrap();
        Migrations::from_slice(&MIGRATION_LIST[..10])
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO visitors (id, name, created_at) VALUES (7, 'Vi', 1);
             INSERT INTO agents (id, email, name, password_hash, section, created_at)
                 VALUES (3, 'ada@example.com', 'Ada', 'phc', 'demo', 1);
             INSERT INTO conversations (id, visitor_id, status, created_at, last_seq,
                 accepted_by, closing_note) VALUES (5, 7, 'active', 2, 1, 3, 'kept');
             INSERT INTO participants (conversation_id, agent_id, joined_at) VALUES (5, 3, 3);
             INSERT INTO messages (conversation_id, seq, kind, author_role, author_id, body,
                 client_id, sent_at) VALUES (5, 1, 'text', 'visitor', 7, 'hello', 'c1', 4);",
        )
        .unwrap();
        let store = SqliteStore::setup(conn).unwrap();
        let live = store
            .conversation(protocol::ConversationId(5))
            .unwrap()
            .expect("the live chat survived");
        assert_eq!((live.visitor.name.as_str(), live.agents.len()), ("Vi", 1));
        let ada = protocol::Identity::new(protocol::Principal::Agent(protocol::AgentId(3)), "Ada");
        let messages = store
            .messages_after(&ada, protocol::ConversationId(5), 0)
            .unwrap();
        assert_eq!(messages[0].body, "hello");
        assert_eq!(
            store.count(
                "SELECT COUNT(*) FROM conversations WHERE kind = 'live' AND id = ?1",
                5
            ),
            1
        );
        // enforced again: a message for no conversation is refused
        let dangling = store.with(|c| {
            Ok(c.execute(
                "INSERT INTO messages (conversation_id, seq, kind, body, sent_at) \
                 VALUES (99, 1, 'system', 'x', 1)",
                [],
            ))
        });
        assert!(dangling.unwrap().is_err(), "foreign keys are on");
    }
}
