//! The conversation lifecycle, fan-out, delivery guarantees and persistence.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use livechat_testkit::send_msg;
use protocol::{ClientMsg, ConversationStatus, Cursor, ErrorCode, MessageKind, Role, ServerMsg};
use tokio_util::sync::CancellationToken;

use crate::support::*;

#[tokio::test]
async fn full_flow_request_accept_reply_end_then_scenario_20_new_request() {
    let srv = TestServer::start().await;
    let ada = srv.ada().await;
    let mut agent = srv.connect(&ada.token, vec![]).await;
    assert!(agent.conversations.is_empty());
    agent.c.send(&ClientMsg::SetOnline { online: true }).await;
    assert_eq!(agent.c.recv().await, ServerMsg::Queue { requests: vec![] });

    let bob = srv.visitor("Bob").await;
    let mut tab1 = srv.connect(&bob.token, vec![]).await;
    let mut tab2 = srv.connect(&bob.token, vec![]).await;
    tab1.c.say("m1", None, "  Hello, I need help  ").await;
    let ServerMsg::Conversation { conversation } = tab1.c.recv().await else {
        panic!()
    };
    assert_eq!(conversation.status, ConversationStatus::Waiting);
    let ServerMsg::Ack {
        client_id,
        message: first,
    } = tab1.c.recv().await
    else {
        panic!()
    };
    assert_eq!(
        (client_id.as_str(), first.seq, first.body.as_str()),
        ("m1", 1, "Hello, I need help")
    );
    // the second tab sees the conversation and the message, not an ack
    assert!(matches!(
        tab2.c.recv().await,
        ServerMsg::Conversation { .. }
    ));
    assert_eq!(
        tab2.c.recv().await,
        ServerMsg::Message {
            message: first.clone()
        }
    );
    let ServerMsg::RequestAdded { request } = agent.c.recv().await else {
        panic!()
    };
    assert_eq!(
        (request.conversation_id, request.preview.as_str()),
        (conversation.id, "Hello, I need help")
    );
    assert_eq!(request.visitor.name, "Bob");

    agent
        .c
        .send(&ClientMsg::Accept {
            conversation_id: conversation.id,
        })
        .await;
    let ServerMsg::Accepted {
        conversation: accepted,
    } = agent.c.recv().await
    else {
        panic!()
    };
    assert_eq!(accepted.status, ConversationStatus::Active);
    assert_eq!(accepted.agents[0].name, "Ada");
    let ServerMsg::History { messages, .. } = agent.c.recv().await else {
        panic!()
    };
    assert_eq!(messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(messages[1].body, "Ada joined the chat");
    assert!(
        matches!(agent.c.recv().await, ServerMsg::RequestRemoved { accepted_by: Some(p), .. } if p.name == "Ada")
    );
    for tab in [&mut tab1, &mut tab2] {
        assert!(
            matches!(tab.c.recv().await, ServerMsg::Conversation { conversation } if conversation.status == ConversationStatus::Active)
        );
        let ServerMsg::Message { message } = tab.c.recv().await else {
            panic!()
        };
        assert_eq!(
            (message.kind, message.body.as_str()),
            (MessageKind::System, "Ada joined the chat")
        );
    }

    let reply = agent
        .c
        .say_acked("r1", Some(conversation.id), "Hi Bob, how can I help?")
        .await;
    assert_eq!(reply.seq, 3);
    assert_eq!(reply.author.as_ref().unwrap().role(), Role::Agent);
    for tab in [&mut tab1, &mut tab2] {
        assert_eq!(
            tab.c.recv().await,
            ServerMsg::Message {
                message: reply.clone()
            }
        );
    }
    // visitor without an id goes to the open conversation
    let m = tab2.c.say_acked("m2", None, "thanks").await;
    assert_eq!((m.conversation_id, m.seq), (conversation.id, 4));
    assert!(matches!(agent.c.recv().await, ServerMsg::Message { message } if message.id == m.id));
    assert!(matches!(tab1.c.recv().await, ServerMsg::Message { message } if message.id == m.id));

    agent
        .c
        .send(&ClientMsg::End {
            conversation_id: conversation.id,
        })
        .await;
    for c in [&mut agent.c, &mut tab1.c, &mut tab2.c] {
        let ServerMsg::Message { message } = c.recv().await else {
            panic!()
        };
        assert_eq!(message.body, "Ada ended the chat");
        assert!(
            matches!(c.recv().await, ServerMsg::Conversation { conversation } if conversation.status == ConversationStatus::Ended)
        );
    }
    // scenario 20: no more sends into it; a send without id starts a new request
    tab1.c.say("m3", Some(conversation.id), "hello?").await;
    let (code, _, client_id) = tab1.c.expect_error().await;
    assert_eq!(
        (code, client_id.as_deref()),
        (ErrorCode::ConversationEnded, Some("m3"))
    );
    tab1.c.say("m4", None, "new question").await;
    let ServerMsg::Conversation {
        conversation: fresh,
    } = tab1.c.recv().await
    else {
        panic!()
    };
    assert_ne!(fresh.id, conversation.id);
    assert!(matches!(tab1.c.recv().await, ServerMsg::Ack { message, .. } if message.seq == 1));
    assert!(
        matches!(agent.c.recv().await, ServerMsg::RequestAdded { request } if request.conversation_id == fresh.id)
    );
    srv.stop().await;
}

/// Scenario 17: exactly one wins; every other agent is told who joined (by the refusal and by
/// `request_removed`) and may still join.
#[tokio::test]
async fn scenario_17_a_hundred_concurrent_accepts_have_one_winner() {
    let srv = TestServer::start().await;
    let agents = srv.extra_agents(100).await;
    let mut sockets = Vec::new();
    for a in &agents {
        let mut s = srv.connect(&a.token, vec![]).await;
        s.c.send(&ClientMsg::SetOnline { online: true }).await;
        assert!(matches!(s.c.recv().await, ServerMsg::Queue { .. }));
        sockets.push(s);
    }
    let v = srv.visitor("Vera").await;
    let mut vis = srv.connect(&v.token, vec![]).await;
    let msg = vis.c.say_acked("v1", None, "help").await;
    for s in &mut sockets {
        assert!(matches!(s.c.recv().await, ServerMsg::RequestAdded { .. }));
    }
    let id = msg.conversation_id;
    let results = futures_util::future::join_all(sockets.into_iter().map(|mut s| async move {
        s.c.send(&ClientMsg::Accept {
            conversation_id: id,
        })
        .await;
        // the winner gets accepted first; losers get request_removed and their error in
        // either order
        let mut outcome = None;
        let mut removed_by = None;
        while outcome.is_none() || removed_by.is_none() {
            match s.c.recv().await {
                ServerMsg::Accepted { .. } => outcome = Some(Ok(())),
                ServerMsg::History { .. } => {}
                ServerMsg::RequestRemoved { accepted_by, .. } => {
                    removed_by = Some(accepted_by.expect("request_removed names the winner"))
                }
                ServerMsg::Error {
                    code: ErrorCode::AlreadyAccepted,
                    message,
                    ..
                } => outcome = Some(Err(message)),
                other => panic!("unexpected {other:?}"),
            }
        }
        (outcome.unwrap(), removed_by.unwrap())
    }))
    .await;
    let winners: Vec<usize> = (0..results.len())
        .filter(|i| results[*i].0.is_ok())
        .collect();
    assert_eq!(winners.len(), 1, "exactly one accepted");
    let winner = &agents[winners[0]].me;
    for (outcome, by) in &results {
        assert_eq!(
            (by.principal, by.name.as_str()),
            (winner.principal, winner.name.as_str()),
            "every online agent is told the same, real winner"
        );
        if let Err(message) = outcome {
            assert_eq!(
                message,
                &format!("{} already accepted this chat", winner.name),
                "a loser's refusal names who joined"
            );
        }
    }
    let joined = srv.stored(&v.me, id).await;
    assert_eq!(
        joined
            .iter()
            .filter(|m| m.kind == MessageKind::System)
            .count(),
        1
    );
    srv.stop().await;
}

/// A late accept names who took the chat; the late agent may join it as a second participant.
/// An agent the request was never offered to (another section's) learns nothing: see
/// `routing.rs`.
#[tokio::test]
async fn accepting_a_taken_request_names_the_winner_and_the_late_agent_may_join() {
    let srv = TestServer::start().await;
    let ada = srv.ada().await;
    let grace = srv.grace().await;
    let mut g = srv.connect(&grace.token, vec![]).await;
    g.c.send(&ClientMsg::SetOnline { online: true }).await;
    assert!(matches!(g.c.recv().await, ServerMsg::Queue { .. }));
    let v = srv.visitor("Late").await;
    let mut vs = srv.connect(&v.token, vec![]).await;
    let conv = vs.c.say_acked("v1", None, "help").await.conversation_id;
    assert!(matches!(g.c.recv().await, ServerMsg::RequestAdded { .. }));

    let mut a = srv.connect(&ada.token, vec![]).await;
    a.c.send(&ClientMsg::Accept {
        conversation_id: conv,
    })
    .await;
    assert!(matches!(a.c.recv().await, ServerMsg::Accepted { .. }));
    // Grace, online, learns who took it from the queue update...
    match g.c.recv().await {
        ServerMsg::RequestRemoved {
            conversation_id,
            accepted_by: Some(by),
            ..
        } => assert_eq!((conversation_id, by.principal), (conv, ada.me.principal)),
        other => panic!("expected request_removed naming Ada, got {other:?}"),
    }
    // ...and from the refusal of her accept, which came a moment too late
    g.c.send(&ClientMsg::Accept {
        conversation_id: conv,
    })
    .await;
    let (code, message, _) = g.c.expect_error().await;
    assert_eq!(
        (code, message.as_str()),
        (ErrorCode::AlreadyAccepted, "Ada already accepted this chat")
    );
    // something that never existed is still just not found
    g.c.send(&ClientMsg::Accept {
        conversation_id: NEVER_ISSUED,
    })
    .await;
    assert_eq!(g.c.expect_error().await.0, ErrorCode::NotFound);
    // she may still join
    let (status, _) = call(
        &srv,
        reqwest::Method::POST,
        &format!("/api/agent/conversations/{}/join", conv.0),
        Some(&grace.token),
        None,
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::NO_CONTENT);
    match g.c.recv().await {
        ServerMsg::Accepted { conversation } => assert_eq!(conversation.agents.len(), 2),
        other => panic!("expected to be in the chat, got {other:?}"),
    }
    srv.stop().await;
}

#[tokio::test]
async fn scenario_13_retried_client_id_returns_the_same_message() {
    let srv = TestServer::start().await;
    let v = srv.visitor("Rita").await;
    let mut a = srv.connect(&v.token, vec![]).await;
    let mut b = srv.connect(&v.token, vec![]).await;
    let first = a.c.say_acked("retry-1", None, "once").await;
    assert!(matches!(b.c.recv().await, ServerMsg::Conversation { .. }));
    assert!(matches!(b.c.recv().await, ServerMsg::Message { .. }));
    // retry on another socket of the same visitor, even with a different body
    let again = b.c.say_acked("retry-1", None, "once (retry)").await;
    assert_eq!(again, first);
    // the first socket was told nothing about the retry: its next frame answers its barrier
    a.c.barrier().await;
    let v2 = v.me.clone();
    let all = srv
        .db()
        .call(move |s| s.messages_after(&v2, first.conversation_id, 0))
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    srv.stop().await;
}

#[tokio::test]
async fn scenario_14_reconnect_with_cursor_gets_exactly_the_gap() {
    let srv = TestServer::start().await;
    let v = srv.visitor("Gap").await;
    let mut s = srv.connect(&v.token, vec![]).await;
    let mut seqs = Vec::new();
    for i in 0..6 {
        seqs.push(
            s.c.say_acked(&format!("g{i}"), None, &format!("msg {i}"))
                .await,
        );
    }
    let conv = seqs[0].conversation_id;
    drop(s);
    let again = srv
        .connect(
            &v.token,
            vec![Cursor {
                conversation_id: conv,
                last_seq: 2,
            }],
        )
        .await;
    assert_eq!(again.conversations.len(), 1);
    let (id, gap) = &again.histories[0];
    assert_eq!(*id, conv);
    assert_eq!(gap.iter().map(|m| m.seq).collect::<Vec<_>>(), [3, 4, 5, 6]);
    assert_eq!(gap, &seqs[2..].to_vec());
    // no cursor: everything; sync fills a gap without reconnecting
    let mut full = srv.connect(&v.token, vec![]).await;
    assert_eq!(full.histories[0].1.len(), 6);
    full.c
        .send(&ClientMsg::Sync {
            conversation_id: conv,
            after_seq: 5,
        })
        .await;
    let ServerMsg::History { messages, .. } = full.c.recv().await else {
        panic!()
    };
    assert_eq!(messages.iter().map(|m| m.seq).collect::<Vec<_>>(), [6]);
    srv.stop().await;
}

#[tokio::test]
async fn scenario_16_restart_keeps_history_and_tokens() {
    let dir = Arc::new(tempfile::TempDir::new().unwrap());
    let srv = TestServer::start_in(dir.clone(), |_| {}).await;
    let v = srv.visitor("Persist").await;
    let ada = srv.ada().await;
    let mut s = srv.connect(&v.token, vec![]).await;
    let m1 = s.c.say_acked("p1", None, "before restart").await;
    let mut a = srv.connect(&ada.token, vec![]).await;
    a.c.send(&ClientMsg::Accept {
        conversation_id: m1.conversation_id,
    })
    .await;
    assert!(matches!(a.c.recv().await, ServerMsg::Accepted { .. }));
    // graceful shutdown closes open sockets with 1001
    let stopping = tokio::spawn(srv.stop());
    let (_, close) = s.c.until_close().await;
    assert_eq!(u16::from(close.expect("close frame").code), 1001);
    bounded("stop", stopping).await.unwrap();

    let srv = TestServer::start_in(dir, |_| {}).await;
    let back = srv.connect(&v.token, vec![]).await;
    assert_eq!(back.conversations[0].id, m1.conversation_id);
    let bodies: Vec<_> = back.histories[0]
        .1
        .iter()
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(bodies, ["before restart", "Ada joined the chat"]);
    let agent = srv.connect(&ada.token, vec![]).await;
    assert_eq!(
        agent.conversations.len(),
        1,
        "agent token and participation survive"
    );
    // the demo agents are not seeded twice
    let n = srv.db().call(|s| s.agent_count()).await.unwrap();
    assert_eq!(n, 2);
    srv.stop().await;
}

#[tokio::test]
async fn scenario_12_sends_beyond_the_burst_are_refused_and_never_stored() {
    // One send per second after a burst of five: the 60 sends below are answered long before a
    // second refill could matter, however slow the disk (only the five burst sends are stored).
    const BURST: usize = 5;
    const SENDS: usize = 60;
    let srv = TestServer::start_with(|c| {
        c.sends_per_second = 1;
        c.send_burst = BURST as u32;
    })
    .await;
    let flooder = srv.visitor("Flood").await;
    let mut f = srv.connect(&flooder.token, vec![]).await;
    let started = Instant::now();
    for i in 0..SENDS {
        f.c.say(&format!("f{i}"), None, "spam").await;
    }
    // One socket is answered in order: an ack or a refusal per send, in the order sent.
    let mut answers = Vec::new();
    let mut acked = Vec::new();
    while answers.len() < SENDS {
        match f.c.recv().await {
            ServerMsg::Ack { client_id, message } => {
                answers.push((client_id, true));
                acked.push(message);
            }
            ServerMsg::Error {
                code: ErrorCode::RateLimited,
                client_id,
                ..
            } => answers.push((client_id.expect("rate_limited names the client_id"), false)),
            ServerMsg::Conversation { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    let took = started.elapsed();
    let ids: Vec<String> = answers.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(ids, (0..SENDS).map(|i| format!("f{i}")).collect::<Vec<_>>());
    let accepted: Vec<bool> = answers.iter().map(|(_, ok)| *ok).collect();
    // The limiter adds one send per whole second; a run slower than a second (it is a few
    // milliseconds) may have earned that many more, and no other.
    let refills = took.as_secs() as usize;
    if refills == 0 {
        let mut expected = vec![true; BURST];
        expected.resize(SENDS, false);
        assert_eq!(
            accepted, expected,
            "exactly the burst is acked, the rest refused"
        );
    } else {
        assert!(accepted[..BURST].iter().all(|ok| *ok), "{accepted:?}");
        let n = acked.len();
        assert!(
            n <= BURST + refills,
            "{n} acked in {took:?}: more than the burst and {refills} refills"
        );
    }
    // Exactly the acked messages were stored, once each, gap-free; nothing refused was.
    let stored = srv.stored(&flooder.me, acked[0].conversation_id).await;
    assert_eq!(stored, acked);
    assert_eq!(
        stored.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (1..=acked.len() as i64).collect::<Vec<_>>()
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_12_a_flood_does_not_hold_up_other_conversations_while_it_lasts() {
    // Default limits: 5 sends per second after a burst of 20.
    let srv = TestServer::start().await;
    let flooder = srv.visitor("Flood").await;
    let calm = srv.visitor("Calm").await;
    let grace = srv.grace().await;

    // The bystanders: Calm's conversation, accepted by Grace.
    let (mut c, mut g, conv) = srv.accepted_chat(&calm, &grace).await;

    // The flood: one send every 2 ms (100 times the rate) until told to stop, read on its own
    // task, counting acks and refusals.
    let f = srv.connect(&flooder.token, vec![]).await;
    let (mut ftx, mut frx) = f.c.split();
    let sent = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(AtomicUsize::new(0));
    let limited = Arc::new(AtomicUsize::new(0));
    let stop = CancellationToken::new();
    let flood_started = Instant::now();
    let writer = tokio::spawn({
        let (sent, stop) = (sent.clone(), stop.clone());
        async move {
            let mut tick = tokio::time::interval(Duration::from_millis(2));
            while !stop.is_cancelled() {
                tick.tick().await;
                let i = sent.load(Ordering::SeqCst);
                ftx.try_send(&send_msg(&format!("f{i}"), None, "spam"))
                    .await
                    .unwrap();
                sent.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let reader = tokio::spawn({
        let (acked, limited, stop) = (acked.clone(), limited.clone(), stop.clone());
        async move {
            loop {
                let frame = tokio::select! {
                    _ = stop.cancelled() => return,
                    f = frx.try_recv() => f.unwrap(),
                };
                match frame {
                    ServerMsg::Ack { .. } => acked.fetch_add(1, Ordering::SeqCst),
                    ServerMsg::Error {
                        code: ErrorCode::RateLimited,
                        ..
                    } => limited.fetch_add(1, Ordering::SeqCst),
                    ServerMsg::Conversation { .. } => continue,
                    other => panic!("the flooder got {other:?}"),
                };
            }
        }
    });
    // The flood is on and already being refused...
    eventually("the flooder's first refusal", STEP, || {
        limited.load(Ordering::SeqCst) > 0
    })
    .await;
    // ...while the bystanders talk: every message acked and delivered, both ways.
    let mut rounds = Vec::new();
    for i in 0..10 {
        let (sent_before, limited_before) =
            (sent.load(Ordering::SeqCst), limited.load(Ordering::SeqCst));
        let t = Instant::now();
        let m =
            c.c.say_acked(&format!("c{}", i + 1), Some(conv), "still there?")
                .await;
        let acked_after = t.elapsed();
        assert_eq!(g.c.recv().await, ServerMsg::Message { message: m });
        let r = g.c.say_acked(&format!("g{i}"), Some(conv), "yes").await;
        assert_eq!(c.c.recv().await, ServerMsg::Message { message: r });
        rounds.push((acked_after, t.elapsed()));
        // the flood went on during this round (and was still being refused)
        eventually("the flood to go on", STEP, || {
            sent.load(Ordering::SeqCst) > sent_before
                && limited.load(Ordering::SeqCst) > limited_before
        })
        .await;
    }
    assert!(!writer.is_finished(), "the flood lasted the whole exchange");
    stop.cancel();
    bounded("the flood's writer", writer).await.unwrap();
    bounded("the flood's reader", reader).await.unwrap();
    let flood_lasted = flood_started.elapsed();
    let (acked, limited) = (acked.load(Ordering::SeqCst), limited.load(Ordering::SeqCst));
    // The burst went through (the first refusal came after it), then at most the rate.
    let allowed = 20 + (5.0 * flood_lasted.as_secs_f64()).ceil() as usize;
    assert!(
        (20..=allowed).contains(&acked),
        "{acked} acked in {flood_lasted:?} ({limited} refused)"
    );
    println!(
        "flood: {acked} acked, {limited} refused in {flood_lasted:?}; bystander rounds \
         (send->ack, whole round): {rounds:?}"
    );
    srv.stop().await;
}

#[tokio::test]
async fn scenario_1_markup_is_stored_and_returned_verbatim() {
    let srv = TestServer::start().await;
    let name = "<img src=x onerror=alert(1)>";
    let body = "<script>alert('x')</script> & \"quotes\"";
    let v = srv.visitor(name).await;
    assert_eq!(v.me.name, name);
    let ada = srv.ada().await;
    let mut a = srv.connect(&ada.token, vec![]).await;
    a.c.send(&ClientMsg::SetOnline { online: true }).await;
    a.c.recv().await;
    let mut s = srv.connect(&v.token, vec![]).await;
    let m = s.c.say_acked("x1", None, body).await;
    assert_eq!(m.body, body);
    let ServerMsg::RequestAdded { request } = a.c.recv().await else {
        panic!()
    };
    assert_eq!(
        (request.visitor.name.as_str(), request.preview.as_str()),
        (name, body)
    );
    let again = srv.connect(&v.token, vec![]).await;
    assert_eq!(again.histories[0].1[0].body, body);
    assert_eq!(again.conversations[0].visitor.name, name);
    srv.stop().await;
}

#[tokio::test]
async fn invalid_inputs_are_refused_with_invalid_input() {
    let srv = TestServer::start().await;
    let v = srv.visitor("In").await;
    let mut s = srv.connect(&v.token, vec![]).await;
    s.c.say("ok-id", None, "   ").await;
    assert_eq!(s.c.expect_error().await.0, ErrorCode::InvalidInput);
    s.c.say("ok-id", None, &"x".repeat(protocol::MAX_BODY_CHARS + 1))
        .await;
    assert_eq!(s.c.expect_error().await.0, ErrorCode::InvalidInput);
    s.c.say("has space", None, "hi").await;
    let (code, _, client_id) = s.c.expect_error().await;
    assert_eq!((code, client_id), (ErrorCode::InvalidInput, None));
    let ada = srv.ada().await;
    let mut a = srv.connect(&ada.token, vec![]).await;
    a.c.say("a1", None, "agents must name it").await;
    assert_eq!(a.c.expect_error().await.0, ErrorCode::InvalidInput);
    srv.stop().await;
}
