//! `accept`: the store decides the single winner (see `store/sqlite/conversations.rs`); the
//! hub tells everyone. The winner's sockets get `accepted` and the first page of `history` (the
//! console asks for the rest with `sync`), and `ticket_linked` when the request is already about
//! a ticket (a contact picked one, or pre-ticket chat made one, before anyone answered); the visitor
//! gets the updated `conversation` and the "joined" message; every online agent gets
//! `request_removed { accepted_by }`, which is how the agents who lost learn who joined (their
//! own `accept` is refused as `not_found`, like any conversation they do not take part in).

use protocol::{ConversationId, ServerMsg};

use super::{Connection, Hub, HubError};

impl Hub {
    pub(super) async fn on_accept(
        &self,
        c: &Connection,
        conversation_id: ConversationId,
    ) -> Result<(), HubError> {
        let _order = self.inner.order.lock().await;
        let who = c.me.clone();
        let (won, ticket) = self
            .inner
            .db
            .call(move |st| {
                let won = st.accept(&who, conversation_id)?;
                let ticket = st.conversation_tickets(&[conversation_id])?.pop();
                Ok((won, ticket))
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
        Ok(())
    }
}
