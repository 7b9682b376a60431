//! Telling a conversation's members about a change made outside the socket: a portal contact
//! signing in adopts an anonymous visitor's open conversation (REST), and its agents must see
//! who they are now talking to.

use protocol::{ConversationId, ServerMsg};

use super::Hub;

impl Hub {
    /// Send conversation `id`'s current state to every member's sockets.
    pub async fn conversation_changed(&self, id: ConversationId) {
        let _order = self.inner.order.lock().await;
        match self.inner.db.call(move |s| s.conversation(id)).await {
            Ok(Some(conversation)) => {
                let frame = ServerMsg::Conversation {
                    conversation: conversation.clone(),
                };
                self.to_members(&conversation, None, frame);
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not announce a changed conversation"),
        }
    }
}
