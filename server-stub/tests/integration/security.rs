//! Authorisation on the socket, Origin checks, credential guessing.

use protocol::{ClientMsg, ErrorCode, ServerMsg};

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
        conversation_id: 9999,
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
    // visitors may not accept or end anything (by role, whatever the id)
    m.c.send(&ClientMsg::Accept {
        conversation_id: theirs,
    })
    .await;
    assert_eq!(m.c.expect_error().await.0, ErrorCode::Forbidden);
    m.c.send(&ClientMsg::End {
        conversation_id: theirs,
    })
    .await;
    assert_eq!(m.c.expect_error().await.0, ErrorCode::Forbidden);
    m.c.send(&ClientMsg::SetOnline { online: true }).await;
    assert_eq!(m.c.expect_error().await.0, ErrorCode::Forbidden);
    // alice saw none of it
    a.c.silent_for(std::time::Duration::from_millis(200)).await;
    srv.stop().await;
}

#[tokio::test]
async fn scenario_11_an_agent_must_participate_to_read_or_write() {
    let srv = TestServer::start().await;
    let others = srv.extra_agents(1).await;
    let ada = srv.ada().await;
    let v = srv.visitor("Vic").await;
    let mut vs = srv.connect(&v.token, vec![]).await;
    let conv = vs.c.say_acked("v1", None, "hi").await.conversation_id;
    let mut outsider = srv.connect(&others[0].token, vec![]).await;
    // waiting: not readable, not writable, not endable until accepted
    outsider
        .c
        .send(&ClientMsg::Sync {
            conversation_id: conv,
            after_seq: 0,
        })
        .await;
    assert_eq!(outsider.c.expect_error().await.0, ErrorCode::NotFound);
    let mut a = srv.connect(&ada.token, vec![]).await;
    a.c.send(&ClientMsg::Accept {
        conversation_id: conv,
    })
    .await;
    assert!(matches!(a.c.recv().await, ServerMsg::Accepted { .. }));
    outsider.c.say("o1", Some(conv), "butting in").await;
    assert_eq!(outsider.c.expect_error().await.0, ErrorCode::NotFound);
    outsider
        .c
        .send(&ClientMsg::End {
            conversation_id: conv,
        })
        .await;
    assert_eq!(outsider.c.expect_error().await.0, ErrorCode::NotFound);
    srv.stop().await;
}

#[tokio::test]
async fn scenario_9_websocket_origin_allowlist() {
    let srv = TestServer::start().await;
    let refused = Client::open(srv.addr, Some("http://evil.test")).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 403),
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
    let srv = TestServer::start().await;
    let r = srv.login("ada@example.com", "wrong").await;
    assert_eq!(r.status(), 401);
    let body: protocol::ErrorBody = r.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::Unauthorized);
    let r = srv.login("nobody@example.com", "wrong").await;
    assert_eq!(
        r.status(),
        401,
        "unknown e-mail looks like a wrong password"
    );
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(
            srv.login("ada@example.com", "guess")
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    let r = srv.login("ada@example.com", PASSWORD).await;
    assert_eq!(r.status(), 429, "even the right password waits");
    let body: protocol::ErrorBody = r.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::RateLimited);
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
