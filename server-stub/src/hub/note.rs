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
        if !protocol::valid_client_id(&client_id) {
            return Err(HubError::InvalidInput(format!(
                "client_id must be 1-{} printable ASCII characters",
                protocol::MAX_CLIENT_ID_LEN
            )));
        }
        let body = protocol::validate_body(&body)
            .map_err(|e| HubError::InvalidInput(format!("body {e}")))?
            .to_owned();
        // Notes count against the same per-sender budget as messages.
        if self.inner.send_limiter.check_key(&c.me.principal).is_err() {
            return Err(HubError::RateLimited);
        }
        let _order = self.inner.order.lock().await;
        let who = c.me.clone();
        let note = NewMessage {
            client_id,
            conversation_id: Some(conversation_id),
            body,
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
