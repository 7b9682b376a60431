//! Authorisation on the socket and on REST, Origin checks, credential guessing.

use std::time::{Duration, Instant};

use protocol::{
    ClientMsg, ConversationId, ErrorBody, ErrorCode, HistoryPage, Message, Seq, ServerMsg,
};

use crate::support::*;

#[tokio::test]
async fn scenario_5_6_a_visitor_cannot_touch_another_visitors_conversation() {
    let srv = TestServer::start().await;
    let alice = srv.visitor("Alice").await;
    let mallory = srv.visitor("Mallory").await;
    let mut a = srv.connect(&alice.token, vec![]).await;
    let theirs = a.c.say_acked("a1", None, "private").await.conversation_id;
    let mut m = srv.connect(&mallory.token, vec![]).await;
    assert!(m.conversations.is_empty(), "welcome lists only your own");

    m.c.send(&ClientMsg::Sync {
        conversation_id: theirs,
        after_seq: 0,
    })
    .await;
    assert_eq!(m.c.expect_error().await.0, ErrorCode::NotFound);
    m.c.say("m1", Some(theirs), "injected").await;
    let (code, _, cid) = m.c.expect_error().await;
    assert_eq!((code, cid.as_deref()), (ErrorCode::NotFound, Some("m1")));
    // a conversation that does not exist looks exactly the same
    m.c.send(&ClientMsg::Sync {
        conversation_id: ConversationId(9999),
        after_seq: 0,
    })
    .await;
    assert_eq!(m.c.expect_error().await.0, ErrorCode::NotFound);
    // cursors for someone else's conversation in hello are ignored
    let peek = srv
        .connect(
            &mallory.token,
            vec![protocol::Cursor {
                conversation_id: theirs,
                last_seq: 0,
            }],
        )
        .await;
    assert!(peek.histories.is_empty());
    // visitors may not accept anything (by role, whatever the id); another visitor's chat is
    // not found to end (a visitor ends only their own, and only when the rules allow)
    m.c.send(&ClientMsg::Accept {
        conversation_id: theirs,
    })
    .await;
    assert_eq!(m.c.expect_error().await.0, ErrorCode::Forbidden);
    m.c.send(&ClientMsg::End {
        conversation_id: theirs,
    })
    .await;
    assert_eq!(m.c.expect_error().await.0, ErrorCode::NotFound);
    m.c.send(&ClientMsg::SetOnline { online: true }).await;
    assert_eq!(m.c.expect_error().await.0, ErrorCode::Forbidden);
    // alice saw none of it: her next frame is the answer to her own barrier
    a.c.barrier().await;
    srv.stop().await;
}

/// What a caller who may not read a conversation learns about it, on both transports.
#[derive(Debug, PartialEq)]
struct Refusal {
    rest_status: u16,
    rest_body: ErrorBody,
    /// The socket's answer to `sync`.
    sync: (ErrorCode, String, Option<String>),
    /// The socket's answer to a `send` into it.
    send: (ErrorCode, String, Option<String>),
    /// Agents only: the socket's answer to `end`.
    end: Option<(ErrorCode, String, Option<String>)>,
}

/// Ask about `id` every way a reader or writer can: REST history, socket `sync`, `send` and
/// (agents) `end`. Nothing here may change anything, so it can be repeated.
async fn refusal(
    srv: &TestServer,
    token: &str,
    c: &mut Client,
    agent: bool,
    id: ConversationId,
) -> Refusal {
    let r = srv.rest.history(Some(token), id, "0").await.unwrap();
    let rest_status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let rest_body: ErrorBody = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("conversation {id}: {rest_status} {text}: not refused ({e})"));
    c.send(&ClientMsg::Sync {
        conversation_id: id,
        after_seq: 0,
    })
    .await;
    let sync = c.expect_error().await;
    c.say("probe", Some(id), "let me in").await;
    let send = c.expect_error().await;
    let end = if agent {
        c.send(&ClientMsg::End {
            conversation_id: id,
        })
        .await;
        Some(c.expect_error().await)
    } else {
        None
    };
    Refusal {
        rest_status,
        rest_body,
        sync,
        send,
        end,
    }
}

/// `who` may not see `existing`: refused exactly as for `missing` (which does not exist), with
/// 404 / `not_found`, on REST and on the socket, for reads and writes.
async fn refused_alike(
    srv: &TestServer,
    who: &str,
    token: &str,
    c: &mut Client,
    agent: bool,
    existing: ConversationId,
    missing: ConversationId,
) {
    let theirs = refusal(srv, token, c, agent, existing).await;
    let nothing = refusal(srv, token, c, agent, missing).await;
    assert_eq!(theirs.rest_status, 404, "{who}: {theirs:?}");
    assert_eq!(theirs.rest_body.code, ErrorCode::NotFound, "{who}");
    assert_eq!(theirs.sync.0, ErrorCode::NotFound, "{who}");
    assert_eq!(
        (theirs.send.0, theirs.send.2.as_deref()),
        (ErrorCode::NotFound, Some("probe")),
        "{who}"
    );
    if let Some(end) = &theirs.end {
        assert_eq!(end.0, ErrorCode::NotFound, "{who}");
    }
    assert_eq!(
        theirs, nothing,
        "{who}: an existing conversation must look exactly like a missing one"
    );
}

/// The owner or a participant reads `id` after `after`: REST and socket agree, and return
/// exactly `expected` (by seq).
async fn reads(
    srv: &TestServer,
    token: &str,
    c: &mut Client,
    id: ConversationId,
    after: Seq,
    expected: &[Seq],
) -> Vec<Message> {
    let r = srv
        .rest
        .history(Some(token), id, &after.to_string())
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page: HistoryPage = r.json().await.unwrap();
    assert_eq!(page.conversation_id, id);
    assert_eq!(
        page.messages.iter().map(|m| m.seq).collect::<Vec<_>>(),
        expected
    );
    c.send(&ClientMsg::Sync {
        conversation_id: id,
        after_seq: after,
    })
    .await;
    assert_eq!(
        c.recv().await,
        ServerMsg::History {
            conversation_id: id,
            reset: false,
            more: false,
            messages: page.messages.clone(),
        },
        "the socket and REST return the same messages"
    );
    page.messages
}

// Needs `GET /api/conversations/{id}/messages` (REST reads), from the server restructuring.
#[tokio::test]
async fn scenario_11_reads_and_writes_are_authorised_alike_on_socket_and_rest() {
    let srv = TestServer::start().await;
    let outsider = srv.extra_agents(1).await.remove(0);
    let ada = srv.ada().await;
    let owner = srv.visitor("Vic").await;
    let stranger = srv.visitor("Mallory").await;
    let mut v = srv.connect(&owner.token, vec![]).await;
    let conv = v.c.say_acked("v1", None, "hi").await.conversation_id;
    let missing = ConversationId(conv.0 + 1_000);
    let mut o = srv.connect(&outsider.token, vec![]).await;
    let mut m = srv.connect(&stranger.token, vec![]).await;
    let mut a = srv.connect(&ada.token, vec![]).await;

    // Waiting: only the owner reads; no agent participates yet, Ada included.
    reads(&srv, &owner.token, &mut v.c, conv, 0, &[1]).await;
    reads(&srv, &owner.token, &mut v.c, conv, 1, &[]).await;
    for (who, token, c, agent) in [
        ("stranger visitor", &stranger.token, &mut m.c, false),
        ("non-participant agent", &outsider.token, &mut o.c, true),
        ("Ada before accepting", &ada.token, &mut a.c, true),
    ] {
        refused_alike(&srv, who, token, c, agent, conv, missing).await;
    }

    a.c.send(&ClientMsg::Accept {
        conversation_id: conv,
    })
    .await;
    assert!(matches!(a.c.recv().await, ServerMsg::Accepted { .. }));
    assert!(matches!(a.c.recv().await, ServerMsg::History { .. }));
    for _ in 0..2 {
        // the owner's `conversation` (now active) and "Ada joined the chat"
        v.c.recv().await;
    }

    // Active: the participant and the owner read the same two messages; nobody else can.
    let by_ada = reads(&srv, &ada.token, &mut a.c, conv, 0, &[1, 2]).await;
    let by_owner = reads(&srv, &owner.token, &mut v.c, conv, 0, &[1, 2]).await;
    assert_eq!(by_ada, by_owner);
    for (who, token, c, agent) in [
        ("stranger visitor", &stranger.token, &mut m.c, false),
        ("non-participant agent", &outsider.token, &mut o.c, true),
    ] {
        refused_alike(&srv, who, token, c, agent, conv, missing).await;
    }
    // None of the refused writes was stored or delivered; the participant still writes.
    let reply = a.c.say_acked("a1", Some(conv), "hello Vic").await;
    assert_eq!(reply.seq, 3);
    assert_eq!(v.c.recv().await, ServerMsg::Message { message: reply });
    v.c.barrier().await;
    reads(&srv, &owner.token, &mut v.c, conv, 0, &[1, 2, 3]).await;
    srv.stop().await;
}

// Needs `GET /api/conversations/{id}/messages` (REST reads), from the server restructuring.
#[tokio::test]
async fn rest_history_refuses_missing_or_unknown_tokens_and_bad_parameters() {
    let srv = TestServer::start().await;
    let owner = srv.visitor("Owner").await;
    let mut v = srv.connect(&owner.token, vec![]).await;
    let conv = v.c.say_acked("v1", None, "hi").await.conversation_id;
    let unknown = format!("v_{}", "A".repeat(43));
    for token in [None, Some("v_guess"), Some(unknown.as_str())] {
        let r = srv.rest.history(token, conv, "0").await.unwrap();
        assert_eq!(r.status(), 401, "token {token:?}");
        let body: ErrorBody = r.json().await.unwrap();
        assert_eq!(body.code, ErrorCode::Unauthorized, "token {token:?}");
    }
    for bad in ["abc", "1.5", ""] {
        let r = srv
            .rest
            .history(Some(&owner.token), conv, bad)
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "after_seq={bad:?}");
        let body: ErrorBody = r.json().await.unwrap();
        assert_eq!(body.code, ErrorCode::InvalidInput, "after_seq={bad:?}");
    }
    srv.stop().await;
}

#[tokio::test]
async fn scenario_9_websocket_origin_allowlist() {
    let srv = TestServer::start().await;
    let refused = Client::open(srv.addr, Some("http://evil.test")).await;
    match refused.map_err(|e| e.downcast::<livechat_testkit::WsError>()) {
        Err(Ok(livechat_testkit::WsError::Http(resp))) => assert_eq!(resp.status(), 403),
        Err(other) => panic!("unexpected error {other:?}"),
        Ok(_) => panic!("a foreign origin was allowed"),
    }
    assert!(Client::open(srv.addr, Some("null")).await.is_err());
    // configured origin, the server's own origin, and no Origin at all are fine
    let v = srv.visitor("Ok").await;
    for origin in [
        Some("http://shop.test:8081".to_owned()),
        Some(format!("http://{}", srv.addr)),
        None,
    ] {
        let mut c = Client::open(srv.addr, origin.as_deref()).await.unwrap();
        c.hello(&v.token, vec![]).await;
    }
    srv.stop().await;
}

#[tokio::test]
async fn scenario_7_bad_logins_get_401_then_429() {
    // Two attempts per minute: the limiter's next refill is 30 s away, while the three attempts
    // that reach argon2 take well under a second (argon2 is optimised even in dev builds, see
    // the root Cargo.toml). So the outcome cannot depend on how fast this machine hashes.
    const PER_MINUTE: u32 = 2;
    let refill = Duration::from_secs(60 / u64::from(PER_MINUTE));
    let srv = TestServer::start_with(|c| c.logins_per_minute = PER_MINUTE).await;
    let started = Instant::now();
    let r = srv.login("ada@example.com", "wrong").await;
    assert_eq!(r.status(), 401);
    let body: ErrorBody = r.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::Unauthorized);
    let r = srv.login("nobody@example.com", "wrong").await;
    assert_eq!(
        r.status(),
        401,
        "unknown e-mail looks like a wrong password"
    );
    let r = srv.login("ada@example.com", "guess").await;
    assert_eq!(r.status(), 429, "the third attempt within a minute");
    let r = srv.login("ada@example.com", PASSWORD).await;
    assert_eq!(r.status(), 429, "even the right password waits");
    let wait = retry_after(&r);
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    let body: ErrorBody = r.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::RateLimited);
    let took = started.elapsed();
    assert!(
        took < refill,
        "the attempts took {took:?}, longer than the limiter's refill ({refill:?}): \
         the outcome above may have been decided by this machine's speed"
    );
    srv.stop().await;
}

#[tokio::test]
async fn scenario_7_unknown_or_revoked_tokens_are_refused() {
    let srv = TestServer::start().await;
    let mut c = srv.client().await;
    c.send(&ClientMsg::Hello {
        protocol: protocol::PROTOCOL_VERSION,
        token: "v_guess".into(),
        cursors: vec![],
    })
    .await;
    assert_eq!(c.refused().await, (ErrorCode::Unauthorized, Some(1008)));

    let ada = srv.ada().await;
    let r = srv
        .http
        .post(srv.url("/api/agent/logout"))
        .bearer_auth(&ada.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let mut c = srv.client().await;
    c.send(&ClientMsg::Hello {
        protocol: protocol::PROTOCOL_VERSION,
        token: ada.token.clone(),
        cursors: vec![],
    })
    .await;
    assert_eq!(c.expect_error().await.0, ErrorCode::Unauthorized);
    let r = srv
        .http
        .post(srv.url("/api/agent/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    srv.stop().await;
}

#[tokio::test]
async fn signing_out_closes_that_sessions_sockets_at_once_and_only_those() {
    let srv = TestServer::start().await;
    // Ada signed in twice (two browsers): two credentials, one person.
    let laptop = srv.ada().await;
    let phone = srv.ada().await;
    let mut on_laptop = srv.connect(&laptop.token, vec![]).await;
    let mut on_phone = srv.connect(&phone.token, vec![]).await;
    for c in [&mut on_laptop.c, &mut on_phone.c] {
        c.send(&ClientMsg::SetOnline { online: true }).await;
        assert!(matches!(c.recv().await, ServerMsg::Queue { .. }));
    }

    let r = srv
        .http
        .post(srv.url("/api/agent/logout"))
        .bearer_auth(&laptop.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);

    // The laptop's live socket is closed now, not at its next reconnect...
    let (_, close) = on_laptop.c.until_close().await;
    let close = close.expect("a close frame");
    assert_eq!(u16::from(close.code), 1008);
    assert_eq!(close.reason.as_str(), "signed out");

    // ...while the phone's session keeps working and still receives new requests.
    let visitor = srv.visitor("Vera").await;
    let mut v = srv.connect(&visitor.token, vec![]).await;
    v.c.say_acked("v1", None, "anyone there?").await;
    assert!(matches!(
        on_phone.c.recv().await,
        ServerMsg::RequestAdded { .. }
    ));
    assert_eq!(srv.hub.online_socket_count(), 1);
}

#[tokio::test]
async fn a_visitor_token_cannot_sign_out_and_is_not_revoked_by_trying() {
    let srv = TestServer::start().await;
    let visitor = srv.visitor("Vic").await;
    let mut v = srv.connect(&visitor.token, vec![]).await;
    let conv = v.c.say_acked("v1", None, "hi").await.conversation_id;

    let r = srv.rest.logout(Some(&visitor.token)).await.unwrap();
    assert_eq!(r.status(), 401, "agent logout is for agent tokens only");
    let body: ErrorBody = r.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::Unauthorized);

    // The token still works, on REST and on a new socket, and the live socket stays open.
    let r = srv
        .rest
        .history(Some(&visitor.token), conv, "0")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut again = srv.connect(&visitor.token, vec![]).await;
    assert_eq!(again.conversations.len(), 1);
    again.c.barrier().await;
    v.c.say_acked("v2", Some(conv), "still here").await;
    srv.stop().await;
}
