//! Contract cases for sections, routing and working together: which agents a request is
//! offered to (by section and visitor kind, the company's and the site's section), rejecting,
//! abandoning, joining late, inviting (declined, accepted, transfer), leaving.

use protocol::workspace::{InvitationOutcome, InviteRequest, Invitee, SectionInput};
use protocol::{AgentId, ConversationStatus, Identity, MessageKind};

use super::{ADMIN, company, denied, say, sign_in, statement};
use crate::policy::Denied;
use crate::store::{Audience, Store, StoreError};

fn agent_id(who: &Identity) -> AgentId {
    who.principal.agent().unwrap()
}

fn section(name: &str, anonymous: bool, contact: bool, members: &[&Identity]) -> SectionInput {
    SectionInput {
        name: name.into(),
        anonymous_chat: anonymous,
        contact_chat: contact,
        members: members.iter().map(|m| agent_id(m)).collect(),
    }
}

fn only(agents: &[&Identity]) -> Option<Vec<AgentId>> {
    let mut ids: Vec<AgentId> = agents.iter().map(|a| agent_id(a)).collect();
    ids.sort();
    Some(ids)
}

fn audience_of(s: &impl Store, id: protocol::ConversationId) -> Option<Vec<AgentId>> {
    let mut a = s.request_audience(id).unwrap().only;
    if let Some(ids) = a.as_mut() {
        ids.sort();
    }
    a
}

pub fn sections_route_requests_by_visitor_kind(s: &impl Store) {
    let (ada, grace, hal) = (
        super::agent(s, "Ada"),
        super::agent(s, "Grace"),
        super::agent(s, "Hal"),
    );
    // no sections yet: every agent
    let early = s.create_visitor("Early").unwrap();
    let (_, early_chat, _) = say(s, &early, "e1", None);
    assert_eq!(
        s.request_audience(early_chat.id).unwrap(),
        Audience::default()
    );

    let sales = s
        .add_section(ADMIN, &section("Sales", true, false, &[&ada]))
        .unwrap();
    let support = s
        .add_section(ADMIN, &section("Support", false, true, &[&grace]))
        .unwrap();
    assert_eq!(sales.members, vec![agent_id(&ada)]);
    // names are unique (whatever the case), members must exist
    assert!(matches!(
        s.add_section(ADMIN, &section("sales", true, true, &[])),
        Err(StoreError::Invalid(_))
    ));
    let mut ghost = section("Ghosts", true, true, &[]);
    ghost.members = vec![AgentId(999)];
    assert!(matches!(
        s.add_section(ADMIN, &ghost),
        Err(StoreError::Invalid(_))
    ));

    // an anonymous visitor's request: the sections that take anonymous chat
    let marta = s.create_visitor("Marta").unwrap();
    let (_, chat, _) = say(s, &marta, "m1", None);
    assert_eq!(audience_of(s, chat.id), only(&[&ada]));
    assert_eq!(
        s.request_audience(early_chat.id).unwrap().only,
        only(&[&ada])
    );
    let queue = |who: &Identity| -> Vec<_> {
        s.queue_for(agent_id(who))
            .unwrap()
            .into_iter()
            .map(|r| r.conversation_id)
            .collect()
    };
    assert_eq!(queue(&ada), vec![early_chat.id, chat.id]);
    assert!(queue(&grace).is_empty());
    // another section's agent cannot take it, and is not told it exists
    assert_eq!(denied(s.accept(&grace, chat.id)), Denied::NotFound);
    s.accept(&ada, chat.id).unwrap();
    assert_eq!(denied(s.accept(&grace, chat.id)), Denied::NotFound);
    assert_eq!(denied(s.join(&grace, chat.id)), Denied::NotFound);
    assert!(s.queue_for(agent_id(&ada)).unwrap().len() == 1);

    // a verified contact's request: the sections that take contacts
    let carla = sign_in(s, &statement("c1", "acme", "Carla"), None, "t1").unwrap();
    let (_, contact_chat, _) = say(s, &carla.me, "c1", None);
    assert_eq!(audience_of(s, contact_chat.id), only(&[&grace]));
    assert_eq!(queue(&grace), vec![contact_chat.id]);

    // the company's own section, when it takes contacts, narrows it
    let vip = s
        .add_section(ADMIN, &section("VIP", false, true, &[&hal]))
        .unwrap();
    let mut acme = company("Acme", None);
    acme.section = Some(vip.id);
    s.put_company(ADMIN, "acme", &acme).unwrap();
    s.end(&carla.me, contact_chat.id).ok();
    s.end(&grace, contact_chat.id).ok();
    let gus = sign_in(s, &statement("c2", "acme", "Gus"), None, "t2").unwrap();
    let (_, gus_chat, _) = say(s, &gus.me, "g1", None);
    assert_eq!(audience_of(s, gus_chat.id), only(&[&hal]));
    // the company naming a section that takes no contacts: every one that does
    acme.section = Some(sales.id);
    s.put_company(ADMIN, "acme", &acme).unwrap();
    let ines = sign_in(s, &statement("c3", "acme", "Ines"), None, "t3").unwrap();
    let (_, ines_chat, _) = say(s, &ines.me, "i1", None);
    assert_eq!(audience_of(s, ines_chat.id), only(&[&grace, &hal]));
    // an unknown section is refused
    acme.section = Some(999);
    assert!(matches!(
        s.put_company(ADMIN, "acme", &acme),
        Err(StoreError::Invalid(_))
    ));

    // the site's section for anonymous visitors
    let mut settings = s.chat_settings().unwrap();
    let night = s
        .add_section(ADMIN, &section("Night shift", true, false, &[&hal]))
        .unwrap();
    settings.default_section = Some(night.id);
    s.put_chat_settings(ADMIN, settings).unwrap();
    let otto = s.create_visitor("Otto").unwrap();
    let (_, otto_chat, _) = say(s, &otto, "o1", None);
    assert_eq!(audience_of(s, otto_chat.id), only(&[&hal]));
    // deleting a section widens its open requests to every section that takes them
    assert!(s.delete_section(ADMIN, night.id).unwrap());
    assert!(!s.delete_section(ADMIN, night.id).unwrap());
    assert_eq!(audience_of(s, otto_chat.id), only(&[&ada]));
    // a section's members and settings are replaced as a whole
    let moved = s
        .update_section(ADMIN, support.id, &section("Support", true, true, &[&ada]))
        .unwrap()
        .unwrap();
    assert_eq!(moved.members, vec![agent_id(&ada)]);
    assert!(
        s.update_section(ADMIN, 999, &section("X", true, true, &[]))
            .unwrap()
            .is_none()
    );
    let actions: Vec<String> = s
        .audit_log(50)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in ["section.add", "section.put", "section.delete"] {
        assert!(actions.iter().any(|a| a == action), "{action} audited");
    }
}

pub fn a_rejected_request_goes_to_the_others(s: &impl Store) {
    let (ada, grace) = (super::agent(s, "Ada"), super::agent(s, "Grace"));
    let marta = s.create_visitor("Marta").unwrap();
    let (_, chat, _) = say(s, &marta, "m1", None);
    s.reject(&ada, chat.id).unwrap();
    s.reject(&ada, chat.id).unwrap(); // twice is harmless
    assert!(s.queue_for(agent_id(&ada)).unwrap().is_empty());
    assert_eq!(s.queue_for(agent_id(&grace)).unwrap().len(), 1);
    assert!(!s.request_audience(chat.id).unwrap().admits(agent_id(&ada)));
    assert_eq!(denied(s.accept(&ada, chat.id)), Denied::NotFound);
    assert_eq!(denied(s.reject(&marta, chat.id)), Denied::Forbidden);
    s.accept(&grace, chat.id).unwrap();
    // taken: nothing left to reject
    assert_eq!(denied(s.reject(&grace, chat.id)), Denied::NotFound);
}

pub fn unanswered_requests_are_abandoned_for_follow_up(s: &impl Store) {
    let ada = super::agent(s, "Ada");
    let mut settings = s.chat_settings().unwrap();
    settings.unanswered_after_secs = 30;
    settings.abandon_after_secs = 10;
    s.put_chat_settings(ADMIN, settings).unwrap();
    let marta = s.create_visitor("Marta").unwrap();
    let (first, chat, _) = say(s, &marta, "m1", None);
    let t0 = first.sent_at;
    // never before the visitor was offered a callback (30 s here, not 10)
    assert!(s.abandon_due(t0 + 20_000).unwrap().is_empty());
    let abandoned = s.abandon_due(t0 + 31_000).unwrap();
    assert_eq!(abandoned.len(), 1);
    let line = &abandoned[0].system_message;
    assert_eq!(line.kind, MessageKind::System);
    assert!(line.body.contains("Leave your message"), "{}", line.body);
    assert!(s.abandon_due(t0 + 60_000).unwrap().is_empty(), "once");
    assert!(s.waiting_requests().unwrap().is_empty());
    assert!(s.queue_for(agent_id(&ada)).unwrap().is_empty());
    // the visitor may still leave messages in it
    say(s, &marta, "m2", None);
    let list = s.abandoned_for(agent_id(&ada)).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].messages, 2);
    assert_eq!(list[0].last_line, "body m2");
    // an agent who had rejected it may still follow it up; taking it ends the abandonment
    s.reject(&ada, chat.id).ok();
    let taken = s.accept(&ada, chat.id).unwrap();
    assert_eq!(taken.conversation.status, ConversationStatus::Active);
    assert!(s.abandoned_for(agent_id(&ada)).unwrap().is_empty());
    // 0 turns abandoning off
    let mut settings = s.chat_settings().unwrap();
    settings.abandon_after_secs = 0;
    s.put_chat_settings(ADMIN, settings).unwrap();
    let otto = s.create_visitor("Otto").unwrap();
    say(s, &otto, "o1", None);
    assert!(s.abandon_due(i64::MAX / 2).unwrap().is_empty());
}

pub fn agents_join_invite_and_hand_over_chats(s: &impl Store) {
    let (ada, grace, hal) = (
        super::agent(s, "Ada"),
        super::agent(s, "Grace"),
        super::agent(s, "Hal"),
    );
    let marta = s.create_visitor("Marta").unwrap();
    let (_, chat, _) = say(s, &marta, "m1", None);
    s.accept(&ada, chat.id).unwrap();
    // a moment too late: told who took it, and may join
    assert_eq!(
        denied(s.accept(&grace, chat.id)),
        Denied::AlreadyAccepted("Ada".into())
    );
    let joined = s.join(&grace, chat.id).unwrap();
    assert_eq!(joined.system_message.body, "Grace joined the chat");
    assert_eq!(joined.conversation.agents.len(), 2);
    assert!(s.join(&grace, chat.id).is_ok(), "joining twice is harmless");
    assert_eq!(denied(s.join(&marta, chat.id)), Denied::Forbidden);
    // leaving: while someone stays
    let left = s.leave(&grace, chat.id).unwrap();
    assert_eq!(left.system_message.body, "Grace left the chat");
    assert_eq!(left.conversation.agents.len(), 1);
    assert_eq!(denied(s.leave(&ada, chat.id)), Denied::LastAgent);
    assert_eq!(denied(s.leave(&grace, chat.id)), Denied::NotFound);

    // an invitation: one pending at a time, answered by its invitee only
    let ask_grace = InviteRequest {
        invitee: Invitee::Agent(agent_id(&grace)),
        transfer: false,
    };
    let invited = s.invite(&ada, chat.id, &ask_grace).unwrap();
    assert_eq!(invited.invitation.invitee_name, "Grace");
    assert_eq!(invited.invitation.visitor, "Marta");
    let mut to = invited.recipients.clone();
    to.sort();
    assert_eq!(to, vec![agent_id(&ada), agent_id(&grace)]);
    assert_eq!(
        denied(s.invite(&ada, chat.id, &ask_grace)),
        Denied::InvitationPending
    );
    assert_eq!(
        denied(s.invite(&grace, chat.id, &ask_grace)),
        Denied::NotFound,
        "only its agents invite"
    );
    let id = invited.invitation.id;
    assert_eq!(s.invitations_for(agent_id(&grace)).unwrap().len(), 1);
    assert_eq!(s.invitations_for(agent_id(&ada)).unwrap().len(), 1);
    assert!(s.invitations_for(agent_id(&hal)).unwrap().is_empty());
    assert_eq!(
        denied(s.answer_invitation(&hal, id, true)),
        Denied::NotFound
    );
    let declined = s.answer_invitation(&grace, id, false).unwrap();
    assert_eq!(declined.closed.outcome, InvitationOutcome::Declined);
    assert!(declined.joined.is_none());
    assert_eq!(
        denied(s.answer_invitation(&grace, id, true)),
        Denied::NotFound,
        "answered once"
    );
    // withdrawn by its inviter (and only them)
    let again = s.invite(&ada, chat.id, &ask_grace).unwrap().invitation.id;
    assert_eq!(denied(s.cancel_invitation(&grace, again)), Denied::NotFound);
    let cancelled = s.cancel_invitation(&ada, again).unwrap();
    assert_eq!(cancelled.outcome, InvitationOutcome::Cancelled);

    // a transfer to "any agent of Billing": Hal accepts, Ada leaves in the same step
    let billing = s
        .add_section(ADMIN, &section("Billing", true, true, &[&hal]))
        .unwrap();
    let transfer = s
        .invite(
            &ada,
            chat.id,
            &InviteRequest {
                invitee: Invitee::Section(billing.id),
                transfer: true,
            },
        )
        .unwrap();
    assert_eq!(transfer.invitation.invitee_name, "Billing");
    assert_eq!(
        denied(s.answer_invitation(&grace, transfer.invitation.id, true)),
        Denied::NotFound,
        "not in Billing"
    );
    let answered = s
        .answer_invitation(&hal, transfer.invitation.id, true)
        .unwrap();
    assert_eq!(answered.closed.outcome, InvitationOutcome::Accepted);
    let joined = answered.joined.unwrap();
    assert_eq!(joined.system_message.body, "Hal joined the chat");
    let left = answered.left.unwrap();
    assert_eq!(left.system_message.body, "Ada left the chat");
    let now = s.conversation(chat.id).unwrap().unwrap();
    let names: Vec<_> = now.agents.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, vec!["Hal"]);
    assert_eq!(
        joined.conversation, now,
        "the joiner sees the chat as it is"
    );
    // Ada is out: she can no longer write or read it, and it is not in her welcome
    assert_eq!(
        denied(s.append_message(&ada, super::text("a9", Some(chat.id)))),
        Denied::NotFound
    );
    assert!(s.welcome_conversations(&ada).unwrap().is_empty());
    // ending withdraws a pending invitation
    let last = s.invite(&hal, chat.id, &ask_grace).unwrap().invitation.id;
    let ended = s.end(&hal, chat.id).unwrap();
    let closed = ended.cancelled.unwrap();
    assert_eq!(
        (closed.id, closed.outcome),
        (last, InvitationOutcome::Cancelled)
    );
    assert!(s.invitations_for(agent_id(&grace)).unwrap().is_empty());
    assert_eq!(denied(s.join(&grace, chat.id)), Denied::NotFound);
}

pub fn agents_chat_among_themselves(s: &impl Store) {
    use protocol::workspace::{NewTeamChat, TeamChatKind};
    let (ada, grace, hal) = (
        super::agent(s, "Ada"),
        super::agent(s, "Grace"),
        super::agent(s, "Hal"),
    );
    let with = |members: &[&Identity], title: Option<&str>| NewTeamChat {
        members: members.iter().map(|m| agent_id(m)).collect(),
        title: title.map(str::to_owned),
    };
    // a direct chat: one per pair, whoever asks
    let direct = s.start_team_chat(&ada, &with(&[&grace], None)).unwrap();
    assert!(direct.created);
    assert_eq!(direct.chat.kind, TeamChatKind::Direct);
    assert_eq!(direct.chat.members.len(), 2);
    let again = s
        .start_team_chat(&grace, &with(&[&ada, &ada], None))
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.chat.id, direct.chat.id);
    assert!(again.system_message.is_none());
    // messages are a chat's messages: seq, idempotency, paging, membership
    let id = direct.chat.id;
    let m = s.append_message(&ada, super::text("t1", Some(id))).unwrap();
    let crate::store::AppendOutcome::Stored {
        message,
        conversation,
        created,
    } = m
    else {
        panic!("stored");
    };
    assert!(!created);
    assert_eq!(message.seq, 2, "after the started line");
    assert_eq!(conversation.members().len(), 2);
    assert_eq!(s.messages_after(&grace, id, 0).unwrap().len(), 2);
    assert_eq!(denied(s.messages_after(&hal, id, 0)), Denied::NotFound);
    assert_eq!(
        denied(s.append_message(&hal, super::text("h1", Some(id)))),
        Denied::NotFound
    );
    // none of a live chat's workflow
    assert_eq!(denied(s.end(&ada, id)), Denied::NotFound);
    assert_eq!(denied(s.accept(&hal, id)), Denied::NotFound);
    assert_eq!(denied(s.join(&hal, id)), Denied::NotFound);
    assert_eq!(
        denied(s.add_note(&ada, super::text("n1", Some(id)))),
        Denied::NotFound
    );
    assert!(s.conversation(id).unwrap().is_none(), "no live chat");
    assert!(s.welcome_conversations(&ada).unwrap().is_empty());
    assert!(s.waiting_requests().unwrap().is_empty());
    // a direct chat's members are fixed
    assert!(matches!(
        s.add_team_members(&ada, id, &[agent_id(&hal)]),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.rename_team_chat(&ada, id, "Us"),
        Err(StoreError::Invalid(_))
    ));

    // a group: renamed, grown, left
    let group = s
        .start_team_chat(&ada, &with(&[&grace, &hal], Some("  Night shift ")))
        .unwrap();
    assert_eq!(group.chat.kind, TeamChatKind::Group);
    assert_eq!(group.chat.title.as_deref(), Some("Night shift"));
    assert_eq!(
        group.system_message.unwrap().body,
        "Ada started \u{201c}Night shift\u{201d} with Grace and Hal"
    );
    let g = group.chat.id;
    let renamed = s.rename_team_chat(&hal, g, "Weekend").unwrap();
    assert_eq!(renamed.chat.title.as_deref(), Some("Weekend"));
    assert_eq!(
        renamed.system_message.unwrap().body,
        "Hal renamed the chat to \u{201c}Weekend\u{201d}"
    );
    assert!(matches!(
        s.rename_team_chat(&hal, g, &"x".repeat(81)),
        Err(StoreError::Invalid(_))
    ));
    let left = s.leave_team_chat(&grace, g).unwrap();
    assert_eq!(left.removed, Some(agent_id(&grace)));
    assert_eq!(left.chat.members.len(), 2);
    assert_eq!(denied(s.messages_after(&grace, g, 0)), Denied::NotFound);
    assert_eq!(
        denied(s.rename_team_chat(&grace, g, "Mine")),
        Denied::NotFound
    );
    let back = s.add_team_members(&ada, g, &[agent_id(&grace)]).unwrap();
    assert_eq!(back.system_message.unwrap().body, "Ada added Grace");
    assert_eq!(back.chat.members.len(), 3);
    assert!(matches!(
        s.add_team_members(&ada, g, &[agent_id(&grace)]),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.start_team_chat(&ada, &with(&[], Some("Alone"))),
        Err(StoreError::Invalid(_))
    ));
    // a live chat is not a team chat to manage
    let marta = s.create_visitor("Marta").unwrap();
    let (_, live, _) = say(s, &marta, "m1", None);
    s.accept(&ada, live.id).unwrap();
    assert_eq!(
        denied(s.rename_team_chat(&ada, live.id, "X")),
        Denied::NotFound
    );
    // most recently active first
    s.append_message(&grace, super::text("t2", Some(id)))
        .unwrap();
    let mine: Vec<_> = s
        .team_chats_of(agent_id(&grace), 10)
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(mine, vec![id, g]);
    assert_eq!(s.team_chats_of(agent_id(&grace), 1).unwrap().len(), 1);
}
