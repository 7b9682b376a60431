//! Routing and working together, for changes made over REST (`api/teamwork.rs`): rejecting a
//! request (it leaves that agent's queue only), joining a live chat late, inviting a colleague
//! and answering or withdrawing the invitation, leaving (and transfer), and abandoning requests
//! nobody answered (a sweep every few seconds). The store decides; this file decides who hears.

use protocol::workspace::{Invitation, InviteRequest};
use protocol::{AgentId, ConversationId, Identity, Principal, ServerMsg};

use super::Hub;
use crate::store::{Accepted, Audience, ClosedInvitation, Left, StoreError};

impl Hub {
    /// Queue a frame for every socket of these agents.
    fn to_agents(&self, agents: &[AgentId], msg: ServerMsg) {
        let principals: Vec<Principal> = agents.iter().map(|a| Principal::Agent(*a)).collect();
        self.to_principals(&principals, msg);
    }

    /// Queue a frame for the online agents a request is offered to.
    pub(super) fn to_offered(&self, audience: &Audience, msg: ServerMsg) {
        self.to_online_agents_where(|p| p.agent().is_some_and(|a| audience.admits(a)), msg);
    }

    /// Tell an invitation's inviter and invitees it is over.
    pub(super) fn invitation_closed(&self, closed: ClosedInvitation) {
        self.to_agents(
            &closed.recipients,
            ServerMsg::InvitationClosed {
                id: closed.id,
                conversation_id: closed.conversation_id,
                outcome: closed.outcome,
                by: closed.by,
            },
        );
    }

    /// Sections changed (added, edited, deleted): who is offered which request may have
    /// changed, so every online agent gets their queue again (`queue` replaces what it shows).
    pub async fn sections_changed(&self) -> Result<(), StoreError> {
        let _order = self.inner.order.lock().await;
        let sockets = self.online_agent_sockets();
        let mut agents: Vec<AgentId> = sockets.iter().map(|(_, a)| *a).collect();
        agents.sort();
        agents.dedup();
        let queues = self
            .inner
            .db
            .call(move |st| {
                agents
                    .into_iter()
                    .map(|a| Ok((a, st.queue_for(a)?)))
                    .collect::<Result<Vec<_>, StoreError>>()
            })
            .await?;
        for (socket, agent) in sockets {
            if let Some((_, requests)) = queues.iter().find(|(a, _)| *a == agent) {
                self.to_socket(
                    socket,
                    ServerMsg::Queue {
                        requests: requests.clone(),
                    },
                );
            }
        }
        Ok(())
    }

    /// `who` declines waiting request `id`: gone from their consoles, still offered to others.
    pub async fn reject(&self, who: Identity, id: ConversationId) -> Result<(), StoreError> {
        let _order = self.inner.order.lock().await;
        let me = who.principal;
        self.inner.db.call(move |st| st.reject(&who, id)).await?;
        self.to_principal(
            me,
            ServerMsg::RequestRemoved {
                conversation_id: id,
                accepted_by: None,
                abandoned: false,
            },
        );
        Ok(())
    }

    /// `who` joins live chat `id` as another participant.
    pub async fn join(&self, who: Identity, id: ConversationId) -> Result<(), StoreError> {
        let _order = self.inner.order.lock().await;
        let (joined, ticket, notes) = self
            .inner
            .db
            .call(move |st| {
                let joined = st.join(&who, id)?;
                let ticket = st.conversation_tickets(&[id])?.pop().map(|(_, t)| t);
                let notes = st.notes(&who, id)?;
                Ok((joined, ticket, notes))
            })
            .await?;
        self.welcome_joiner(joined, ticket, notes);
        Ok(())
    }

    /// `who` leaves live chat `id`.
    pub async fn leave(&self, who: Identity, id: ConversationId) -> Result<(), StoreError> {
        let _order = self.inner.order.lock().await;
        let left = self.inner.db.call(move |st| st.leave(&who, id)).await?;
        self.announce_left(left);
        Ok(())
    }

    /// Everyone still in the chat gets the "left" line and its new state; the agent who left
    /// gets the state too (they are not in it any more: their console closes it).
    fn announce_left(&self, left: Left) {
        let conversation = left.conversation;
        self.to_members(
            &conversation,
            None,
            ServerMsg::Message {
                message: left.system_message,
            },
        );
        let frame = ServerMsg::Conversation {
            conversation: conversation.clone(),
        };
        self.to_principal(Principal::Agent(left.agent), frame.clone());
        self.to_members(&conversation, None, frame);
        if let Some(closed) = left.cancelled {
            self.invitation_closed(closed);
        }
    }

    /// `who` invites a colleague (or a section) into live chat `id`.
    pub async fn invite(
        &self,
        who: Identity,
        id: ConversationId,
        request: InviteRequest,
    ) -> Result<Invitation, StoreError> {
        let _order = self.inner.order.lock().await;
        let invited = self
            .inner
            .db
            .call(move |st| st.invite(&who, id, &request))
            .await?;
        self.to_agents(
            &invited.recipients,
            ServerMsg::Invitation {
                invitation: invited.invitation.clone(),
            },
        );
        Ok(invited.invitation)
    }

    /// An invitee accepts or declines invitation `id`.
    pub async fn answer_invitation(
        &self,
        who: Identity,
        id: i64,
        accept: bool,
    ) -> Result<(), StoreError> {
        let _order = self.inner.order.lock().await;
        let (answered, extras) = self
            .inner
            .db
            .call(move |st| {
                let answered = st.answer_invitation(&who, id, accept)?;
                let extras = match &answered.joined {
                    Some(j) => {
                        let c = j.conversation.id;
                        let ticket = st.conversation_tickets(&[c])?.pop().map(|(_, t)| t);
                        Some((ticket, st.notes(&who, c)?))
                    }
                    None => None,
                };
                Ok((answered, extras))
            })
            .await?;
        self.invitation_closed(answered.closed);
        if let (Some(joined), Some((ticket, notes))) = (answered.joined, extras) {
            let joined: Accepted = joined;
            self.welcome_joiner(joined, ticket, notes);
        }
        if let Some(left) = answered.left {
            self.announce_left(left);
        }
        Ok(())
    }

    /// The inviter withdraws invitation `id`.
    pub async fn cancel_invitation(&self, who: Identity, id: i64) -> Result<(), StoreError> {
        let _order = self.inner.order.lock().await;
        let closed = self
            .inner
            .db
            .call(move |st| st.cancel_invitation(&who, id))
            .await?;
        self.invitation_closed(closed);
        Ok(())
    }

    /// Tell each waiting visitor their place in the queue when it changed since they were last
    /// told (or a socket of theirs connected since): run every second with the abandonment
    /// sweep, so whatever moved the queue (a request made, accepted, ended, abandoned, routed
    /// elsewhere) shows within a second, with no hook in each of those paths.
    pub async fn tell_positions(&self) -> Result<(), StoreError> {
        let _order = self.inner.order.lock().await;
        let places = self.inner.db.call(|st| st.queue_positions()).await?;
        let changed: Vec<_> = {
            let mut told = self
                .inner
                .positions
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let changed = places
                .iter()
                .filter(|(id, visitor, place)| told.get(id) != Some(&(*visitor, *place)))
                .copied()
                .collect();
            *told = places
                .into_iter()
                .map(|(id, visitor, place)| (id, (visitor, place)))
                .collect();
            changed
        };
        for (conversation_id, visitor, position) in changed {
            self.to_principal(
                Principal::Visitor(visitor),
                ServerMsg::QueuePosition {
                    conversation_id,
                    position,
                },
            );
        }
        Ok(())
    }

    /// A visitor's socket connected: their place is told again at the next round.
    pub(super) fn forget_positions_of(&self, visitor: protocol::VisitorId) {
        self.inner
            .positions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, (v, _)| *v != visitor);
    }

    /// Abandon every request that waited too long: the visitor gets the line that tells them
    /// to leave a message; the agents it was offered to see it leave the queue for Abandoned.
    pub async fn abandon_due(&self) -> Result<usize, StoreError> {
        let _order = self.inner.order.lock().await;
        let now = crate::store::now_millis();
        let abandoned = self.inner.db.call(move |st| st.abandon_due(now)).await?;
        let count = abandoned.len();
        for a in abandoned {
            let conversation = a.conversation;
            self.to_members(
                &conversation,
                None,
                ServerMsg::Message {
                    message: a.system_message,
                },
            );
            self.to_online_agents(ServerMsg::RequestRemoved {
                conversation_id: conversation.id,
                accepted_by: None,
                abandoned: true,
            });
        }
        Ok(count)
    }
}
