//! Agent-started ("push") chats in SQLite: an agent opens a chat with a portal contact who is
//! on the site, optionally about one of their open tickets. One transaction gathers the facts
//! (the contact and their company's chat settings, an open chat, the agent's load), asks
//! `policy::may_push_chat`, and writes the conversation, its participant, the system line, the
//! ticket link and the `chat.started` webhook together.

use protocol::helpdesk::TicketRef;
use protocol::webhooks::WebhookEvent;
use protocol::{ConversationId, Identity, Principal, VisitorId};
use rusqlite::{OptionalExtension, params};

use super::SqliteStore;
use super::identities::{agent_name, agent_of};
use super::messages::insert_system_message;
use super::rows::{
    add_participant, load_chat_settings, load_conversation, load_messages_page,
    open_conversations_of,
};
use crate::policy::{self, Denied, PushFacts};
use crate::store::{PushChatStore, PushedChat, StoreError, now_millis};

impl PushChatStore for SqliteStore {
    fn push_chat(
        &self,
        agent: &Identity,
        contact: &str,
        ticket: Option<&str>,
        present: &dyn Fn(VisitorId) -> bool,
    ) -> Result<PushedChat, StoreError> {
        self.write(|tx| {
            let Some((contact_row, visitor, name, own, company)) = tx
                .query_row(
                    "SELECT ct.id, ct.visitor_id, ct.name, ct.chat_enabled, co.chat_enabled \
                     FROM contacts ct JOIN companies co ON co.id = ct.company_id \
                     WHERE ct.external_id = ?1",
                    [contact],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, Option<i64>>(1)?.map(VisitorId),
                            r.get::<_, String>(2)?,
                            r.get::<_, Option<bool>>(3)?,
                            r.get::<_, Option<bool>>(4)?,
                        ))
                    },
                )
                .optional()?
            else {
                return Err(Denied::NotFound.into());
            };
            let global = load_chat_settings(tx)?.chat_enabled;
            let open_chat = match visitor {
                Some(v) => tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM conversations WHERE visitor_id = ?1 \
                     AND status IN ('waiting', 'active'))",
                    [v.0],
                    |r| r.get(0),
                )?,
                None => false,
            };
            let agent_open = match agent.principal {
                Principal::Agent(id) => open_conversations_of(tx, id)?,
                Principal::Visitor(_) => 0,
            };
            policy::may_push_chat(
                agent,
                &PushFacts {
                    name: name.clone(),
                    chat_allowed: policy::chat_allowed(global, company, own),
                    // A contact who never signed in has no visitor id, so no socket either.
                    present: visitor.is_some_and(present),
                    open_chat,
                    agent_open,
                },
            )?;
            let agent_id = agent_of(agent)?;
            // `present` was false without a visitor id, so the policy refused already.
            let visitor = visitor.ok_or(Denied::ContactOffline(name.clone()))?;
            // The ticket must be one of the contact's open (or pending) tickets, the same
            // ones `link_ticket` accepts (`TicketStatus::is_open`).
            let ticket = match ticket {
                None => None,
                Some(number) => Some(
                    tx.query_row(
                        "SELECT id, number, subject FROM tickets WHERE number = ?1 \
                         AND contact_id = ?2 AND status IN ('open', 'pending')",
                        params![number, contact_row],
                        |r| {
                            Ok((
                                r.get::<_, i64>(0)?,
                                TicketRef {
                                    number: r.get(1)?,
                                    subject: r.get(2)?,
                                },
                            ))
                        },
                    )
                    .optional()?
                    .ok_or_else(|| {
                        StoreError::Invalid(format!(
                            "{number} is not one of {name}'s open tickets"
                        ))
                    })?,
                ),
            };
            let now = now_millis();
            tx.execute(
                "INSERT INTO conversations (visitor_id, status, created_at, accepted_by, ticket_id) \
                 VALUES (?1, 'active', ?2, ?3, ?4)",
                params![visitor.0, now, agent_id.0, ticket.as_ref().map(|(row, _)| *row)],
            )?;
            let id = ConversationId(tx.last_insert_rowid());
            add_participant(tx, id, agent_id)?;
            // The visitor row's name is the one the chat shows (it follows the helpdesk's).
            let agent_name = agent_name(tx, agent_id)?;
            let conversation = load_conversation(tx, id)?;
            let line = match &ticket {
                Some((_, t)) => format!(
                    "{agent_name} invited {} to chat about ticket {}: {}",
                    conversation.visitor.name, t.number, t.subject
                ),
                None => format!("{agent_name} invited {} to chat", conversation.visitor.name),
            };
            let system_message = insert_system_message(tx, id, &line)?;
            super::webhooks::enqueue(
                tx,
                &WebhookEvent::ChatStarted {
                    conversation_id: id,
                    visitor: conversation.visitor.clone(),
                    contact: Some(contact.to_owned()),
                    first_message: system_message.body.clone(),
                    at: system_message.sent_at,
                },
            )?;
            Ok(PushedChat {
                // Read again: the system message moved `last_seq`.
                conversation: load_conversation(tx, id)?,
                history: load_messages_page(tx, id, 0, protocol::HISTORY_PAGE)?,
                system_message,
                ticket: ticket.map(|(_, t)| t),
            })
        })
    }
}
