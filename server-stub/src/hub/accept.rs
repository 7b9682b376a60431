//! `accept`: the store decides the single winner (see `store/sqlite/conversations.rs`); the
//! hub tells everyone. The winner's sockets get what [`Hub::welcome_joiner`] sends every agent
//! who joins a chat (`accepted`, the first page of `history`, `ticket_linked` when the request
//! is already about a ticket), then the agent's automatic greeting (a canned reply they chose)
//! to everyone in it; the visitor gets the updated `conversation` and the "joined" message;
//! every online agent gets `request_removed { accepted_by }`, which is how the agents who lost
//! learn who joined (their own late `accept` is refused as `already_accepted` with the name,
//! and they may `join` as a second participant).

use protocol::canned::expand;
use protocol::helpdesk::TicketRef;
use protocol::{ConversationId, PrivateNote, ServerMsg};

use super::{Connection, Hub, HubError};
use crate::store::{Accepted, AppendOutcome, NewMessage};

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
                            options: Vec::new(),
                        };
                        match st.append_message(&who, greeting)? {
                            AppendOutcome::Stored { message, .. } => Some(message),
                            AppendOutcome::Duplicate { .. } => None,
                        }
                    }
                    None => None,
                };
                Ok((won, ticket.map(|(_, t)| t), greeting))
            })
            .await?;
        let conversation = won.conversation.clone();
        let agent = won.agent.clone();
        self.welcome_joiner(won, ticket, Vec::new());
        self.to_online_agents(ServerMsg::RequestRemoved {
            conversation_id,
            accepted_by: Some(agent),
            abandoned: false,
        });
        if let Some(message) = greeting {
            self.to_members(&conversation, None, ServerMsg::Message { message });
        }
        Ok(())
    }

    /// An agent joined a chat (accepting it, joining late, or answering an invitation): their
    /// sockets get `accepted`, the first page of `history`, its `ticket_linked` and private
    /// notes; everyone else in it the updated `conversation` and the "joined" line.
    pub(super) fn welcome_joiner(
        &self,
        joined: Accepted,
        ticket: Option<TicketRef>,
        notes: Vec<PrivateNote>,
    ) {
        let me = joined.agent.principal;
        let conversation = joined.conversation;
        let conversation_id = conversation.id;
        self.to_principal(
            me,
            ServerMsg::Accepted {
                conversation: conversation.clone(),
            },
        );
        self.to_principal(
            me,
            ServerMsg::History {
                conversation_id,
                messages: joined.history.messages,
                reset: false,
                more: joined.history.more,
            },
        );
        if let Some(ticket) = ticket {
            self.to_principal(
                me,
                ServerMsg::TicketLinked {
                    conversation_id,
                    ticket: Some(ticket),
                },
            );
        }
        if !notes.is_empty() {
            self.to_principal(
                me,
                ServerMsg::Notes {
                    conversation_id,
                    notes,
                },
            );
        }
        self.to_members_but(
            &conversation,
            me,
            ServerMsg::Conversation {
                conversation: conversation.clone(),
            },
        );
        self.to_members_but(
            &conversation,
            me,
            ServerMsg::Message {
                message: joined.system_message,
            },
        );
    }
}
