//! `send` (and, over REST, an agent's offer of choices and the visitor's answer): validate, rate-limit, append to the
//! store, then fan out. The sender's socket gets
//! `ack`; every other socket of every member gets `message`; a visitor's first message also
//! announces the new conversation to its members and the request to online agents.

use protocol::workspace::{AnswerRequest, MAX_OFFER_OPTION_CHARS, MAX_OFFER_OPTIONS, OfferRequest};
use protocol::{ChatRequest, ConversationId, Identity, Message, Role, Seq, ServerMsg};

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

/// An offer's choices: 2 to [`MAX_OFFER_OPTIONS`], each 1 to [`MAX_OFFER_OPTION_CHARS`]
/// characters once trimmed, no two the same (the visitor's pick comes back as its text).
pub(super) fn checked_options(options: Vec<String>) -> Result<Vec<String>, HubError> {
    let options: Vec<String> = options.into_iter().map(|o| o.trim().to_owned()).collect();
    let bad = |why: &str| Err(HubError::InvalidInput(format!("options: {why}")));
    if !(2..=MAX_OFFER_OPTIONS).contains(&options.len()) {
        return bad(&format!("offer 2 to {MAX_OFFER_OPTIONS} choices"));
    }
    for (i, o) in options.iter().enumerate() {
        if o.is_empty() || o.chars().count() > MAX_OFFER_OPTION_CHARS {
            return bad(&format!("each is 1 to {MAX_OFFER_OPTION_CHARS} characters"));
        }
        if o.chars().any(char::is_control) {
            return bad("no control characters");
        }
        if options[..i].contains(o) {
            return bad("no two the same");
        }
    }
    Ok(options)
}

impl Hub {
    /// An agent's message with choices (`POST /api/agent/conversations/{id}/offer`): checked
    /// like a `send`, from the same budget. A retried `client_id` returns the stored message
    /// (`false`: not new).
    pub async fn offer(
        &self,
        who: Identity,
        conversation_id: ConversationId,
        request: OfferRequest,
    ) -> Result<(Message, bool), HubError> {
        let body = checked_text(&request.client_id, &request.body)?;
        let options = checked_options(request.options)?;
        if who.role() != Role::Agent {
            return Err(crate::policy::Denied::Forbidden.into());
        }
        let msg = NewMessage {
            client_id: request.client_id,
            conversation_id: Some(conversation_id),
            body,
            options,
        };
        self.post_over_rest(who, msg, None).await
    }

    /// The visitor picks one of the choices offered with message `seq` (`POST
    /// /api/conversations/{id}/answer`): stored as their reply, exactly as if typed, once the
    /// store confirms that message offered that choice to them.
    pub async fn answer(
        &self,
        who: Identity,
        conversation_id: ConversationId,
        request: AnswerRequest,
    ) -> Result<(Message, bool), HubError> {
        let body = checked_text(&request.client_id, &request.choice)?;
        if who.role() != Role::Visitor {
            return Err(crate::policy::Denied::Forbidden.into());
        }
        let msg = NewMessage {
            client_id: request.client_id,
            conversation_id: Some(conversation_id),
            body,
            options: Vec::new(),
        };
        self.post_over_rest(who, msg, Some(request.seq)).await
    }

    /// A message that came over REST: from the sender's `send` budget, stored, and sent to
    /// every socket of everyone in the chat (the caller has no socket to be acknowledged on;
    /// its answer is the message). With `answers`, only as the answer to one of the choices
    /// offered with that message (`invalid_input` otherwise).
    async fn post_over_rest(
        &self,
        who: Identity,
        msg: NewMessage,
        answers: Option<Seq>,
    ) -> Result<(Message, bool), HubError> {
        self.inner
            .send_limiter
            .check_key(&who.principal)
            .map_err(|_| HubError::RateLimited)?;
        let _order = self.inner.order.lock().await;
        let outcome = self
            .inner
            .db
            .call(move |st| {
                if let (Some(seq), Some(id)) = (answers, msg.conversation_id) {
                    // Read as the visitor: a chat they may not read is not_found here.
                    let page = st.messages_page(&who, id, seq.saturating_sub(1), 1)?;
                    let offered = page
                        .messages
                        .first()
                        .is_some_and(|m| m.seq == seq && m.options.contains(&msg.body));
                    if !offered {
                        return Ok(None);
                    }
                }
                st.append_message(&who, msg).map(Some)
            })
            .await?
            .ok_or_else(|| {
                HubError::InvalidInput("choice: not one offered with that message".to_owned())
            })?;
        match outcome {
            AppendOutcome::Duplicate { message } => Ok((message, false)),
            AppendOutcome::Stored {
                message,
                conversation,
                ..
            } => {
                self.to_members(
                    &conversation,
                    None,
                    ServerMsg::Message {
                        message: message.clone(),
                    },
                );
                Ok((message, true))
            }
        }
    }

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
            options: Vec::new(),
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
