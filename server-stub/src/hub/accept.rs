//! `accept`: the store decides the single winner (see `store/sqlite/conversations.rs`); the
//! hub tells everyone. The winner's sockets get `accepted` and the first page of `history` (the
//! console asks for the rest with `sync`), and `ticket_linked` when the request is already about
//! a ticket (a contact picked one, or pre-ticket chat made one, before anyone answered), then
//! the agent's automatic greeting (a canned reply they chose) to everyone in it; the visitor
//! gets the updated `conversation` and the "joined" message; every online agent gets
//! `request_removed { accepted_by }`, which is how the agents who lost learn who joined (their
//! own `accept` is refused as `not_found`, like any conversation they do not take part in).

use protocol::canned::expand;
use protocol::{ConversationId, ServerMsg};

use super::{Connection, Hub, HubError};
use crate::store::{AppendOutcome, NewMessage};

impl Hub {
    pub(super) async fn on_accept(
        &self,
        c: &Connection,
        conversation_id: ConversationId,
    ) -> Result<(), HubError> {
        let _order = self.inner.order.lock().await;
        let who = c.me.clone();
        let (won, ticket, greeting) = self
            .inner
            .db
            .call(move |st| {
                let won = st.accept(&who, conversation_id)?;
                let ticket = st.conversation_tickets(&[conversation_id])?.pop();
                // The agent's automatic greeting, if they set one, said as them right away.
                let greeting = match who.principal.agent() {
                    Some(agent) => st.auto_greeting(agent)?,
                    None => None,
                };
                let greeting = match greeting {
                    Some(body) => {
                        let body = expand(&body, &won.conversation.visitor.name, &who.name);
                        let greeting = NewMessage {
                            client_id: format!("greeting-{}", conversation_id.0),
                            conversation_id: Some(conversation_id),
                            body,
                        };
                        match st.append_message(&who, greeting)? {
                            AppendOutcome::Stored { message, .. } => Some(message),
                            AppendOutcome::Duplicate { .. } => None,
                        }
                    }
                    None => None,
                };
                Ok((won, ticket, greeting))
            })
            .await?;
        let me = c.me.principal;
        self.to_principal(
            me,
            ServerMsg::Accepted {
                conversation: won.conversation.clone(),
            },
        );
        self.to_principal(
            me,
            ServerMsg::History {
                conversation_id,
                messages: won.history.messages,
                reset: false,
                more: won.history.more,
            },
        );
        if let Some((_, ticket)) = ticket {
            self.to_principal(
                me,
                ServerMsg::TicketLinked {
                    conversation_id,
                    ticket: Some(ticket),
                },
            );
        }
        let visitor = won.conversation.visitor.principal;
        let won_conversation = won.conversation.clone();
        self.to_principal(
            visitor,
            ServerMsg::Conversation {
                conversation: won.conversation,
            },
        );
        self.to_principal(
            visitor,
            ServerMsg::Message {
                message: won.system_message,
            },
        );
        self.to_online_agents(ServerMsg::RequestRemoved {
            conversation_id,
            accepted_by: Some(won.agent),
        });
        if let Some(message) = greeting {
            let conversation = won_conversation;
            self.to_members(&conversation, None, ServerMsg::Message { message });
        }
        Ok(())
    }
}
