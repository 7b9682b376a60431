//! Agents' own chats over the real server: a direct chat between two agents and a group of
//! three; messages and typing over the socket like any chat's; a rename, an added colleague and
//! one who leaves, each seen by everyone in it with a line; on reconnect the team chats and
//! their history come back; no visitor ever hears of them.

use protocol::workspace::{TeamChat, TeamChatKind};
use protocol::{ClientMsg, ErrorCode, ServerMsg};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

fn team_chat(msg: ServerMsg) -> TeamChat {
    match msg {
        ServerMsg::TeamChat { chat } => chat,
        other => panic!("expected a team chat, got {other:?}"),
    }
}

fn line(msg: ServerMsg) -> String {
    match msg {
        ServerMsg::Message { message } => message.body,
        other => panic!("expected a message, got {other:?}"),
    }
}

#[tokio::test]
async fn agents_chat_directly_and_in_groups() {
    let srv = TestServer::start().await;
    let (ada, grace) = (srv.ada().await, srv.grace().await);
    let extra = srv.extra_agents(1).await;
    let hal = &extra[0];
    let mut a = srv.connect(&ada.token, vec![]).await;
    let mut g = srv.connect(&grace.token, vec![]).await;
    let mut h = srv.connect(&hal.token, vec![]).await;
    let marta = srv.visitor("Marta").await;
    let mut v = srv.connect(&marta.token, vec![]).await;
    let id = |who: &protocol::SessionResponse| who.me.principal.raw();

    // Ada starts a chat with Grace from her name: both get it and the line
    let (status, chat) = call(
        &srv,
        Method::POST,
        "/api/agent/team-chats",
        Some(&ada.token),
        Some(json!({"members": [id(&grace)]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{chat}");
    let direct: TeamChat = serde_json::from_value(chat).unwrap();
    assert_eq!(direct.kind, TeamChatKind::Direct);
    for side in [&mut a, &mut g] {
        assert_eq!(team_chat(side.c.recv().await).id, direct.id);
        assert_eq!(line(side.c.recv().await), "Ada started a chat with Grace");
    }
    // asking again (from either side) is the same chat, and news to nobody
    let (status, again) = call(
        &srv,
        Method::POST,
        "/api/agent/team-chats",
        Some(&grace.token),
        Some(json!({"members": [id(&ada)]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], direct.id.0);

    // messages and typing go over the socket like any chat's
    let sent =
        a.c.say_acked("d1", Some(direct.id), "Can you take the next German chat?")
            .await;
    assert_eq!(line(g.c.recv().await), "Can you take the next German chat?");
    g.c.send(&ClientMsg::Typing {
        conversation_id: direct.id,
    })
    .await;
    assert!(matches!(a.c.recv().await, ServerMsg::Typing { name, .. } if name == "Grace"));
    // Hal is not in it: not found, like any chat not his
    h.c.send(&ClientMsg::Send {
        client_id: "h1".into(),
        conversation_id: Some(direct.id),
        body: "hi".into(),
    })
    .await;
    assert_eq!(h.c.expect_error().await.0, ErrorCode::NotFound);
    // a team chat cannot be ended or accepted like a live chat
    a.c.send(&ClientMsg::End {
        conversation_id: direct.id,
    })
    .await;
    assert_eq!(a.c.expect_error().await.0, ErrorCode::NotFound);

    // a group of three, renamed; Grace leaves and is added back
    let (status, chat) = call(
        &srv,
        Method::POST,
        "/api/agent/team-chats",
        Some(&ada.token),
        Some(json!({"members": [id(&grace), id(hal)], "title": "Night shift"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let group: TeamChat = serde_json::from_value(chat).unwrap();
    assert_eq!(group.members.len(), 3);
    for side in [&mut a, &mut g, &mut h] {
        assert_eq!(
            team_chat(side.c.recv().await).title.as_deref(),
            Some("Night shift")
        );
        line(side.c.recv().await);
    }
    let path = format!("/api/agent/team-chats/{}", group.id.0);
    let (status, _) = call(
        &srv,
        Method::PUT,
        &path,
        Some(&hal.token),
        Some(json!({"title": "Weekend"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for side in [&mut a, &mut g, &mut h] {
        assert_eq!(
            team_chat(side.c.recv().await).title.as_deref(),
            Some("Weekend")
        );
        assert_eq!(
            line(side.c.recv().await),
            "Agent 0 renamed the chat to \u{201c}Weekend\u{201d}"
        );
    }
    let (status, _) = call(
        &srv,
        Method::POST,
        &format!("{path}/leave"),
        Some(&grace.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Grace gets the chat without her (her console closes it); the others the line too
    assert_eq!(team_chat(g.c.recv().await).members.len(), 2);
    for side in [&mut a, &mut h] {
        assert_eq!(team_chat(side.c.recv().await).members.len(), 2);
        assert_eq!(line(side.c.recv().await), "Grace left the chat");
    }
    g.c.barrier().await;
    let (status, body) = call(
        &srv,
        Method::PUT,
        &path,
        Some(&grace.token),
        Some(json!({"title": "Mine"})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = call(
        &srv,
        Method::POST,
        &format!("{path}/members"),
        Some(&ada.token),
        Some(json!({"members": [id(&grace)]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for side in [&mut a, &mut g, &mut h] {
        assert_eq!(team_chat(side.c.recv().await).members.len(), 3);
        assert_eq!(line(side.c.recv().await), "Ada added Grace");
    }
    // bad input: a direct chat takes no third agent; unknown agents; a visitor's token
    let (status, body) = call(
        &srv,
        Method::POST,
        &format!("/api/agent/team-chats/{}/members", direct.id.0),
        Some(&ada.token),
        Some(json!({"members": [id(hal)]})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_input"))
    );
    let (status, _) = call(
        &srv,
        Method::POST,
        "/api/agent/team-chats",
        Some(&ada.token),
        Some(json!({"members": [9999]})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = call(
        &srv,
        Method::POST,
        "/api/agent/team-chats",
        Some(&marta.token),
        Some(json!({"members": [id(&ada)]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Grace reconnects: her team chats and their history come back after the welcome
    let mut g2 = srv.client().await;
    g2.hello(&grace.token, vec![]).await;
    let chats = match g2.recv().await {
        ServerMsg::TeamChats { chats } => chats,
        other => panic!("expected the team chats, got {other:?}"),
    };
    let ids: Vec<_> = chats.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![group.id, direct.id], "most recently active first");
    for expected in ids {
        match g2.recv().await {
            ServerMsg::History {
                conversation_id,
                messages,
                ..
            } => {
                assert_eq!(conversation_id, expected);
                if expected == direct.id {
                    assert!(messages.iter().any(|m| m.id == sent.id));
                }
            }
            other => panic!("expected a history, got {other:?}"),
        }
    }
    // the visitor heard nothing of any of it
    v.c.barrier().await;
    srv.stop().await;
}
