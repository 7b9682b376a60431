//! Handshake rules and hostile frames (scenario 10).

use std::time::Duration;

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

#[tokio::test]
async fn a_client_too_slow_to_drain_is_disconnected_without_blocking_others() {
    let srv = TestServer::start_with(|c| {
        c.sends_per_second = 100_000;
        c.send_burst = 100_000;
    })
    .await;
    let v = srv.visitor("Slow").await;
    let mut fast = srv.connect(&v.token, vec![]).await;
    // a second tab of the same visitor that never reads: every message fans out to it
    let mut stuck = srv.connect(&v.token, vec![]).await;
    let body = "z".repeat(protocol::MAX_BODY_CHARS);
    let started = std::time::Instant::now();
    for i in 0..1500 {
        fast.c.say_acked(&format!("s{i}"), None, &body).await;
    }
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the sender was never held up"
    );
    // the stuck socket gets what was already in flight, then the connection ends
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        let mut frames = 0usize;
        loop {
            match stuck.c.next_raw().await {
                Some(Ok(m)) if m.is_close() => return frames,
                Some(Ok(_)) => frames += 1,
                _ => return frames,
            }
        }
    })
    .await
    .expect("the stuck socket was never closed");
    assert!(
        ended < 1500,
        "it did not get everything: it was cut off ({ended} frames)"
    );
    fast.c.say_acked("after", None, "still fine").await;
    srv.stop().await;
}
