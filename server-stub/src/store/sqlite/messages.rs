//! Messages in SQLite: the `messages` table and each conversation's `last_seq` counter, and
//! which conversation a visitor's message without one goes to (opening a request if need be).

use protocol::webhooks::WebhookEvent;
use protocol::{ConversationId, Identity, Message, MessageKind, Principal, Seq, VisitorId};
use rusqlite::{OptionalExtension, Transaction, params};

use super::SqliteStore;
use super::rows::{
    kind_str, load_chat, load_facts, load_message, load_messages_after, load_messages_page,
    role_str,
};
use crate::policy::{self, Denied};
use crate::store::{
    AppendOutcome, Chat, MessagePage, MessageStore, NewMessage, StoreError, now_millis,
};

/// A server-written line in the conversation ("Ada joined the chat"): no author, no client id.
pub(super) fn insert_system_message(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    body: &str,
) -> Result<Message, StoreError> {
    insert_message(tx, conversation, MessageKind::System, None, body, None, &[])
}

/// Allocate the next `seq` and insert; must run inside the caller's write transaction, which is
/// what keeps `seq` gap-free (a rollback undoes both).
fn insert_message(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    kind: MessageKind,
    author: Option<&Identity>,
    body: &str,
    client_id: Option<&str>,
    options: &[String],
) -> Result<Message, StoreError> {
    let seq: i64 = tx.query_row(
        "UPDATE conversations SET last_seq = last_seq + 1 WHERE id = ?1 RETURNING last_seq",
        [conversation.0],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO messages \
         (conversation_id, seq, kind, author_role, author_id, body, client_id, sent_at, options) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            conversation.0,
            seq,
            kind_str(kind),
            author.map(|a| role_str(a.role())),
            author.map(|a| a.principal.raw()),
            body,
            client_id,
            now_millis(),
            (!options.is_empty()).then(|| serde_json::to_string(options).unwrap_or_default())
        ],
    )?;
    load_message(tx, tx.last_insert_rowid())
}

/// The visitor's open (waiting or active) conversation, or a new waiting one; `true` when it
/// was created. Runs inside the caller's write transaction, with the message that needs it.
pub(super) fn open_or_create(
    tx: &Transaction<'_>,
    visitor: VisitorId,
) -> Result<(ConversationId, bool), StoreError> {
    let open: Option<ConversationId> = tx
        .query_row(
            "SELECT id FROM conversations WHERE visitor_id = ?1 \
             AND status IN ('waiting', 'active') ORDER BY id DESC LIMIT 1",
            [visitor.0],
            |r| r.get(0).map(ConversationId),
        )
        .optional()?;
    if let Some(id) = open {
        return Ok((id, false));
    }
    // Routed once, when made: the section stays the request's even if settings change.
    let section = super::routing::route(tx, visitor)?;
    tx.execute(
        "INSERT INTO conversations (visitor_id, status, created_at, section_id) \
         VALUES (?1, 'waiting', ?2, ?3)",
        params![visitor.0, now_millis(), section],
    )?;
    Ok((ConversationId(tx.last_insert_rowid()), true))
}

impl MessageStore for SqliteStore {
    fn append_message(&self, who: &Identity, msg: NewMessage) -> Result<AppendOutcome, StoreError> {
        self.write(|tx| {
            // Idempotency first: a retry must return the stored message even if the
            // conversation has since ended or a new one was opened.
            let existing: Option<i64> = tx
                .query_row(
                    "SELECT id FROM messages \
                     WHERE author_role = ?1 AND author_id = ?2 AND client_id = ?3",
                    params![role_str(who.role()), who.principal.raw(), msg.client_id],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = existing {
                return Ok(AppendOutcome::Duplicate {
                    message: load_message(tx, id)?,
                });
            }
            let (conversation_id, created) = match (msg.conversation_id, who.principal) {
                (Some(id), _) => {
                    policy::may_send(who, load_facts(tx, id)?.as_ref())?;
                    (id, false)
                }
                (None, Principal::Visitor(visitor)) => open_or_create(tx, visitor)?,
                (None, Principal::Agent(_)) => return Err(Denied::NotFound.into()),
            };
            let message = insert_message(
                tx,
                conversation_id,
                MessageKind::Text,
                Some(who),
                &msg.body,
                Some(&msg.client_id),
                &msg.options,
            )?;
            let conversation = load_chat(tx, conversation_id)?;
            if let (true, Chat::Live(live)) = (created, &conversation) {
                let contact: Option<String> = tx
                    .query_row(
                        "SELECT external_id FROM contacts WHERE visitor_id = ?1",
                        [who.principal.raw()],
                        |r| r.get(0),
                    )
                    .optional()?;
                super::webhooks::enqueue(
                    tx,
                    &WebhookEvent::ChatStarted {
                        conversation_id,
                        visitor: live.visitor.clone(),
                        contact,
                        first_message: message.body.clone(),
                        at: message.sent_at,
                    },
                )?;
            }
            Ok(AppendOutcome::Stored {
                message,
                conversation,
                created,
            })
        })
    }

    fn messages_after(
        &self,
        who: &Identity,
        conversation: ConversationId,
        after: Seq,
    ) -> Result<Vec<Message>, StoreError> {
        self.with(|c| {
            policy::may_read(who, load_facts(c, conversation)?.as_ref())?;
            load_messages_after(c, conversation, after)
        })
    }

    fn messages_page(
        &self,
        who: &Identity,
        conversation: ConversationId,
        after: Seq,
        limit: usize,
    ) -> Result<MessagePage, StoreError> {
        self.with(|c| {
            policy::may_read(who, load_facts(c, conversation)?.as_ref())?;
            load_messages_page(c, conversation, after, limit)
        })
    }
}
