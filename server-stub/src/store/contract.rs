//! The store CONTRACT: what every backend must do, as tests parameterised by backend.
//!
//! Each case is a generic function over [`Store`]; [`contract_tests!`] instantiates all of them
//! for one backend from a factory returning a fresh, empty, migrated store (plus whatever must
//! live as long as it, e.g. a temp dir). Instantiated below for SQLite in memory and SQLite in
//! a temp file; a new backend adds one `contract_tests!` line. The on-disk instantiation also
//! runs [`accept_race`], which needs two independent handles on one database.

mod teamwork;

use std::sync::Barrier;

pub use teamwork::*;

use protocol::{
    Conversation, ConversationId, ConversationStatus, Identity, Message, MessageKind, Role,
};

use protocol::SessionId;

use protocol::helpdesk::{
    ChatSettings, Company, CompanyInput, ContactInput, NoteInput, NoteKind, Ticket, TicketInput,
    TicketStatus,
};

use super::{
    Actor, AppendOutcome, ContactSignIn, NewCredential, NewMessage, SessionRecord, SignedInContact,
    Store, StoreError,
};
use crate::credentials::hash_token;
use crate::policy::Denied;

/// Generate one `#[test]` per contract case in a module named `$name`, each on a fresh store
/// from `$factory` (an expression returning `(store, guard)`; the guard is kept alive).
macro_rules! contract_tests {
    ($name:ident, $factory:expr) => {
        mod $name {
            contract_tests!(@cases $factory;
                seq_is_gap_free_per_conversation,
                first_visitor_send_opens_a_request,
                client_ids_are_idempotent_per_author,
                accept_has_a_single_winner,
                an_agent_holds_a_bounded_number_of_chats,
                end_closes_the_conversation,
                credentials_resolve_to_identities,
                credentials_expire_unless_used,
                sessions_are_listed_and_ended_by_their_holder,
                a_password_change_ends_every_session,
                agents_are_found_by_email,
                welcome_conversations_are_what_a_client_resumes,
                waiting_requests_are_the_queue_oldest_first,
                strangers_get_not_found,
                names_are_stored_in_nfc,
                messages_come_in_pages,
                helpdesk_records_are_kept_by_external_id_and_audited,
                a_contact_signs_in_as_one_visitor_on_every_device,
                an_anonymous_visitor_who_identifies_keeps_the_open_conversation,
                chat_permission_holds_at_sign_in_and_on_every_use,
                a_contact_sees_only_their_own_tickets,
                webhooks_are_queued_with_their_event_only_when_a_target_is_set,
                a_visitor_ends_their_chat_only_when_the_rules_allow,
                chat_terms_follow_the_most_specific_setting,
                private_notes_are_for_the_agents_of_an_open_chat,
                admins_manage_agents_and_never_lose_the_last_admin,
                canned_replies_belong_to_their_owner_or_to_everyone,
                a_contact_reads_their_own_past_conversations_only,
                an_agent_starts_a_chat_with_a_present_contact,
                sections_route_requests_by_visitor_kind,
                a_rejected_request_goes_to_the_others,
                unanswered_requests_are_abandoned_for_follow_up,
                agents_join_invite_and_hand_over_chats,
                agents_chat_among_themselves,
            );
        }
    };
    (@cases $factory:expr; $($case:ident),* $(,)?) => {$(
        #[test]
        fn $case() {
            let (store, _guard) = $factory;
            super::$case(&store);
        }
    )*};
}

contract_tests!(
    sqlite_in_memory,
    (crate::store::SqliteStore::open_in_memory().unwrap(), ())
);
contract_tests!(sqlite_on_disk, {
    let dir = tempfile::tempdir().unwrap();
    (crate::store::SqliteStore::open(dir.path()).unwrap(), dir)
});

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn agent(s: &impl Store, name: &str) -> Identity {
    let email = format!("{}@example.com", name.to_lowercase());
    s.create_agent(&email, name, "phc", "demo").unwrap()
}

fn text(client_id: &str, conversation_id: Option<ConversationId>) -> NewMessage {
    NewMessage {
        client_id: client_id.into(),
        conversation_id,
        body: format!("body {client_id}"),
        options: Vec::new(),
    }
}

/// Append and expect a newly stored message.
fn say(
    s: &impl Store,
    who: &Identity,
    client_id: &str,
    conversation: Option<ConversationId>,
) -> (Message, Conversation, bool) {
    match s
        .append_message(who, text(client_id, conversation))
        .unwrap()
    {
        AppendOutcome::Stored {
            message,
            conversation: crate::store::Chat::Live(conversation),
            created,
        } => (message, conversation, created),
        AppendOutcome::Stored { .. } => panic!("{client_id} went to a team chat"),
        AppendOutcome::Duplicate { .. } => panic!("expected a new message for {client_id}"),
    }
}

fn denied<T: std::fmt::Debug>(r: Result<T, StoreError>) -> Denied {
    match r {
        Err(StoreError::Denied(d)) => d,
        other => panic!("expected a denial, got {other:?}"),
    }
}

fn seqs(messages: &[Message]) -> Vec<i64> {
    messages.iter().map(|m| m.seq).collect()
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

pub fn seq_is_gap_free_per_conversation(s: &impl Store) {
    let (v, w, a) = (
        s.create_visitor("Vi").unwrap(),
        s.create_visitor("We").unwrap(),
        agent(s, "Ada"),
    );
    let (m1, c, _) = say(s, &v, "v1", None);
    let (n1, d, _) = say(s, &w, "w1", None);
    assert_ne!(c.id, d.id);
    assert_eq!((m1.seq, n1.seq), (1, 1), "each conversation counts from 1");
    let (m2, _, _) = say(s, &v, "v2", None);
    let acc = s.accept(&a, c.id).unwrap();
    assert_eq!(
        acc.system_message.seq, 3,
        "system messages take the next seq too"
    );
    assert_eq!(acc.system_message.kind, MessageKind::System);
    assert_eq!(acc.system_message.body, "Ada joined the chat");
    assert_eq!(seqs(&acc.history.messages), [1, 2, 3]);
    assert!(!acc.history.more);
    let (m4, c4, _) = say(s, &a, "a1", Some(c.id));
    assert_eq!((m2.seq, m4.seq, c4.last_seq), (2, 4, 4));
    // a refused append leaves no hole behind
    assert_eq!(
        denied(s.append_message(&w, text("w-x", Some(c.id)))),
        Denied::NotFound
    );
    let (m5, _, _) = say(s, &v, "v3", Some(c.id));
    assert_eq!(m5.seq, 5);
    let ended = s.end(&a, c.id).unwrap();
    assert_eq!(ended.system_message.seq, 6);
    assert_eq!(
        seqs(&s.messages_after(&v, c.id, 0).unwrap()),
        [1, 2, 3, 4, 5, 6]
    );
    assert_eq!(seqs(&s.messages_after(&a, c.id, 4).unwrap()), [5, 6]);
    assert_eq!(seqs(&s.messages_after(&w, d.id, 0).unwrap()), [1]);
}

pub fn first_visitor_send_opens_a_request(s: &impl Store) {
    let v = s.create_visitor("Vi").unwrap();
    let (m, c, created) = say(s, &v, "c1", None);
    assert!(created, "the first message opens a conversation");
    assert_eq!(c.status, ConversationStatus::Waiting);
    assert_eq!(c.visitor, v);
    assert!(c.agents.is_empty());
    assert_eq!((m.conversation_id, m.author.as_ref()), (c.id, Some(&v)));
    let (m2, c2, created) = say(s, &v, "c2", None);
    assert!(!created, "the open conversation is reused");
    assert_eq!((m2.conversation_id, c2.id), (c.id, c.id));
    // an agent must name the conversation
    let a = agent(s, "Ada");
    assert_eq!(
        denied(s.append_message(&a, text("a1", None))),
        Denied::NotFound
    );
}

pub fn client_ids_are_idempotent_per_author(s: &impl Store) {
    let (v, w, a) = (
        s.create_visitor("Vi").unwrap(),
        s.create_visitor("We").unwrap(),
        agent(s, "Ada"),
    );
    let (first, c, _) = say(s, &v, "same", None);
    match s.append_message(&v, text("same", None)).unwrap() {
        AppendOutcome::Duplicate { message } => assert_eq!(message, first),
        AppendOutcome::Stored { .. } => panic!("a retried client id was stored twice"),
    }
    assert_eq!(s.messages_after(&v, c.id, 0).unwrap().len(), 1);
    // client ids are per author: another visitor and an agent may use the same one
    let (other, _, _) = say(s, &w, "same", None);
    assert_ne!(other.id, first.id);
    s.accept(&a, c.id).unwrap();
    let (mine, _, _) = say(s, &a, "same", Some(c.id));
    assert_ne!(mine.id, first.id);
    // a retry after the conversation ended still returns the stored message
    s.end(&a, c.id).unwrap();
    match s.append_message(&v, text("same", Some(c.id))).unwrap() {
        AppendOutcome::Duplicate { message } => assert_eq!(message, first),
        AppendOutcome::Stored { .. } => panic!("stored after the end"),
    }
}

pub fn accept_has_a_single_winner(s: &impl Store) {
    let (v, a, b) = (
        s.create_visitor("Vi").unwrap(),
        agent(s, "Ada"),
        agent(s, "Grace"),
    );
    let (_, c, _) = say(s, &v, "c1", None);
    assert_eq!(
        denied(s.accept(&v, c.id)),
        Denied::Forbidden,
        "visitors do not accept"
    );
    let won = s.accept(&a, c.id).unwrap();
    assert_eq!(won.agent, a);
    assert_eq!(won.conversation.status, ConversationStatus::Active);
    assert_eq!(won.conversation.agents, std::slice::from_ref(&a));
    // an agent it was offered to, a moment too late, is told who took it (and may join)
    assert_eq!(
        denied(s.accept(&b, c.id)),
        Denied::AlreadyAccepted("Ada".into())
    );
    // the winner accepting again is reminded who accepted it
    assert_eq!(
        denied(s.accept(&a, c.id)),
        Denied::AlreadyAccepted("Ada".into())
    );
    assert_eq!(
        denied(s.accept(&b, ConversationId(c.id.0 + 1000))),
        Denied::NotFound
    );
    // nothing changed by the refusals
    let c = &s.welcome_conversations(&a).unwrap()[0];
    assert_eq!((c.agents.len(), c.last_seq), (1, 2));
}

pub fn an_agent_holds_a_bounded_number_of_chats(s: &impl Store) {
    let (a, b) = (agent(s, "Ada"), agent(s, "Grace"));
    let request = |i: usize| {
        let v = s.create_visitor(&format!("V{i}")).unwrap();
        say(s, &v, "hi", None).1.id
    };
    let held: Vec<_> = (0..protocol::MAX_OPEN_CONVERSATIONS)
        .map(|i| {
            let id = request(i);
            s.accept(&a, id).unwrap();
            id
        })
        .collect();
    let one_more = request(usize::MAX);
    assert_eq!(denied(s.accept(&a, one_more)), Denied::TooManyOpen);
    // the refusal took nothing: the request still waits, and another agent can take it
    assert_eq!(s.waiting_requests().unwrap().len(), 1);
    // ending one frees a place
    s.end(&a, held[0]).unwrap();
    s.accept(&a, one_more).unwrap();
    assert_eq!(
        s.welcome_conversations(&a).unwrap().len(),
        protocol::MAX_OPEN_CONVERSATIONS
    );
    let next = request(usize::MAX - 1);
    assert_eq!(denied(s.accept(&a, next)), Denied::TooManyOpen);
    s.accept(&b, next).unwrap();
}

pub fn admins_manage_agents_and_never_lose_the_last_admin(s: &impl Store) {
    use protocol::agents::AgentUpdate;
    let ada = agent(s, "Ada");
    let ada_id = ada.principal.agent().unwrap();
    s.set_admin(ada_id, true).unwrap();
    let bea = s
        .add_agent(ADMIN, "bea@example.com", "Bea", "phc", false)
        .unwrap();
    assert!(bea.active && !bea.is_admin);
    assert!(matches!(
        s.add_agent(ADMIN, "bea@example.com", "Bea again", "phc", false),
        Err(StoreError::Invalid(_))
    ));
    issue(
        s,
        "a_bea",
        &Identity::new(protocol::Principal::Agent(bea.id), "Bea"),
        1_000,
        10_000,
    );
    let off = AgentUpdate {
        active: Some(false),
        ..AgentUpdate::default()
    };
    let (record, ended) = s.update_agent(ADMIN, bea.id, &off).unwrap().unwrap();
    assert!(!record.active);
    assert_eq!(ended, vec![hash_token("a_bea")], "her sessions end");
    assert!(
        s.credential_holder(&hash_token("a_bea"), 2_000)
            .unwrap()
            .is_none()
    );
    assert!(
        s.agent_password_hash("bea@example.com").unwrap().is_none(),
        "no sign-in while deactivated"
    );
    assert_eq!(
        s.agents()
            .unwrap()
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["Ada", "Bea"],
        "active first"
    );
    // the last active admin stays one, and stays active
    for change in [
        AgentUpdate {
            is_admin: Some(false),
            ..AgentUpdate::default()
        },
        off.clone(),
    ] {
        assert!(matches!(
            s.update_agent(ADMIN, ada_id, &change),
            Err(StoreError::Invalid(_))
        ));
    }
    assert!(
        s.agents().unwrap()[0].is_admin,
        "the refused change left nothing behind"
    );
    assert_eq!(
        s.update_agent(ADMIN, protocol::AgentId(999), &off).unwrap(),
        None
    );
    assert_eq!(
        s.reset_agent_password(ADMIN, protocol::AgentId(999), "phc")
            .unwrap(),
        None
    );
    assert!(
        s.reset_agent_password(ADMIN, ada_id, "phc2")
            .unwrap()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.agent_password_hash_of(ada_id).unwrap().as_deref(),
        Some("phc2")
    );
}

pub fn canned_replies_belong_to_their_owner_or_to_everyone(s: &impl Store) {
    use protocol::canned::{CannedInput, CannedKind};
    let (ada, grace) = (agent(s, "Ada"), agent(s, "Grace"));
    let (ada, grace) = (
        ada.principal.agent().unwrap(),
        grace.principal.agent().unwrap(),
    );
    let input = |shortcut: &str, shared: bool, auto: bool| CannedInput {
        shortcut: Some(shortcut.into()),
        title: shortcut.into(),
        body: format!("{shortcut} {{visitor}}"),
        kind: CannedKind::Greeting,
        shared,
        auto,
    };
    assert_eq!(
        denied(s.add_canned(grace, false, &input("hi", true, false))),
        Denied::Forbidden
    );
    let shared = s.add_canned(ada, true, &input("hi", true, false)).unwrap();
    assert!(matches!(
        s.add_canned(grace, false, &input("hi", false, false)),
        Err(StoreError::Invalid(_))
    ));
    let first = s
        .add_canned(grace, false, &input("g1", false, true))
        .unwrap();
    let second = s
        .add_canned(grace, false, &input("g2", false, true))
        .unwrap();
    assert_eq!(
        s.auto_greeting(grace).unwrap().as_deref(),
        Some("g2 {visitor}"),
        "one automatic greeting"
    );
    let mine = s.canned_for(grace).unwrap();
    assert_eq!(mine.len(), 3);
    assert!(!mine.iter().find(|r| r.id == first.id).unwrap().auto);
    assert_eq!(s.canned_for(ada).unwrap(), vec![shared.clone()]);
    assert_eq!(
        denied(s.delete_canned(grace, false, shared.id)),
        Denied::Forbidden
    );
    assert!(
        !s.delete_canned(ada, true, second.id).unwrap(),
        "not Ada's to see"
    );
    assert_eq!(
        s.update_canned(ada, true, second.id, &input("x", false, false))
            .unwrap(),
        None
    );
    assert!(s.delete_canned(grace, false, second.id).unwrap());
    assert_eq!(s.auto_greeting(grace).unwrap(), None);
    assert_eq!(s.auto_greeting(ada).unwrap(), None);
}

pub fn private_notes_are_for_the_agents_of_an_open_chat(s: &impl Store) {
    let (v, a, b) = (
        s.create_visitor("Vi").unwrap(),
        agent(s, "Ada"),
        agent(s, "Grace"),
    );
    let (_, c, _) = say(s, &v, "c1", None);
    assert_eq!(
        denied(s.add_note(&a, text("n0", Some(c.id)))),
        Denied::NotFound,
        "not before the agent takes part"
    );
    s.accept(&a, c.id).unwrap();
    let first = s.add_note(&a, text("n1", Some(c.id))).unwrap();
    assert!(!first.duplicate);
    assert_eq!(
        first.note.after_seq, 2,
        "after the message and the joined line"
    );
    let again = s.add_note(&a, text("n1", Some(c.id))).unwrap();
    assert!(again.duplicate);
    assert_eq!(again.note, first.note, "a retry stores nothing new");
    for who in [&v, &b] {
        assert_eq!(
            denied(s.add_note(who, text("x", Some(c.id)))),
            Denied::NotFound
        );
        assert_eq!(denied(s.notes(who, c.id)), Denied::NotFound);
    }
    assert_eq!(s.notes(&a, c.id).unwrap(), vec![first.note]);
    // a note takes no seq: the next message follows the joined line directly
    let (m, _, _) = say(s, &v, "c2", Some(c.id));
    assert_eq!(m.seq, 3);
    assert!(
        s.messages_after(&v, c.id, 0)
            .unwrap()
            .iter()
            .all(|m| !m.body.contains("n1"))
    );
    s.end(&a, c.id).unwrap();
    assert_eq!(
        denied(s.add_note(&a, text("n2", Some(c.id)))),
        Denied::Ended
    );
    assert_eq!(s.notes(&a, c.id).unwrap().len(), 1, "kept after the end");
}

pub fn end_closes_the_conversation(s: &impl Store) {
    let (v, a, b) = (
        s.create_visitor("Vi").unwrap(),
        agent(s, "Ada"),
        agent(s, "Grace"),
    );
    let (_, c, _) = say(s, &v, "c1", None);
    s.accept(&a, c.id).unwrap();
    assert_eq!(
        denied(s.end(&v, c.id)),
        Denied::NotYours,
        "a visitor does not end an answered, lively chat"
    );
    assert_eq!(
        denied(s.end(&b, c.id)),
        Denied::NotFound,
        "nor do strangers"
    );
    let ended = s.end(&a, c.id).unwrap();
    assert_eq!(ended.conversation.status, ConversationStatus::Ended);
    assert_eq!(ended.system_message.body, "Ada ended the chat");
    assert_eq!(
        denied(s.append_message(&v, text("late", Some(c.id)))),
        Denied::Ended
    );
    assert_eq!(
        denied(s.append_message(&a, text("late", Some(c.id)))),
        Denied::Ended
    );
    assert_eq!(denied(s.end(&a, c.id)), Denied::Ended, "ended once");
    // without an id the visitor starts a new request
    let (m, c2, created) = say(s, &v, "new", None);
    assert!(created && c2.id != c.id && m.seq == 1);
    assert_eq!(c2.status, ConversationStatus::Waiting);
}

/// A credential for `holder` issued at `now`, valid for `ttl` ms, from `device`.
fn issue(s: &impl Store, token: &str, holder: &Identity, now: i64, ttl: i64) -> SessionId {
    s.create_credential(
        &hash_token(token),
        &NewCredential {
            holder: holder.principal,
            device: format!("device of {token}"),
            now,
            expires_at: now + ttl,
        },
    )
    .unwrap()
}

/// Who holds `token` at `now`.
fn holder(s: &impl Store, token: &str, now: i64) -> Option<Identity> {
    s.credential_holder(&hash_token(token), now)
        .unwrap()
        .map(|c| c.me)
}

pub fn credentials_resolve_to_identities(s: &impl Store) {
    let (v, a) = (s.create_visitor("Vi").unwrap(), agent(s, "Ada"));
    let sv = issue(s, "v_x", &v, 1_000, 100);
    issue(s, "a_x", &a, 1_000, 100);
    assert_eq!(holder(s, "v_x", 1_000), Some(v.clone()));
    assert_eq!(holder(s, "a_x", 1_000), Some(a));
    assert_eq!(holder(s, "v_unknown", 1_000), None);
    let record = s
        .credential_holder(&hash_token("v_x"), 1_050)
        .unwrap()
        .unwrap();
    assert_eq!(
        record.session,
        SessionRecord {
            id: sv,
            created_at: 1_000,
            last_used_at: 1_000,
            expires_at: 1_100,
            device: "device of v_x".into(),
        }
    );
    // a second credential for the same visitor is independent of the first
    issue(s, "v_y", &v, 1_000, 100);
    s.delete_credential(&hash_token("v_x")).unwrap();
    assert_eq!(holder(s, "v_x", 1_000), None);
    assert_eq!(holder(s, "v_y", 1_000), Some(v));
    s.delete_credential(&hash_token("v_x")).unwrap(); // deleting twice is harmless
}

pub fn credentials_expire_unless_used(s: &impl Store) {
    let v = s.create_visitor("Vi").unwrap();
    issue(s, "v_a", &v, 1_000, 100);
    issue(s, "v_b", &v, 1_000, 100);
    // valid up to, not at, its expiry
    assert_eq!(holder(s, "v_a", 1_099), Some(v.clone()));
    assert_eq!(holder(s, "v_a", 1_100), None);
    // use slides it: touched at 1_090 with a new expiry, it holds past the old one
    s.touch_credentials(&[(hash_token("v_b"), 1_190)], 1_090)
        .unwrap();
    assert_eq!(holder(s, "v_b", 1_150), Some(v.clone()));
    let b = s
        .credential_holder(&hash_token("v_b"), 1_150)
        .unwrap()
        .unwrap();
    assert_eq!(
        (b.session.last_used_at, b.session.expires_at),
        (1_090, 1_190)
    );
    // an expiry is never moved earlier, and an expired session is never brought back
    s.touch_credentials(&[(hash_token("v_b"), 1_120)], 1_100)
        .unwrap();
    assert_eq!(holder(s, "v_b", 1_150), Some(v.clone()));
    s.touch_credentials(&[(hash_token("v_a"), 5_000)], 1_200)
        .unwrap();
    assert_eq!(holder(s, "v_a", 1_300), None);
    // housekeeping deletes exactly the expired ones
    assert_eq!(s.delete_expired_credentials(1_150).unwrap(), 1);
    assert_eq!(s.delete_expired_credentials(1_150).unwrap(), 0);
    assert_eq!(holder(s, "v_b", 1_150), Some(v));
}

pub fn sessions_are_listed_and_ended_by_their_holder(s: &impl Store) {
    let (ada, bob) = (agent(s, "Ada"), agent(s, "Bob"));
    let first = issue(s, "a_1", &ada, 1_000, 1_000);
    let second = issue(s, "a_2", &ada, 1_010, 1_000);
    let third = issue(s, "a_3", &ada, 1_020, 1_000);
    let bobs = issue(s, "a_b", &bob, 1_000, 1_000);
    issue(s, "a_old", &ada, 0, 10); // expired: never listed
    s.touch_credentials(&[(hash_token("a_1"), 2_100)], 1_100)
        .unwrap();
    let listed: Vec<_> = s
        .sessions_of(ada.principal, 1_200)
        .unwrap()
        .into_iter()
        .map(|(digest, r)| (digest, r.id))
        .collect();
    assert_eq!(
        listed,
        [
            (hash_token("a_1"), first),
            (hash_token("a_3"), third),
            (hash_token("a_2"), second),
        ],
        "most recently used first"
    );
    // one's own session by id; someone else's is not found and stays
    assert_eq!(
        s.delete_session(ada.principal, second).unwrap(),
        Some(hash_token("a_2"))
    );
    assert_eq!(s.delete_session(ada.principal, second).unwrap(), None);
    assert_eq!(s.delete_session(ada.principal, bobs).unwrap(), None);
    assert!(holder(s, "a_b", 1_200).is_some());
    // all others but the current one
    let mut ended = s
        .delete_sessions_of(ada.principal, Some(&hash_token("a_1")))
        .unwrap();
    ended.sort();
    let mut expected = vec![hash_token("a_3"), hash_token("a_old")];
    expected.sort();
    assert_eq!(ended, expected);
    assert!(holder(s, "a_1", 1_200).is_some());
    assert!(
        holder(s, "a_b", 1_200).is_some(),
        "another agent's sessions stay"
    );
}

pub fn a_password_change_ends_every_session(s: &impl Store) {
    let (ada, bob) = (agent(s, "Ada"), agent(s, "Bob"));
    let ada_id = ada.principal.agent().unwrap();
    issue(s, "a_1", &ada, 1_000, 1_000);
    issue(s, "a_2", &ada, 1_000, 1_000);
    issue(s, "a_b", &bob, 1_000, 1_000);
    let replacement = NewCredential {
        holder: ada.principal,
        device: "laptop".into(),
        now: 1_100,
        expires_at: 2_100,
    };
    let mut ended = s
        .replace_agent_password(
            ada_id,
            "$argon2id$new",
            (&hash_token("a_new"), &replacement),
        )
        .unwrap();
    ended.sort();
    let mut expected = vec![hash_token("a_1"), hash_token("a_2")];
    expected.sort();
    assert_eq!(ended, expected);
    assert_eq!(
        s.agent_password_hash_of(ada_id).unwrap().as_deref(),
        Some("$argon2id$new")
    );
    assert_eq!(holder(s, "a_1", 1_100), None);
    assert_eq!(holder(s, "a_new", 1_100), Some(ada));
    assert!(holder(s, "a_b", 1_100).is_some());
    // an agent that does not exist changes nothing
    let ghost = protocol::AgentId(9_999);
    assert!(
        s.replace_agent_password(ghost, "x", (&hash_token("a_g"), &replacement))
            .is_err()
    );
    assert_eq!(holder(s, "a_g", 1_100), None);
}

pub fn agents_are_found_by_email(s: &impl Store) {
    assert_eq!(s.agent_count().unwrap(), 0);
    let a = s
        .create_agent("ada@example.com", "Ada", "$argon2id$x", "demo")
        .unwrap();
    assert_eq!(a.role(), Role::Agent);
    assert!(
        s.create_agent("ada@example.com", "Ada 2", "y", "demo")
            .is_err()
    );
    assert_eq!(s.agent_count().unwrap(), 1);
    assert_eq!(
        s.agent_password_hash("ada@example.com").unwrap(),
        Some((a, "$argon2id$x".to_owned()))
    );
    assert_eq!(s.agent_password_hash("nobody@example.com").unwrap(), None);
}

pub fn welcome_conversations_are_what_a_client_resumes(s: &impl Store) {
    let (v, w, a, b) = (
        s.create_visitor("Vi").unwrap(),
        s.create_visitor("We").unwrap(),
        agent(s, "Ada"),
        agent(s, "Grace"),
    );
    assert!(s.welcome_conversations(&v).unwrap().is_empty());
    let (_, c1, _) = say(s, &v, "v1", None);
    let (_, d, _) = say(s, &w, "w1", None);
    s.accept(&a, c1.id).unwrap();
    s.accept(&a, d.id).unwrap();
    s.end(&a, c1.id).unwrap();
    // a visitor resumes their most recent conversation, even an ended one
    let welcome = s.welcome_conversations(&v).unwrap();
    assert_eq!(welcome.iter().map(|c| c.id).collect::<Vec<_>>(), [c1.id]);
    assert_eq!(welcome[0].status, ConversationStatus::Ended);
    let (_, c2, _) = say(s, &v, "v2", None);
    let ids = |who: &Identity| -> Vec<ConversationId> {
        s.welcome_conversations(who)
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect()
    };
    assert_eq!(ids(&v), [c2.id]);
    // an agent resumes the active conversations they take part in, and nothing else
    assert_eq!(ids(&a), [d.id]);
    assert!(ids(&b).is_empty());
}

pub fn waiting_requests_are_the_queue_oldest_first(s: &impl Store) {
    let (v, w, a) = (
        s.create_visitor("Vi").unwrap(),
        s.create_visitor("We").unwrap(),
        agent(s, "Ada"),
    );
    assert!(s.waiting_requests().unwrap().is_empty());
    let (_, c, _) = say(s, &v, "v1", None);
    say(s, &v, "v2", None);
    let (_, d, _) = say(s, &w, "w1", None);
    let queue = s.waiting_requests().unwrap();
    assert_eq!(
        queue.iter().map(|r| r.conversation_id).collect::<Vec<_>>(),
        [c.id, d.id]
    );
    assert_eq!(
        queue[0].preview, "body v1",
        "the preview is the first message"
    );
    assert_eq!(queue[0].visitor, v);
    s.accept(&a, c.id).unwrap();
    let queue = s.waiting_requests().unwrap();
    assert_eq!(
        queue.iter().map(|r| r.conversation_id).collect::<Vec<_>>(),
        [d.id]
    );
}

pub fn strangers_get_not_found(s: &impl Store) {
    let (v, w, a, b) = (
        s.create_visitor("Vi").unwrap(),
        s.create_visitor("We").unwrap(),
        agent(s, "Ada"),
        agent(s, "Grace"),
    );
    let (_, c, _) = say(s, &v, "v1", None);
    let nowhere = ConversationId(c.id.0 + 1000);
    // a waiting request: only its visitor reads it (agents see the queue's preview only)
    for who in [&w, &a] {
        assert_eq!(denied(s.messages_after(who, c.id, 0)), Denied::NotFound);
        assert_eq!(
            denied(s.append_message(who, text("x", Some(c.id)))),
            Denied::NotFound
        );
    }
    s.accept(&a, c.id).unwrap();
    // an active conversation: strangers get exactly what a missing one gives
    for who in [&w, &b] {
        assert_eq!(denied(s.messages_after(who, c.id, 0)), Denied::NotFound);
        assert_eq!(denied(s.messages_after(who, nowhere, 0)), Denied::NotFound);
        assert_eq!(
            denied(s.append_message(who, text("y", Some(c.id)))),
            Denied::NotFound
        );
        assert_eq!(
            denied(s.append_message(who, text("z", Some(nowhere)))),
            Denied::NotFound
        );
    }
    assert_eq!(denied(s.end(&b, c.id)), Denied::NotFound);
    assert_eq!(denied(s.end(&b, nowhere)), Denied::NotFound);
    // (accepting it: told who took it, as the request was offered to them; see the sections
    // case for an agent of another section, who is not)
    assert_eq!(denied(s.accept(&b, nowhere)), Denied::NotFound);
    // an ended conversation too
    s.end(&a, c.id).unwrap();
    assert_eq!(denied(s.messages_after(&b, c.id, 0)), Denied::NotFound);
    assert_eq!(
        denied(s.append_message(&w, text("q", Some(c.id)))),
        Denied::NotFound
    );
    assert_eq!(denied(s.accept(&b, c.id)), Denied::NotFound);
    // the participants still read it
    assert_eq!(s.messages_after(&v, c.id, 0).unwrap().len(), 3);
    assert_eq!(s.messages_after(&a, c.id, 0).unwrap().len(), 3);
}

/// Two handles on one database (separate connections), each driven by its own thread, accept
/// the same waiting request at the same moment, `rounds` times over. Exactly one wins each
/// round; the other is told who won (`AlreadyAccepted`); the winner is the only participant
/// and there is exactly one "joined" message. Returns how many rounds each handle won.
///
/// This is the store-level check that the database, not the hub's lock, decides the winner:
/// the hub serialises accepts, so the integration tests never make two reach the store at once.
pub fn accept_race(one: &impl Store, two: &impl Store, rounds: usize) -> [usize; 2] {
    let v = one.create_visitor("Vi").unwrap();
    let (a, b) = (agent(one, "Ada"), agent(one, "Grace"));
    let mut wins = [0; 2];
    for round in 0..rounds {
        // each round is the visitor's next request (the last one ended)
        let (_, c, created) = say(one, &v, &format!("r{round}"), None);
        assert!(created);
        let barrier = Barrier::new(2);
        let (r1, r2) = std::thread::scope(|scope| {
            let t1 = scope.spawn(|| {
                barrier.wait();
                one.accept(&a, c.id)
            });
            let t2 = scope.spawn(|| {
                barrier.wait();
                two.accept(&b, c.id)
            });
            (t1.join().unwrap(), t2.join().unwrap())
        });
        let (winner, loser) = match (r1, r2) {
            (Ok(won), lost) => {
                wins[0] += 1;
                (won, lost)
            }
            (lost, Ok(won)) => {
                wins[1] += 1;
                (won, lost)
            }
            (e1, e2) => panic!("round {round}: nobody won: {e1:?} / {e2:?}"),
        };
        assert_eq!(
            denied(loser),
            Denied::AlreadyAccepted(winner.agent.name.clone()),
            "round {round}: the loser is told who won"
        );
        let after = &one.welcome_conversations(&winner.agent).unwrap();
        let after = after.iter().find(|x| x.id == c.id).expect("winner sees it");
        assert_eq!(
            after.agents,
            std::slice::from_ref(&winner.agent),
            "round {round}: one participant"
        );
        let joined = one
            .messages_after(&winner.agent, c.id, 0)
            .unwrap()
            .into_iter()
            .filter(|m| m.kind == MessageKind::System)
            .count();
        assert_eq!(joined, 1, "round {round}: one joined message");
        one.end(&winner.agent, c.id).unwrap();
    }
    wins
}

mod sqlite_race {
    use crate::store::SqliteStore;

    #[test]
    fn concurrent_accepts_on_one_file_have_one_winner() {
        const ROUNDS: usize = 200;
        let dir = tempfile::tempdir().unwrap();
        let one = SqliteStore::open(dir.path()).unwrap();
        let two = SqliteStore::open(dir.path()).unwrap();
        let wins = super::accept_race(&one, &two, ROUNDS);
        assert_eq!(wins[0] + wins[1], ROUNDS);
        // Both connections won some rounds, so the two really raced (neither always got the
        // write lock first).
        assert!(wins[0] > 0 && wins[1] > 0, "wins {wins:?}");
        // Exactly one participants row per conversation, counted in the table itself.
        assert_eq!(
            one.count(
                "SELECT COUNT(*) FROM (SELECT conversation_id FROM participants \
                 GROUP BY conversation_id HAVING COUNT(*) <> ?1)",
                1
            ),
            0
        );
        assert_eq!(
            one.count("SELECT COUNT(*) FROM participants WHERE ?1", 1),
            ROUNDS as i64
        );
        // Every loser was refused by the policy check, never by the conditional UPDATE's
        // `AND status = 'waiting'`: `BEGIN IMMEDIATE` takes the write lock before the facts
        // are read, so the second transaction reads the first one's commit and the policy
        // says `AlreadyAccepted` before any update runs. (A deferred transaction would read a stale
        // snapshot; in WAL mode its update then fails with SQLITE_BUSY instead of affecting
        // zero rows, so even there the zero-row branch is not what a loser sees.) The branch
        // stays for backends with weaker isolation.
        assert_eq!(one.lost_at_update() + two.lost_at_update(), 0);
    }
}

/// One name typed two ways is stored (and shown) one way.
fn names_are_stored_in_nfc(s: &impl Store) {
    let v = s.create_visitor("Zoe\u{301}").unwrap();
    assert_eq!(v.name, "Zo\u{E9}");
    let a = agent(s, "Ame\u{301}lie");
    assert_eq!(a.name, "Am\u{E9}lie");
    let (_, c, _) = say(s, &v, "n1", None);
    assert_eq!(
        c.visitor.name, "Zo\u{E9}",
        "what is read back is the stored form"
    );
}

/// A page: at most `limit` messages after the cursor, whether more follow, and `last_seq`.
fn messages_come_in_pages(s: &impl Store) {
    let v = s.create_visitor("Pager").unwrap();
    let (_, c, _) = say(s, &v, "p0", None);
    for i in 1..7 {
        say(s, &v, &format!("p{i}"), Some(c.id));
    }
    let page = s.messages_page(&v, c.id, 0, 3).unwrap();
    assert_eq!(
        (seqs(&page.messages), page.more, page.last_seq),
        (vec![1, 2, 3], true, 7)
    );
    let page = s.messages_page(&v, c.id, 4, 3).unwrap();
    assert_eq!((seqs(&page.messages), page.more), (vec![5, 6, 7], false));
    let page = s.messages_page(&v, c.id, 7, 3).unwrap();
    assert!(page.messages.is_empty() && !page.more);
    let page = s.messages_page(&v, c.id, 9, 3).unwrap();
    assert_eq!(
        (page.messages.len(), page.last_seq),
        (0, 7),
        "beyond the end: nothing, and where the end is"
    );
    let stranger = s.create_visitor("Stranger").unwrap();
    assert_eq!(
        denied(s.messages_page(&stranger, c.id, 0, 3)),
        Denied::NotFound
    );
}

// ---------------------------------------------------------------------------------------------
// The helpdesk
// ---------------------------------------------------------------------------------------------

const ADMIN: Actor = Actor::Agent(protocol::AgentId(1));

fn company(name: &str, chat_enabled: Option<bool>) -> CompanyInput {
    CompanyInput {
        name: name.into(),
        chat_enabled,
        pre_ticket: None,
        section: None,
    }
}

fn contact_input(company: &str, name: &str, chat_enabled: Option<bool>) -> ContactInput {
    ContactInput {
        company: company.into(),
        name: name.into(),
        email: format!("{}@example.com", name.to_lowercase()),
        chat_enabled,
    }
}

fn ticket_input(contact: &str, subject: &str, status: TicketStatus) -> TicketInput {
    TicketInput {
        subject: subject.into(),
        status,
        contact: contact.into(),
    }
}

/// What a verified statement for `contact` of `company` says.
fn statement(contact: &str, company: &str, name: &str) -> ContactSignIn {
    ContactSignIn {
        contact: contact.into(),
        company: company.into(),
        company_name: Some(format!("{company} Ltd")),
        name: name.into(),
        email: format!("{contact}@example.com"),
    }
}

/// Sign `who` in with credential `token`, adopting `from`'s open conversation.
fn sign_in(
    s: &impl Store,
    who: &ContactSignIn,
    from: Option<protocol::VisitorId>,
    token: &str,
) -> Result<SignedInContact, StoreError> {
    let new = NewCredential {
        // replaced by the contact's visitor
        holder: protocol::Principal::Visitor(protocol::VisitorId(0)),
        device: "portal".into(),
        now: 1_000,
        expires_at: i64::MAX,
    };
    s.sign_in_contact(who, from, (&hash_token(token), &new))
}

pub fn helpdesk_records_are_kept_by_external_id_and_audited(s: &impl Store) {
    s.put_company(ADMIN, "acme", &company("Acme", None))
        .unwrap();
    let renamed = s
        .put_company(Actor::ApiKey, "acme", &company("Acme Ltd", Some(true)))
        .unwrap();
    assert_eq!(
        renamed,
        Company {
            id: "acme".into(),
            name: "Acme Ltd".into(),
            chat_enabled: Some(true),
            pre_ticket: None,
            section: None,
        }
    );
    s.put_company(ADMIN, "globex", &company("Globex", None))
        .unwrap();
    assert_eq!(s.companies().unwrap().len(), 2);
    // a contact needs an existing company, a ticket an existing contact
    assert!(matches!(
        s.put_contact(ADMIN, "c1", &contact_input("nope", "Carla", None)),
        Err(StoreError::Invalid(_))
    ));
    let carla = s
        .put_contact(ADMIN, "c1", &contact_input("acme", "Carla", None))
        .unwrap();
    assert_eq!(
        (carla.company.as_str(), carla.email.as_str()),
        ("acme", "carla@example.com")
    );
    s.put_contact(ADMIN, "c2", &contact_input("globex", "Gus", None))
        .unwrap();
    assert_eq!(s.contacts(Some("acme")).unwrap(), [carla]);
    assert_eq!(s.contacts(None).unwrap().len(), 2);
    assert!(matches!(
        s.put_ticket(
            ADMIN,
            "T-1",
            &ticket_input("nobody", "x", TicketStatus::Open)
        ),
        Err(StoreError::Invalid(_))
    ));
    s.put_ticket(
        ADMIN,
        "T-1",
        &ticket_input("c1", "Printer", TicketStatus::Open),
    )
    .unwrap();
    let t = s
        .put_ticket(
            ADMIN,
            "T-1",
            &ticket_input("c1", "Printer on fire", TicketStatus::Pending),
        )
        .unwrap();
    assert_eq!(
        (t.subject.as_str(), t.status),
        ("Printer on fire", TicketStatus::Pending)
    );
    let note = NoteInput {
        author: "Helpdesk sync".into(),
        body: "Called the customer".into(),
    };
    assert!(s.add_ticket_note(ADMIN, "T-1", &note).unwrap().is_some());
    assert!(s.add_ticket_note(ADMIN, "T-404", &note).unwrap().is_none());
    let detail = s.ticket("T-1").unwrap().unwrap();
    assert_eq!(detail.ticket, t);
    assert_eq!(detail.notes.len(), 1);
    assert_eq!(detail.notes[0].kind, NoteKind::Note);
    assert!(s.ticket("T-404").unwrap().is_none());
    // every write, newest first, with who did it
    let log = s.audit_log(100).unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "ticket.note",
            "ticket.put",
            "ticket.put",
            "contact.put",
            "contact.put",
            "company.put",
            "company.put",
            "company.put",
        ]
    );
    assert_eq!(log[6].actor, "api-key");
    assert_eq!(log[0].actor, "agent:1");
    assert_eq!(log[0].target, "ticket:T-1");
    assert!(log[0].detail.contains("Called the customer"));
    assert_eq!(s.audit_log(2).unwrap().len(), 2);
}

pub fn a_contact_signs_in_as_one_visitor_on_every_device(s: &impl Store) {
    let first = sign_in(s, &statement("c1", "acme", "Carla"), None, "v_phone").unwrap();
    // the company was new: created from the statement
    assert_eq!(first.company_name, "acme Ltd");
    assert_eq!(first.contact.company, "acme");
    assert_eq!(first.adopted, None);
    let again = sign_in(s, &statement("c1", "acme", "Carla D."), None, "v_laptop").unwrap();
    assert_eq!(
        again.me.principal, first.me.principal,
        "one visitor for every device"
    );
    assert_eq!(again.me.name, "Carla D.", "the portal's name wins");
    for token in ["v_phone", "v_laptop"] {
        let held = s
            .credential_holder(&hash_token(token), 2_000)
            .unwrap()
            .unwrap();
        assert_eq!(held.me, again.me);
    }
    // what one device started, the other resumes
    let (_, c, _) = say(s, &first.me, "m1", None);
    assert_eq!(s.welcome_conversations(&again.me).unwrap()[0].id, c.id);
    // an existing company keeps the name the admin gave it
    s.put_company(ADMIN, "acme", &company("ACME Corporation", None))
        .unwrap();
    let third = sign_in(s, &statement("c1", "acme", "Carla"), None, "v_tablet").unwrap();
    assert_eq!(third.company_name, "ACME Corporation");
    // another contact is another visitor
    let gus = sign_in(s, &statement("c2", "acme", "Gus"), None, "v_gus").unwrap();
    assert_ne!(gus.me.principal, first.me.principal);
    assert!(s.welcome_conversations(&gus.me).unwrap().is_empty());
}

pub fn an_anonymous_visitor_who_identifies_keeps_the_open_conversation(s: &impl Store) {
    let anon = s.create_visitor("Guest").unwrap();
    let (_, c, _) = say(s, &anon, "m1", None);
    let anon_id = match anon.principal {
        protocol::Principal::Visitor(id) => id,
        _ => unreachable!(),
    };
    let carla = sign_in(s, &statement("c1", "acme", "Carla"), Some(anon_id), "v_c").unwrap();
    assert_eq!(carla.adopted, Some(c.id));
    let theirs = s.welcome_conversations(&carla.me).unwrap();
    assert_eq!(theirs[0].id, c.id);
    assert_eq!(theirs[0].visitor, carla.me);
    assert_eq!(denied(s.messages_after(&anon, c.id, 0)), Denied::NotFound);
    assert_eq!(seqs(&s.messages_after(&carla.me, c.id, 0).unwrap()), [1]);
    // a contact's conversation is never adopted by another contact (a shared computer)
    let carla_id = match carla.me.principal {
        protocol::Principal::Visitor(id) => id,
        _ => unreachable!(),
    };
    let gus = sign_in(s, &statement("c2", "acme", "Gus"), Some(carla_id), "v_g").unwrap();
    assert_eq!(gus.adopted, None);
    assert_eq!(s.welcome_conversations(&carla.me).unwrap()[0].id, c.id);
}

pub fn chat_permission_holds_at_sign_in_and_on_every_use(s: &impl Store) {
    s.put_chat_settings(
        ADMIN,
        ChatSettings {
            chat_enabled: false,
            ..ChatSettings::default()
        },
    )
    .unwrap();
    assert!(!s.chat_settings().unwrap().chat_enabled);
    s.put_company(ADMIN, "acme", &company("Acme", None))
        .unwrap();
    assert_eq!(
        denied(sign_in(s, &statement("c1", "acme", "Carla"), None, "v_1")),
        Denied::ChatDisabled,
        "off globally"
    );
    assert!(
        s.credential_holder(&hash_token("v_1"), 2_000)
            .unwrap()
            .is_none()
    );
    s.put_company(ADMIN, "acme", &company("Acme", Some(true)))
        .unwrap();
    sign_in(s, &statement("c1", "acme", "Carla"), None, "v_2").unwrap();
    assert!(
        s.credential_holder(&hash_token("v_2"), 2_000)
            .unwrap()
            .is_some()
    );
    // switched off for her alone: her session stops working at its next use
    s.put_contact(ADMIN, "c1", &contact_input("acme", "Carla", Some(false)))
        .unwrap();
    assert!(
        s.credential_holder(&hash_token("v_2"), 2_000)
            .unwrap()
            .is_none()
    );
    // anonymous visitors and agents are not contacts: unaffected
    let v = s.create_visitor("Vi").unwrap();
    issue(s, "v_anon", &v, 1_000, 10_000);
    assert!(
        s.credential_holder(&hash_token("v_anon"), 2_000)
            .unwrap()
            .is_some()
    );
}

pub fn chat_terms_follow_the_most_specific_setting(s: &impl Store) {
    let terms = |contact: Option<(&str, &str)>| {
        let t = s.chat_terms(contact).unwrap();
        (t.chat_enabled, t.pre_ticket)
    };
    // defaults: chat on, pre-ticket on for contacts, never for anonymous visitors
    assert_eq!(terms(None), (true, false));
    assert_eq!(
        terms(Some(("new", "nowhere"))),
        (true, true),
        "not stored yet"
    );
    s.put_company(
        ADMIN,
        "acme",
        &CompanyInput {
            name: "Acme".into(),
            chat_enabled: Some(false),
            pre_ticket: Some(false),
            section: None,
        },
    )
    .unwrap();
    assert_eq!(terms(Some(("c1", "acme"))), (false, false), "the company's");
    s.put_contact(ADMIN, "c1", &contact_input("acme", "Carla", Some(true)))
        .unwrap();
    assert_eq!(terms(Some(("c1", "acme"))), (true, false), "her own wins");
    // a stored contact is judged by the company the store knows, not the one claimed
    assert_eq!(terms(Some(("c1", "globex"))), (true, false));
    s.put_chat_settings(
        ADMIN,
        ChatSettings {
            chat_enabled: false,
            unanswered_after_secs: 5,
            pre_ticket: true,
            ..ChatSettings::default()
        },
    )
    .unwrap();
    assert_eq!(terms(None), (false, false), "off for the site");
    assert_eq!(s.chat_terms(None).unwrap().unanswered_after_secs, 5);
    assert_eq!(terms(Some(("c2", "globex"))), (false, true));
}

pub fn a_contact_reads_their_own_past_conversations_only(s: &impl Store) {
    let send = |who: &Identity, client_id: &str, body: &str| -> Conversation {
        let msg = NewMessage {
            client_id: client_id.into(),
            conversation_id: None,
            body: body.into(),
            options: Vec::new(),
        };
        match s.append_message(who, msg).unwrap() {
            AppendOutcome::Stored {
                conversation: crate::store::Chat::Live(conversation),
                ..
            } => conversation,
            AppendOutcome::Stored { .. } => panic!("a visitor's message in a team chat"),
            AppendOutcome::Duplicate { .. } => panic!("stored twice"),
        }
    };
    let visitor_id = |who: &Identity| match who.principal {
        protocol::Principal::Visitor(id) => id,
        _ => unreachable!(),
    };
    let carla = sign_in(s, &statement("c1", "acme", "Carla"), None, "v_c").unwrap();
    let gus = sign_in(s, &statement("c2", "acme", "Gus"), None, "v_g").unwrap();
    let ada = agent(s, "Ada");
    let first = send(&carla.me, "c1", "My grinder is noisy");
    s.accept(&ada, first.id).unwrap();
    s.put_ticket(
        ADMIN,
        "T-1",
        &ticket_input("c1", "Grinder", TicketStatus::Open),
    )
    .unwrap();
    s.link_ticket(&carla.me, first.id, Some("T-1")).unwrap();
    s.end(&ada, first.id).unwrap();
    let second = send(&carla.me, "c2", &"x".repeat(500));
    send(&gus.me, "g1", "Gus here");

    let mine = s.past_conversations(visitor_id(&carla.me)).unwrap();
    assert_eq!(
        mine.iter().map(|c| c.id).collect::<Vec<_>>(),
        [second.id, first.id],
        "newest first, only hers"
    );
    assert_eq!(mine[1].agents, ["Ada"]);
    assert_eq!(mine[1].status, ConversationStatus::Ended);
    assert_eq!(
        mine[1].ticket.as_ref().map(|t| t.number.as_str()),
        Some("T-1")
    );
    assert_eq!(mine[1].preview, "My grinder is noisy");
    assert_eq!(
        mine[0].preview.chars().count(),
        protocol::helpdesk::PREVIEW_CHARS
    );
    assert_eq!(mine[0].ticket, None);
    // an anonymous visitor has no history beyond the chat on screen
    let anon = s.create_visitor("Vi").unwrap();
    send(&anon, "a1", "hello");
    assert!(s.past_conversations(visitor_id(&anon)).unwrap().is_empty());
}

pub fn a_contact_sees_only_their_own_tickets(s: &impl Store) {
    let carla = sign_in(s, &statement("c1", "acme", "Carla"), None, "v_c").unwrap();
    let gus = sign_in(s, &statement("c2", "acme", "Gus"), None, "v_g").unwrap();
    for (n, contact, status) in [
        ("T-1", "c1", TicketStatus::Open),
        ("T-2", "c1", TicketStatus::Closed),
        ("T-3", "c2", TicketStatus::Open),
    ] {
        s.put_ticket(ADMIN, n, &ticket_input(contact, n, status))
            .unwrap();
    }
    let visitor = |p: protocol::Principal| match p {
        protocol::Principal::Visitor(id) => id,
        _ => unreachable!(),
    };
    let numbers = |ts: Vec<Ticket>| ts.into_iter().map(|t| t.number).collect::<Vec<_>>();
    assert_eq!(
        numbers(s.tickets_of(visitor(carla.me.principal)).unwrap()),
        ["T-2", "T-1"]
    );
    assert_eq!(
        numbers(s.tickets_of(visitor(gus.me.principal)).unwrap()),
        ["T-3"]
    );
    // the same by the helpdesk's contact id (a portal's "My tickets" through the admin API)
    assert_eq!(numbers(s.tickets_of_contact("c1").unwrap()), ["T-2", "T-1"]);
    assert!(s.tickets_of_contact("nobody").unwrap().is_empty());
    // agents' card: the contact and their open tickets only
    let card = s
        .visitor_card(visitor(carla.me.principal))
        .unwrap()
        .unwrap();
    assert_eq!(card.contact.unwrap().id, "c1");
    assert_eq!(card.company_name.as_deref(), Some("acme Ltd"));
    assert_eq!(numbers(card.open_tickets), ["T-1"]);
    // an anonymous visitor has no contact and no tickets
    let anon = s.create_visitor("Guest").unwrap();
    let card = s.visitor_card(visitor(anon.principal)).unwrap().unwrap();
    assert_eq!((card.contact, card.open_tickets.len()), (None, 0));
    assert!(s.tickets_of(visitor(anon.principal)).unwrap().is_empty());
    assert!(
        s.visitor_card(protocol::VisitorId(9_999))
            .unwrap()
            .is_none()
    );
}

pub fn webhooks_are_queued_with_their_event_only_when_a_target_is_set(s: &impl Store) {
    let v = s.create_visitor("Vi").unwrap();
    say(s, &v, "before", None);
    assert!(
        s.due_webhooks(i64::MAX, 10).unwrap().is_empty(),
        "no target yet"
    );
    assert_eq!(s.webhook_target().unwrap(), None);
    let settings = s
        .put_webhook_settings(
            ADMIN,
            Some("https://hooks.test/x".into()),
            Some("s".repeat(32)),
        )
        .unwrap();
    assert!(settings.secret_set && settings.secret.is_none());
    let a = agent(s, "Ada");
    let w = s.create_visitor("Wu").unwrap();
    let (_, c, _) = say(s, &w, "hello", None);
    s.accept(&a, c.id).unwrap();
    s.end(&a, c.id).unwrap();
    let due = s.due_webhooks(i64::MAX, 10).unwrap();
    let events: Vec<_> = due.iter().map(|d| d.event.as_str()).collect();
    assert_eq!(events, ["chat.started", "chat.ended"]);
    assert!(
        due[1].payload.contains("Wu: body hello"),
        "{}",
        due[1].payload
    );
    // a failure with a retry time waits; giving up takes it out; delivered ones are done
    let now = crate::store::now_millis();
    s.webhook_failed(due[0].id, now, "HTTP 500", Some(now + 60_000))
        .unwrap();
    let waiting = s.due_webhooks(now + 59_999, 10).unwrap();
    assert_eq!(waiting.len(), 1, "only chat.ended is due");
    assert_eq!(waiting[0].id, due[1].id);
    let again = s.due_webhooks(now + 60_000, 10).unwrap();
    assert_eq!(again.len(), 2);
    assert_eq!(
        again.iter().find(|d| d.id == due[0].id).unwrap().attempts,
        1
    );
    s.webhook_delivered(due[1].id, 20).unwrap();
    s.webhook_failed(due[0].id, 30, "HTTP 500", None).unwrap();
    assert!(s.due_webhooks(i64::MAX, 10).unwrap().is_empty());
    // finished ones are pruned after their time
    assert_eq!(s.prune_webhooks(25).unwrap(), 1);
    assert_eq!(s.prune_webhooks(i64::MAX).unwrap(), 1);
    // switched off: nothing more is queued
    s.put_webhook_settings(ADMIN, None, None).unwrap();
    say(s, &s.create_visitor("Xi").unwrap(), "later", None);
    assert!(s.due_webhooks(i64::MAX, 10).unwrap().is_empty());
}

pub fn a_visitor_ends_their_chat_only_when_the_rules_allow(s: &impl Store) {
    let a = agent(s, "Ada");
    // a request nobody has answered, within the wait: not yet
    let v = s.create_visitor("Vi").unwrap();
    let (_, c, _) = say(s, &v, "m1", None);
    assert_eq!(denied(s.end(&v, c.id)), Denied::NotYours);
    // one that does not exist is not found (a refusal, not a failed query: found by fuzzing)
    assert_eq!(
        denied(s.end(&v, ConversationId(c.id.0 + 1_000))),
        Denied::NotFound
    );
    // the wait is over (an admin set it to 0 s): the visitor gives up on it
    s.put_chat_settings(
        ADMIN,
        ChatSettings {
            unanswered_after_secs: 0,
            ..ChatSettings::default()
        },
    )
    .unwrap();
    let ended = s.end(&v, c.id).unwrap();
    assert!(ended.was_waiting);
    assert_eq!(ended.system_message.body, "Vi ended the chat");
    assert_eq!(ended.conversation.status, ConversationStatus::Ended);
    assert!(
        s.waiting_requests().unwrap().is_empty(),
        "gone from the queue"
    );
    // an answered chat stays the agent's while office hours are open...
    let w = s.create_visitor("Wu").unwrap();
    let (_, c, _) = say(s, &w, "m1", None);
    s.accept(&a, c.id).unwrap();
    assert_eq!(denied(s.end(&w, c.id)), Denied::NotYours);
    // ...but outside them (office hours on, no window ever open) the visitor may leave
    s.put_office_hours(
        ADMIN,
        &protocol::helpdesk::OfficeHours {
            enabled: true,
            time_zone: "Europe/Berlin".into(),
            weekly: vec![],
            holidays: vec![],
        },
    )
    .unwrap();
    assert_eq!(s.office_hours().unwrap().time_zone, "Europe/Berlin");
    let ended = s.end(&w, c.id).unwrap();
    assert!(!ended.was_waiting);
    // and nobody ends someone else's chat
    let x = s.create_visitor("Xi").unwrap();
    let (_, c, _) = say(s, &x, "m1", None);
    assert_eq!(denied(s.end(&v, c.id)), Denied::NotFound);
}

pub fn an_agent_starts_a_chat_with_a_present_contact(s: &impl Store) {
    let ada = agent(s, "Ada");
    let carla = sign_in(s, &statement("c1", "acme", "Carla Díaz"), None, "v_c").unwrap();
    s.put_ticket(
        ADMIN,
        "T-1",
        &ticket_input("c1", "Grinder", TicketStatus::Open),
    )
    .unwrap();
    s.put_ticket(
        ADMIN,
        "T-2",
        &ticket_input("c1", "Old", TicketStatus::Closed),
    )
    .unwrap();
    s.put_contact(ADMIN, "c9", &contact_input("acme", "Never", None))
        .unwrap();
    let here = |_| true;
    let away = |_| false;
    assert_eq!(
        denied(s.push_chat(&ada, "nobody", None, &here)),
        Denied::NotFound
    );
    assert_eq!(
        denied(s.push_chat(&ada, "c1", None, &away)),
        Denied::ContactOffline("Carla Díaz".into())
    );
    assert_eq!(
        denied(s.push_chat(&ada, "c9", None, &here)),
        Denied::ContactOffline("Never".into()),
        "a contact who never signed in has no tab open"
    );
    assert_eq!(
        denied(s.push_chat(&carla.me, "c1", None, &here)),
        Denied::Forbidden,
        "agents only"
    );
    assert!(
        matches!(
            s.push_chat(&ada, "c1", Some("T-2"), &here),
            Err(StoreError::Invalid(_))
        ),
        "a closed ticket is not one to chat about"
    );
    // nothing was made by the refusals
    assert!(s.welcome_conversations(&carla.me).unwrap().is_empty());

    let pushed = s.push_chat(&ada, "c1", Some("T-1"), &here).unwrap();
    let c = &pushed.conversation;
    assert_eq!(c.status, ConversationStatus::Active);
    assert_eq!(c.visitor, carla.me);
    assert_eq!(
        c.agents.iter().map(|a| &a.name).collect::<Vec<_>>(),
        ["Ada"]
    );
    assert_eq!(c.last_seq, 1);
    assert_eq!(pushed.system_message.kind, MessageKind::System);
    assert_eq!(
        pushed.system_message.body,
        "Ada invited Carla Díaz to chat about ticket T-1: Grinder"
    );
    assert_eq!(
        pushed.history.messages,
        std::slice::from_ref(&pushed.system_message)
    );
    assert_eq!(
        pushed.ticket.as_ref().map(|t| t.number.as_str()),
        Some("T-1")
    );
    assert_eq!(
        s.conversation_tickets(&[c.id]).unwrap()[0].1.number,
        "T-1",
        "linked"
    );
    // both ends resume it, and the contact's messages go to it
    assert_eq!(s.welcome_conversations(&carla.me).unwrap()[0].id, c.id);
    assert_eq!(s.welcome_conversations(&ada).unwrap()[0].id, c.id);
    let (_, to, created) = say(s, &carla.me, "m1", None);
    assert_eq!((to.id, created), (c.id, false));
    // one open chat per contact
    let grace = agent(s, "Grace");
    assert_eq!(
        denied(s.push_chat(&grace, "c1", None, &here)),
        Denied::ContactBusy("Carla Díaz".into())
    );
    s.end(&ada, c.id).unwrap();
    // chat switched off for her: refused, whatever her presence
    s.put_contact(
        ADMIN,
        "c1",
        &contact_input("acme", "Carla Díaz", Some(false)),
    )
    .unwrap();
    assert_eq!(
        denied(s.push_chat(&grace, "c1", None, &here)),
        Denied::ChatDisabled
    );
    s.put_contact(ADMIN, "c1", &contact_input("acme", "Carla Díaz", None))
        .unwrap();
    let again = s.push_chat(&grace, "c1", None, &here).unwrap();
    assert_eq!(
        again.system_message.body,
        "Grace invited Carla Díaz to chat"
    );
    assert_eq!(again.ticket, None);
}
