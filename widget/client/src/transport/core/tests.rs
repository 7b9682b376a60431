//! The transport's rules, driven event by event as the browser shell would.

use protocol::{ClientMsg, ConversationId, Cursor, ErrorCode, PROTOCOL_VERSION, ServerMsg};

use super::{Action, Core};
use crate::fixtures::{ada, marta, text};
use crate::transport::{ConnState, Queued};

fn send(id: &str) -> ClientMsg {
    ClientMsg::Send {
        client_id: id.into(),
        conversation_id: None,
        body: format!("body {id}"),
    }
}

fn welcome() -> ServerMsg {
    ServerMsg::Welcome {
        protocol: PROTOCOL_VERSION,
        me: marta(),
        conversations: vec![],
    }
}

fn error(code: ErrorCode, client_id: Option<&str>) -> ServerMsg {
    ServerMsg::Error {
        code,
        message: String::new(),
        client_id: client_id.map(Into::into),
    }
}

fn ack(id: &str, seq: i64) -> ServerMsg {
    let mut message = text(100 + seq, 3, seq, marta(), "x");
    message.client_id = Some(id.into());
    ServerMsg::Ack {
        client_id: id.into(),
        message,
    }
}

fn live(seq: i64) -> ServerMsg {
    ServerMsg::Message {
        message: text(100 + seq, 3, seq, ada(), "x"),
    }
}

/// The frames among `actions`, in order.
fn writes(actions: &[Action]) -> Vec<ClientMsg> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Write(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

/// A core that connected, opened its socket and got `welcome`.
fn ready() -> Core {
    let mut core = Core::default();
    core.connect("tok".into());
    core.opened();
    core.received(&welcome());
    core
}

fn queued_ids(core: &Core) -> Vec<&str> {
    core.queued().iter().map(|q| q.client_id.as_str()).collect()
}

#[test]
fn connect_opens_and_hello_carries_token_and_cursors() {
    let mut core = Core::default();
    assert_eq!(
        core.connect("tok".into()),
        [Action::Status(ConnState::Connecting), Action::Open]
    );
    assert_eq!(
        writes(&core.opened()),
        [ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            token: "tok".into(),
            cursors: vec![],
        }]
    );
    core.received(&ServerMsg::History {
        conversation_id: ConversationId(3),
        reset: false,
        more: false,
        messages: vec![text(1, 3, 1, marta(), "a"), text(2, 3, 2, ada(), "b")],
    });
    core.closed(0.0);
    core.retry_due();
    let Some(ClientMsg::Hello { cursors, .. }) = writes(&core.opened()).pop() else {
        panic!("no hello");
    };
    assert_eq!(
        cursors,
        [Cursor {
            conversation_id: ConversationId(3),
            last_seq: 2
        }]
    );
}

#[test]
fn queued_sends_go_out_in_order_after_welcome_and_not_before() {
    let mut core = Core::new(vec![Queued {
        client_id: "saved".into(),
        conversation_id: None,
        body: "body saved".into(),
    }]);
    // Written while offline: queued and persisted, nothing on the wire.
    assert_eq!(core.send(send("a")), [Action::SaveOutbox]);
    core.connect("tok".into());
    assert_eq!(
        core.send(send("b")),
        [Action::SaveOutbox],
        "connecting is not ready"
    );
    let hello = core.opened();
    assert!(
        matches!(writes(&hello)[..], [ClientMsg::Hello { .. }]),
        "only hello before welcome"
    );
    assert_eq!(
        core.send(send("c")),
        [Action::SaveOutbox],
        "open but no welcome yet"
    );
    let on_welcome = core.received(&welcome());
    assert_eq!(on_welcome[0], Action::Status(ConnState::Online));
    // One at a time, in order: each goes when the one before is answered.
    assert_eq!(
        writes(&on_welcome),
        [ClientMsg::Send {
            client_id: "saved".into(),
            conversation_id: None,
            body: "body saved".into(),
        }]
    );
    let mut written = Vec::new();
    for (seq, id) in [(1, "saved"), (2, "a"), (3, "b")] {
        written.extend(writes(&core.received(&ack(id, seq))));
    }
    assert_eq!(written, [send("a"), send("b"), send("c")]);
    // Once ready with nothing on its way, a send is queued and written at once.
    core.received(&ack("c", 4));
    assert_eq!(
        core.send(send("d")),
        [Action::SaveOutbox, Action::Write(send("d"))]
    );
    assert_eq!(
        core.send(send("e")),
        [Action::SaveOutbox],
        "behind d, which is not answered yet"
    );
}

#[test]
fn unacknowledged_sends_are_sent_again_after_a_reconnect() {
    let mut core = ready();
    core.send(send("a"));
    core.send(send("b"));
    core.received(&ack("a", 1));
    // b is on its way when the connection drops
    let closed = core.closed(0.0);
    assert_eq!(
        closed[..2],
        [Action::Close, Action::Status(ConnState::Offline)]
    );
    assert!(matches!(closed[2], Action::RetryIn(250)), "{closed:?}");
    assert!(writes(&core.retry_due()).is_empty());
    assert_eq!(
        writes(&core.send(send("c"))),
        [],
        "not ready again until welcome"
    );
    core.opened();
    assert_eq!(writes(&core.received(&welcome())), [send("b")]);
    assert_eq!(writes(&core.received(&ack("b", 2))), [send("c")]);
}

#[test]
fn acks_remove_from_the_outbox_and_persist() {
    let mut core = ready();
    core.send(send("a"));
    core.send(send("b"));
    assert_eq!(
        core.received(&ack("a", 1)),
        [Action::SaveOutbox, Action::Write(send("b"))]
    );
    assert_eq!(queued_ids(&core), ["b"]);
    assert_eq!(
        core.received(&ack("a", 1)),
        [],
        "a repeated ack changes nothing"
    );
}

#[test]
fn a_message_that_skips_ahead_asks_for_the_gap_once() {
    let mut core = ready();
    assert!(core.received(&live(1)).is_empty());
    assert!(core.received(&live(2)).is_empty());
    assert_eq!(
        core.received(&live(5)),
        [Action::Write(ClientMsg::Sync {
            conversation_id: ConversationId(3),
            after_seq: 2,
        })]
    );
    // The gap's messages arrive (in any order), then the next live one: no second sync.
    for seq in [4, 3, 6] {
        assert!(core.received(&live(seq)).is_empty(), "seq {seq}");
    }
    // An ack that skips ahead (others wrote meanwhile) is a gap too.
    core.send(send("a"));
    assert_eq!(
        writes(&core.received(&ack("a", 9))),
        [ClientMsg::Sync {
            conversation_id: ConversationId(3),
            after_seq: 6,
        }]
    );
}

#[test]
fn a_refused_send_leaves_the_outbox_and_the_next_one_goes() {
    let mut core = ready();
    core.send(send("too-long"));
    core.send(send("next"));
    assert_eq!(
        core.received(&error(ErrorCode::InvalidInput, Some("too-long"))),
        [Action::SaveOutbox, Action::Write(send("next"))]
    );
    assert_eq!(queued_ids(&core), ["next"]);
}

#[test]
fn a_send_refused_for_rate_or_a_server_failure_waits_and_goes_again_in_order() {
    for code in [ErrorCode::RateLimited, ErrorCode::Internal] {
        let mut core = ready();
        for id in ["a", "b", "c"] {
            core.send(send(id));
        }
        core.received(&ack("a", 1));
        // b is refused: kept, nothing written, a pause begins
        assert_eq!(
            core.received(&error(code, Some("b"))),
            [Action::RetryIn(super::RETRY_SEND_MS)],
            "{code:?}"
        );
        assert_eq!(queued_ids(&core), ["b", "c"]);
        assert_eq!(core.send(send("d")), [Action::SaveOutbox], "paused");
        // the pause ends: b again, and c only after b
        assert_eq!(writes(&core.retry_due()), [send("b")]);
        assert_eq!(writes(&core.received(&ack("b", 2))), [send("c")]);
        assert_eq!(writes(&core.received(&ack("c", 3))), [send("d")]);
    }
}

#[test]
fn a_close_during_a_send_pause_reconnects_and_resends() {
    let mut core = ready();
    core.send(send("a"));
    core.received(&error(ErrorCode::RateLimited, Some("a")));
    let closed = core.closed(0.0);
    assert!(matches!(closed[2], Action::RetryIn(250)), "{closed:?}");
    // the timer that fires now is the reconnect, not the end of the pause
    assert_eq!(
        core.retry_due(),
        [Action::Status(ConnState::Connecting), Action::Open]
    );
    core.opened();
    assert_eq!(writes(&core.received(&welcome())), [send("a")]);
}

#[test]
fn a_rejected_credential_stops_reconnecting() {
    for code in [ErrorCode::Unauthorized, ErrorCode::UnsupportedVersion] {
        let mut core = ready();
        assert_eq!(
            core.received(&error(code, None)),
            [Action::Close, Action::Status(ConnState::Offline)]
        );
        assert_eq!(
            core.closed(0.5),
            [],
            "{code}: the close that follows is expected"
        );
        assert_eq!(core.retry_due(), [], "{code}");
        assert_eq!(core.network_online(), [], "{code}");
        assert_eq!(
            core.send(send("late")),
            [Action::SaveOutbox],
            "{code}: queued, not written"
        );
    }
}

#[test]
fn other_errors_without_a_send_keep_the_connection() {
    let mut core = ready();
    assert_eq!(core.received(&error(ErrorCode::NotFound, None)), []);
    assert_eq!(
        core.send(send("a")),
        [Action::SaveOutbox, Action::Write(send("a"))]
    );
}

#[test]
fn closes_back_off_and_welcome_resets_the_backoff() {
    let mut core = Core::default();
    core.connect("tok".into());
    let delays: Vec<_> = (0..3)
        .map(|_| {
            let d = core.closed(0.0).pop();
            core.retry_due();
            d
        })
        .collect();
    assert_eq!(
        delays,
        [
            Some(Action::RetryIn(250)),
            Some(Action::RetryIn(500)),
            Some(Action::RetryIn(1000))
        ]
    );
    core.opened();
    core.received(&welcome());
    assert_eq!(core.closed(0.0).pop(), Some(Action::RetryIn(250)));
}

#[test]
fn a_failing_socket_is_handled_once() {
    let mut core = ready();
    assert_eq!(core.closed(0.0).len(), 3, "error event");
    assert_eq!(core.closed(0.0), [], "the close event after it");
}

#[test]
fn the_network_coming_back_reconnects_at_once_unless_ready() {
    let mut core = ready();
    assert_eq!(core.network_online(), []);
    core.closed(0.0);
    assert_eq!(
        core.network_online(),
        [Action::Status(ConnState::Connecting), Action::Open]
    );
}

#[test]
fn disconnect_forgets_token_outbox_and_cursors() {
    let mut core = ready();
    core.send(send("a"));
    core.received(&live(1));
    assert_eq!(
        core.disconnect(),
        [
            Action::Close,
            Action::SaveOutbox,
            Action::Status(ConnState::Offline)
        ]
    );
    assert!(core.queued().is_empty());
    assert_eq!(core.closed(0.0), []);
    assert_eq!(core.retry_due(), []);
    core.connect("other".into());
    let Some(ClientMsg::Hello { token, cursors, .. }) = writes(&core.opened()).pop() else {
        panic!("no hello");
    };
    assert_eq!((token.as_str(), cursors.len()), ("other", 0));
}

#[test]
fn frames_other_than_send_are_dropped_while_not_ready() {
    let mut core = Core::default();
    core.connect("tok".into());
    assert_eq!(core.send(ClientMsg::SetOnline { online: true }), []);
}

fn history(seqs: std::ops::RangeInclusive<i64>, reset: bool, more: bool) -> ServerMsg {
    ServerMsg::History {
        conversation_id: ConversationId(3),
        messages: seqs.map(|s| text(100 + s, 3, s, ada(), "x")).collect(),
        reset,
        more,
    }
}

/// The cursors the next `hello` carries.
fn hello_cursors(core: &mut Core) -> Vec<(ConversationId, i64)> {
    core.closed(0.0);
    core.retry_due();
    let Some(ClientMsg::Hello { cursors, .. }) = writes(&core.opened()).pop() else {
        panic!("no hello");
    };
    cursors
        .iter()
        .map(|c| (c.conversation_id, c.last_seq))
        .collect()
}

#[test]
fn a_reset_history_replaces_the_cursor_instead_of_keeping_phantom_seqs() {
    let mut core = ready();
    // We hold up to seq 9 (say, from before the server lost its newest messages).
    core.received(&history(1..=9, false, false));
    // The server could not honour that: it starts again with what it has, up to seq 4.
    assert!(core.received(&history(1..=4, true, false)).is_empty());
    assert_eq!(
        hello_cursors(&mut core),
        [(ConversationId(3), 4)],
        "the cursor follows the server, not our phantom seq 9"
    );
    // A live message right after the server's last is no gap.
    core.opened();
    core.received(&welcome());
    assert!(core.received(&live(5)).is_empty());
    // A reset of an empty conversation leaves no cursor at all: the next hello gets it whole.
    core.received(&ServerMsg::History {
        conversation_id: ConversationId(3),
        messages: vec![],
        reset: true,
        more: false,
    });
    assert_eq!(hello_cursors(&mut core), []);
}

#[test]
fn a_history_page_that_says_more_asks_for_the_next_page() {
    let mut core = ready();
    assert_eq!(
        writes(&core.received(&history(1..=100, false, true))),
        [ClientMsg::Sync {
            conversation_id: ConversationId(3),
            after_seq: 100,
        }]
    );
    assert_eq!(
        writes(&core.received(&history(101..=200, false, true))),
        [ClientMsg::Sync {
            conversation_id: ConversationId(3),
            after_seq: 200,
        }]
    );
    assert!(
        writes(&core.received(&history(201..=205, false, false))).is_empty(),
        "the last page asks for nothing"
    );
    assert_eq!(hello_cursors(&mut core), [(ConversationId(3), 205)]);
}
