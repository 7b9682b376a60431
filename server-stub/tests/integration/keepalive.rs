//! Keep-alive: pings, the idle timeout and presence (scenario 18), on short configured timings.
//!
//! A tokio-tungstenite client answers a ping only while something polls it (the pong is queued
//! when the ping is read and flushed on the next read or write), so a client nobody polls is
//! exactly a client that stopped answering pings.
//!
//! Timings are chosen so that a slow, busy machine cannot fake a result either way: a live
//! client answers a ping every [`PING`], so it is only cut if its process stalls for nearly
//! [`IDLE`] (1.9 s, where the old 200/600 ms pair gave up at 400 ms), and the silent client's
//! cut is awaited for [`IDLE`] plus [`STEP`]. A pass still proves the configured timeout is in
//! force: [`IDLE`] is far below the 45 s default.

use std::time::{Duration, Instant};

use protocol::{ClientMsg, ServerMsg};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::support::*;

const PING: Duration = Duration::from_millis(100);
const IDLE: Duration = Duration::from_secs(2);

async fn start() -> TestServer {
    TestServer::start_with(|c| {
        c.ping_interval_ms = PING.as_millis() as u64;
        c.idle_timeout_ms = IDLE.as_millis() as u64;
    })
    .await
}

/// Poll `c` on a task, so tungstenite answers every ping however long the test takes between
/// two looks at it; its text frames come out of the channel (agents' presence frames, which
/// every colleague's connecting causes, left out).
fn pump(mut c: Client) -> mpsc::UnboundedReceiver<ServerMsg> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(Ok(msg)) = c.next_raw().await {
            let frame: ServerMsg = match msg {
                WsMessage::Text(t) => serde_json::from_str(t.as_str()).unwrap(),
                WsMessage::Close(_) => return,
                _ => continue,
            };
            if matches!(
                frame,
                ServerMsg::Team { .. } | ServerMsg::AgentStatus { .. }
            ) {
                continue;
            }
            if tx.send(frame).is_err() {
                return;
            }
        }
    });
    rx
}

/// Read `c` (so its pings get answered) for `d`; returns how many pings came. Any other
/// frame, a close or an error fails the test.
async fn pings_during(c: &mut Client, d: Duration) -> usize {
    let deadline = tokio::time::Instant::now() + d;
    let mut pings = 0;
    loop {
        match tokio::time::timeout_at(deadline, c.next_raw()).await {
            Err(_) => return pings,
            Ok(Some(Ok(WsMessage::Ping(_)))) => pings += 1,
            Ok(other) => panic!("expected only pings, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn scenario_18_a_client_that_stops_answering_pings_is_cut_and_goes_offline() {
    let srv = start().await;
    let grace = srv.login("grace@example.com", PASSWORD).await;
    assert_eq!(grace.status(), 200);
    let grace: protocol::SessionResponse = grace.json().await.unwrap();
    let ada = srv.ada().await;

    // Grace: online, and polled throughout, so she keeps answering pings.
    let mut grace = srv.connect(&grace.token, vec![]).await;
    grace.c.send(&ClientMsg::SetOnline { online: true }).await;
    let mut grace = pump(grace.c);
    let first = bounded("grace's queue", grace.recv()).await;
    assert!(matches!(first, Some(ServerMsg::Queue { .. })), "{first:?}");

    // Ada: online, then never polled again: her pings pile up unread and unanswered.
    let mut ada = srv.connect(&ada.token, vec![]).await;
    let quiet_since = Instant::now();
    ada.c.send(&ClientMsg::SetOnline { online: true }).await;
    assert!(matches!(ada.c.recv().await, ServerMsg::Queue { .. }));
    assert_eq!(srv.hub.online_socket_count(), 2);
    assert_eq!(srv.hub.socket_count(), 2);

    // Presence: the hub drops her socket after the idle timeout, not before.
    let hub = srv.hub.clone();
    eventually("ada going offline", IDLE + STEP, || {
        hub.online_socket_count() == 1
    })
    .await;
    let cut_after = quiet_since.elapsed();
    assert!(
        cut_after >= IDLE,
        "cut after {cut_after:?}, before the idle timeout"
    );
    assert_eq!(srv.hub.socket_count(), 1, "only grace's socket is left");

    // What ada would have seen: pings she never answered, then close 1001 "idle timeout".
    let (pings, close) = bounded("ada's close", async {
        let mut pings = 0;
        loop {
            match ada.c.next_raw().await {
                Some(Ok(WsMessage::Ping(_))) => pings += 1,
                Some(Ok(WsMessage::Close(frame))) => return (pings, frame),
                // her own going online, told to every agent (her included)
                Some(Ok(WsMessage::Text(t)))
                    if t.as_str().contains("\"type\":\"agent_status\"") => {}
                other => panic!("expected pings then a close, got {other:?}"),
            }
        }
    })
    .await;
    assert!(pings >= 2, "the server pinged ({pings}) and waited in vain");
    let close = close.expect("a close frame");
    assert_eq!(u16::from(close.code), 1001);
    assert_eq!(close.reason.as_str(), "idle timeout");

    // Resources: her socket task has ended; only grace's is left.
    let tracker = srv.hub.tracker();
    eventually("ada's socket task ending", STEP, || tracker.len() == 1).await;

    // Live behaviour: a new request still reaches the agent who is really there.
    let v = srv.visitor("Late").await;
    let mut visitor = srv.connect(&v.token, vec![]).await;
    visitor.c.say_acked("r1", None, "anyone there?").await;
    let added = bounded("grace's request_added", grace.recv()).await;
    assert!(
        matches!(&added, Some(ServerMsg::RequestAdded { request }) if request.preview == "anyone there?"),
        "{added:?}"
    );
    assert_eq!(srv.hub.online_socket_count(), 1);
    srv.stop().await;
}

#[tokio::test]
async fn a_client_that_answers_pings_stays_connected_past_the_idle_timeout() {
    let srv = start().await;
    let v = srv.visitor("Patient").await;
    let mut s = srv.connect(&v.token, vec![]).await;
    // Three idle periods in which the client only answers pings: the pongs alone keep it in.
    let started = Instant::now();
    let pings = pings_during(&mut s.c, IDLE * 3).await;
    assert!(started.elapsed() >= IDLE * 3);
    assert!(pings >= 3, "only {pings} pings in {:?}", IDLE * 3);
    assert_eq!(srv.hub.socket_count(), 1);
    let m = s.c.say_acked("still", None, "still here").await;
    assert_eq!(m.seq, 1);
    srv.stop().await;
}
