//! Authorisation: the pure rules deciding who may read or write what.
//!
//! Owns [`ConversationFacts`] (what a rule needs to know about a conversation), [`Denied`] (why
//! a rule said no) and one `may_*` function per action. No I/O and no dependencies on the rest
//! of the server: the store loads the facts and applies these rules inside the same
//! transaction as the change they guard, so REST and socket paths share one rule set and the
//! check cannot drift apart from the write.

use protocol::{AgentId, ConversationStatus, ErrorCode, Identity, Principal, Role, VisitorId};

/// What the policy needs to know about a conversation.
#[derive(Debug, Clone)]
pub struct ConversationFacts {
    /// `None` for a team chat (agents only).
    pub visitor: Option<VisitorId>,
    pub status: ConversationStatus,
    /// Agents who joined, in join order (a team chat's members).
    pub agents: Vec<AgentId>,
    /// Agents' own chat: messages and typing like any chat, none of a live chat's workflow
    /// (no queue, accepting, ending, notes, tickets or invitations).
    pub team: bool,
}

impl ConversationFacts {
    /// The facts of a conversation as members see it.
    pub fn of(c: &protocol::Conversation) -> Option<Self> {
        let Principal::Visitor(visitor) = c.visitor.principal else {
            return None;
        };
        Some(ConversationFacts {
            visitor: Some(visitor),
            status: c.status,
            agents: c
                .agents
                .iter()
                .filter_map(|a| a.principal.agent())
                .collect(),
            team: false,
        })
    }

    /// The facts of a team chat as its members see it.
    pub fn of_team(t: &protocol::workspace::TeamChat) -> Self {
        ConversationFacts {
            visitor: None,
            status: ConversationStatus::Active,
            agents: t
                .members
                .iter()
                .filter_map(|a| a.principal.agent())
                .collect(),
            team: true,
        }
    }

    /// A live chat's facts; a team chat is `None` to every live-chat rule (it does not exist
    /// for them: `NotFound`).
    fn live(c: Option<&Self>) -> Option<&Self> {
        c.filter(|c| !c.team)
    }

    /// Does `who` take part in the conversation (its visitor, or an agent who joined)?
    fn has_member(&self, who: Principal) -> bool {
        match who {
            Principal::Visitor(id) => self.visitor == Some(id),
            Principal::Agent(id) => self.agents.contains(&id),
        }
    }
}

/// Why an action was refused; each maps to one stable [`protocol::ErrorCode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    /// Does not exist, or the caller may not see it: deliberately indistinguishable.
    #[error("no such conversation")]
    NotFound,
    /// The caller's role may not do this at all.
    #[error("not allowed for this role")]
    Forbidden,
    #[error("the conversation has ended")]
    Ended,
    /// Someone else accepted first; names them (agents only ever see this).
    #[error("{0} already accepted this chat")]
    AlreadyAccepted(String),
    /// A visitor asked to end a chat that is still the agent's to end.
    #[error(
        "you can end the chat yourself once nobody has answered for a while, outside office \
         hours, or after an hour without messages"
    )]
    NotYours,
    /// A callback asked for while agents may still answer.
    #[error(
        "a callback can be requested once nobody has answered for a while, or outside office \
         hours"
    )]
    TooEarly,
    /// The visitor already has an open callback request.
    #[error("you have already asked to be called back")]
    AlreadyRequested,
    /// Chat is switched off for this contact (by their own, their company's or the global
    /// setting).
    #[error("chat is not enabled for this contact")]
    ChatDisabled,
    /// The agent already takes part in [`protocol::MAX_OPEN_CONVERSATIONS`] open conversations.
    #[error(
        "you are in {} open chats, the most one agent can hold; end one first",
        protocol::MAX_OPEN_CONVERSATIONS
    )]
    TooManyOpen,
    /// An agent asked to start a chat with a contact who has no portal tab open.
    #[error("{0} is not on the site now")]
    ContactOffline(String),
    /// An agent asked to start a chat with a contact who already has an open one (waiting in
    /// the queue, or with an agent).
    #[error("{0} already has an open chat")]
    ContactBusy(String),
    /// The last agent of a live chat may end it or hand it over, not walk out of it.
    #[error("you are the only agent in this chat: end it, or invite someone with transfer")]
    LastAgent,
    /// A chat has one pending invitation at a time.
    #[error("an invitation into this chat is already pending")]
    InvitationPending,
}

impl Denied {
    /// The code a client is given, on the socket and over REST alike.
    pub fn code(&self) -> ErrorCode {
        match self {
            Denied::NotFound => ErrorCode::NotFound,
            Denied::Forbidden => ErrorCode::Forbidden,
            Denied::Ended => ErrorCode::ConversationEnded,
            Denied::AlreadyAccepted(_) => ErrorCode::AlreadyAccepted,
            Denied::TooManyOpen => ErrorCode::LimitReached,
            Denied::ChatDisabled | Denied::NotYours | Denied::TooEarly => ErrorCode::Forbidden,
            Denied::AlreadyRequested => ErrorCode::LimitReached,
            // No code of their own: a new `ErrorCode` costs the anonymous visitor's bundle
            // bytes (its decoder knows every code) for a refusal only agents ever get. "No
            // such online contact" and "they hold their one open chat" say what happened.
            Denied::ContactOffline(_) => ErrorCode::NotFound,
            Denied::ContactBusy(_) => ErrorCode::LimitReached,
            Denied::LastAgent => ErrorCode::Forbidden,
            Denied::InvitationPending => ErrorCode::LimitReached,
        }
    }
}

/// Visitors read only their own conversations; agents only those they participate in.
pub fn may_read(who: &Identity, c: Option<&ConversationFacts>) -> Result<(), Denied> {
    let c = c.ok_or(Denied::NotFound)?;
    if c.has_member(who.principal) {
        Ok(())
    } else {
        Err(Denied::NotFound)
    }
}

/// Sending needs read access and an open conversation.
pub fn may_send(who: &Identity, c: Option<&ConversationFacts>) -> Result<(), Denied> {
    may_read(who, c)?;
    match c.map(|c| c.status) {
        Some(ConversationStatus::Ended) => Err(Denied::Ended),
        _ => Ok(()),
    }
}

/// A private note: by an agent taking part in the conversation, while it is open. Anyone else
/// gets `NotFound` (a visitor included: notes are not theirs to know about).
pub fn may_note(who: &Identity, c: Option<&ConversationFacts>) -> Result<(), Denied> {
    let c = ConversationFacts::live(c);
    if who.role() != Role::Agent {
        return Err(Denied::NotFound);
    }
    may_send(who, c)
}

/// Reading private notes: the agents taking part (the organisation's record; visitors never).
pub fn may_read_notes(who: &Identity, c: Option<&ConversationFacts>) -> Result<(), Denied> {
    let c = ConversationFacts::live(c);
    if who.role() != Role::Agent {
        return Err(Denied::NotFound);
    }
    may_read(who, c)
}

/// Only agents accept, and only requests still waiting that are offered to them (`offered`:
/// the request's section is theirs and they did not reject it). Once a request is taken it is
/// private to its participants: a participant accepting again, or an agent it was offered to
/// who was a moment too late, is told who accepted it (`winner` names them; the late one may
/// then `join`); anyone else gets `NotFound`, never a hint that it exists.
pub fn may_accept(
    who: &Identity,
    c: Option<&ConversationFacts>,
    offered: bool,
    winner: impl FnOnce() -> String,
) -> Result<(), Denied> {
    let c = ConversationFacts::live(c);
    if who.role() != Role::Agent {
        return Err(Denied::Forbidden);
    }
    let c = c.ok_or(Denied::NotFound)?;
    match c.status {
        ConversationStatus::Waiting if offered => Ok(()),
        ConversationStatus::Active if offered || c.has_member(who.principal) => {
            Err(Denied::AlreadyAccepted(winner()))
        }
        _ => Err(Denied::NotFound),
    }
}

/// Rejecting: an agent a waiting request is offered to (`offered`), like accepting.
pub fn may_reject(
    who: &Identity,
    c: Option<&ConversationFacts>,
    offered: bool,
) -> Result<(), Denied> {
    let c = ConversationFacts::live(c);
    if who.role() != Role::Agent {
        return Err(Denied::Forbidden);
    }
    match c {
        Some(c) if offered && c.status == ConversationStatus::Waiting => Ok(()),
        _ => Err(Denied::NotFound),
    }
}

/// Joining a live chat as another participant: an agent of its section (`eligible`) or one
/// invited into it, while it is active and they are not in it yet (then: nothing to do, but
/// no error either, so a double click is harmless: `Ok(false)`).
pub fn may_join(
    who: &Identity,
    c: Option<&ConversationFacts>,
    eligible: bool,
) -> Result<bool, Denied> {
    let c = ConversationFacts::live(c);
    if who.role() != Role::Agent {
        return Err(Denied::Forbidden);
    }
    let c = c.ok_or(Denied::NotFound)?;
    if c.has_member(who.principal) {
        return if c.status == ConversationStatus::Ended {
            Err(Denied::Ended)
        } else {
            Ok(false)
        };
    }
    match c.status {
        ConversationStatus::Active if eligible => Ok(true),
        ConversationStatus::Ended if eligible => Err(Denied::Ended),
        _ => Err(Denied::NotFound),
    }
}

/// Leaving a live chat: an agent in it, while another agent stays.
pub fn may_leave(who: &Identity, c: Option<&ConversationFacts>) -> Result<(), Denied> {
    let c = ConversationFacts::live(c);
    if who.role() != Role::Agent {
        return Err(Denied::Forbidden);
    }
    may_send(who, c)?;
    match c {
        Some(c) if c.agents.len() > 1 => Ok(()),
        _ => Err(Denied::LastAgent),
    }
}

/// Inviting a colleague: an agent taking part in an active chat (a waiting one is the queue's).
pub fn may_invite(who: &Identity, c: Option<&ConversationFacts>) -> Result<(), Denied> {
    let c = ConversationFacts::live(c);
    if who.role() != Role::Agent {
        return Err(Denied::Forbidden);
    }
    may_send(who, c)?;
    match c.map(|c| c.status) {
        Some(ConversationStatus::Active) => Ok(()),
        _ => Err(Denied::NotFound),
    }
}

/// An agent may join another conversation while they take part in fewer than
/// [`protocol::MAX_OPEN_CONVERSATIONS`] open ones.
pub fn may_join_another(open: usize) -> Result<(), Denied> {
    if open < protocol::MAX_OPEN_CONVERSATIONS {
        Ok(())
    } else {
        Err(Denied::TooManyOpen)
    }
}

/// Linking a chat to a ticket (or making one from it): its visitor, when a verified contact
/// (`visitor_is_contact`), or one of its agents, while it is open.
pub fn may_link_ticket(
    who: &Identity,
    c: Option<&ConversationFacts>,
    visitor_is_contact: bool,
) -> Result<(), Denied> {
    let c = ConversationFacts::live(c);
    may_send(who, c)?;
    if who.role() == Role::Visitor && !visitor_is_contact {
        return Err(Denied::Forbidden);
    }
    Ok(())
}

/// Whether a contact may chat: their own setting if they have one, else their company's, else
/// the global one (the most specific setting wins, whichever way it points).
pub fn chat_allowed(global: bool, company: Option<bool>, contact: Option<bool>) -> bool {
    contact.or(company).unwrap_or(global)
}

/// A participating agent ends a conversation, once. Its visitor may too, but only when
/// `visitor_may_end`: nobody answered within the wait, it is outside office hours, or nothing
/// was said for an hour (the store works that out); otherwise ending is the agent's call.
pub fn may_end(
    who: &Identity,
    c: Option<&ConversationFacts>,
    visitor_may_end: bool,
) -> Result<(), Denied> {
    let c = ConversationFacts::live(c);
    may_send(who, c)?;
    match who.role() {
        Role::Agent => Ok(()),
        Role::Visitor if visitor_may_end => Ok(()),
        Role::Visitor => Err(Denied::NotYours),
    }
}

/// What deciding on an agent-started ("push") chat needs to know about its contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushFacts {
    /// The contact's name, for the refusals.
    pub name: String,
    /// Chat is allowed for them ([`chat_allowed`]).
    pub chat_allowed: bool,
    /// They are online or away now (a portal tab is open).
    pub present: bool,
    /// They have a waiting or active conversation.
    pub open_chat: bool,
    /// Open conversations the agent takes part in.
    pub agent_open: usize,
}

/// An agent may start a chat with a contact whom chat is allowed for, who is on the site now
/// (online or away) and has no open chat (a contact holds one at a time: their messages go to
/// it), while the agent may join another conversation.
pub fn may_push_chat(who: &Identity, facts: &PushFacts) -> Result<(), Denied> {
    if who.role() != Role::Agent {
        return Err(Denied::Forbidden);
    }
    if !facts.chat_allowed {
        return Err(Denied::ChatDisabled);
    }
    if !facts.present {
        return Err(Denied::ContactOffline(facts.name.clone()));
    }
    if facts.open_chat {
        return Err(Denied::ContactBusy(facts.name.clone()));
    }
    may_join_another(facts.agent_open)
}

/// Renaming a team chat, adding to it, leaving it: an agent in it (a live chat's agents use
/// the live chat's own rules).
pub fn may_manage_team_chat(who: &Identity, c: Option<&ConversationFacts>) -> Result<(), Denied> {
    match c {
        Some(c) if c.team && c.has_member(who.principal) => Ok(()),
        _ => Err(Denied::NotFound),
    }
}

/// Only agents have an online state and see the queue.
pub fn may_go_online(who: &Identity) -> Result<(), Denied> {
    match who.principal {
        Principal::Agent(_) => Ok(()),
        Principal::Visitor(_) => Err(Denied::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visitor(id: i64) -> Identity {
        Identity::new(Principal::Visitor(VisitorId(id)), "v")
    }
    fn agent(id: i64) -> Identity {
        Identity::new(Principal::Agent(AgentId(id)), "a")
    }
    fn facts(status: ConversationStatus, agents: &[i64]) -> ConversationFacts {
        ConversationFacts {
            visitor: Some(VisitorId(1)),
            status,
            agents: agents.iter().copied().map(AgentId).collect(),
            team: false,
        }
    }

    #[test]
    fn a_team_chat_is_messages_only() {
        let team = ConversationFacts {
            visitor: None,
            status: ConversationStatus::Active,
            agents: vec![AgentId(7), AgentId(8)],
            team: true,
        };
        let t = Some(&team);
        assert_eq!(may_send(&agent(7), t), Ok(()));
        assert_eq!(may_read(&agent(8), t), Ok(()));
        assert_eq!(may_send(&agent(9), t), Err(Denied::NotFound));
        assert_eq!(may_read(&visitor(1), t), Err(Denied::NotFound));
        assert_eq!(may_manage_team_chat(&agent(7), t), Ok(()));
        assert_eq!(may_manage_team_chat(&agent(9), t), Err(Denied::NotFound));
        // none of a live chat's workflow: for those rules it does not exist
        assert_eq!(may_note(&agent(7), t), Err(Denied::NotFound));
        assert_eq!(may_end(&agent(7), t, false), Err(Denied::NotFound));
        assert_eq!(
            may_accept(&agent(9), t, true, String::new),
            Err(Denied::NotFound)
        );
        assert_eq!(may_join(&agent(9), t, true), Err(Denied::NotFound));
        assert_eq!(may_invite(&agent(7), t), Err(Denied::NotFound));
        assert_eq!(may_leave(&agent(7), t), Err(Denied::NotFound));
        assert_eq!(may_link_ticket(&agent(7), t, false), Err(Denied::NotFound));
        // and a live chat is not managed as a team chat
        let live = facts(ConversationStatus::Active, &[7]);
        assert_eq!(
            may_manage_team_chat(&agent(7), Some(&live)),
            Err(Denied::NotFound)
        );
    }

    #[test]
    fn tickets_are_linked_by_the_contact_or_an_agent_of_an_open_chat() {
        let open = facts(ConversationStatus::Active, &[5]);
        assert_eq!(may_link_ticket(&visitor(1), Some(&open), true), Ok(()));
        assert_eq!(may_link_ticket(&agent(5), Some(&open), true), Ok(()));
        assert_eq!(
            may_link_ticket(&visitor(1), Some(&open), false),
            Err(Denied::Forbidden),
            "an anonymous visitor has no tickets"
        );
        assert_eq!(
            may_link_ticket(&visitor(2), Some(&open), true),
            Err(Denied::NotFound)
        );
        assert_eq!(
            may_link_ticket(&agent(6), Some(&open), true),
            Err(Denied::NotFound)
        );
        let ended = facts(ConversationStatus::Ended, &[5]);
        assert_eq!(
            may_link_ticket(&agent(5), Some(&ended), true),
            Err(Denied::Ended)
        );
    }

    #[test]
    fn a_push_chat_needs_permission_presence_no_open_chat_and_room() {
        let ok = PushFacts {
            name: "Carla".into(),
            chat_allowed: true,
            present: true,
            open_chat: false,
            agent_open: 0,
        };
        assert_eq!(may_push_chat(&agent(5), &ok), Ok(()));
        assert_eq!(may_push_chat(&visitor(1), &ok), Err(Denied::Forbidden));
        let refused = |facts: PushFacts| may_push_chat(&agent(5), &facts);
        assert_eq!(
            refused(PushFacts {
                chat_allowed: false,
                present: false,
                ..ok.clone()
            }),
            Err(Denied::ChatDisabled),
            "permission first: an offline contact without it is still not one to chat with"
        );
        assert_eq!(
            refused(PushFacts {
                present: false,
                ..ok.clone()
            }),
            Err(Denied::ContactOffline("Carla".into()))
        );
        assert_eq!(
            refused(PushFacts {
                open_chat: true,
                ..ok.clone()
            }),
            Err(Denied::ContactBusy("Carla".into()))
        );
        assert_eq!(
            refused(PushFacts {
                agent_open: protocol::MAX_OPEN_CONVERSATIONS,
                ..ok.clone()
            }),
            Err(Denied::TooManyOpen)
        );
        assert_eq!(
            Denied::ContactOffline("C".into()).code(),
            ErrorCode::NotFound
        );
        assert_eq!(
            Denied::ContactBusy("C".into()).code(),
            ErrorCode::LimitReached
        );
    }

    #[test]
    fn chat_permission_takes_the_most_specific_setting() {
        let settings = [None, Some(false), Some(true)];
        for global in [false, true] {
            for company in settings {
                for contact in settings {
                    let expected = match (contact, company) {
                        (Some(c), _) => c,
                        (None, Some(c)) => c,
                        (None, None) => global,
                    };
                    assert_eq!(
                        chat_allowed(global, company, contact),
                        expected,
                        "global {global}, company {company:?}, contact {contact:?}"
                    );
                }
            }
        }
        // the cases the product guide spells out
        assert!(
            !chat_allowed(true, None, Some(false)),
            "one contact switched off"
        );
        assert!(
            chat_allowed(false, Some(true), None),
            "one company switched on"
        );
        assert!(
            !chat_allowed(true, Some(true), Some(false)),
            "contact beats company"
        );
        assert!(
            chat_allowed(false, Some(false), Some(true)),
            "contact beats everything"
        );
    }

    #[test]
    fn visitors_see_only_their_own_conversations() {
        let c = facts(ConversationStatus::Waiting, &[]);
        assert_eq!(may_read(&visitor(1), Some(&c)), Ok(()));
        assert_eq!(may_read(&visitor(2), Some(&c)), Err(Denied::NotFound));
        assert_eq!(may_read(&visitor(1), None), Err(Denied::NotFound));
        assert_eq!(may_send(&visitor(2), Some(&c)), Err(Denied::NotFound));
    }

    #[test]
    fn visitors_end_their_own_chat_only_when_the_store_says_they_may() {
        let c = facts(ConversationStatus::Active, &[7]);
        assert_eq!(may_end(&visitor(1), Some(&c), false), Err(Denied::NotYours));
        assert_eq!(may_end(&visitor(1), Some(&c), true), Ok(()));
        assert_eq!(may_end(&visitor(2), Some(&c), true), Err(Denied::NotFound));
        let ended = facts(ConversationStatus::Ended, &[7]);
        assert_eq!(may_end(&visitor(1), Some(&ended), true), Err(Denied::Ended));
    }

    #[test]
    fn agents_need_to_participate() {
        let c = facts(ConversationStatus::Active, &[7]);
        assert_eq!(may_read(&agent(7), Some(&c)), Ok(()));
        assert_eq!(may_read(&agent(8), Some(&c)), Err(Denied::NotFound));
        assert_eq!(may_end(&agent(8), Some(&c), false), Err(Denied::NotFound));
        assert_eq!(may_end(&agent(7), Some(&c), false), Ok(()));
        let ended = facts(ConversationStatus::Ended, &[7]);
        assert_eq!(may_send(&agent(7), Some(&ended)), Err(Denied::Ended));
        // a stranger learns nothing about an ended chat either
        assert_eq!(may_send(&agent(8), Some(&ended)), Err(Denied::NotFound));
    }

    #[test]
    fn accept_rules() {
        let waiting = facts(ConversationStatus::Waiting, &[]);
        let taken = facts(ConversationStatus::Active, &[7]);
        assert_eq!(
            may_accept(&visitor(1), Some(&waiting), true, String::new),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            may_accept(&agent(8), Some(&waiting), true, String::new),
            Ok(())
        );
        // a stranger is not told the chat exists, let alone who took it: not offered to them
        // (another section's, or they rejected it), or taken by someone else
        let never_called = || -> String { panic!("a stranger must not learn the winner") };
        assert_eq!(
            may_accept(&agent(8), Some(&waiting), false, never_called),
            Err(Denied::NotFound)
        );
        assert_eq!(
            may_accept(&agent(8), Some(&taken), false, never_called),
            Err(Denied::NotFound)
        );
        let ended = facts(ConversationStatus::Ended, &[7]);
        assert_eq!(
            may_accept(&agent(8), Some(&ended), true, never_called),
            Err(Denied::NotFound)
        );
        // the participant accepting again is reminded who accepted it, and so is an agent it
        // was offered to who came a moment too late
        assert_eq!(
            may_accept(&agent(7), Some(&taken), false, || "Ada".into()),
            Err(Denied::AlreadyAccepted("Ada".into()))
        );
        assert_eq!(
            may_accept(&agent(8), Some(&taken), true, || "Ada".into()),
            Err(Denied::AlreadyAccepted("Ada".into()))
        );
        assert_eq!(
            may_accept(&agent(8), None, true, String::new),
            Err(Denied::NotFound)
        );
        assert_eq!(may_go_online(&visitor(1)), Err(Denied::Forbidden));
    }

    #[test]
    fn reject_join_leave_invite_rules() {
        let waiting = facts(ConversationStatus::Waiting, &[]);
        let taken = facts(ConversationStatus::Active, &[7]);
        let pair = facts(ConversationStatus::Active, &[7, 8]);
        let ended = facts(ConversationStatus::Ended, &[7]);
        assert_eq!(may_reject(&agent(8), Some(&waiting), true), Ok(()));
        assert_eq!(
            may_reject(&agent(8), Some(&waiting), false),
            Err(Denied::NotFound)
        );
        assert_eq!(
            may_reject(&agent(8), Some(&taken), true),
            Err(Denied::NotFound)
        );
        assert_eq!(
            may_reject(&visitor(1), Some(&waiting), true),
            Err(Denied::Forbidden)
        );

        assert_eq!(may_join(&agent(8), Some(&taken), true), Ok(true));
        assert_eq!(may_join(&agent(7), Some(&taken), true), Ok(false));
        assert_eq!(
            may_join(&agent(8), Some(&taken), false),
            Err(Denied::NotFound)
        );
        assert_eq!(
            may_join(&agent(8), Some(&waiting), true),
            Err(Denied::NotFound),
            "a waiting request is accepted, not joined"
        );
        assert_eq!(may_join(&agent(8), Some(&ended), true), Err(Denied::Ended));
        assert_eq!(
            may_join(&visitor(1), Some(&taken), true),
            Err(Denied::Forbidden)
        );

        assert_eq!(may_leave(&agent(8), Some(&pair)), Ok(()));
        assert_eq!(may_leave(&agent(7), Some(&taken)), Err(Denied::LastAgent));
        assert_eq!(may_leave(&agent(9), Some(&pair)), Err(Denied::NotFound));
        assert_eq!(may_leave(&agent(7), Some(&ended)), Err(Denied::Ended));

        assert_eq!(may_invite(&agent(7), Some(&taken)), Ok(()));
        assert_eq!(may_invite(&agent(9), Some(&taken)), Err(Denied::NotFound));
        assert_eq!(may_invite(&agent(7), Some(&ended)), Err(Denied::Ended));
        assert_eq!(
            may_invite(&visitor(1), Some(&taken)),
            Err(Denied::Forbidden)
        );
    }
}
