//! `end`: a participating agent closes the conversation; every member gets the "ended"
//! message, then the conversation in its `ended` state.

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
