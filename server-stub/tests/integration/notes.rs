//! Private notes over the real server: agents of a conversation see them live, on reconnect and
//! on a sync from the start; the visitor never does (not live, not in a sync or the REST
//! history, not in the transcript or the `chat.ended` webhook); only agents taking part may
//! write them, and a retried client id stores one note.

use protocol::{ClientMsg, ErrorCode, ServerMsg};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

const NOTE: &str = "VIP customer, offer the discount";

fn note(client_id: &str, conversation_id: protocol::ConversationId) -> ClientMsg {
    ClientMsg::Note {
        client_id: client_id.into(),
        conversation_id,
        body: NOTE.into(),
    }
}

#[tokio::test]
async fn scenario_19_private_notes_reach_the_agents_and_never_the_visitor() {
    let srv = TestServer::start_with(|c| c.admin_api_key = Some(API_KEY.into())).await;
    // a webhook target (that never answers), so chat.ended is written to the outbox
    let (status, _) = call(
        &srv,
        Method::PUT,
        "/api/admin/webhook",
        Some(API_KEY),
        Some(json!({"url": "http://127.0.0.1:9/hook", "secret": "a webhook secret of 32 bytes or more"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let marta = srv.visitor("Marta").await;
    let ada = srv.ada().await;
    let (mut v, mut a, conv) = srv.accepted_chat(&marta, &ada).await;
    // a second tab of Ada's, to see the fan-out to her other sockets
    let mut a2 = srv.connect(&ada.token, vec![]).await;

    a.c.send(&note("n1", conv)).await;
    let stored = match a.c.recv().await {
        ServerMsg::Note { note } => note,
        other => panic!("expected the note back, got {other:?}"),
    };
    assert_eq!(stored.body, NOTE);
    assert_eq!(stored.author.name, "Ada");
    assert_eq!(
        stored.after_seq, 2,
        "after the greeting and the joined line"
    );
    match a2.c.recv().await {
        ServerMsg::Note { note } => assert_eq!(note, stored),
        other => panic!("Ada's other tab: {other:?}"),
    }
    // a retry stores nothing new and answers only the asking socket
    a.c.send(&note("n1", conv)).await;
    match a.c.recv().await {
        ServerMsg::Note { note } => assert_eq!(note, stored),
        other => panic!("expected the same note, got {other:?}"),
    }
    a2.c.barrier().await;

    // the visitor: nothing live, and a message after it shows no gap
    v.c.barrier().await;
    let m = v.c.say_acked("m2", Some(conv), "Any news?").await;
    assert_eq!(m.seq, 3, "a note takes no seq of the conversation");
    assert!(matches!(a.c.recv().await, ServerMsg::Message { .. }));
    let seen = v.c.history_after(conv, 0).await;
    assert!(seen.iter().all(|m| m.body != NOTE));
    let (status, body) = call(
        &srv,
        Method::GET,
        &format!("/api/conversations/{}/messages", conv.0),
        Some(&marta.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.to_string().contains(NOTE), "REST history: {body}");

    // the visitor cannot write one, and neither can an agent not in the chat
    v.c.send(&note("v1", conv)).await;
    assert_eq!(v.c.expect_error().await.0, ErrorCode::NotFound);
    let grace = srv.grace().await;
    let mut g = srv.connect(&grace.token, vec![]).await;
    g.c.send(&note("g1", conv)).await;
    assert_eq!(g.c.expect_error().await.0, ErrorCode::NotFound);

    // Ada reconnecting gets the note after the history; a sync from the start brings it too
    let mut again = srv.connect(&ada.token, vec![]).await;
    match again.c.recv().await {
        ServerMsg::Notes {
            conversation_id,
            notes,
        } => {
            assert_eq!(conversation_id, conv);
            assert_eq!(notes, vec![stored.clone()]);
        }
        other => panic!("expected the notes after the history, got {other:?}"),
    }
    again
        .c
        .send(&ClientMsg::Sync {
            conversation_id: conv,
            after_seq: 0,
        })
        .await;
    assert!(matches!(again.c.recv().await, ServerMsg::History { .. }));
    assert!(matches!(again.c.recv().await, ServerMsg::Notes { .. }));

    // ended: neither the transcript nor the webhook carries it
    a.c.send(&ClientMsg::End {
        conversation_id: conv,
    })
    .await;
    loop {
        if let ServerMsg::Conversation { conversation } = a.c.recv().await {
            assert_eq!(conversation.status, protocol::ConversationStatus::Ended);
            break;
        }
    }
    let outbox = srv
        .db()
        .call(|s| s.due_webhooks(i64::MAX, 100))
        .await
        .unwrap();
    let ended = outbox
        .iter()
        .find(|w| w.event == "chat.ended")
        .expect("chat.ended is queued");
    assert!(ended.payload.contains("Any news?"), "{}", ended.payload);
    assert!(!ended.payload.contains(NOTE), "{}", ended.payload);
    // and a note in an ended chat is refused
    a.c.send(&note("n2", conv)).await;
    assert_eq!(a.c.expect_error().await.0, ErrorCode::ConversationEnded);
    srv.stop().await;
}
