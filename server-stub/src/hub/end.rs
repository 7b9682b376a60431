//! `end`: a participating agent closes the conversation, or its visitor when the rules let
//! them (`policy::may_end`); every member gets the "ended" message, then the conversation in
//! its `ended` state; a request that was still waiting leaves the agents' queue.

use protocol::{ConversationId, ServerMsg};

use super::{Connection, Hub, HubError};

impl Hub {
    pub(super) async fn on_end(
        &self,
        c: &Connection,
        conversation_id: ConversationId,
    ) -> Result<(), HubError> {
        let _order = self.inner.order.lock().await;
        let who = c.me.clone();
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
        Ok(())
    }
}
