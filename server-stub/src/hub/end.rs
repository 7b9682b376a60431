//! `end`: a participating agent closes the conversation, or its visitor when the rules let
//! them (`policy::may_end`); every member gets the "ended" message, then the conversation in
//! its `ended` state; a request that was still waiting leaves the agents' queue.

use protocol::{ConversationId, Identity, ServerMsg};

use super::{Connection, Hub, HubError};
use crate::store::StoreError;

impl Hub {
    pub(super) async fn on_end(
        &self,
        c: &Connection,
        conversation_id: ConversationId,
    ) -> Result<(), HubError> {
        self.end(c.me.clone(), conversation_id).await
    }

    /// End `conversation_id` as `who` (the socket's `end`, and `POST
    /// /api/conversations/{id}/end`): the same rules and the same frames either way.
    pub async fn end_conversation(
        &self,
        who: Identity,
        conversation_id: ConversationId,
    ) -> Result<(), StoreError> {
        match self.end(who, conversation_id).await {
            Ok(()) => Ok(()),
            Err(HubError::Denied(d)) => Err(StoreError::Denied(d)),
            Err(HubError::Store(e)) => Err(e),
            Err(other) => Err(StoreError::Corrupt(other.to_string())),
        }
    }

    async fn end(&self, who: Identity, conversation_id: ConversationId) -> Result<(), HubError> {
        let _order = self.inner.order.lock().await;
        let ended = self
            .inner
            .db
            .call(move |st| st.end(&who, conversation_id))
            .await?;
        let conversation = ended.conversation;
        if ended.was_waiting {
            // A visitor gave up waiting: the request leaves every agent's queue.
            self.to_online_agents(ServerMsg::RequestRemoved {
                conversation_id,
                accepted_by: None,
                abandoned: false,
            });
        }
        self.to_members(
            &conversation,
            None,
            ServerMsg::Message {
                message: ended.system_message,
            },
        );
        let frame = ServerMsg::Conversation {
            conversation: conversation.clone(),
        };
        self.to_members(&conversation, None, frame);
        if let Some(closed) = ended.cancelled {
            self.invitation_closed(closed);
        }
        Ok(())
    }
}
