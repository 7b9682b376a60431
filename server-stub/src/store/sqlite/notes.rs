//! Private notes in SQLite: the `private_notes` table (see its migration). Nothing here is
//! reachable from the paths that serve visitors: history, transcripts and webhooks read the
//! `messages` table only.

use protocol::{AgentId, ConversationId, Identity, Participant, Principal, PrivateNote};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use super::rows::{load_conversation, load_facts};
use crate::policy;
use crate::store::{NewMessage, NoteOutcome, NoteStore, StoreError, now_millis};

const NOTE_SELECT: &str = "SELECT n.id, n.conversation_id, n.after_seq, n.agent_id, a.name, \
     n.body, n.client_id, n.sent_at FROM private_notes n JOIN agents a ON a.id = n.agent_id";

fn note_row(r: &Row<'_>) -> rusqlite::Result<PrivateNote> {
    Ok(PrivateNote {
        id: r.get(0)?,
        conversation_id: ConversationId(r.get(1)?),
        after_seq: r.get(2)?,
        author: Participant::new(Principal::Agent(AgentId(r.get(3)?)), r.get::<_, String>(4)?),
        body: r.get(5)?,
        client_id: r.get(6)?,
        sent_at: r.get(7)?,
    })
}

fn load_note(c: &Connection, id: i64) -> Result<PrivateNote, StoreError> {
    Ok(c.query_row(&format!("{NOTE_SELECT} WHERE n.id = ?1"), [id], note_row)?)
}

impl NoteStore for SqliteStore {
    fn add_note(&self, who: &Identity, note: NewMessage) -> Result<NoteOutcome, StoreError> {
        let Principal::Agent(agent) = who.principal else {
            return Err(policy::Denied::NotFound.into());
        };
        self.write(|tx| {
            // Idempotency first, as for messages: a retry gets the note already stored.
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT id FROM private_notes WHERE agent_id = ?1 AND client_id = ?2",
                    params![agent.0, note.client_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = existing {
                let stored = load_note(tx, id)?;
                let conversation = load_conversation(tx, stored.conversation_id)?;
                return Ok(NoteOutcome {
                    note: stored,
                    conversation,
                    duplicate: true,
                });
            }
            let id = note.conversation_id.ok_or(policy::Denied::NotFound)?;
            policy::may_note(who, load_facts(tx, id)?.as_ref())?;
            let conversation = load_conversation(tx, id)?;
            let row: i64 = tx.query_row(
                "INSERT INTO private_notes \
                 (conversation_id, after_seq, agent_id, body, client_id, sent_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                params![
                    id.0,
                    conversation.last_seq,
                    agent.0,
                    note.body,
                    note.client_id,
                    now_millis()
                ],
                |r| r.get(0),
            )?;
            Ok(NoteOutcome {
                note: load_note(tx, row)?,
                conversation,
                duplicate: false,
            })
        })
    }

    fn notes(
        &self,
        who: &Identity,
        conversation: ConversationId,
    ) -> Result<Vec<PrivateNote>, StoreError> {
        self.with(|c| {
            policy::may_read_notes(who, load_facts(c, conversation)?.as_ref())?;
            load_notes(c, conversation)
        })
    }
}

/// Every note of `conversation`, oldest first (no access check: callers make theirs).
pub(super) fn load_notes(
    c: &Connection,
    conversation: ConversationId,
) -> Result<Vec<PrivateNote>, StoreError> {
    let mut stmt = c.prepare_cached(&format!(
        "{NOTE_SELECT} WHERE n.conversation_id = ?1 ORDER BY n.id"
    ))?;
    let notes = stmt
        .query_map([conversation.0], note_row)?
        .collect::<Result<_, _>>()?;
    Ok(notes)
}
