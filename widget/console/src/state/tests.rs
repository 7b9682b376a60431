//! The console's rules on plain data: a `Vec<Pane>` stands in for the signals.

use livechat_client::testing::*;
use protocol::{ConversationId, ConversationStatus, ErrorCode, PROTOCOL_VERSION, ServerMsg};
use wasm_bindgen_test::*;

use super::*;

wasm_bindgen_test_configure!(run_in_browser);

fn signed_in() -> (Desk, Vec<Pane>) {
    let mut desk = Desk::default();
    let mut panes = Vec::new();
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Welcome {
            protocol: PROTOCOL_VERSION,
            me: ada(),
            conversations: vec![conversation(1, ConversationStatus::Active, "Marta")],
        },
    );
    (desk, panes)
}

fn refused(code: ErrorCode) -> ServerMsg {
    ServerMsg::Error {
        code,
        message: code.as_str().into(),
        client_id: None,
    }
}

#[wasm_bindgen_test]
fn messages_touch_only_their_pane_and_mark_it_unread_unless_open() {
    let (mut desk, mut panes) = signed_in();
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Accepted {
            conversation: conversation(2, ConversationStatus::Active, "Bob"),
        },
    );
    assert_eq!(desk.selected, Some(ConversationId(2)));
    let to = |conv, id| ServerMsg::Message {
        message: text(id, conv, id, marta(), "hi"),
    };
    let applied = apply(&mut desk, &mut panes, to(1, 10));
    assert!(!applied.desk_changed);
    assert!(applied.unread, "news in a chat that is not open");
    assert!(
        !apply(&mut desk, &mut panes, to(1, 10)).unread,
        "a replay is no news"
    );
    apply(&mut desk, &mut panes, to(1, 12));
    assert_eq!((panes[0].unread, panes[1].unread), (2, 0), "counted");
    let applied = apply(&mut desk, &mut panes, to(2, 11));
    assert!(!applied.desk_changed && !applied.unread);
    assert_eq!(panes[1].unread, 0, "open chat");
    // My own message from another tab is nothing to catch up on.
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Message {
            message: text(13, 1, 13, ada(), "from my other tab"),
        },
    );
    assert_eq!(panes[0].unread, 2);
    select(&mut desk, &mut panes, ConversationId(1));
    assert_eq!(panes[0].unread, 0);
}

#[wasm_bindgen_test]
fn a_lost_race_names_the_winner_and_swallows_one_refusal() {
    let (mut desk, mut panes) = signed_in();
    desk.start_accept(ConversationId(5));
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::RequestRemoved {
            conversation_id: ConversationId(5),
            accepted_by: Some(grace()),
            abandoned: false,
        },
    );
    assert_eq!(
        desk.alert.as_deref(),
        Some("Grace accepted this chat first")
    );
    assert!(desk.accepting.is_empty());
    desk.alert = None;
    apply(&mut desk, &mut panes, refused(ErrorCode::NotFound));
    assert_eq!(desk.alert, None, "expected refusal");
    apply(&mut desk, &mut panes, refused(ErrorCode::NotFound));
    assert_eq!(
        desk.alert.as_deref(),
        Some("not_found"),
        "the next one shows"
    );
}

#[wasm_bindgen_test]
fn a_request_withdrawn_while_accepting_says_so() {
    let (mut desk, mut panes) = signed_in();
    desk.start_accept(ConversationId(5));
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::RequestRemoved {
            conversation_id: ConversationId(5),
            accepted_by: None,
            abandoned: false,
        },
    );
    assert_eq!(desk.alert.as_deref(), Some(NO_LONGER_WAITING));
}

#[wasm_bindgen_test]
fn unauthorized_resets_everything() {
    let (mut desk, mut panes) = signed_in();
    let applied = apply(&mut desk, &mut panes, refused(ErrorCode::Unauthorized));
    assert!(applied.lost_session);
    assert_eq!(desk, Desk::default());
    assert!(panes.is_empty());
}

#[wasm_bindgen_test]
fn a_reset_history_replaces_the_panes_lines() {
    let (mut desk, mut panes) = signed_in();
    let history = |seqs: std::ops::RangeInclusive<i64>, reset| ServerMsg::History {
        conversation_id: ConversationId(1),
        messages: seqs.map(|s| text(s, 1, s, marta(), "x")).collect(),
        reset,
        more: false,
    };
    apply(&mut desk, &mut panes, history(1..=9, false));
    panes[0]
        .chat
        .add_pending("c1".into(), "unsent".into(), None, 0);
    apply(&mut desk, &mut panes, history(1..=4, true));
    let seqs: Vec<i64> = panes[0].chat.lines.iter().map(|l| l.seq).collect();
    assert_eq!(
        seqs,
        [1, 2, 3, 4, 0],
        "the server's lines, then my unsent one"
    );
}

fn private_note(
    id: i64,
    conv: i64,
    after_seq: i64,
    author: protocol::Participant,
    client_id: &str,
) -> PrivateNote {
    PrivateNote {
        id,
        conversation_id: ConversationId(conv),
        after_seq,
        author,
        body: format!("note {client_id}"),
        client_id: client_id.into(),
        sent_at: 1_700_000_000_000,
    }
}

#[wasm_bindgen_test]
fn my_pending_note_becomes_the_stored_one_and_a_snapshot_adds_no_copies() {
    let (mut desk, mut panes) = signed_in();
    panes[0].add_pending_note("n1".into(), "note n1".into());
    assert_eq!(panes[0].notes.len(), 1);
    assert!(panes[0].notes[0].stored.is_none());
    let stored = private_note(7, 1, 0, ada(), "n1");
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Note {
            note: stored.clone(),
        },
    );
    assert_eq!(panes[0].notes.len(), 1, "replaced, not added");
    assert_eq!(panes[0].notes[0].stored.as_ref(), Some(&stored));
    assert_eq!(panes[0].unread, 0, "my own note");
    // the snapshot after a reconnect: the same note, plus a colleague's
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Notes {
            conversation_id: ConversationId(1),
            notes: vec![stored, private_note(8, 1, 0, grace(), "g1")],
        },
    );
    assert_eq!(panes[0].notes.len(), 2);
}

#[wasm_bindgen_test]
fn a_colleagues_note_marks_a_chat_unread_and_a_refused_note_says_why() {
    let (mut desk, mut panes) = signed_in();
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Note {
            note: private_note(9, 1, 0, grace(), "g2"),
        },
    );
    assert_eq!(panes[0].unread, 1, "not the open chat");
    panes[0].add_pending_note("n3".into(), "note n3".into());
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Error {
            code: ErrorCode::ConversationEnded,
            message: "the conversation has ended".into(),
            client_id: Some("n3".into()),
        },
    );
    let failed = panes[0].notes.iter().find(|n| n.client_id == "n3").unwrap();
    assert_eq!(failed.failed.as_deref(), Some("the chat has ended"));
}

#[wasm_bindgen_test]
fn quiet_for_the_teams_time_shows_me_away_and_activity_brings_me_back() {
    use protocol::presence::AgentStatus;
    let mut desk = Desk {
        away_after_secs: 60,
        ..Desk::default()
    };
    assert!(!desk.goes_away(59_000.0));
    assert!(desk.goes_away(60_000.0));
    assert_eq!(
        (desk.status, desk.auto_away, desk.online),
        (AgentStatus::Away, true, false)
    );
    assert!(!desk.goes_away(120_000.0), "once");
    assert!(desk.comes_back());
    assert_eq!((desk.status, desk.online), (AgentStatus::Online, true));
    assert!(!desk.comes_back(), "nothing to come back from");
    // a chosen status is left alone: busy agents are not made away, nor brought back online
    desk.set_status(AgentStatus::Busy);
    assert!(!desk.goes_away(1e9));
    assert!(!desk.comes_back());
    assert_eq!(desk.status, AgentStatus::Busy);
}

#[wasm_bindgen_test]
fn the_chat_log_copies_as_plain_lines_with_time_and_author() {
    let mut chat = livechat_client::chat::Chat::default();
    chat.insert(text(1, 1, 1, marta(), "hello <b>"));
    chat.insert(system(2, 1, 2, "Ada joined the chat"));
    chat.insert(text(3, 1, 3, ada(), "Hi Marta"));
    chat.add_pending("c9".into(), "not sent yet".into(), None, 0);
    let copied = crate::alerts::transcript(&chat.lines);
    let lines: Vec<&str> = copied.lines().collect();
    assert_eq!(lines.len(), 3, "stored lines only: {copied}");
    assert!(lines[0].ends_with("] Marta: hello <b>"), "{}", lines[0]);
    assert!(lines[1].ends_with("] Ada joined the chat"), "{}", lines[1]);
    assert!(lines[2].starts_with('[') && lines[2].ends_with("] Ada: Hi Marta"));
}

#[wasm_bindgen_test]
fn the_chat_log_copies_the_choices_offered_with_a_message_on_its_line() {
    let mut chat = livechat_client::chat::Chat::default();
    chat.insert(protocol::Message {
        options: vec!["Laptop Pro".into(), "Laptop Air".into()],
        ..text(1, 1, 1, ada(), "Which model is it?")
    });
    chat.insert(text(2, 1, 2, marta(), "Laptop Air"));
    let copied = crate::alerts::transcript(&chat.lines);
    let lines: Vec<&str> = copied.lines().collect();
    assert_eq!(lines.len(), 2, "{copied}");
    assert!(
        lines[0].ends_with("] Ada: Which model is it? [choices: Laptop Pro / Laptop Air]"),
        "{}",
        lines[0]
    );
    // A line without choices says nothing of them.
    assert!(lines[1].ends_with("] Marta: Laptop Air"), "{}", lines[1]);
}

#[wasm_bindgen_test]
fn typing_shows_in_its_pane_until_the_message_arrives() {
    let (mut desk, mut panes) = signed_in();
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Typing {
            conversation_id: ConversationId(1),
            name: "Marta".into(),
        },
    );
    assert_eq!(
        panes[0].typing.as_ref().map(|t| t.0.as_str()),
        Some("Marta")
    );
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Message {
            message: text(5, 1, 1, marta(), "hi"),
        },
    );
    assert_eq!(panes[0].typing, None);
}

#[wasm_bindgen_test]
fn a_pane_knows_when_it_last_moved_and_its_last_line() {
    let (_, mut panes) = signed_in();
    let pane = &mut panes[0];
    assert_eq!(
        pane.updated_at(),
        pane.conversation.created_at,
        "nothing said yet"
    );
    assert_eq!(pane.preview(), "");
    pane.chat.insert(text(1, 1, 1, marta(), "first"));
    pane.chat.insert(text(
        2,
        1,
        3,
        marta(),
        "a long\nquestion about the printer on the second floor that jams",
    ));
    pane.chat.insert(system(3, 1, 2, "Ada joined the chat"));
    assert_eq!(pane.updated_at(), 1_700_000_003_000, "the newest line");
    assert_eq!(
        pane.preview(),
        "a long question about the printer on the second floor that…"
    );
    assert!(pane.preview().chars().count() <= PREVIEW_CHARS + 1);
    assert_eq!(truncate("short", 10), "short");
    assert_eq!(pane.kind(), ChatKind::Live);
}

fn invitation(id: i64, conv: i64, from: protocol::Participant, transfer: bool) -> Invitation {
    Invitation {
        id,
        conversation_id: ConversationId(conv),
        visitor: "Marta".into(),
        from,
        invitee: Invitee::Agent(protocol::AgentId(8)),
        invitee_name: "Grace".into(),
        transfer,
        created_at: 1_700_000_000_000 + id,
    }
}

#[wasm_bindgen_test]
fn invitations_are_kept_by_id_announced_when_new_for_me_and_closed_once() {
    let (mut desk, mut panes) = signed_in();
    let to_me = invitation(3, 5, grace(), true);
    let applied = apply(
        &mut desk,
        &mut panes,
        ServerMsg::Invitation {
            invitation: to_me.clone(),
        },
    );
    assert!(applied.desk_changed);
    assert_eq!(
        desk.announcement.as_deref(),
        Some("Grace invites you to the chat with Marta (transfer)")
    );
    // the same frame again (a reconnect's replay) changes nothing
    desk.announcement = None;
    let again = apply(
        &mut desk,
        &mut panes,
        ServerMsg::Invitation {
            invitation: to_me.clone(),
        },
    );
    assert!(!again.desk_changed);
    assert_eq!(desk.announcement, None, "said once");
    // mine: pending in my chat, not one to answer, not announced
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Invitation {
            invitation: invitation(4, 1, ada(), false),
        },
    );
    assert_eq!(desk.announcement, None);
    assert_eq!(desk.incoming_invitations(), vec![to_me]);
    assert_eq!(desk.my_invitation(ConversationId(1)).map(|i| i.id), Some(4));
    assert_eq!(desk.my_invitation(ConversationId(5)), None);
    // declined: the alert names who; an invitation to me closing says nothing
    let closed = |id, outcome| ServerMsg::InvitationClosed {
        id,
        conversation_id: ConversationId(1),
        outcome,
        by: Some(grace()),
    };
    apply(
        &mut desk,
        &mut panes,
        closed(4, InvitationOutcome::Declined),
    );
    assert_eq!(
        desk.alert.as_deref(),
        Some("Grace declined your invitation")
    );
    desk.dismiss_alert();
    apply(
        &mut desk,
        &mut panes,
        closed(3, InvitationOutcome::Declined),
    );
    assert_eq!(desk.alert, None);
    assert!(desk.invitations.is_empty());
    assert!(
        !apply(
            &mut desk,
            &mut panes,
            closed(3, InvitationOutcome::Cancelled)
        )
        .desk_changed,
        "already gone"
    );
    // a new welcome: the server sends the pending ones again
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Invitation {
            invitation: invitation(5, 1, grace(), false),
        },
    );
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Welcome {
            protocol: PROTOCOL_VERSION,
            me: ada(),
            conversations: vec![],
        },
    );
    assert!(desk.invitations.is_empty());
}

#[wasm_bindgen_test]
fn a_late_accept_offers_the_chat_it_lost_and_joining_ends_the_offer() {
    let (mut desk, mut panes) = signed_in();
    desk.start_accept(ConversationId(5));
    desk.start_accept(ConversationId(6));
    let late = |name: &str| ServerMsg::Error {
        code: ErrorCode::AlreadyAccepted,
        message: format!("{name} already accepted this chat"),
        client_id: None,
    };
    // no request_removed came first: the oldest unanswered accept
    apply(&mut desk, &mut panes, late("Grace"));
    assert_eq!(
        desk.alert.as_deref(),
        Some("Grace already accepted this chat")
    );
    assert_eq!(desk.join_offer, Some(ConversationId(5)));
    assert_eq!(desk.accepting, vec![ConversationId(6)]);
    // the race for 6: request_removed names the winner and offers it; the refusal keeps it
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::RequestRemoved {
            conversation_id: ConversationId(6),
            accepted_by: Some(grace()),
            abandoned: false,
        },
    );
    assert_eq!(desk.join_offer, Some(ConversationId(6)));
    apply(&mut desk, &mut panes, late("Grace"));
    assert_eq!(desk.join_offer, Some(ConversationId(6)));
    assert_eq!(desk.quiet_refusals, 0, "that was the expected refusal");
    // joined: the chat opens and the offer is done
    let mut joined = conversation(6, ConversationStatus::Active, "Bob");
    joined.agents = vec![grace(), ada()];
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Accepted {
            conversation: joined,
        },
    );
    assert_eq!((desk.alert.clone(), desk.join_offer), (None, None));
    assert_eq!(desk.selected, Some(ConversationId(6)));
    // another alert never carries an old offer
    desk.join_offer = Some(ConversationId(9));
    desk.show_alert("The callback could not be marked done.");
    assert_eq!(desk.join_offer, None);
    // an old server's bare code: the generic text, still an offer when an accept was pending
    desk.start_accept(ConversationId(7));
    apply(&mut desk, &mut panes, refused(ErrorCode::AlreadyAccepted));
    assert_eq!(desk.alert.as_deref(), Some(ALREADY_ACCEPTED));
    assert_eq!(desk.join_offer, Some(ConversationId(7)));
}

#[wasm_bindgen_test]
fn a_chat_i_left_stays_read_only_and_a_rejoin_reopens_it() {
    let (mut desk, mut panes) = signed_in();
    let with = |agents: Vec<protocol::Participant>| {
        let mut c = conversation(1, ConversationStatus::Active, "Marta");
        c.agents = agents;
        ServerMsg::Conversation { conversation: c }
    };
    apply(&mut desk, &mut panes, with(vec![ada(), grace()]));
    assert!(!panes[0].left && !panes[0].closed());
    apply(&mut desk, &mut panes, with(vec![grace()]));
    assert!(panes[0].left && panes[0].closed() && !panes[0].ended());
    // invited back in later
    let mut back = conversation(1, ConversationStatus::Active, "Marta");
    back.agents = vec![grace(), ada()];
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Accepted { conversation: back },
    );
    assert!(!panes[0].closed());
    // a chat I was never in is not mine to show
    let mut other = conversation(9, ConversationStatus::Active, "Bob");
    other.agents = vec![grace()];
    apply(
        &mut desk,
        &mut panes,
        ServerMsg::Conversation {
            conversation: other,
        },
    );
    assert_eq!(panes.len(), 1);
}
