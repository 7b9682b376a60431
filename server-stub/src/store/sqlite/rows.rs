//! Mapping between SQLite rows and `protocol` types: the strings stored for enums, the message
//! row every message query selects, and the loaders that read a message, a conversation or the
//! facts the policy decides on. The loaders live here, below the area files, so that no two
//! area files import each other. Bad enum text becomes [`StoreError::Corrupt`] rather than a
//! panic, so a hand-edited database cannot take the server down.

use protocol::SessionId;
use protocol::helpdesk::{ChatSettings, OfficeHours};
use protocol::workspace::{TeamChat, TeamChatKind};
use protocol::{
    AgentId, Conversation, ConversationId, ConversationStatus, Message, MessageId, MessageKind,
    Participant, Principal, Role, Seq, VisitorId,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::credentials::TokenHash;
use crate::policy::ConversationFacts;
use crate::store::{Chat, MessagePage, NewCredential, StoreError, now_millis};

/// SQL selecting a message row with its author's name, for [`read_message_row`].
pub(super) const MESSAGE_SELECT: &str = "SELECT m.id, m.conversation_id, m.seq, m.kind, \
     m.author_role, m.author_id, COALESCE(v.name, a.name), m.body, m.client_id, m.sent_at, \
     m.options \
     FROM messages m \
     LEFT JOIN visitors v ON m.author_role = 'visitor' AND v.id = m.author_id \
     LEFT JOIN agents a ON m.author_role = 'agent' AND a.id = m.author_id";

pub(super) fn role_str(role: Role) -> &'static str {
    match role {
        Role::Visitor => "visitor",
        Role::Agent => "agent",
    }
}

pub(super) fn parse_role(s: &str) -> Result<Role, StoreError> {
    match s {
        "visitor" => Ok(Role::Visitor),
        "agent" => Ok(Role::Agent),
        other => Err(StoreError::Corrupt(format!("role {other:?}"))),
    }
}

pub(super) fn parse_status(s: &str) -> Result<ConversationStatus, StoreError> {
    match s {
        "waiting" => Ok(ConversationStatus::Waiting),
        "active" => Ok(ConversationStatus::Active),
        "ended" => Ok(ConversationStatus::Ended),
        other => Err(StoreError::Corrupt(format!("status {other:?}"))),
    }
}

pub(super) fn kind_str(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Text => "text",
        MessageKind::System => "system",
    }
}

/// Raw message row; converted outside the rusqlite closure so bad enums become our error.
pub(super) type MessageRow = (
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
    Option<String>,
);

/// Read the columns of [`MESSAGE_SELECT`].
pub(super) fn read_message_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageRow> {
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
        r.get(10)?,
    ))
}

pub(super) fn message_from_row(row: MessageRow) -> Result<Message, StoreError> {
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
        options,
    ) = row;
    let kind = match kind.as_str() {
        "text" => MessageKind::Text,
        "system" => MessageKind::System,
        other => return Err(StoreError::Corrupt(format!("kind {other:?}"))),
    };
    let author = match (author_role, author_id) {
        (Some(role), Some(id)) => Some(Participant::new(
            Principal::from_parts(parse_role(&role)?, id),
            author_name.unwrap_or_default(),
        )),
        _ => None,
    };
    Ok(Message {
        id: MessageId(id),
        conversation_id: ConversationId(conversation_id),
        seq,
        kind,
        author,
        body,
        client_id,
        sent_at,
        options: match options {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| StoreError::Corrupt(format!("message options: {e}")))?,
            None => Vec::new(),
        },
    })
}

// Loaders: one query (or two) and the mapping above, shared by the area files.

pub(super) fn load_message(conn: &Connection, id: i64) -> Result<Message, StoreError> {
    let row = conn.query_row(
        &format!("{MESSAGE_SELECT} WHERE m.id = ?1"),
        [id],
        read_message_row,
    )?;
    message_from_row(row)
}

/// Messages of `conversation` with `seq > after`, in order, without any policy check.
pub(super) fn load_messages_after(
    conn: &Connection,
    conversation: ConversationId,
    after: Seq,
) -> Result<Vec<Message>, StoreError> {
    // SQLite reads a negative LIMIT as "no limit".
    select_messages_after(conn, conversation, after, -1)
}

/// The one query behind both loaders: at most `limit` messages (all when negative).
fn select_messages_after(
    conn: &Connection,
    conversation: ConversationId,
    after: Seq,
    limit: i64,
) -> Result<Vec<Message>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{MESSAGE_SELECT} WHERE m.conversation_id = ?1 AND m.seq > ?2 ORDER BY m.seq LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(params![conversation.0, after, limit], read_message_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter().map(message_from_row).collect()
}

/// At most `limit` messages with `seq > after`, in order, with whether more follow and the
/// conversation's `last_seq`, read after the messages (so never below the last one's `seq`).
pub(super) fn load_messages_page(
    conn: &Connection,
    conversation: ConversationId,
    after: Seq,
    limit: usize,
) -> Result<MessagePage, StoreError> {
    // One more than the page: whether it exists is `more`.
    let one_more = i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1;
    let mut messages = select_messages_after(conn, conversation, after, one_more)?;
    let more = messages.len() > limit;
    messages.truncate(limit);
    let last_seq = conn
        .query_row(
            "SELECT last_seq FROM conversations WHERE id = ?1",
            [conversation.0],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    Ok(MessagePage {
        messages,
        more,
        last_seq,
    })
}

/// What the policy needs to decide about conversation `id`; `None` when it does not exist.
pub(super) fn load_facts(
    conn: &Connection,
    id: ConversationId,
) -> Result<Option<ConversationFacts>, StoreError> {
    let Some((visitor_id, status, kind)) = conn
        .query_row(
            "SELECT visitor_id, status, kind FROM conversations WHERE id = ?1",
            [id.0],
            |r| {
                Ok((
                    r.get::<_, Option<i64>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    let agents = conn
        .prepare_cached(
            "SELECT agent_id FROM participants WHERE conversation_id = ?1 AND left_at IS NULL \
             ORDER BY joined_at, agent_id",
        )?
        .query_map([id.0], |r| r.get(0).map(AgentId))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(ConversationFacts {
        visitor: visitor_id.map(VisitorId),
        status: parse_status(&status)?,
        agents,
        team: kind != "live",
    }))
}

/// `Invalid` unless `agent` is an active agent account (one a colleague may invite or chat
/// with).
pub(super) fn active_agent(conn: &Connection, agent: AgentId) -> Result<(), StoreError> {
    let active: Option<bool> = conn
        .query_row(
            "SELECT deactivated_at IS NULL FROM agents WHERE id = ?1",
            [agent.0],
            |r| r.get(0),
        )
        .optional()?;
    match active {
        Some(true) => Ok(()),
        _ => Err(StoreError::Invalid(format!("no agent with id {}", agent.0))),
    }
}

/// `Invalid` unless section `id` exists.
pub(super) fn known_section(conn: &Connection, id: i64) -> Result<(), StoreError> {
    let known: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sections WHERE id = ?1)",
        [id],
        |r| r.get(0),
    )?;
    if known {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!("no section with id {id}")))
    }
}

/// Make `agent` a member of `conversation` (again, if they had left: joining anew).
pub(super) fn add_participant(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    agent: AgentId,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO participants (conversation_id, agent_id, joined_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (conversation_id, agent_id) \
         DO UPDATE SET joined_at = excluded.joined_at, left_at = NULL",
        params![conversation.0, agent.0, now_millis()],
    )?;
    Ok(())
}

/// How many open conversations `agent` takes part in (bounded by
/// [`protocol::MAX_OPEN_CONVERSATIONS`]).
pub(super) fn open_conversations_of(
    tx: &Transaction<'_>,
    agent: AgentId,
) -> Result<usize, StoreError> {
    let open: i64 = tx.query_row(
        "SELECT COUNT(*) FROM participants p JOIN conversations c ON c.id = p.conversation_id \
         WHERE p.agent_id = ?1 AND p.left_at IS NULL AND c.status = 'active' \
         AND c.kind = 'live'",
        [agent.0],
        |r| r.get(0),
    )?;
    Ok(usize::try_from(open).unwrap_or(usize::MAX))
}

/// The agents in conversation `id` now, with their names, in the order they joined.
fn load_members(conn: &Connection, id: ConversationId) -> Result<Vec<Participant>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.name FROM participants p JOIN agents a ON a.id = p.agent_id \
         WHERE p.conversation_id = ?1 AND p.left_at IS NULL ORDER BY p.joined_at, a.id",
    )?;
    let agents = stmt
        .query_map([id.0], |r| {
            Ok(Participant::new(
                Principal::Agent(AgentId(r.get(0)?)),
                r.get::<_, String>(1)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(agents)
}

/// A live chat or a team chat, whichever `id` is.
pub(super) fn load_chat(conn: &Connection, id: ConversationId) -> Result<Chat, StoreError> {
    let kind: String = conn.query_row(
        "SELECT kind FROM conversations WHERE id = ?1",
        [id.0],
        |r| r.get(0),
    )?;
    if kind == "live" {
        load_conversation(conn, id).map(Chat::Live)
    } else {
        load_team_chat(conn, id).map(Chat::Team)
    }
}

/// Team chat `id` as its members see it.
pub(super) fn load_team_chat(
    conn: &Connection,
    id: ConversationId,
) -> Result<TeamChat, StoreError> {
    let (kind, title, created_at, last_seq) = conn.query_row(
        "SELECT kind, title, created_at, last_seq FROM conversations \
         WHERE id = ?1 AND kind <> 'live'",
        [id.0],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        },
    )?;
    Ok(TeamChat {
        id,
        kind: match kind.as_str() {
            "direct" => TeamChatKind::Direct,
            "group" => TeamChatKind::Group,
            other => return Err(StoreError::Corrupt(format!("chat kind {other:?}"))),
        },
        title,
        members: load_members(conn, id)?,
        created_at,
        last_seq,
    })
}

/// The conversation as clients see it (visitor and agents with their names).
pub(super) fn load_conversation(
    conn: &Connection,
    id: ConversationId,
) -> Result<Conversation, StoreError> {
    // (The inner join finds no visitor for a team chat: `load_chat` tells them apart.)
    let (status, visitor_id, visitor_name, created_at, last_seq) = conn.query_row(
        "SELECT c.status, c.visitor_id, v.name, c.created_at, c.last_seq \
         FROM conversations c JOIN visitors v ON v.id = c.visitor_id WHERE c.id = ?1",
        [id.0],
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
    let agents = load_members(conn, id)?;
    Ok(Conversation {
        id,
        status: parse_status(&status)?,
        visitor: Participant::new(Principal::Visitor(VisitorId(visitor_id)), visitor_name),
        agents,
        created_at,
        last_seq,
    })
}

// ---------------------------------------------------------------------------------------------
// Credentials and settings, shared by the credential, identity and helpdesk areas
// ---------------------------------------------------------------------------------------------

/// A token digest column.
pub(super) fn digest(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<TokenHash> {
    let bytes: Vec<u8> = r.get(i)?;
    bytes.try_into().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Blob,
            "token digest is not 32 bytes".into(),
        )
    })
}

/// Insert a credential inside an open transaction (also used by the password change).
pub(super) fn insert_credential(
    tx: &Transaction<'_>,
    token: &TokenHash,
    new: &NewCredential,
) -> Result<SessionId, StoreError> {
    tx.execute(
        "INSERT INTO sessions \
         (token_hash, role, subject_id, created_at, last_used_at, expires_at, user_agent) \
         VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
        params![
            &token[..],
            role_str(new.holder.role()),
            new.holder.raw(),
            new.now,
            new.expires_at,
            new.device,
        ],
    )?;
    Ok(SessionId(tx.last_insert_rowid()))
}

/// Delete every session of `holder` but `keep`, inside an open transaction: the digests.
pub(super) fn delete_credentials_of(
    tx: &Transaction<'_>,
    holder: Principal,
    keep: Option<&TokenHash>,
) -> Result<Vec<TokenHash>, StoreError> {
    let keep = keep.map(|k| &k[..]);
    let mut stmt = tx.prepare(
        "DELETE FROM sessions WHERE role = ?1 AND subject_id = ?2 \
         AND (?3 IS NULL OR token_hash != ?3) RETURNING token_hash",
    )?;
    let ended = stmt
        .query_map(params![role_str(holder.role()), holder.raw(), keep], |r| {
            digest(r, 0)
        })?
        .collect::<Result<_, _>>()?;
    Ok(ended)
}

/// A settings row (JSON under `key`), or `T::default()` until one is saved.
pub(super) fn load_setting<T: serde::de::DeserializeOwned + Default>(
    conn: &Connection,
    key: &str,
) -> Result<T, StoreError> {
    let stored: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?;
    match stored {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("settings {key}: {e}"))),
        None => Ok(T::default()),
    }
}

/// Save a settings row (JSON under `key`) in the caller's transaction.
pub(super) fn store_setting(
    tx: &Transaction<'_>,
    key: &str,
    value: &impl serde::Serialize,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(value)
        .map_err(|e| StoreError::Corrupt(format!("settings {key}: {e}")))?;
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, json],
    )?;
    Ok(())
}

/// Record an admin write in the caller's transaction, so the log and the change commit together.
pub(super) fn audit(
    tx: &Transaction<'_>,
    actor: crate::store::Actor,
    action: &str,
    target: &str,
    detail: &impl serde::Serialize,
) -> Result<(), StoreError> {
    let detail = serde_json::to_string(detail).unwrap_or_default();
    tx.execute(
        "INSERT INTO audit_log (actor, action, target, detail, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![actor.label(), action, target, detail, now_millis()],
    )?;
    Ok(())
}

/// Office hours (off until an admin saves some).
pub(super) fn load_office_hours(conn: &Connection) -> Result<OfficeHours, StoreError> {
    load_setting(conn, "office_hours")
}

/// Whether chats are outside office hours right now.
pub(super) fn office_closed_now(conn: &Connection) -> Result<bool, StoreError> {
    let schedule = crate::office_hours::Schedule::parse(&load_office_hours(conn)?)
        .map_err(StoreError::Corrupt)?;
    Ok(!schedule.is_open(jiff::Timestamp::now()))
}

/// Whether visitor conversation `id` is a request that has waited unanswered for at least the
/// configured time.
pub(super) fn waited_unanswered(conn: &Connection, id: ConversationId) -> Result<bool, StoreError> {
    let waiting_since: Option<i64> = conn
        .query_row(
            "SELECT created_at FROM conversations WHERE id = ?1 AND status = 'waiting'",
            [id.0],
            |r| r.get(0),
        )
        .optional()?;
    let wait = i64::from(load_chat_settings(conn)?.unanswered_after_secs) * 1000;
    Ok(waiting_since.is_some_and(|since| now_millis() - since >= wait))
}

/// The global chat settings (defaults until an admin saves some).
pub(super) fn load_chat_settings(conn: &Connection) -> Result<ChatSettings, StoreError> {
    load_setting(conn, "chat")
}
