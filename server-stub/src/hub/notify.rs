//! Telling a conversation's members about changes made outside the socket (over REST): a
//! portal contact signing in adopts an anonymous visitor's open conversation, and its agents
//! must see who they are now talking to; a chat is linked to a ticket (or a ticket is made
//! from it), and everyone in it sees the system line and the new ticket.

use protocol::{ConversationId, ServerMsg};

use super::Hub;
use crate::store::TicketLinkChange;

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

impl Hub {
    /// A chat's ticket changed: every member gets the system line, then `ticket_linked`.
    pub async fn ticket_linked(&self, change: TicketLinkChange) {
        let _order = self.inner.order.lock().await;
        let conversation = change.conversation;
        self.to_members(
            &conversation,
            None,
            ServerMsg::Message {
                message: change.system_message,
            },
        );
        self.to_members(
            &conversation,
            None,
            ServerMsg::TicketLinked {
                conversation_id: conversation.id,
                ticket: change.ticket,
            },
        );
    }
}
