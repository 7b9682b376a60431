//! History search over the real server: full text by the database's index (ranked, prefixes,
//! diacritics folded, input never query syntax), filters by visitor, agent and date, pages,
//! only ended conversations, agents only; and an ended chat read back as the record, notes
//! included.

use protocol::search::{ArchivedChat, HistoryResults, SEARCH_PAGE};
use protocol::{ClientMsg, ConversationId, SessionResponse};
use reqwest::{Method, StatusCode};

use crate::support::*;

/// A visitor's chat, answered and ended by `agent`.
async fn ended_chat(
    srv: &TestServer,
    visitor: &str,
    agent: &SessionResponse,
    lines: &[&str],
) -> ConversationId {
    let v = srv.visitor(visitor).await;
    let mut vs = srv.connect(&v.token, vec![]).await;
    let conv = vs.c.say_acked("l0", None, lines[0]).await.conversation_id;
    for (i, line) in lines.iter().enumerate().skip(1) {
        vs.c.say_acked(&format!("l{i}"), Some(conv), line).await;
    }
    let mut a = srv.connect(&agent.token, vec![]).await;
    a.c.send(&ClientMsg::Accept {
        conversation_id: conv,
    })
    .await;
    a.c.send(&ClientMsg::End {
        conversation_id: conv,
    })
    .await;
    until_ended(&mut a.c, conv).await;
    conv
}

async fn search(srv: &TestServer, token: &str, query: &str) -> HistoryResults {
    let (status, body) = call(
        srv,
        Method::GET,
        &format!("/api/agent/history?{query}"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    serde_json::from_value(body).unwrap()
}

fn ids(r: &HistoryResults) -> Vec<ConversationId> {
    r.hits.iter().map(|h| h.conversation_id).collect()
}

#[tokio::test]
async fn agents_search_ended_chats_by_text_and_filters_a_page_at_a_time() {
    let srv = TestServer::start_with(|c| c.sessions_per_minute = 1_000).await;
    let ada = srv.ada().await;
    let grace = srv.grace().await;
    let refund = ended_chat(
        &srv,
        "Marta",
        &ada,
        &[
            "I want a refund",
            "the refund for order 1234, refund please",
        ],
    )
    .await;
    let grinder = ended_chat(
        &srv,
        "Bob",
        &grace,
        &["My grinder makes a noise", "no refund needed"],
    )
    .await;
    let cafe = ended_chat(&srv, "Zoë", &ada, &["Is the café open on Sunday?"]).await;
    // still open: never found
    let open = srv.visitor("Olga").await;
    let mut os = srv.connect(&open.token, vec![]).await;
    os.c.say_acked("o1", None, "refund refund refund").await;

    // text: ranked (the chat that says it most first), prefixes, diacritics folded
    assert_eq!(
        ids(&search(&srv, &ada.token, "q=refund").await),
        [refund, grinder]
    );
    let hit = &search(&srv, &ada.token, "q=refund").await.hits[0];
    assert!(
        hit.snippet.as_deref().unwrap().contains("[refund]"),
        "{hit:?}"
    );
    assert_eq!(
        (hit.visitor.as_str(), hit.agents.clone()),
        ("Marta", vec!["Ada".to_owned()])
    );
    assert_eq!(
        ids(&search(&srv, &ada.token, "q=grind").await),
        [grinder],
        "prefix"
    );
    assert_eq!(
        ids(&search(&srv, &ada.token, "q=cafe%20sunday").await),
        [cafe],
        "every word, café as cafe"
    );
    // input is never FTS syntax: quotes, operators and stars are just text
    for q in [
        "%22refund",
        "refund%20NOT%20grinder",
        "*",
        "NEAR(refund",
        "-refund",
    ] {
        search(&srv, &ada.token, &format!("q={q}")).await;
    }
    // filters
    assert_eq!(
        ids(&search(&srv, &ada.token, "visitor=mar").await),
        [refund]
    );
    assert_eq!(
        ids(&search(&srv, &ada.token, "visitor=%25").await),
        Vec::<ConversationId>::new(),
        "% is a literal"
    );
    let grace_id = grace.me.principal.raw();
    assert_eq!(
        ids(&search(&srv, &ada.token, &format!("agent={grace_id}")).await),
        [grinder]
    );
    assert_eq!(
        ids(&search(&srv, &ada.token, &format!("q=refund&agent={grace_id}")).await),
        [grinder]
    );
    assert!(
        search(&srv, &ada.token, "from=4102444800000")
            .await
            .hits
            .is_empty(),
        "from 2100"
    );
    assert_eq!(
        ids(&search(&srv, &ada.token, "to=4102444800000").await),
        [cafe, grinder, refund],
        "most recently ended first"
    );

    // pages
    for i in 0..SEARCH_PAGE + 3 {
        ended_chat(
            &srv,
            &format!("Invoice {i}"),
            &ada,
            &["where is my invoice"],
        )
        .await;
    }
    let first = search(&srv, &ada.token, "q=invoice").await;
    assert_eq!((first.hits.len(), first.more), (SEARCH_PAGE, true));
    let second = search(&srv, &ada.token, "q=invoice&page=1").await;
    assert_eq!((second.hits.len(), second.more), (3, false));
    assert!(
        second
            .hits
            .iter()
            .all(|h| !ids(&first).contains(&h.conversation_id))
    );

    // bad input and the wrong caller
    for (query, why) in [
        (format!("q={}", "x".repeat(201)), "long"),
        ("agent=ada".to_owned(), "not an id"),
        ("page=-1".to_owned(), "negative"),
        ("sort=asc".to_owned(), "unknown"),
    ] {
        let (status, _) = call(
            &srv,
            Method::GET,
            &format!("/api/agent/history?{query}"),
            Some(&ada.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}");
    }
    let (status, _) = call(
        &srv,
        Method::GET,
        "/api/agent/history?q=refund",
        Some(&open.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "visitors do not search");

    // the record of one: any agent, notes included; not an open chat
    let (status, body) = call(
        &srv,
        Method::GET,
        &format!("/api/agent/history/{}", grinder.0),
        Some(&ada.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let chat: ArchivedChat = serde_json::from_value(body).unwrap();
    assert!(
        chat.messages
            .iter()
            .any(|m| m.body == "My grinder makes a noise")
    );
    let open_chat =
        os.c.say_acked("o2", None, "still here")
            .await
            .conversation_id;
    let (status, _) = call(
        &srv,
        Method::GET,
        &format!("/api/agent/history/{}", open_chat.0),
        Some(&ada.token),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an open chat is not in the record yet"
    );
    srv.stop().await;
}

#[tokio::test]
async fn the_agent_who_ended_a_chat_keeps_its_closing_note_and_nobody_else_writes_it() {
    let srv = TestServer::start().await;
    let (ada, grace) = (srv.ada().await, srv.grace().await);
    let conv = ended_chat(&srv, "Marta", &ada, &["My order is late"]).await;
    let put = |token: String, conversation: ConversationId, note: &'static str| {
        let srv = &srv;
        async move {
            call(
                srv,
                Method::PUT,
                &format!("/api/conversations/{}/closing-note", conversation.0),
                Some(&token),
                Some(serde_json::json!({ "note": note })),
            )
            .await
            .0
        }
    };
    assert_eq!(
        put(ada.token.clone(), conv, "Refund sent, courier claim open").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        put(grace.token.clone(), conv, "mine now").await,
        StatusCode::FORBIDDEN,
        "not hers"
    );
    let marta = srv.visitor("Other").await;
    assert_eq!(
        put(marta.token.clone(), conv, "x").await,
        StatusCode::UNAUTHORIZED
    );
    let (status, body) = call(
        &srv,
        Method::GET,
        &format!("/api/agent/history/{}", conv.0),
        Some(&grace.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let chat: ArchivedChat = serde_json::from_value(body).unwrap();
    assert_eq!(
        chat.closing_note.as_deref(),
        Some("Refund sent, courier claim open")
    );
    assert_eq!(chat.ended_by, ada.me.principal.agent());
    // editable later by her, and removable
    assert_eq!(
        put(ada.token.clone(), conv, "  ").await,
        StatusCode::NO_CONTENT
    );
    let (_, body) = call(
        &srv,
        Method::GET,
        &format!("/api/agent/history/{}", conv.0),
        Some(&ada.token),
        None,
    )
    .await;
    assert_eq!(
        serde_json::from_value::<ArchivedChat>(body)
            .unwrap()
            .closing_note,
        None
    );
    // not for a chat still going
    let v = srv.visitor("Olga").await;
    let mut vs = srv.connect(&v.token, vec![]).await;
    let open = vs.c.say_acked("o1", None, "hi").await.conversation_id;
    assert_eq!(
        put(ada.token.clone(), open, "early").await,
        StatusCode::NOT_FOUND
    );
    srv.stop().await;
}
