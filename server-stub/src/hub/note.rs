//! `note`: an agent's private note in a conversation they take part in. Stored apart from the
//! messages (`NoteStore`), then sent to the conversation's agents only, the author's sockets
//! included (they de-duplicate by `client_id`). The visitor's sockets are never addressed.

use protocol::{ConversationId, ServerMsg};

use super::{Connection, Hub, HubError};
use crate::store::NewMessage;

impl Hub {
    pub(super) async fn on_note(
        &self,
        c: &Connection,
        client_id: String,
        conversation_id: ConversationId,
        body: String,
    ) -> Result<(), HubError> {
        // The same checks as a message, against the same per-sender budget.
        let body = super::send::checked_text(&client_id, &body)?;
        self.spend_send(c)?;
        let _order = self.inner.order.lock().await;
        let who = c.me.clone();
        let note = NewMessage {
            client_id,
            conversation_id: Some(conversation_id),
            body,
            options: Vec::new(),
        };
        let outcome = self
            .inner
            .db
            .call(move |st| st.add_note(&who, note))
            .await?;
        if outcome.duplicate {
            // A retry: only the asking socket needs its answer again.
            self.to_socket(c.id, ServerMsg::Note { note: outcome.note });
        } else {
            self.to_agents_of(
                &outcome.conversation,
                ServerMsg::Note { note: outcome.note },
            );
        }
        Ok(())
    }
}
