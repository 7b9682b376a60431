//! Canned replies over the real server: shared ones written by admins only, personal ones by
//! their owner and seen by no one else, shortcuts unique among what an agent sees, and an
//! automatic greeting said as the agent on accept with the names filled in (once, and
//! without expanding a visitor's name that looks like a placeholder).

use protocol::canned::{CannedList, CannedReply};
use protocol::{ClientMsg, ServerMsg};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::*;

async fn canned(
    srv: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    call(srv, method, path, Some(token), body).await
}

#[tokio::test]
async fn canned_replies_are_shared_by_admins_personal_otherwise_and_greet_automatically() {
    let srv = TestServer::start().await;
    let ada = srv.ada().await; // admin
    let grace = srv.grace().await;
    let shared = json!({"shortcut": "/hi", "title": "Hello", "body": "Hello {visitor}!", "kind": "greeting", "shared": true});
    let (status, _) = canned(
        &srv,
        &grace.token,
        Method::POST,
        "/api/agent/canned",
        Some(shared.clone()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "shared replies are for admins to write"
    );
    let (status, body) = canned(
        &srv,
        &ada.token,
        Method::POST,
        "/api/agent/canned",
        Some(shared),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let hello: CannedReply = serde_json::from_value(body).unwrap();
    assert_eq!(
        hello.shortcut.as_deref(),
        Some("hi"),
        "typed with a slash, stored without"
    );

    // Grace's own: no clash with what she sees, refused when it does
    let (status, body) = canned(
        &srv,
        &grace.token,
        Method::POST,
        "/api/agent/canned",
        Some(json!({"shortcut": "hi", "title": "Mine", "body": "Hey"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.to_string().contains("/hi is already in use"), "{body}");
    let (status, body) = canned(
        &srv,
        &grace.token,
        Method::POST,
        "/api/agent/canned",
        Some(
            json!({"shortcut": "welcome", "title": "My greeting", "kind": "greeting", "auto": true,
                    "body": "Hi {visitor}, {agent} here. How can I help?"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mine: CannedReply = serde_json::from_value(body).unwrap();
    for (body, why) in [
        (json!({"title": "", "body": "x"}), "title"),
        (
            json!({"title": "t", "body": "x", "shortcut": "two words"}),
            "shortcut",
        ),
        (json!({"title": "t", "body": "x", "auto": true}), "greeting"),
    ] {
        let (status, answer) = canned(
            &srv,
            &grace.token,
            Method::POST,
            "/api/agent/canned",
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}");
        assert!(answer.to_string().contains(why), "{why}: {answer}");
    }

    // who sees what, and who may change it
    let list = |token: String| {
        let srv = &srv;
        async move {
            let (_, body) = canned(srv, &token, Method::GET, "/api/agent/canned", None).await;
            serde_json::from_value::<CannedList>(body).unwrap().replies
        }
    };
    let titles = |l: Vec<CannedReply>| l.into_iter().map(|r| r.title).collect::<Vec<_>>();
    assert_eq!(
        titles(list(grace.token.clone()).await),
        ["Hello", "My greeting"]
    );
    assert_eq!(
        titles(list(ada.token.clone()).await),
        ["Hello"],
        "Grace's own are hers"
    );
    let path = format!("/api/agent/canned/{}", hello.id);
    let (status, _) = canned(&srv, &grace.token, Method::DELETE, &path, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = canned(
        &srv,
        &ada.token,
        Method::DELETE,
        &format!("/api/agent/canned/{}", mine.id),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not Ada's to see");

    // Grace accepts: her greeting is said as her, names filled in, to everyone in the chat
    for (visitor, expected) in [
        ("Marta", "Hi Marta, Grace here. How can I help?"),
        ("{agent}", "Hi {agent}, Grace here. How can I help?"),
    ] {
        let v = srv.visitor(visitor).await;
        let mut vs = srv.connect(&v.token, vec![]).await;
        let conv = vs.c.say_acked("v1", None, "hello").await.conversation_id;
        let mut g = srv.connect(&grace.token, vec![]).await;
        g.c.send(&ClientMsg::Accept {
            conversation_id: conv,
        })
        .await;
        let greeting = loop {
            match vs.c.recv().await {
                ServerMsg::Message { message }
                    if message.author.as_ref().is_some_and(|a| a.name == "Grace") =>
                {
                    break message;
                }
                ServerMsg::Message { .. } | ServerMsg::Conversation { .. } => {}
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(greeting.body, expected);
        g.c.send(&ClientMsg::End {
            conversation_id: conv,
        })
        .await;
    }
    srv.stop().await;
}
