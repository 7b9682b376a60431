//! Bounds on what clients can make the server hold (ARCHITECTURE.md, "Bounds"): sockets that
//! have not said `hello`, and the conversations one agent holds open (which bound what a
//! reconnecting console is sent).

use std::time::Duration;

use livechat_testkit::WsError;
use protocol::{ClientMsg, ErrorCode, MAX_OPEN_CONVERSATIONS, ServerMsg};

use crate::support::*;

/// Open a socket expecting the upgrade to be refused: its HTTP status and `Retry-After`.
async fn refused_upgrade(srv: &TestServer) -> (u16, Option<String>) {
    match Client::open(srv.addr, None)
        .await
        .map_err(|e| e.downcast::<WsError>())
    {
        Err(Ok(WsError::Http(resp))) => (
            resp.status().as_u16(),
            resp.headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned()),
        ),
        Err(other) => panic!("unexpected error {other:?}"),
        Ok(_) => panic!("the upgrade was accepted"),
    }
}

#[tokio::test]
async fn sockets_waiting_for_hello_are_bounded() {
    let srv = TestServer::start_with(|c| {
        c.max_pending_sockets = 2;
        c.hello_timeout_ms = 60_000;
    })
    .await;
    let silent = srv.client().await;
    let mut greeter = srv.client().await;
    assert_eq!(refused_upgrade(&srv).await, (503, Some("1".into())));

    // A socket that authenticates gives its place back...
    let visitor = srv.visitor("Vi").await;
    greeter.hello(&visitor.token, vec![]).await;
    let mut third = srv.client().await;
    assert_eq!(refused_upgrade(&srv).await.0, 503);
    // ...and so does one that leaves without a word.
    silent.close().await;
    let reopened = bounded("a place after a silent socket left", async {
        loop {
            if let Ok(c) = Client::open(srv.addr, None).await {
                return c;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    // Authenticated sockets never count: both pending places are taken again, and the
    // visitor's socket still works.
    assert_eq!(refused_upgrade(&srv).await.0, 503);
    greeter.barrier().await;
    third.hello(&visitor.token, vec![]).await;
    drop(reopened);
    srv.stop().await;
}

#[tokio::test]
async fn an_agent_holds_at_most_the_open_chat_bound_and_gets_all_of_them_on_reconnect() {
    let srv = TestServer::start().await;
    let ada = srv.ada().await;
    let (db, me) = (srv.db(), ada.me.clone());
    db.call(move |s| {
        for i in 0..MAX_OPEN_CONVERSATIONS {
            let v = s.create_visitor(&format!("Visitor {i}"))?;
            let msg = livechat_server::store::NewMessage {
                client_id: "hi".into(),
                conversation_id: None,
                body: format!("hello from {i}"),
                options: Vec::new(),
            };
            let id = match s.append_message(&v, msg)? {
                livechat_server::store::AppendOutcome::Stored { conversation, .. } => {
                    conversation.id()
                }
                other => panic!("{other:?}"),
            };
            s.accept(&me, id)?;
        }
        Ok(())
    })
    .await
    .unwrap();

    // Reconnecting at the bound: every conversation and its history, and the socket stays.
    let mut a = srv.connect(&ada.token, vec![]).await;
    assert_eq!(a.conversations.len(), MAX_OPEN_CONVERSATIONS);
    assert_eq!(a.histories.len(), MAX_OPEN_CONVERSATIONS);
    a.c.barrier().await;

    // One more request: Ada is refused with `limit_reached`; it stays in the queue for others.
    let visitor = srv.visitor("One more").await;
    let mut v = srv.connect(&visitor.token, vec![]).await;
    let id = v.c.say_acked("m1", None, "anyone?").await.conversation_id;
    a.c.send(&ClientMsg::Accept {
        conversation_id: id,
    })
    .await;
    let (code, message, _) = a.c.expect_error().await;
    assert_eq!(code, ErrorCode::LimitReached);
    assert!(message.contains("end one first"), "{message}");
    let mut grace = srv.connect(&srv.grace().await.token, vec![]).await;
    grace
        .c
        .send(&ClientMsg::Accept {
            conversation_id: id,
        })
        .await;
    assert!(matches!(grace.c.recv().await, ServerMsg::Accepted { .. }));
    srv.stop().await;
}
