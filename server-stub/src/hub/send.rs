//! `send`: validate, rate-limit, append to the store, then fan out. The sender's socket gets
//! `ack`; every other socket of every member gets `message`; a visitor's first message also
//! announces the new conversation to its members and the request to online agents.

use protocol::{ChatRequest, ConversationId, Role, ServerMsg};

use super::{Connection, Hub, HubError};
use crate::store::{AppendOutcome, Chat, NewMessage};

/// What a `send` and a `note` both carry: a client id the server may echo, and a body within
/// its bounds. The body to store.
pub(super) fn checked_text(client_id: &str, body: &str) -> Result<String, HubError> {
    if !protocol::valid_client_id(client_id) {
        return Err(HubError::InvalidInput(format!(
            "client_id must be 1-{} printable ASCII characters",
            protocol::MAX_CLIENT_ID_LEN
        )));
    }
    protocol::validate_body(body)
        .map(str::to_owned)
        .map_err(|e| HubError::InvalidInput(format!("body {e}")))
}

impl Hub {
    /// One `send` or `note` from this sender's budget (one budget for both, across sockets).
    pub(super) fn spend_send(&self, c: &Connection) -> Result<(), HubError> {
        self.inner
            .send_limiter
            .check_key(&c.me.principal)
            .map_err(|_| HubError::RateLimited)
    }

    pub(super) async fn on_send(
        &self,
        c: &Connection,
        client_id: String,
        conversation_id: Option<ConversationId>,
        body: String,
    ) -> Result<(), HubError> {
        let body = checked_text(&client_id, &body)?;
        if c.me.role() == Role::Agent && conversation_id.is_none() {
            return Err(HubError::InvalidInput(
                "agents must name the conversation".to_owned(),
            ));
        }
        self.spend_send(c)?;
        let _order = self.inner.order.lock().await;
        let who = c.me.clone();
        let msg = NewMessage {
            client_id: client_id.clone(),
            conversation_id,
            body,
        };
        match self
            .inner
            .db
            .call(move |st| st.append_message(&who, msg))
            .await?
        {
            AppendOutcome::Duplicate { message } => {
                self.to_socket(c.id, ServerMsg::Ack { client_id, message });
            }
            AppendOutcome::Stored {
                message,
                conversation: chat,
                created,
            } => {
                // Only a visitor's first message creates a conversation: a live chat.
                let created = match (&chat, created) {
                    (Chat::Live(conversation), true) => Some(conversation.clone()),
                    _ => None,
                };
                if let Some(conversation) = &created {
                    let frame = ServerMsg::Conversation {
                        conversation: conversation.clone(),
                    };
                    self.to_members(conversation, None, frame);
                }
                self.to_socket(
                    c.id,
                    ServerMsg::Ack {
                        client_id,
                        message: message.clone(),
                    },
                );
                let preview = message.body.clone();
                self.to_members(&chat, Some(c.id), ServerMsg::Message { message });
                if let Some(conversation) = created {
                    // To the agents of the sections it was routed to.
                    let id = conversation.id;
                    let audience = self
                        .inner
                        .db
                        .call(move |st| st.request_audience(id))
                        .await?;
                    self.to_offered(
                        &audience,
                        ServerMsg::RequestAdded {
                            request: ChatRequest {
                                conversation_id: conversation.id,
                                visitor: conversation.visitor,
                                preview,
                                created_at: conversation.created_at,
                            },
                        },
                    );
                }
            }
        }
        Ok(())
    }
}
