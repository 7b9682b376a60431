//! Agents working together in a live chat, in SQLite (`invitations`, and `participants`'
//! `left_at`): joining a chat late, inviting a colleague (by name or "any agent of section X"),
//! answering, withdrawing, leaving, and transfer (the invitee joins and the inviter leaves in
//! one transaction, so the chat is never without an agent). The visitor only ever sees the
//! "joined"/"left" lines: invitations are agents' business.

use protocol::workspace::{Invitation, InvitationOutcome, InviteRequest, Invitee};
use protocol::{AgentId, ConversationId, Identity, Participant, Principal};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::SqliteStore;
use super::conversations::joined;
use super::identities::{agent_name, agent_of};
use super::messages::insert_system_message;
use super::routing::{audience, section_members};
use super::rows::{
    active_agent, known_section, load_conversation, load_facts, open_conversations_of,
};
use crate::policy::{self, Denied};
use crate::store::{
    Answered, ClosedInvitation, Invited, Left, StoreError, TeamworkStore, now_millis,
};

const INVITATION_SELECT: &str = "SELECT i.id, i.conversation_id, v.name, i.inviter_id, \
     a.name, i.invitee_id, i.section_id, COALESCE(b.name, s.name), i.transfer, i.created_at \
     FROM invitations i \
     JOIN conversations c ON c.id = i.conversation_id \
     JOIN visitors v ON v.id = c.visitor_id \
     JOIN agents a ON a.id = i.inviter_id \
     LEFT JOIN agents b ON b.id = i.invitee_id \
     LEFT JOIN sections s ON s.id = i.section_id";

fn invitation_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Invitation> {
    let invitee = match (r.get::<_, Option<i64>>(5)?, r.get::<_, Option<i64>>(6)?) {
        (Some(agent), _) => Invitee::Agent(AgentId(agent)),
        (None, section) => Invitee::Section(section.unwrap_or_default()),
    };
    Ok(Invitation {
        id: r.get(0)?,
        conversation_id: ConversationId(r.get(1)?),
        visitor: r.get(2)?,
        from: Participant::new(Principal::Agent(AgentId(r.get(3)?)), r.get::<_, String>(4)?),
        invitee,
        invitee_name: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
        transfer: r.get(8)?,
        created_at: r.get(9)?,
    })
}

/// Pending invitation `id` (`None`: none such, or no longer pending).
fn pending(conn: &Connection, id: i64) -> Result<Option<Invitation>, StoreError> {
    Ok(conn
        .query_row(
            &format!("{INVITATION_SELECT} WHERE i.id = ?1 AND i.state = 'pending'"),
            [id],
            invitation_row,
        )
        .optional()?)
}

/// The inviter and everyone the invitation asks.
fn recipients(conn: &Connection, invitation: &Invitation) -> Result<Vec<AgentId>, StoreError> {
    let mut to = match invitation.invitee {
        Invitee::Agent(agent) => vec![agent],
        Invitee::Section(section) => section_members(conn, section)?,
    };
    if let Some(inviter) = invitation.from.principal.agent() {
        to.push(inviter);
    }
    to.sort();
    to.dedup();
    Ok(to)
}

/// May `agent` answer `invitation`?
fn asks(conn: &Connection, invitation: &Invitation, agent: AgentId) -> Result<bool, StoreError> {
    Ok(match invitation.invitee {
        Invitee::Agent(invitee) => invitee == agent,
        Invitee::Section(section) => section_members(conn, section)?.contains(&agent),
    })
}

/// Close invitation `invitation` with `outcome` (by `by`), for the hub to tell its recipients.
fn close(
    tx: &Transaction<'_>,
    invitation: &Invitation,
    outcome: InvitationOutcome,
    by: Option<Participant>,
) -> Result<ClosedInvitation, StoreError> {
    let state = match outcome {
        InvitationOutcome::Accepted => "accepted",
        InvitationOutcome::Declined => "declined",
        InvitationOutcome::Cancelled => "cancelled",
    };
    tx.execute(
        "UPDATE invitations SET state = ?2, answered_by = ?3, answered_at = ?4 WHERE id = ?1",
        params![
            invitation.id,
            state,
            by.as_ref().and_then(|p| p.principal.agent()).map(|a| a.0),
            now_millis()
        ],
    )?;
    Ok(ClosedInvitation {
        id: invitation.id,
        conversation_id: invitation.conversation_id,
        outcome,
        by,
        recipients: recipients(tx, invitation)?,
    })
}

/// Close the pending invitation into `conversation`, if there is one (the chat ended, or its
/// inviter left).
pub(super) fn close_pending(
    tx: &Transaction<'_>,
    conversation: ConversationId,
    outcome: InvitationOutcome,
    by: Option<Participant>,
) -> Result<Option<ClosedInvitation>, StoreError> {
    let invitation = tx
        .query_row(
            &format!("{INVITATION_SELECT} WHERE i.conversation_id = ?1 AND i.state = 'pending'"),
            [conversation.0],
            invitation_row,
        )
        .optional()?;
    invitation.map(|i| close(tx, &i, outcome, by)).transpose()
}

/// `who` leaves `conversation` (checked by the caller), with the line everyone sees; their own
/// pending invitation into it is withdrawn.
fn leave_now(
    tx: &Transaction<'_>,
    who: &Identity,
    conversation: ConversationId,
) -> Result<Left, StoreError> {
    let agent = agent_of(who)?;
    tx.execute(
        "UPDATE participants SET left_at = ?3 WHERE conversation_id = ?1 AND agent_id = ?2",
        params![conversation.0, agent.0, now_millis()],
    )?;
    let name = agent_name(tx, agent)?;
    let system_message = insert_system_message(tx, conversation, &format!("{name} left the chat"))?;
    let own: Option<i64> = tx
        .query_row(
            "SELECT id FROM invitations \
             WHERE conversation_id = ?1 AND inviter_id = ?2 AND state = 'pending'",
            params![conversation.0, agent.0],
            |r| r.get(0),
        )
        .optional()?;
    let cancelled = match own.map(|id| pending(tx, id)).transpose()?.flatten() {
        Some(invitation) => Some(close(tx, &invitation, InvitationOutcome::Cancelled, None)?),
        None => None,
    };
    Ok(Left {
        conversation: load_conversation(tx, conversation)?,
        agent,
        system_message,
        cancelled,
    })
}

impl TeamworkStore for SqliteStore {
    fn join(
        &self,
        who: &Identity,
        id: ConversationId,
    ) -> Result<crate::store::Accepted, StoreError> {
        self.write(|tx| {
            let facts = load_facts(tx, id)?;
            let agent = agent_of(who)?;
            let eligible = facts.is_some() && audience(tx, id)?.in_sections(agent);
            if policy::may_join(who, facts.as_ref(), eligible)? {
                policy::may_join_another(open_conversations_of(tx, agent)?)?;
            }
            joined(tx, id, agent)
        })
    }

    fn leave(&self, who: &Identity, id: ConversationId) -> Result<Left, StoreError> {
        self.write(|tx| {
            let facts = load_facts(tx, id)?;
            policy::may_leave(who, facts.as_ref())?;
            leave_now(tx, who, id)
        })
    }

    fn invite(
        &self,
        who: &Identity,
        id: ConversationId,
        request: &InviteRequest,
    ) -> Result<Invited, StoreError> {
        self.write(|tx| {
            let facts = load_facts(tx, id)?;
            policy::may_invite(who, facts.as_ref())?;
            let inviter = agent_of(who)?;
            let (invitee, section) = match request.invitee {
                Invitee::Agent(agent) => {
                    active_agent(tx, agent)?;
                    if facts.as_ref().is_some_and(|f| f.agents.contains(&agent)) {
                        return Err(StoreError::Invalid(
                            "that agent is already in this chat".into(),
                        ));
                    }
                    (Some(agent.0), None)
                }
                Invitee::Section(section) => {
                    known_section(tx, section)?;
                    (None, Some(section))
                }
            };
            let busy: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM invitations \
                 WHERE conversation_id = ?1 AND state = 'pending')",
                [id.0],
                |r| r.get(0),
            )?;
            if busy {
                return Err(Denied::InvitationPending.into());
            }
            tx.execute(
                "INSERT INTO invitations (conversation_id, inviter_id, invitee_id, section_id, \
                 transfer, state, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)",
                params![
                    id.0,
                    inviter.0,
                    invitee,
                    section,
                    request.transfer,
                    now_millis()
                ],
            )?;
            let invitation = pending(tx, tx.last_insert_rowid())?
                .ok_or_else(|| StoreError::Corrupt("invitation vanished".into()))?;
            Ok(Invited {
                recipients: recipients(tx, &invitation)?,
                invitation,
            })
        })
    }

    fn answer_invitation(
        &self,
        who: &Identity,
        id: i64,
        accept: bool,
    ) -> Result<Answered, StoreError> {
        self.write(|tx| {
            let agent = agent_of(who)?;
            let invitation = match pending(tx, id)? {
                Some(i) if asks(tx, &i, agent)? => i,
                // Answered already, withdrawn, or not theirs: the same answer.
                _ => return Err(Denied::NotFound.into()),
            };
            let by = Some(Participant::new(Principal::Agent(agent), who.name.clone()));
            if !accept {
                return Ok(Answered {
                    closed: close(tx, &invitation, InvitationOutcome::Declined, by)?,
                    joined: None,
                    left: None,
                });
            }
            let conversation = invitation.conversation_id;
            // The invitation stands in for the section: being asked is being eligible.
            let facts = load_facts(tx, conversation)?;
            if policy::may_join(who, facts.as_ref(), true)? {
                policy::may_join_another(open_conversations_of(tx, agent)?)?;
            }
            let closed = close(tx, &invitation, InvitationOutcome::Accepted, by)?;
            let mut joined = joined(tx, conversation, agent)?;
            let inviter = &invitation.from;
            let still_in = load_facts(tx, conversation)?.is_some_and(|f| {
                inviter
                    .principal
                    .agent()
                    .is_some_and(|a| f.agents.contains(&a))
            });
            let left = if invitation.transfer && still_in {
                let inviter = Identity::new(inviter.principal, inviter.name.clone());
                let left = leave_now(tx, &inviter, conversation)?;
                joined.conversation = left.conversation.clone();
                Some(left)
            } else {
                None
            };
            Ok(Answered {
                closed,
                joined: Some(joined),
                left,
            })
        })
    }

    fn cancel_invitation(&self, who: &Identity, id: i64) -> Result<ClosedInvitation, StoreError> {
        self.write(|tx| {
            let agent = agent_of(who)?;
            match pending(tx, id)? {
                Some(i) if i.from.principal == Principal::Agent(agent) => {
                    close(tx, &i, InvitationOutcome::Cancelled, None)
                }
                _ => Err(Denied::NotFound.into()),
            }
        })
    }

    fn invitations_for(&self, agent: AgentId) -> Result<Vec<Invitation>, StoreError> {
        self.with(|c| {
            let all = c
                .prepare_cached(&format!(
                    "{INVITATION_SELECT} WHERE i.state = 'pending' ORDER BY i.id"
                ))?
                .query_map([], invitation_row)?
                .collect::<Result<Vec<_>, _>>()?;
            let mut mine = Vec::new();
            for invitation in all {
                if invitation.from.principal == Principal::Agent(agent)
                    || asks(c, &invitation, agent)?
                {
                    mine.push(invitation);
                }
            }
            Ok(mine)
        })
    }
}
