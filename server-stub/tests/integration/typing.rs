//! Typing indicators over the real server: passed on at once to the others in the chat (never
//! back to the typist, stored nowhere), at most one a second per person, refused for a
//! conversation that is not the sender's.

use protocol::{ClientMsg, ErrorCode, ServerMsg};

use crate::support::*;

#[tokio::test]
async fn typing_reaches_the_others_in_the_chat_and_only_them() {
    let srv = TestServer::start().await;
    let marta = srv.visitor("Marta").await;
    let ada = srv.ada().await;
    let (mut v, mut a, conv) = srv.accepted_chat(&marta, &ada).await;
    let typing = ClientMsg::Typing {
        conversation_id: conv,
    };
    v.c.send(&typing).await;
    match a.c.recv().await {
        ServerMsg::Typing {
            conversation_id,
            name,
        } => assert_eq!((conversation_id, name.as_str()), (conv, "Marta")),
        other => panic!("expected typing, got {other:?}"),
    }
    v.c.barrier().await; // not back to her
    // again at once: dropped (one a second), and nothing is stored
    v.c.send(&typing).await;
    v.c.barrier().await;
    a.c.barrier().await;
    assert_eq!(
        v.c.history_after(conv, 0).await.len(),
        2,
        "the greeting and the joined line"
    );

    a.c.send(&typing).await;
    assert!(matches!(v.c.recv().await, ServerMsg::Typing { name, .. } if name == "Ada"));

    // not into someone else's chat
    let stranger = srv.visitor("Eve").await;
    let mut s = srv.connect(&stranger.token, vec![]).await;
    s.c.send(&typing).await;
    assert_eq!(s.c.expect_error().await.0, ErrorCode::NotFound);
    v.c.barrier().await;
    srv.stop().await;
}
