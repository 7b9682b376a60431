//! The SQLite backend of [`Store`]: one file `livechat.db` in WAL mode.
//!
//! Owns the SQL and the mapping between rows and `protocol` types. Writes run in `BEGIN
//! IMMEDIATE` transactions so the policy check, the `seq` allocation and the insert happen
//! under one write lock; that is what makes `seq` gap-free and `accept` single-winner even with
//! several connections on the file. Schema changes are `.sql` files in `migrations/`.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use protocol::{
    ChatRequest, Conversation, ConversationId, ConversationStatus, Identity, Message, MessageKind,
    Participant, Role, Seq,
};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use rusqlite_migration::{M, Migrations};

use super::{Accepted, Ended, NewMessage, SendOutcome, Store, StoreError, now_millis};
use crate::auth::{self, ConversationFacts, Denied, TokenHash};

const MIGRATION_LIST: &[M<'static>] = &[M::up(include_str!("../../migrations/0001_init.sql"))];
const MIGRATIONS: Migrations<'static> = Migrations::from_slice(MIGRATION_LIST);

/// SQL selecting a message row with its author's name, for [`message_from_row`].
const MESSAGE_SELECT: &str = "SELECT m.id, m.conversation_id, m.seq, m.kind, m.author_role, \
     m.author_id, COALESCE(v.name, a.name), m.body, m.client_id, m.sent_at \
     FROM messages m \
     LEFT JOIN visitors v ON m.author_role = 'visitor' AND v.id = m.author_id \
     LEFT JOIN agents a ON m.author_role = 'agent' AND a.id = m.author_id";

/// A SQLite database behind one connection.
pub struct SqliteStore {
    /// One connection: SQLite serialises writers anyway, and a std Mutex is fine because it is
    /// only ever taken on the blocking pool, never across an `.await`.
    conn: Mutex<Connection>,
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
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
        MIGRATIONS.to_latest(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn with<R>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        // A panic while holding the lock cannot leave a half-written transaction (SQLite rolls
        // back), so a poisoned lock is safe to keep using.
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn)
    }

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
}

fn role_str(role: Role) -> &'static str {
    match role {
        Role::Visitor => "visitor",
        Role::Agent => "agent",
    }
}

fn parse_role(s: &str) -> Result<Role, StoreError> {
    match s {
        "visitor" => Ok(Role::Visitor),
        "agent" => Ok(Role::Agent),
        other => Err(StoreError::Corrupt(format!("role {other:?}"))),
    }
}

fn parse_status(s: &str) -> Result<ConversationStatus, StoreError> {
    match s {
        "waiting" => Ok(ConversationStatus::Waiting),
        "active" => Ok(ConversationStatus::Active),
        "ended" => Ok(ConversationStatus::Ended),
        other => Err(StoreError::Corrupt(format!("status {other:?}"))),
    }
}

/// Raw message row; converted outside the rusqlite closure so bad enums become our error.
type MessageRow = (
    i64,
    i64,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    i64,
);

fn read_message_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

fn message_from_row(row: MessageRow) -> Result<Message, StoreError> {
    let (
        id,
        conversation_id,
        seq,
        kind,
        author_role,
        author_id,
        author_name,
        body,
        client_id,
        sent_at,
    ) = row;
    let kind = match kind.as_str() {
        "text" => MessageKind::Text,
        "system" => MessageKind::System,
        other => return Err(StoreError::Corrupt(format!("kind {other:?}"))),
    };
    let author = match (author_role, author_id) {
        (Some(role), Some(id)) => Some(Participant {
            role: parse_role(&role)?,
            id,
            name: author_name.unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(Message {
        id,
        conversation_id,
        seq,
        kind,
        author,
        body,
        client_id,
        sent_at,
    })
}

fn load_message(conn: &Connection, id: i64) -> Result<Message, StoreError> {
    let row = conn.query_row(
        &format!("{MESSAGE_SELECT} WHERE m.id = ?1"),
        [id],
        read_message_row,
    )?;
    message_from_row(row)
}

fn load_messages_after(
    conn: &Connection,
    conversation: ConversationId,
    after: Seq,
) -> Result<Vec<Message>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{MESSAGE_SELECT} WHERE m.conversation_id = ?1 AND m.seq > ?2 ORDER BY m.seq"
    ))?;
    let rows = stmt
        .query_map(params![conversation, after], read_message_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(message_from_row).collect()
}

fn load_facts(
    conn: &Connection,
    id: ConversationId,
) -> Result<Option<ConversationFacts>, StoreError> {
    let Some((visitor_id, status)) = conn
        .query_row(
            "SELECT visitor_id, status FROM conversations WHERE id = ?1",
            [id],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
        )
        .optional()?
    else {
        return Ok(None);
    };
    let agent_ids = conn
        .prepare_cached(
            "SELECT agent_id FROM participants WHERE conversation_id = ?1 ORDER BY joined_at, agent_id",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(Some(ConversationFacts {
        visitor_id,
        status: parse_status(&status)?,
        agent_ids,
    }))
}

fn load_conversation(conn: &Connection, id: ConversationId) -> Result<Conversation, StoreError> {
    let (status, visitor_id, visitor_name, created_at, last_seq) = conn.query_row(
        "SELECT c.status, c.visitor_id, v.name, c.created_at, c.last_seq \
         FROM conversations c JOIN visitors v ON v.id = c.visitor_id WHERE c.id = ?1",
        [id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        },
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.name FROM participants p JOIN agents a ON a.id = p.agent_id \
         WHERE p.conversation_id = ?1 ORDER BY p.joined_at, a.id",
    )?;
    let agents = stmt
        .query_map([id], |r| {
            Ok(Participant {
                role: Role::Agent,
                id: r.get(0)?,
                name: r.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Conversation {
        id,
        status: parse_status(&status)?,
        visitor: Participant {
            role: Role::Visitor,
            id: visitor_id,
            name: visitor_name,
        },
        agents,
        created_at,
        last_seq,
    })
}

/// Allocate the next `seq` and insert; must run inside the caller's write transaction, which is
/// what keeps `seq` gap-free (a rollback undoes both).
/// A server-written line in the conversation ("Ada joined the chat"): no author, no client id.
fn insert_system_message(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    body: &str,
) -> Result<Message, StoreError> {
    insert_message(tx, conversation, MessageKind::System, None, body, None)
}

fn insert_message(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    kind: MessageKind,
    author: Option<&Identity>,
    body: &str,
    client_id: Option<&str>,
) -> Result<Message, StoreError> {
    let seq: i64 = tx.query_row(
        "UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ?1 RETURNING last_seq",
        [conversation],
        |r| r.get(0),
    )?;
    let kind_str = match kind {
        MessageKind::Text => "text",
        MessageKind::System => "system",
    };
    tx.execute(
        "INSERT INTO messages (conversation_id, seq, kind, author_role, author_id, body, client_id, sent_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            conversation,
            seq,
            kind_str,
            author.map(|a| role_str(a.role)),
            author.map(|a| a.id),
            body,
            client_id,
            now_millis()
        ],
    )?;
    load_message(tx, tx.last_insert_rowid())
}

fn agent_name(conn: &Connection, id: i64) -> Result<String, StoreError> {
    Ok(conn.query_row("SELECT name FROM agents WHERE id = ?1", [id], |r| r.get(0))?)
}

impl Store for SqliteStore {
    fn agent_count(&self) -> Result<i64, StoreError> {
        self.with(|c| Ok(c.query_row("SELECT COUNT(*) FROM agents", [], |r| r.get(0))?))
    }

    fn create_agent(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        section: &str,
    ) -> Result<Identity, StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO agents (email, name, password_hash, section, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![email, name, password_hash, section, now_millis()],
            )?;
            Ok(Identity {
                role: Role::Agent,
                id: tx.last_insert_rowid(),
                name: name.to_owned(),
            })
        })
    }

    fn agent_credentials(&self, email: &str) -> Result<Option<(Identity, String)>, StoreError> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT id, name, password_hash FROM agents WHERE email = ?1",
                [email],
                |r| {
                    Ok((
                        Identity {
                            role: Role::Agent,
                            id: r.get(0)?,
                            name: r.get(1)?,
                        },
                        r.get(2)?,
                    ))
                },
            )
            .optional()?)
        })
    }

    fn create_visitor(&self, name: &str) -> Result<Identity, StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO visitors (name, created_at) VALUES (?1, ?2)",
                params![name, now_millis()],
            )?;
            Ok(Identity {
                role: Role::Visitor,
                id: tx.last_insert_rowid(),
                name: name.to_owned(),
            })
        })
    }

    fn create_session(
        &self,
        token: &TokenHash,
        role: Role,
        subject: i64,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sessions (token_hash, role, subject_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![&token[..], role_str(role), subject, now_millis()],
            )?;
            Ok(())
        })
    }

    fn delete_session(&self, token: &TokenHash) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [&token[..]])?;
            Ok(())
        })
    }

    fn session_identity(&self, token: &TokenHash) -> Result<Option<Identity>, StoreError> {
        self.with(|c| {
            let row = c
                .query_row(
                    "SELECT s.role, s.subject_id, COALESCE(v.name, a.name) FROM sessions s \
                     LEFT JOIN visitors v ON s.role = 'visitor' AND v.id = s.subject_id \
                     LEFT JOIN agents a ON s.role = 'agent' AND a.id = s.subject_id \
                     WHERE s.token_hash = ?1",
                    [&token[..]],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, Option<String>>(2)?,
                        ))
                    },
                )
                .optional()?;
            match row {
                Some((role, id, Some(name))) => Ok(Some(Identity {
                    role: parse_role(&role)?,
                    id,
                    name,
                })),
                _ => Ok(None),
            }
        })
    }

    fn welcome_conversations(&self, who: &Identity) -> Result<Vec<Conversation>, StoreError> {
        self.with(|c| {
            let sql = match who.role {
                Role::Visitor => {
                    "SELECT id FROM conversations WHERE visitor_id = ?1 ORDER BY id DESC LIMIT 1"
                }
                Role::Agent => {
                    "SELECT c.id FROM conversations c JOIN participants p ON p.conversation_id = c.id \
                     WHERE p.agent_id = ?1 AND c.status = 'active' ORDER BY c.id"
                }
            };
            let ids = c
                .prepare_cached(sql)?
                .query_map([who.id], |r| r.get::<_, i64>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            ids.into_iter().map(|id| load_conversation(c, id)).collect()
        })
    }

    fn messages_after(
        &self,
        who: &Identity,
        conversation: ConversationId,
        after: Seq,
    ) -> Result<Vec<Message>, StoreError> {
        self.with(|c| {
            auth::may_read(who, load_facts(c, conversation)?.as_ref())?;
            load_messages_after(c, conversation, after)
        })
    }

    fn send(&self, who: &Identity, msg: NewMessage) -> Result<SendOutcome, StoreError> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Idempotency first: a retry must return the stored message even if the
            // conversation has since ended or a new one was opened.
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT id FROM messages WHERE author_role = ?1 AND author_id = ?2 AND client_id = ?3",
                    params![role_str(who.role), who.id, msg.client_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = existing {
                return Ok(SendOutcome::Duplicate {
                    message: load_message(&tx, id)?,
                });
            }
            let (conversation_id, created) = match (msg.conversation_id, who.role) {
                (Some(id), _) => {
                    auth::may_send(who, load_facts(&tx, id)?.as_ref())?;
                    (id, false)
                }
                (None, Role::Visitor) => {
                    let open: Option<i64> = tx
                        .query_row(
                            "SELECT id FROM conversations WHERE visitor_id = ?1 \
                             AND status IN ('waiting', 'active') ORDER BY id DESC LIMIT 1",
                            [who.id],
                            |r| r.get(0),
                        )
                        .optional()?;
                    match open {
                        Some(id) => (id, false),
                        None => {
                            tx.execute(
                                "INSERT INTO conversations (visitor_id, status, created_at) VALUES (?1, 'waiting', ?2)",
                                params![who.id, now_millis()],
                            )?;
                            (tx.last_insert_rowid(), true)
                        }
                    }
                }
                (None, Role::Agent) => return Err(Denied::NotFound.into()),
            };
            let message = insert_message(
                &tx,
                conversation_id,
                MessageKind::Text,
                Some(who),
                &msg.body,
                Some(&msg.client_id),
            )?;
            let conversation = load_conversation(&tx, conversation_id)?;
            tx.commit()?;
            Ok(SendOutcome::Stored {
                message,
                conversation,
                created,
            })
        })
    }

    fn accept(&self, who: &Identity, conversation: ConversationId) -> Result<Accepted, StoreError> {
        self.write(|tx| {
            let facts = load_facts(tx, conversation)?;
            auth::may_accept(who, facts.as_ref(), || {
                facts
                    .as_ref()
                    .and_then(|f| f.agent_ids.first())
                    .and_then(|id| agent_name(tx, *id).ok())
                    .unwrap_or_else(|| "Another agent".to_owned())
            })?;
            // The single state change that decides the winner.
            let won = tx.execute(
                "UPDATE conversations SET status = 'active', accepted_by = ?2 \
                 WHERE id = ?1 AND status = 'waiting'",
                params![conversation, who.id],
            )?;
            if won != 1 {
                return Err(Denied::AlreadyAccepted("Another agent".to_owned()).into());
            }
            tx.execute(
                "INSERT INTO participants (conversation_id, agent_id, joined_at) VALUES (?1, ?2, ?3)",
                params![conversation, who.id, now_millis()],
            )?;
            let name = agent_name(tx, who.id)?;
            let system_message = insert_system_message(tx, conversation, &format!("{name} joined the chat"))?;
            Ok(Accepted {
                conversation: load_conversation(tx, conversation)?,
                agent: Participant {
                    role: Role::Agent,
                    id: who.id,
                    name,
                },
                system_message,
                history: load_messages_after(tx, conversation, 0)?,
            })
        })
    }

    fn end(&self, who: &Identity, conversation: ConversationId) -> Result<Ended, StoreError> {
        self.write(|tx| {
            auth::may_end(who, load_facts(tx, conversation)?.as_ref())?;
            tx.execute(
                "UPDATE conversations SET status = 'ended', ended_at = ?2 WHERE id = ?1 AND status <> 'ended'",
                params![conversation, now_millis()],
            )?;
            let name = agent_name(tx, who.id)?;
            let system_message = insert_system_message(tx, conversation, &format!("{name} ended the chat"))?;
            Ok(Ended {
                conversation: load_conversation(tx, conversation)?,
                system_message,
            })
        })
    }

    fn waiting_requests(&self) -> Result<Vec<ChatRequest>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT c.id, c.visitor_id, v.name, c.created_at, \
                 COALESCE((SELECT body FROM messages m WHERE m.conversation_id = c.id AND m.seq = 1), '') \
                 FROM conversations c JOIN visitors v ON v.id = c.visitor_id \
                 WHERE c.status = 'waiting' ORDER BY c.id",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(ChatRequest {
                        conversation_id: r.get(0)?,
                        visitor: Participant {
                            role: Role::Visitor,
                            id: r.get(1)?,
                            name: r.get(2)?,
                        },
                        created_at: r.get(3)?,
                        preview: r.get(4)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (SqliteStore, Identity, Identity) {
        let s = SqliteStore::open_in_memory().unwrap();
        let v = s.create_visitor("Vi").unwrap();
        let a = s
            .create_agent("ada@example.com", "Ada", "x", "demo")
            .unwrap();
        (s, v, a)
    }

    fn text(client_id: &str, conversation_id: Option<i64>) -> NewMessage {
        NewMessage {
            client_id: client_id.into(),
            conversation_id,
            body: format!("body {client_id}"),
        }
    }

    fn stored(o: SendOutcome) -> (Message, Conversation, bool) {
        match o {
            SendOutcome::Stored {
                message,
                conversation,
                created,
            } => (message, conversation, created),
            SendOutcome::Duplicate { .. } => panic!("expected a new message"),
        }
    }

    #[test]
    fn seq_is_gap_free_per_conversation_and_first_send_opens_a_request() {
        let (s, v, a) = setup();
        let (m1, c, created) = stored(s.send(&v, text("c1", None)).unwrap());
        assert!(created);
        assert_eq!((m1.seq, c.status), (1, ConversationStatus::Waiting));
        let (m2, _, created) = stored(s.send(&v, text("c2", None)).unwrap());
        assert!(!created, "the open conversation is reused");
        assert_eq!((m2.seq, m2.conversation_id), (2, c.id));
        let acc = s.accept(&a, c.id).unwrap();
        assert_eq!(acc.system_message.seq, 3);
        assert_eq!(acc.system_message.body, "Ada joined the chat");
        assert_eq!(
            acc.history.iter().map(|m| m.seq).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        let (m4, c4, _) = stored(s.send(&a, text("a1", Some(c.id))).unwrap());
        assert_eq!((m4.seq, c4.last_seq), (4, 4));
        // a second visitor's conversation counts from 1 again
        let w = s.create_visitor("We").unwrap();
        let (m, _, _) = stored(s.send(&w, text("c1", None)).unwrap());
        assert_eq!(m.seq, 1);
    }

    #[test]
    fn retried_client_id_returns_the_stored_message() {
        let (s, v, _) = setup();
        let (first, c, _) = stored(s.send(&v, text("same", None)).unwrap());
        match s.send(&v, text("same", None)).unwrap() {
            SendOutcome::Duplicate { message } => assert_eq!(message, first),
            SendOutcome::Stored { .. } => panic!("duplicate stored"),
        }
        assert_eq!(s.messages_after(&v, c.id, 0).unwrap().len(), 1);
    }

    #[test]
    fn accept_has_one_winner_and_end_closes() {
        let (s, v, a) = setup();
        let b = s
            .create_agent("grace@example.com", "Grace", "x", "demo")
            .unwrap();
        let (_, c, _) = stored(s.send(&v, text("c1", None)).unwrap());
        s.accept(&a, c.id).unwrap();
        match s.accept(&b, c.id) {
            Err(StoreError::Denied(Denied::AlreadyAccepted(name))) => assert_eq!(name, "Ada"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            s.end(&b, c.id),
            Err(StoreError::Denied(Denied::NotFound))
        ));
        let ended = s.end(&a, c.id).unwrap();
        assert_eq!(ended.conversation.status, ConversationStatus::Ended);
        assert!(matches!(
            s.send(&v, text("late", Some(c.id))),
            Err(StoreError::Denied(Denied::Ended))
        ));
        // without an id the visitor starts a new request
        let (m, c2, created) = stored(s.send(&v, text("new", None)).unwrap());
        assert!(created && c2.id != c.id && m.seq == 1);
    }

    #[test]
    fn sessions_resolve_to_identities() {
        let (s, v, _) = setup();
        let h = crate::auth::hash_token("v_x");
        s.create_session(&h, Role::Visitor, v.id).unwrap();
        assert_eq!(s.session_identity(&h).unwrap(), Some(v));
        s.delete_session(&h).unwrap();
        assert_eq!(s.session_identity(&h).unwrap(), None);
    }
}
