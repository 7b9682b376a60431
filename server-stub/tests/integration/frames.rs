//! Handshake rules and hostile frames (scenario 10).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use protocol::{ClientMsg, ErrorCode, ServerMsg};

use crate::support::*;

#[tokio::test]
async fn wrong_protocol_version_is_refused() {
    let srv = TestServer::start().await;
    let v = srv.visitor("Old").await;
    let mut c = srv.client().await;
    c.send(&ClientMsg::Hello {
        protocol: 999,
        token: v.token,
        cursors: vec![],
    })
    .await;
    let (code, close) = c.refused().await;
    assert_eq!(code, ErrorCode::UnsupportedVersion);
    assert!(close.is_some());
    srv.stop().await;
}

#[tokio::test]
async fn first_frame_must_be_hello() {
    let srv = TestServer::start().await;
    let mut c = srv.client().await;
    c.send(&ClientMsg::SetOnline { online: true }).await;
    assert_eq!(c.refused().await, (ErrorCode::Unauthorized, Some(1008)));
    let mut c = srv.client().await;
    c.send_raw("not json").await;
    assert_eq!(c.refused().await.0, ErrorCode::Unauthorized);
    srv.stop().await;
}

#[tokio::test]
async fn scenario_10_garbage_frames_get_bad_frame_and_the_server_carries_on() {
    let srv = TestServer::start().await;
    let v = srv.visitor("Fuzz").await;
    let w = srv.visitor("Bystander").await;
    let mut bad = srv.connect(&v.token, vec![]).await;
    let mut good = srv.connect(&w.token, vec![]).await;
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_obj = format!(
        "{{\"type\":\"send\",\"client_id\":\"x\",\"body\":{}1{}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let frames = [
        "garbage",
        "{\"type\":\"send\",\"client_id\":",
        "{\"type\":\"teleport\"}",
        "{\"type\":\"send\",\"client_id\":\"c\",\"body\":\"x\",\"extra\":1}",
        "{\"type\":\"accept\",\"conversation_id\":\"one\"}",
        "{}",
        "[]",
        "null",
        nested.as_str(),
        deep_obj.as_str(),
    ];
    for f in frames {
        bad.c.send_raw(f).await;
        assert_eq!(
            bad.c.expect_error().await.0,
            ErrorCode::BadFrame,
            "frame {:.40}",
            f
        );
    }
    // still open and working
    let m = bad.c.say_acked("ok", None, "after the garbage").await;
    assert_eq!(m.seq, 1);
    // hello again is refused but harmless
    bad.c
        .send(&ClientMsg::Hello {
            protocol: 1,
            token: v.token.clone(),
            cursors: vec![],
        })
        .await;
    assert_eq!(bad.c.expect_error().await.0, ErrorCode::BadFrame);
    // the other client never noticed
    good.c.say_acked("g", None, "fine").await;
    // too many bad frames: closed with 1008
    for _ in 0..25 {
        bad.c.send_raw("x").await;
    }
    let (_, close) = bad.c.until_close().await;
    assert_eq!(u16::from(close.unwrap().code), 1008);
    good.c.say_acked("g2", None, "still fine").await;
    srv.stop().await;
}

#[tokio::test]
async fn scenario_10_oversized_frame_closes_only_that_socket() {
    let srv = TestServer::start().await;
    let v = srv.visitor("Big").await;
    let w = srv.visitor("Small").await;
    let mut big = srv.connect(&v.token, vec![]).await;
    let mut small = srv.connect(&w.token, vec![]).await;
    let huge = format!(
        "{{\"type\":\"send\",\"client_id\":\"b\",\"body\":\"{}\"}}",
        "a".repeat(protocol::MAX_FRAME_BYTES + 10)
    );
    big.c.send_raw(&huge).await;
    let (_, close) = big.c.until_close().await;
    assert_eq!(u16::from(close.expect("close frame").code), 1009);
    small.c.say_acked("s", None, "unaffected").await;
    // and new connections are still served
    let again = srv.connect(&v.token, vec![]).await;
    assert!(
        again.conversations.is_empty(),
        "the oversized message was never stored"
    );
    srv.stop().await;
}

#[tokio::test]
async fn binary_frames_close_with_1003() {
    let srv = TestServer::start().await;
    let v = srv.visitor("Bin").await;
    let mut s = srv.connect(&v.token, vec![]).await;
    s.c.send_binary(vec![1, 2, 3]).await;
    let (_, close) = s.c.until_close().await;
    assert_eq!(u16::from(close.unwrap().code), 1003);
    srv.stop().await;
}

#[tokio::test]
async fn silence_before_hello_is_cut_after_the_timeout() {
    // A short configured timeout, so the suite does not sit out the 10 s default.
    let srv = TestServer::start_with(|c| c.hello_timeout_ms = 300).await;
    let started = std::time::Instant::now();
    let mut c = srv.client().await;
    let (frames, close) = c.until_close_within(Duration::from_secs(5)).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(
        matches!(
            &frames[..],
            [ServerMsg::Error {
                code: ErrorCode::Unauthorized,
                message,
                ..
            }] if message.contains("300 ms")
        ),
        "{frames:?}"
    );
    assert_eq!(u16::from(close.unwrap().code), 1008);
    srv.stop().await;
}

/// Largest TCP receive plus send buffer this machine would ever give one loopback connection:
/// how much of a stuck socket's traffic the kernel could absorb instead of the server's queue.
fn max_tcp_buffers() -> usize {
    let third = |path: &str| -> usize {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|s| s.split_whitespace().nth(2).and_then(|v| v.parse().ok()))
            .unwrap_or(64 << 20)
    };
    third("/proc/sys/net/ipv4/tcp_rmem") + third("/proc/sys/net/ipv4/tcp_wmem")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_too_slow_to_drain_is_disconnected_without_blocking_others() {
    /// The server's per-socket queue (`ws/`).
    const QUEUE: usize = 512;
    /// A bystander round is guaranteed after every this many frames queued for the stuck tab.
    const GATE: usize = 64;
    let srv = TestServer::start_with(|c| {
        c.sends_per_second = 100_000;
        c.send_burst = 100_000;
    })
    .await;
    // The bystanders: Wendy's conversation, accepted by Grace.
    let w = srv.visitor("Wendy").await;
    let grace = srv.grace().await;
    let (mut wendy, mut g, conv) = srv.accepted_chat(&w, &grace).await;

    // Sam writes from one tab; his second tab never reads, through a tiny receive window, so
    // nearly every message fanned out to it waits in the server's queue for that socket.
    let sam = srv.visitor("Sam").await;
    let mut writer = srv.connect(&sam.token, vec![]).await;
    let mut stuck = Client::connect_with_rcvbuf(srv.addr, None, 4096)
        .await
        .unwrap();
    stuck.hello(&sam.token, vec![]).await;
    assert_eq!(srv.hub.socket_count(), 4);

    // ~16 KB frames (4-byte characters); enough of them to overflow the queue even if the
    // kernel buffered as much as it ever could.
    let body = "\u{1F600}".repeat(protocol::MAX_BODY_CHARS);
    let limit = QUEUE + max_tcp_buffers() / body.len() + 2 * GATE;
    let (rounds_tx, mut rounds_rx) = tokio::sync::watch::channel(0usize);
    let filled = Arc::new(AtomicUsize::new(0));
    let hub = srv.hub.clone();
    let fill = tokio::spawn({
        let filled = filled.clone();
        async move {
            for i in 0..limit {
                if hub.socket_count() < 4 {
                    return (i, writer);
                }
                if i > 0 && i % GATE == 0 {
                    // not faster than the bystanders: they talk while the queue fills
                    let want = i / GATE;
                    bounded("a bystander round", rounds_rx.wait_for(|r| *r >= want))
                        .await
                        .unwrap();
                }
                writer.c.say_acked(&format!("s{i}"), None, &body).await;
                filled.store(i + 1, Ordering::SeqCst);
            }
            panic!("{limit} messages and the stuck tab was never cut");
        }
    });

    // The bystanders talk the whole time the stuck tab is being filled, and after.
    let mut rounds = Vec::new();
    let mut during = 0;
    let mut i = 0;
    loop {
        let filling = !fill.is_finished();
        let t = Instant::now();
        let m = wendy
            .c
            .say_acked(&format!("w{}", i + 1), Some(conv), "anyone?")
            .await;
        let acked = t.elapsed();
        assert_eq!(g.c.recv().await, ServerMsg::Message { message: m });
        let r = g.c.say_acked(&format!("g{i}"), Some(conv), "here").await;
        assert_eq!(wendy.c.recv().await, ServerMsg::Message { message: r });
        rounds.push((filled.load(Ordering::SeqCst), acked, t.elapsed()));
        i += 1;
        if filling && !fill.is_finished() {
            during += 1;
            rounds_tx.send_replace(during);
        } else if !filling {
            break;
        }
    }
    let (sent, mut writer) = bounded("the filler", fill).await.unwrap();
    assert!(
        during >= QUEUE / GATE,
        "{during} bystander rounds while the stuck tab filled"
    );
    assert!(
        sent > QUEUE,
        "cut after {sent} messages: before its queue was full"
    );
    assert_eq!(srv.hub.socket_count(), 3, "only the stuck tab was dropped");

    // The stuck tab gets what was already in flight, then the connection ends.
    let got = tokio::time::timeout(STEP * 3, async {
        let mut frames = 0usize;
        loop {
            match stuck.next_raw().await {
                Some(Ok(m)) if m.is_close() => return frames,
                Some(Ok(m)) if m.is_text() => frames += 1,
                Some(Ok(_)) => continue,
                _ => return frames,
            }
        }
    })
    .await
    .expect("the stuck socket was never closed");
    // it was sent the `conversation` frame and one `message` per send
    assert!(
        got < sent + 1,
        "it got everything ({got} frames): it was never cut"
    );
    let w2 = wendy.c.say_acked("after", Some(conv), "still fine").await;
    assert_eq!(g.c.recv().await, ServerMsg::Message { message: w2 });
    writer.c.say_acked("sam-after", None, "and so am I").await;
    let slowest = rounds.iter().map(|r| r.2).max().unwrap_or_default();
    println!(
        "stuck tab cut after {sent} messages; {} bystander rounds, {during} of them while it \
         filled; slowest round {slowest:?}",
        rounds.len()
    );
    srv.stop().await;
}

#[tokio::test]
async fn scenario_10_a_client_still_streaming_an_oversized_frame_gets_1009() {
    let srv = TestServer::start().await;
    let v = srv.visitor("Streamer").await;
    let mut s = srv.connect(&v.token, vec![]).await;
    // Far over the limit, and more than a loopback connection buffers before the client has to
    // wait for the server to read: the client is still writing when the server refuses the
    // frame. A server that then closed without reading would reset the connection under the
    // client's write, and a browser reports a reset as 1006, whatever close frame came first.
    let huge = format!(
        "{{\"type\":\"send\",\"client_id\":\"b\",\"body\":\"{}\"}}",
        "a".repeat(8 << 20)
    );
    let sent = s.c.try_send_text(huge).await;
    assert!(sent.is_ok(), "the write was cut off: {sent:?}");
    let (_, close) = s.c.until_close().await;
    assert_eq!(close.map(|c| u16::from(c.code)), Some(1009));
    srv.stop().await;
}

#[tokio::test]
async fn scenario_12_a_flooder_that_reads_late_keeps_getting_rate_limited_and_is_not_cut() {
    // One send per second after a burst of one: the flood is refused all but entirely.
    let srv = TestServer::start_with(|c| {
        c.sends_per_second = 1;
        c.send_burst = 1;
    })
    .await;
    let f = srv.visitor("Flood").await;
    let grace = srv.grace().await;
    let (v, mut g, conv) = srv.accepted_chat(&f, &grace).await;
    v.c.close().await;
    // The flooder's socket has a tiny receive window and reads nothing until the flood is
    // over, so its refusals pile up in the server's queue for it. Enough sends that the
    // refusals overflow that queue whatever the kernel buffers on the way hold.
    let mut flooder = Client::connect_with_rcvbuf(srv.addr, None, 4096)
        .await
        .unwrap();
    flooder.hello(&f.token, vec![]).await;
    let refusal = r#"{"type":"error","code":"rate_limited","message":"too many messages; slow down","client_id":"f000000"}"#;
    let sends = 512 + max_send_buffer() / refusal.len() + 1000;
    let (mut tx, mut rx) = flooder.split();
    for i in 0..sends {
        tx.try_send(&livechat_testkit::send_msg(
            &format!("f{i:06}"),
            Some(conv),
            "spam",
        ))
        .await
        .unwrap();
    }
    // A marker from the agent, then reading: refusals (and the odd ack) up to the marker, and
    // the socket is still there.
    // (Grace also gets the flood's few accepted sends, before her ack.)
    g.c.say("marker", Some(conv), "still there?").await;
    loop {
        match g.c.recv().await {
            ServerMsg::Ack { client_id, .. } if client_id == "marker" => break,
            ServerMsg::Message { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    let mut limited = 0usize;
    loop {
        match rx.recv().await {
            ServerMsg::Error {
                code: ErrorCode::RateLimited,
                client_id: Some(_),
                ..
            } => limited += 1,
            ServerMsg::Ack { .. } => {}
            ServerMsg::Message { message } if message.body == "still there?" => break,
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(limited > 0, "the flooder was told it is rate limited");
    let mut flooder = Client::reunite(tx, rx);
    flooder.barrier().await;
    // Still served: acked or refused, depending on whether the limiter has refilled by now.
    flooder.say("late", Some(conv), "one more").await;
    match flooder.recv().await {
        ServerMsg::Ack { client_id, .. } => assert_eq!(client_id, "late"),
        ServerMsg::Error {
            code: ErrorCode::RateLimited,
            client_id,
            ..
        } => assert_eq!(client_id.as_deref(), Some("late")),
        other => panic!("unexpected {other:?}"),
    }
    // Grace's and the flooder's (the visitor's first socket closed).
    eventually("one socket fewer", STEP, || srv.hub.socket_count() == 2).await;
    srv.stop().await;
}

/// Largest TCP send buffer this machine would give one connection: how much of the server's
/// answers to a client that does not read the kernel could hold instead of the server's queue.
fn max_send_buffer() -> usize {
    std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")
        .ok()
        .and_then(|s| s.split_whitespace().nth(2).and_then(|v| v.parse().ok()))
        .unwrap_or(4 << 20)
}

#[tokio::test]
async fn scenario_10_a_lone_surrogate_in_a_body_is_invalid_input_for_that_send() {
    let srv = TestServer::start().await;
    let v = srv.visitor("Surrogate").await;
    let mut s = srv.connect(&v.token, vec![]).await;
    // More than the bad frames that close a socket: these are no bad frames.
    for i in 0..25 {
        s.c.send_raw(&format!(
            r#"{{"type":"send","client_id":"u{i}","body":"half a pair: \ud800"}}"#
        ))
        .await;
        let (code, message, client_id) = s.c.expect_error().await;
        assert_eq!(code, ErrorCode::InvalidInput, "{message}");
        assert_eq!(client_id.as_deref(), Some(format!("u{i}").as_str()));
        assert!(message.contains("body"), "{message}");
    }
    // A lone surrogate where the client id would be is still a bad frame (no id to echo).
    s.c.send_raw(r#"{"type":"send","client_id":"\udc00","body":"x"}"#)
        .await;
    assert!(matches!(
        s.c.expect_error().await,
        (ErrorCode::BadFrame, _, None)
    ));
    // Still open and working; nothing was stored.
    s.c.barrier().await;
    let m = s.c.say_acked("ok", None, "a whole pair: \u{1F600}").await;
    assert_eq!(m.seq, 1);
    srv.stop().await;
}
