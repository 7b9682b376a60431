//! Resuming (scenario 14): cursors the server cannot honour are answered with an explicit
//! reset, and a long history comes in pages the client asks for with `sync`.

use protocol::{ClientMsg, ConversationId, Cursor, HISTORY_PAGE, Message, Seq, ServerMsg};

use crate::support::*;

fn seqs(messages: &[Message]) -> Vec<Seq> {
    messages.iter().map(|m| m.seq).collect()
}

fn cursor(conversation_id: ConversationId, last_seq: Seq) -> Cursor {
    Cursor {
        conversation_id,
        last_seq,
    }
}

/// The next frame must be a `history` of `conversation`: its messages and its two flags.
async fn page(c: &mut Client, conversation: ConversationId) -> (Vec<Message>, bool, bool) {
    match c.recv().await {
        ServerMsg::History {
            conversation_id,
            messages,
            reset,
            more,
        } if conversation_id == conversation => (messages, reset, more),
        other => panic!("expected a history of {conversation:?}, got {other:?}"),
    }
}

async fn sync(c: &mut Client, conversation_id: ConversationId, after_seq: Seq) {
    c.send(&ClientMsg::Sync {
        conversation_id,
        after_seq,
    })
    .await;
}

/// A visitor's conversation with `n` messages of theirs; returns the token and the id.
async fn conversation_of(srv: &TestServer, name: &str, n: usize) -> (String, ConversationId) {
    let v = srv.visitor(name).await;
    let mut s = srv.connect(&v.token, vec![]).await;
    let mut conv = None;
    for i in 0..n {
        let m =
            s.c.say_acked(&format!("m{i}"), None, &format!("line {i}"))
                .await;
        conv = Some(m.conversation_id);
    }
    s.c.close().await;
    (v.token, conv.expect("at least one message"))
}

fn unlimited(c: &mut livechat_server::Config) {
    c.sends_per_second = 100_000;
    c.send_burst = 100_000;
}

#[tokio::test]
async fn scenario_14_a_cursor_beyond_the_last_seq_is_answered_with_a_reset() {
    let srv = TestServer::start().await;
    let (token, conv) = conversation_of(&srv, "Phantom", 3).await;

    // A cursor from the future (a restored backup, another server, a bug): the server says so
    // and sends what it has, from the start.
    let again = srv.connect(&token, vec![cursor(conv, 10)]).await;
    assert_eq!(again.reset, [conv], "the cursor is refused explicitly");
    assert_eq!(seqs(&again.histories[0].1), [1, 2, 3]);

    // An honourable cursor is no reset, including one at the very end.
    let fine = srv.connect(&token, vec![cursor(conv, 3)]).await;
    assert!(fine.reset.is_empty());
    assert!(fine.histories[0].1.is_empty());

    // The same on `sync`, for a cursor beyond the end and a negative one.
    let mut s = again.c;
    for after in [4, 99, -1] {
        sync(&mut s, conv, after).await;
        let (messages, reset, more) = page(&mut s, conv).await;
        assert!(reset, "after_seq {after} is answered with a reset");
        assert!(!more);
        assert_eq!(seqs(&messages), [1, 2, 3], "after_seq {after}");
    }
    sync(&mut s, conv, 1).await;
    let (messages, reset, _) = page(&mut s, conv).await;
    assert!(!reset);
    assert_eq!(seqs(&messages), [2, 3]);
    srv.stop().await;
}

#[tokio::test]
async fn a_history_longer_than_a_page_comes_in_pages() {
    let srv = TestServer::start_with(unlimited).await;
    let total = 2 * HISTORY_PAGE + 5;
    let (token, conv) = conversation_of(&srv, "Chatty", total).await;

    // Welcome: the first page, flagged; the client asks for the rest from its last seq.
    let mut s = srv.connect(&token, vec![]).await;
    assert_eq!(s.more, [conv]);
    let first = &s.histories[0].1;
    assert_eq!(seqs(first), (1..=HISTORY_PAGE as Seq).collect::<Vec<_>>());
    sync(&mut s.c, conv, HISTORY_PAGE as Seq).await;
    let (second, reset, more) = page(&mut s.c, conv).await;
    assert!(more && !reset);
    assert_eq!(second.len(), HISTORY_PAGE);
    sync(&mut s.c, conv, 2 * HISTORY_PAGE as Seq).await;
    let (last, _, more) = page(&mut s.c, conv).await;
    assert!(!more, "the last page says no more");
    assert_eq!(last.len(), 5);
    let got: Vec<Message> = [first.clone(), second, last].concat();
    assert_eq!(seqs(&got), (1..=total as Seq).collect::<Vec<_>>());
    assert_eq!(got, srv.stored(&s.conversations[0].visitor, conv).await);

    // Resuming from the middle pages from the cursor on.
    let mid = srv.connect(&token, vec![cursor(conv, 50)]).await;
    assert_eq!(mid.more, [conv]);
    assert_eq!(
        seqs(&mid.histories[0].1),
        (51..=(50 + HISTORY_PAGE) as Seq).collect::<Vec<_>>()
    );
    // A cursor within the last page: one frame, no `more`.
    let tail = srv
        .connect(&token, vec![cursor(conv, total as Seq - 3)])
        .await;
    assert!(tail.more.is_empty());
    assert_eq!(tail.histories[0].1.len(), 3);

    // The agent who accepts gets the first page too, with the same flag.
    let ada = srv.ada().await;
    let mut a = srv.connect(&ada.token, vec![]).await;
    a.c.send(&ClientMsg::Accept {
        conversation_id: conv,
    })
    .await;
    assert!(matches!(a.c.recv().await, ServerMsg::Accepted { .. }));
    let (messages, reset, more) = page(&mut a.c, conv).await;
    assert!(more && !reset);
    assert_eq!(messages.len(), HISTORY_PAGE);
    srv.stop().await;
}
