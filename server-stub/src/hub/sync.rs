//! Catching up: the `welcome` snapshot a socket gets when it connects (its conversations, then
//! one `history` per conversation with the first page of messages after the client's cursor,
//! then `ticket_linked` for each that is about a ticket, and for an agent `notes` for each that
//! has private notes, then `team_chats` (when they are in any) and a `history` for each, and the pending
//! invitations they made or may answer, then `team`),
//! and `sync`, which reads one page of a conversation's messages after a `seq` (the REST read
//! path applies the same rule through the same store's policy check).
//!
//! A page holds at most [`HISTORY_PAGE`] messages and says `more` when it was cut; the client
//! asks for the next one with `sync` from the last `seq` it got. A cursor the server cannot
//! honour (beyond the conversation's `last_seq`, or negative) is answered with `reset` and the
//! history from the start, never with a silent empty page: the client then drops what it held.

use std::sync::Arc;

use protocol::workspace::MAX_TEAM_CHATS_ON_CONNECT;
use protocol::{
    ConversationId, Cursor, HISTORY_PAGE, Identity, PROTOCOL_VERSION, Role, Seq, ServerMsg,
};
use tokio::sync::mpsc;

use super::{Connection, Hub, HubError, Outbound};
use crate::credentials::TokenHash;
use crate::store::{Store, StoreError};

/// Most pending invitations a connecting agent is sent (the newest); more than this many
/// pending for one agent means something is wrong elsewhere, and they stay answerable.
pub const MAX_INVITATIONS_ON_CONNECT: usize = 50;

impl Hub {
    /// Register an authenticated socket: queue `welcome` and one `history` per conversation
    /// (the first page after the client's cursor), then start live delivery.
    pub async fn connect(
        &self,
        me: Identity,
        credential: TokenHash,
        cursors: Vec<Cursor>,
        tx: mpsc::Sender<Outbound>,
    ) -> Result<Connection, HubError> {
        // Held until the socket is registered, so no frame falls between the snapshot and
        // live delivery.
        let _order = self.inner.order.lock().await;
        let who = me.clone();
        let (conversations, histories, away_after_secs) = self
            .inner
            .db
            .call(move |s| {
                let conversations = s.welcome_conversations(&who)?;
                let mut histories = Vec::with_capacity(conversations.len());
                for c in &conversations {
                    // A conversation the client does not list is new to it: from the start.
                    let after = cursors
                        .iter()
                        .find(|k| k.conversation_id == c.id)
                        .map(|k| k.last_seq);
                    histories.push(history_page(s, &who, c.id, after)?);
                }
                // Then what each conversation is about, for those that have a ticket.
                let ids: Vec<_> = conversations.iter().map(|c| c.id).collect();
                histories.extend(s.conversation_tickets(&ids)?.into_iter().map(
                    |(conversation_id, ticket)| ServerMsg::TicketLinked {
                        conversation_id,
                        ticket: Some(ticket),
                    },
                ));
                // Agents: the private notes (all of them: notes are few, and a client
                // de-duplicates by id).
                if who.role() == Role::Agent {
                    for c in &conversations {
                        if let Some(notes) = notes_frame(s, &who, c.id)? {
                            histories.push(notes);
                        }
                    }
                }
                // Agents: their team chats (the most recent), each with its history page.
                if let Some(agent) = who.principal.agent() {
                    let chats = s.team_chats_of(agent, MAX_TEAM_CHATS_ON_CONNECT)?;
                    let ids: Vec<ConversationId> = chats.iter().map(|c| c.id).collect();
                    if !chats.is_empty() {
                        histories.push(ServerMsg::TeamChats { chats });
                    }
                    for id in ids {
                        let after = cursors
                            .iter()
                            .find(|k| k.conversation_id == id)
                            .map(|k| k.last_seq);
                        histories.push(history_page(s, &who, id, after)?);
                    }
                }
                // Agents: the invitations they made or may answer, still pending (bounded, see
                // `ws::QUEUE_CAPACITY`).
                if let Some(agent) = who.principal.agent() {
                    let invitations = s.invitations_for(agent)?;
                    histories.extend(
                        invitations
                            .into_iter()
                            .rev()
                            .take(MAX_INVITATIONS_ON_CONNECT)
                            .map(|invitation| ServerMsg::Invitation { invitation }),
                    );
                }
                let away_after_secs = if who.role() == Role::Agent {
                    s.chat_settings()?.agent_away_after_secs
                } else {
                    0
                };
                Ok((conversations, histories, away_after_secs))
            })
            .await?;
        let welcome = ServerMsg::Welcome {
            protocol: PROTOCOL_VERSION,
            me: me.clone(),
            conversations,
        };
        for frame in std::iter::once(welcome).chain(histories) {
            tx.try_send(Outbound::Frame(Arc::new(frame)))
                .map_err(|_| HubError::TooSlow)?;
        }
        let agent = me.role() == Role::Agent;
        // A visitor's new socket hears their place in the queue at the next round (a second).
        if let protocol::Principal::Visitor(visitor) = me.principal {
            self.forget_positions_of(visitor);
        }
        let connection = self.register(me, credential, tx);
        // Agents: who of their colleagues is here, and how (this socket included, offline
        // until it sets a status).
        if agent {
            let team = ServerMsg::Team {
                agents: self.team(),
                away_after_secs,
            };
            self.to_socket(connection.id, team);
        }
        Ok(connection)
    }

    pub(super) async fn on_sync(
        &self,
        c: &Connection,
        conversation_id: ConversationId,
        after_seq: Seq,
    ) -> Result<(), HubError> {
        let who = c.me.clone();
        let (page, notes) = self
            .inner
            .db
            .call(move |st| {
                let page = history_page(st, &who, conversation_id, Some(after_seq))?;
                // Reading from the start (a new view, or after a reset): the notes too.
                let from_start =
                    matches!(&page, ServerMsg::History { reset: true, .. }) || after_seq == 0;
                let notes = if from_start && who.role() == Role::Agent {
                    notes_frame(st, &who, conversation_id)?
                } else {
                    None
                };
                Ok((page, notes))
            })
            .await?;
        self.to_socket(c.id, page);
        if let Some(notes) = notes {
            self.to_socket(c.id, notes);
        }
        Ok(())
    }
}

/// `notes` for an agent's conversation, when it has any.
fn notes_frame(
    s: &dyn Store,
    who: &Identity,
    conversation_id: ConversationId,
) -> Result<Option<ServerMsg>, StoreError> {
    let notes = match s.notes(who, conversation_id) {
        Ok(notes) => notes,
        // A team chat has no private notes (the history before this call already checked
        // the reader may see it).
        Err(StoreError::Denied(crate::policy::Denied::NotFound)) => Vec::new(),
        Err(e) => return Err(e),
    };
    Ok((!notes.is_empty()).then_some(ServerMsg::Notes {
        conversation_id,
        notes,
    }))
}

/// The `history` frame answering a cursor (`None`: the client holds nothing): the page after
/// it, or, for a cursor the conversation cannot have issued, `reset` and the page from the
/// start.
fn history_page(
    s: &dyn Store,
    who: &Identity,
    conversation_id: ConversationId,
    after: Option<Seq>,
) -> Result<ServerMsg, StoreError> {
    let after_seq = after.unwrap_or(0).max(0);
    let mut page = s.messages_page(who, conversation_id, after_seq, HISTORY_PAGE)?;
    let reset = after.is_some_and(|a| a < 0 || a > page.last_seq);
    if reset && after_seq != 0 {
        page = s.messages_page(who, conversation_id, 0, HISTORY_PAGE)?;
    }
    Ok(ServerMsg::History {
        conversation_id,
        messages: page.messages,
        reset,
        more: page.more,
    })
}
