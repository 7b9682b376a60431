//! Sections, the queue and working together over the real server: a request reaches only the
//! online agents of its section; a rejected request leaves that agent's queue and stays with
//! the others; an unanswered request is abandoned (the visitor is told, agents see it move to
//! Abandoned); a late accept names who took the chat and the late agent may join; invitations
//! are declined, accepted and used to hand a chat over, and the visitor sees only "joined" and
//! "left" lines, never the invitation.

use protocol::workspace::{InvitationOutcome, Invitee};
use protocol::{ClientMsg, ErrorCode, MessageKind, ServerMsg};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

/// Connect an agent and go online; the queue snapshot they get.
async fn online(srv: &TestServer, token: &str) -> (Connected, Vec<protocol::ConversationId>) {
    let mut a = srv.connect(token, vec![]).await;
    a.c.send(&ClientMsg::SetOnline { online: true }).await;
    match a.c.recv().await {
        ServerMsg::Queue { requests } => {
            let ids = requests.iter().map(|r| r.conversation_id).collect();
            (a, ids)
        }
        other => panic!("expected the queue, got {other:?}"),
    }
}

async fn post(
    srv: &TestServer,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    call(srv, Method::POST, path, Some(token), body).await
}

#[tokio::test]
async fn requests_reach_the_agents_of_their_section_and_rejects_pass_them_on() {
    let srv = TestServer::start().await;
    let (ada, grace) = (srv.ada().await, srv.grace().await);
    let extra = srv.extra_agents(1).await;
    let hal = &extra[0];
    // Sales takes anonymous chat: Ada and Hal; Support takes contacts only: Grace
    let (status, sales) = post(
        &srv,
        "/api/admin/sections",
        &ada.token,
        Some(
            json!({"name": "Sales", "anonymous_chat": true, "contact_chat": false,
                    "members": [ada.me.principal.raw(), hal.me.principal.raw()]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sales}");
    let (status, _) = post(
        &srv,
        "/api/admin/sections",
        &ada.token,
        Some(
            json!({"name": "Support", "anonymous_chat": false, "contact_chat": true,
                    "members": [grace.me.principal.raw()]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // a non-admin may read the sections (to invite one), not change them
    let (status, list) = call(
        &srv,
        Method::GET,
        "/api/agent/sections",
        Some(&grace.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["sections"].as_array().unwrap().len(), 2);
    let (status, body) = post(
        &srv,
        "/api/admin/sections",
        &grace.token,
        Some(json!({"name": "Mine"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let (mut a, _) = online(&srv, &ada.token).await;
    let (mut g, _) = online(&srv, &grace.token).await;
    let (mut h, _) = online(&srv, &hal.token).await;
    let marta = srv.visitor("Marta").await;
    let mut v = srv.connect(&marta.token, vec![]).await;
    let conv =
        v.c.say_acked("m1", None, "Do you ship to Norway?")
            .await
            .conversation_id;
    for agent in [&mut a, &mut h] {
        match agent.c.recv().await {
            ServerMsg::RequestAdded { request } => assert_eq!(request.conversation_id, conv),
            other => panic!("expected the request, got {other:?}"),
        }
    }
    // Grace's section does not take anonymous chat: nothing reaches her, and she cannot take it
    g.c.barrier().await;
    g.c.send(&ClientMsg::Accept {
        conversation_id: conv,
    })
    .await;
    assert_eq!(g.c.expect_error().await.0, ErrorCode::NotFound);
    let (_, queue) = online(&srv, &grace.token).await;
    assert!(queue.is_empty(), "not in her queue either");

    // Ada rejects: gone from her consoles, still Hal's
    let (status, _) = post(
        &srv,
        &format!("/api/agent/conversations/{}/reject", conv.0),
        &ada.token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    match a.c.recv().await {
        ServerMsg::RequestRemoved {
            conversation_id,
            accepted_by: None,
            abandoned: false,
        } => {
            assert_eq!(conversation_id, conv)
        }
        other => panic!("expected the request to leave Ada's queue, got {other:?}"),
    }
    h.c.barrier().await;
    let (_, queue) = online(&srv, &ada.token).await;
    assert!(queue.is_empty(), "not offered to Ada again");
    let (_, queue) = online(&srv, &hal.token).await;
    assert_eq!(queue, vec![conv]);
    // Grace's reject is refused like her accept; a visitor's is not an agent's call at all
    let (status, body) = post(
        &srv,
        &format!("/api/agent/conversations/{}/reject", conv.0),
        &grace.token,
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (status, _) = post(
        &srv,
        &format!("/api/agent/conversations/{}/reject", conv.0),
        &marta.token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    h.c.send(&ClientMsg::Accept {
        conversation_id: conv,
    })
    .await;
    assert!(matches!(h.c.recv().await, ServerMsg::Accepted { .. }));
    assert!(matches!(v.c.recv().await, ServerMsg::Conversation { .. }));
    srv.stop().await;
}

#[tokio::test]
async fn an_unanswered_request_is_abandoned_and_followed_up() {
    let srv = TestServer::start().await;
    let ada = srv.ada().await;
    let (status, _) = call(
        &srv,
        Method::PUT,
        "/api/admin/settings",
        Some(&ada.token),
        Some(json!({"chat_enabled": true, "unanswered_after_secs": 1, "abandon_after_secs": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (mut a, _) = online(&srv, &ada.token).await;
    let marta = srv.visitor("Marta").await;
    let mut v = srv.connect(&marta.token, vec![]).await;
    let conv = v.c.say_acked("m1", None, "Hello?").await.conversation_id;
    assert!(matches!(a.c.recv().await, ServerMsg::RequestAdded { .. }));
    // within a couple of seconds: the visitor is told to leave a message, the queue loses it
    match v.c.recv().await {
        ServerMsg::Message { message } => {
            assert_eq!(message.kind, MessageKind::System);
            assert!(
                message.body.contains("Leave your message"),
                "{}",
                message.body
            );
        }
        other => panic!("expected the abandoned line, got {other:?}"),
    }
    match a.c.recv().await {
        ServerMsg::RequestRemoved {
            conversation_id,
            accepted_by: None,
            abandoned: true,
        } => {
            assert_eq!(conversation_id, conv)
        }
        other => panic!("expected the request to be abandoned, got {other:?}"),
    }
    // the visitor leaves a message in it; agents find it under Abandoned
    v.c.say_acked("m2", Some(conv), "Please call me about my order 1234")
        .await;
    a.c.barrier().await;
    let (status, list) = call(
        &srv,
        Method::GET,
        "/api/agent/abandoned",
        Some(&ada.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let chats = list["chats"].as_array().unwrap();
    assert_eq!(chats.len(), 1, "{list}");
    assert_eq!(chats[0]["last_line"], "Please call me about my order 1234");
    assert_eq!(chats[0]["messages"], 2);
    // following it up: taking it, and the visitor is back with an agent
    a.c.send(&ClientMsg::Accept {
        conversation_id: conv,
    })
    .await;
    assert!(matches!(a.c.recv().await, ServerMsg::Accepted { .. }));
    assert!(matches!(v.c.recv().await, ServerMsg::Conversation { .. }));
    let (_, list) = call(
        &srv,
        Method::GET,
        "/api/agent/abandoned",
        Some(&ada.token),
        None,
    )
    .await;
    assert!(list["chats"].as_array().unwrap().is_empty());
    srv.stop().await;
}

#[tokio::test]
async fn a_late_agent_is_told_who_joined_and_may_join_and_invitations_hand_chats_over() {
    let srv = TestServer::start().await;
    let (ada, grace) = (srv.ada().await, srv.grace().await);
    let (mut a, _) = online(&srv, &ada.token).await;
    let (mut g, _) = online(&srv, &grace.token).await;
    let marta = srv.visitor("Marta").await;
    let mut v = srv.connect(&marta.token, vec![]).await;
    let conv = v.c.say_acked("m1", None, "hello").await.conversation_id;
    assert!(matches!(a.c.recv().await, ServerMsg::RequestAdded { .. }));
    assert!(matches!(g.c.recv().await, ServerMsg::RequestAdded { .. }));
    a.c.send(&ClientMsg::Accept {
        conversation_id: conv,
    })
    .await;
    assert!(matches!(a.c.recv().await, ServerMsg::Accepted { .. }));
    assert!(matches!(a.c.recv().await, ServerMsg::History { .. }));
    assert!(matches!(a.c.recv().await, ServerMsg::RequestRemoved { .. }));
    assert!(matches!(v.c.recv().await, ServerMsg::Conversation { .. }));
    assert!(matches!(v.c.recv().await, ServerMsg::Message { .. }));
    assert!(matches!(
        g.c.recv().await,
        ServerMsg::RequestRemoved {
            accepted_by: Some(_),
            ..
        }
    ));
    // Grace was a moment too late: the refusal names Ada
    g.c.send(&ClientMsg::Accept {
        conversation_id: conv,
    })
    .await;
    let (code, text, _) = g.c.expect_error().await;
    assert_eq!(code, ErrorCode::AlreadyAccepted);
    assert!(text.contains("Ada"), "{text}");
    // Ada writes a private note before Grace joins: Grace gets it when she does
    a.c.send(&ClientMsg::Note {
        client_id: "n1".into(),
        conversation_id: conv,
        body: "Knows the product".into(),
    })
    .await;
    assert!(matches!(a.c.recv().await, ServerMsg::Note { .. }));
    let (status, _) = post(
        &srv,
        &format!("/api/agent/conversations/{}/join", conv.0),
        &grace.token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(matches!(g.c.recv().await, ServerMsg::Accepted { .. }));
    assert!(matches!(g.c.recv().await, ServerMsg::History { .. }));
    match g.c.recv().await {
        ServerMsg::Notes { notes, .. } => assert_eq!(notes[0].body, "Knows the product"),
        other => panic!("expected the notes, got {other:?}"),
    }
    for side in [&mut a, &mut v] {
        assert!(
            matches!(side.c.recv().await, ServerMsg::Conversation { conversation } if conversation.agents.len() == 2)
        );
        match side.c.recv().await {
            ServerMsg::Message { message } => assert_eq!(message.body, "Grace joined the chat"),
            other => panic!("expected the joined line, got {other:?}"),
        }
    }
    // Grace leaves again; Ada, the last agent, may not
    let (status, _) = post(
        &srv,
        &format!("/api/agent/conversations/{}/leave", conv.0),
        &grace.token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = post(
        &srv,
        &format!("/api/agent/conversations/{}/leave", conv.0),
        &ada.token,
        None,
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    for side in [&mut a, &mut v] {
        match side.c.recv().await {
            ServerMsg::Message { message } => assert_eq!(message.body, "Grace left the chat"),
            other => panic!("expected the left line, got {other:?}"),
        }
        assert!(
            matches!(side.c.recv().await, ServerMsg::Conversation { conversation } if conversation.agents.len() == 1)
        );
    }
    assert!(
        matches!(g.c.recv().await, ServerMsg::Conversation { conversation } if conversation.agents.len() == 1)
    );

    // an invitation, declined
    let invite = |transfer: bool| json!({"invitee": {"agent": grace.me.principal.raw()}, "transfer": transfer});
    let path = format!("/api/agent/conversations/{}/invitations", conv.0);
    let (status, inv) = post(&srv, &path, &ada.token, Some(invite(false))).await;
    assert_eq!(status, StatusCode::CREATED, "{inv}");
    let (status, body) = post(&srv, &path, &ada.token, Some(invite(false))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("limit_reached")),
        "one pending at a time"
    );
    let id = inv["id"].as_i64().unwrap();
    for side in [&mut a, &mut g] {
        match side.c.recv().await {
            ServerMsg::Invitation { invitation } => {
                assert_eq!(
                    (invitation.id, invitation.invitee),
                    (id, Invitee::Agent(grace.me.principal.agent().unwrap()))
                );
                assert_eq!(invitation.from.name, "Ada");
            }
            other => panic!("expected the invitation, got {other:?}"),
        }
    }
    let (status, _) = post(
        &srv,
        &format!("/api/agent/invitations/{id}/decline"),
        &grace.token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for side in [&mut a, &mut g] {
        match side.c.recv().await {
            ServerMsg::InvitationClosed {
                id: closed,
                outcome,
                by,
                ..
            } => {
                assert_eq!((closed, outcome), (id, InvitationOutcome::Declined));
                assert_eq!(by.unwrap().name, "Grace");
            }
            other => panic!("expected the invitation closed, got {other:?}"),
        }
    }

    // a transfer: Grace accepts, Ada is out in the same step
    let (_, inv) = post(&srv, &path, &ada.token, Some(invite(true))).await;
    let id = inv["id"].as_i64().unwrap();
    assert!(matches!(a.c.recv().await, ServerMsg::Invitation { .. }));
    assert!(matches!(g.c.recv().await, ServerMsg::Invitation { .. }));
    let (status, _) = post(
        &srv,
        &format!("/api/agent/invitations/{id}/accept"),
        &grace.token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // the visitor: the joined and left lines only
    let mut lines = Vec::new();
    while lines.len() < 2 {
        match v.c.recv().await {
            ServerMsg::Message { message } => lines.push(message.body),
            ServerMsg::Conversation { .. } => {}
            other => panic!("the visitor got {other:?}"),
        }
    }
    assert_eq!(lines, ["Grace joined the chat", "Ada left the chat"]);
    v.c.say_acked("m2", Some(conv), "thanks").await;
    let seen = v.c.history_after(conv, 0).await;
    assert!(
        seen.iter()
            .all(|m| !m.body.to_lowercase().contains("invit")),
        "{seen:?}"
    );
    // Grace has it; Ada cannot write into it any more
    loop {
        if let ServerMsg::Message { message } = g.c.recv().await
            && message.body == "thanks"
        {
            break;
        }
    }
    a.c.send(&ClientMsg::Send {
        client_id: "late".into(),
        conversation_id: Some(conv),
        body: "still here?".into(),
    })
    .await;
    loop {
        if let ServerMsg::Error {
            code,
            client_id: Some(c),
            ..
        } = a.c.recv().await
        {
            assert_eq!((code, c.as_str()), (ErrorCode::NotFound, "late"));
            break;
        }
    }
    srv.stop().await;
}

#[tokio::test]
async fn an_agent_offers_choices_and_the_pick_comes_back_as_the_visitors_reply() {
    let srv = TestServer::start().await;
    let (marta, ada) = (srv.visitor("Marta").await, srv.ada().await);
    let (mut v, mut a, conv) = srv.accepted_chat(&marta, &ada).await;
    let path = format!("/api/agent/conversations/{}/offer", conv.0);
    let offer = json!({"client_id": "o1", "body": "Which device is it about?", "options": ["Laptop", " Phone "]});
    let (status, stored) = post(&srv, &path, &ada.token, Some(offer.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["options"], json!(["Laptop", "Phone"]), "trimmed");
    // everyone's sockets get it with its choices, the offering agent's too
    for side in [&mut v, &mut a] {
        match side.c.recv().await {
            ServerMsg::Message { message } => {
                assert_eq!(message.options, ["Laptop", "Phone"]);
                assert_eq!(message.body, "Which device is it about?");
            }
            other => panic!("expected the offer, got {other:?}"),
        }
    }
    // a retry is the same message, sent to nobody again
    let (status, again) = post(&srv, &path, &ada.token, Some(offer)).await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &stored["id"]));
    // the visitor picks (over REST, from the widget's panel): an ordinary reply, on every
    // socket of everyone in the chat, the visitor's own too (the panel has no socket)
    let answer = format!("/api/conversations/{}/answer", conv.0);
    let seq = stored["seq"].as_i64().unwrap();
    let pick = json!({"client_id": "pick", "seq": seq, "choice": "Phone"});
    let (status, reply) = post(&srv, &answer, &marta.token, Some(pick.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    assert_eq!(reply["body"], "Phone");
    for side in [&mut a, &mut v] {
        match side.c.recv().await {
            ServerMsg::Message { message } => {
                assert_eq!((message.body.as_str(), message.options.len()), ("Phone", 0));
                assert_eq!(message.author.unwrap().principal, marta.me.principal);
            }
            other => panic!("expected the pick, got {other:?}"),
        }
    }
    let (status, again) = post(&srv, &answer, &marta.token, Some(pick)).await;
    assert_eq!(
        (status, &again["id"]),
        (StatusCode::OK, &reply["id"]),
        "a retry"
    );
    // only a choice that message offered, only by the chat's visitor
    for bad in [
        json!({"client_id": "p2", "seq": seq, "choice": "Tablet"}),
        json!({"client_id": "p3", "seq": seq, "choice": "phone"}),
        json!({"client_id": "p4", "seq": seq + 1, "choice": "Phone"}),
        json!({"client_id": "p5", "seq": 0, "choice": "Phone"}),
    ] {
        let (status, body) = post(&srv, &answer, &marta.token, Some(bad.clone())).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_input")),
            "{bad}"
        );
    }
    let pick = json!({"client_id": "x1", "seq": seq, "choice": "Phone"});
    let (status, _) = post(&srv, &answer, &ada.token, Some(pick.clone())).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "agents do not answer offers"
    );
    let other = srv.visitor("Other").await;
    let (status, _) = post(&srv, &answer, &other.token, Some(pick)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not his chat");
    v.c.barrier().await;
    a.c.barrier().await;
    // and it is in the history with its choices
    let seen = v.c.history_after(conv, 0).await;
    assert!(seen.iter().any(|m| m.options == ["Laptop", "Phone"]));
    // bad offers, and callers who may not offer
    for bad in [
        json!({"client_id": "o2", "body": "Pick", "options": ["Only one"]}),
        json!({"client_id": "o3", "body": "Pick", "options": ["Same", "Same"]}),
        json!({"client_id": "o4", "body": "Pick", "options": ["A", "x".repeat(61)]}),
        json!({"client_id": "o5", "body": "", "options": ["A", "B"]}),
    ] {
        let (status, body) = post(&srv, &path, &ada.token, Some(bad.clone())).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_input")),
            "{bad}"
        );
    }
    let (status, _) = post(
        &srv,
        &path,
        &marta.token,
        Some(json!({"client_id": "v1", "body": "x", "options": ["A", "B"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let grace = srv.grace().await;
    let (status, _) = post(
        &srv,
        &path,
        &grace.token,
        Some(json!({"client_id": "g1", "body": "x", "options": ["A", "B"]})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not her chat");
    srv.stop().await;
}

#[tokio::test]
async fn a_change_to_sections_gives_online_agents_their_queue_again() {
    let srv = TestServer::start().await;
    let (ada, grace) = (srv.ada().await, srv.grace().await);
    let (status, support) = post(
        &srv,
        "/api/admin/sections",
        &ada.token,
        Some(json!({"name": "Support", "members": [ada.me.principal.raw()]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (mut g, _) = online(&srv, &grace.token).await;
    let marta = srv.visitor("Marta").await;
    let mut v = srv.connect(&marta.token, vec![]).await;
    let conv = v.c.say_acked("m1", None, "hello").await.conversation_id;
    g.c.barrier().await; // not Grace's section: nothing
    // Grace joins Support: her console gets the queue with the request in it
    let path = format!("/api/admin/sections/{}", support["id"]);
    let (status, _) = call(
        &srv,
        Method::PUT,
        &path,
        Some(&ada.token),
        Some(json!({"name": "Support", "members": [ada.me.principal.raw(), grace.me.principal.raw()]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    match g.c.recv().await {
        ServerMsg::Queue { requests } => {
            assert_eq!(
                requests
                    .iter()
                    .map(|r| r.conversation_id)
                    .collect::<Vec<_>>(),
                [conv]
            )
        }
        other => panic!("expected the queue again, got {other:?}"),
    }
    // deleting the last section: every agent answers every request again (still hers)
    let (status, _) = call(&srv, Method::DELETE, &path, Some(&ada.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(matches!(g.c.recv().await, ServerMsg::Queue { requests } if requests.len() == 1));
    srv.stop().await;
}

#[tokio::test]
async fn visitors_pick_their_section_when_the_site_lets_them() {
    let srv = TestServer::start().await;
    let (ada, grace) = (srv.ada().await, srv.grace().await);
    let section = |name: &'static str, anonymous: bool, member: i64| {
        let (srv, token) = (&srv, ada.token.clone());
        async move {
            let (status, body) = post(
                srv,
                "/api/admin/sections",
                &token,
                Some(json!({"name": name, "anonymous_chat": anonymous, "members": [member]})),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            body["id"].as_i64().unwrap()
        }
    };
    let support = section("Support", true, grace.me.principal.raw()).await;
    let sales = section("Sales", true, ada.me.principal.raw()).await;
    let partners = section("Partners", false, ada.me.principal.raw()).await;
    let choices = || async {
        let (status, body) = call(&srv, Method::GET, "/api/availability", None, None).await;
        assert_eq!(status, StatusCode::OK);
        body["sections"].clone()
    };
    let pick = |token: String, section: serde_json::Value| {
        let srv = &srv;
        async move {
            call(
                srv,
                Method::PUT,
                "/api/visitor/section",
                Some(&token),
                Some(json!({ "section": section })),
            )
            .await
        }
    };
    let marta = srv.visitor("Marta").await;
    // off by default: no choice offered, none taken
    assert_eq!(choices().await, serde_json::Value::Null);
    let (status, body) = pick(marta.token.clone(), json!(support)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_input"))
    );
    // the admin lets visitors choose: the sections that take anonymous visitors, by name
    let (status, _) = call(
        &srv,
        Method::PUT,
        "/api/admin/settings",
        Some(&ada.token),
        Some(json!({"chat_enabled": true, "section_choice": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        choices().await,
        json!([{"id": sales, "name": "Sales"}, {"id": support, "name": "Support"}])
    );
    for refused in [json!(partners), json!(9999), json!("Sales")] {
        let (status, body) = pick(marta.token.clone(), refused.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}: {body}");
    }
    let (status, _) = pick(ada.token.clone(), json!(support)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "agents pick nothing");
    let (status, _) = pick(marta.token.clone(), json!(support)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // her request goes to Support (Grace) only
    let (mut a, _) = online(&srv, &ada.token).await;
    let (mut g, _) = online(&srv, &grace.token).await;
    let mut v = srv.connect(&marta.token, vec![]).await;
    let conv = v.c.say_acked("m1", None, "My order?").await.conversation_id;
    match g.c.recv().await {
        ServerMsg::RequestAdded { request } => assert_eq!(request.conversation_id, conv),
        other => panic!("expected the request, got {other:?}"),
    }
    a.c.barrier().await;

    // another visitor lets the site decide again (null): every section that takes her
    let lena = srv.visitor("Lena").await;
    let (status, _) = pick(lena.token.clone(), json!(sales)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = pick(lena.token.clone(), serde_json::Value::Null).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let mut l = srv.connect(&lena.token, vec![]).await;
    let conv = l.c.say_acked("l1", None, "Prices?").await.conversation_id;
    for agent in [&mut a, &mut g] {
        match agent.c.recv().await {
            ServerMsg::RequestAdded { request } => assert_eq!(request.conversation_id, conv),
            other => panic!("expected the request, got {other:?}"),
        }
    }
    // one section left that takes anonymous visitors: no choice
    let (status, _) = call(
        &srv,
        Method::DELETE,
        &format!("/api/admin/sections/{sales}"),
        Some(&ada.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(choices().await, serde_json::Value::Null);
    srv.stop().await;
}

/// The next `queue_position` of this visitor's socket (they come once a second at most).
async fn position(v: &mut Connected) -> (protocol::ConversationId, u32) {
    loop {
        if let ServerMsg::QueuePosition {
            conversation_id,
            position,
        } = v.c.recv().await
        {
            return (conversation_id, position);
        }
    }
}

#[tokio::test]
async fn waiting_visitors_hear_their_place_in_the_queue_as_it_moves() {
    let srv = TestServer::start().await;
    let ada = srv.ada().await;
    let (mut a, _) = online(&srv, &ada.token).await;
    let mut waiting = Vec::new();
    for name in ["Marta", "Lena", "Omar"] {
        let visitor = srv.visitor(name).await;
        let mut v = srv.connect(&visitor.token, vec![]).await;
        v.c.keep_queue_positions();
        let conv = v.c.say_acked("q1", None, "hello").await.conversation_id;
        waiting.push((visitor, v, conv));
    }
    for (i, (_, v, conv)) in waiting.iter_mut().enumerate() {
        assert_eq!(
            position(v).await,
            (*conv, i as u32 + 1),
            "in the order they asked"
        );
    }
    // Ada takes Marta's: everyone behind moves up
    let first = waiting[0].2;
    a.c.send(&ClientMsg::Accept {
        conversation_id: first,
    })
    .await;
    for (i, (_, v, conv)) in waiting.iter_mut().enumerate().skip(1) {
        assert_eq!(position(v).await, (*conv, i as u32));
    }
    // a second tab of Omar's hears his place at once (within a second), not only on a change
    let omar = &waiting[2];
    let mut tab = srv.connect(&omar.0.token, vec![]).await;
    tab.c.keep_queue_positions();
    assert_eq!(position(&mut tab).await, (omar.2, 2));
    srv.stop().await;
}
