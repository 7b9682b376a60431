//! History search over the real server: full text by the database's index (ranked, prefixes,
//! diacritics folded, input never query syntax), filters by visitor, contact, company, agent
//! and date, each with the text and keeping its ranking, pages, only ended conversations,
//! agents only; the directory the console's filters pick from; and an ended chat read back as
//! the record, notes included.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use protocol::search::{ArchivedChat, Directory, HistoryResults, SEARCH_PAGE};
use protocol::{ClientMsg, ConversationId, Millis, SessionResponse};
use reqwest::{Method, StatusCode};

use crate::support::*;

/// A new visitor's chat, answered and ended by `agent`.
async fn ended_chat(
    srv: &TestServer,
    visitor: &str,
    agent: &SessionResponse,
    lines: &[&str],
) -> ConversationId {
    ended_chat_of(srv, &srv.visitor(visitor).await.token, agent, lines).await
}

/// A chat of the visitor (or contact) with `token`, answered and ended by `agent`.
async fn ended_chat_of(
    srv: &TestServer,
    token: &str,
    agent: &SessionResponse,
    lines: &[&str],
) -> ConversationId {
    // Client ids new to the author (a contact's second chat must not repeat the first's).
    static CHATS: AtomicUsize = AtomicUsize::new(0);
    let n = CHATS.fetch_add(1, Ordering::Relaxed);
    let mut vs = srv.connect(token, vec![]).await;
    let conv =
        vs.c.say_acked(&format!("c{n}-l0"), None, lines[0])
            .await
            .conversation_id;
    for (i, line) in lines.iter().enumerate().skip(1) {
        vs.c.say_acked(&format!("c{n}-l{i}"), Some(conv), line)
            .await;
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
async fn each_filter_narrows_a_text_search_keeps_its_ranking_and_pages() {
    let srv = helpdesk_server().await;
    let (ada, grace) = (srv.ada().await, srv.grace().await);
    let carla = session(
        sign_in(&srv, &statement("c-1", "Carla", 3600, SECRET), None)
            .await
            .1,
    );
    let gus = session(
        sign_in(
            &srv,
            &statement_in("g-1", "Gus", ("globex", "Globex Inc"), 3600, SECRET),
            None,
        )
        .await
        .1,
    );
    // Apart in time by a few ms at least, so the date filters can fall between them.
    let pause = || tokio::time::sleep(Duration::from_millis(5));
    // Carla (Acme) with Ada says it most; then Gus (Globex) with Grace; Carla again with
    // Grace, once in a long line; an anonymous visitor with Ada.
    let carla_ada = ended_chat_of(&srv, &carla.token, &ada, &["refund refund refund"]).await;
    pause().await;
    let gus_grace = ended_chat_of(&srv, &gus.token, &grace, &["a refund for my order"]).await;
    pause().await;
    let carla_grace = ended_chat_of(
        &srv,
        &carla.token,
        &grace,
        &["is a refund possible for an order that came late and broken"],
    )
    .await;
    pause().await;
    let marta_ada = ended_chat(&srv, "Marta", &ada, &["refund the grinder please"]).await;
    let created = |r: &HistoryResults, id: ConversationId| -> Millis {
        r.hits
            .iter()
            .find(|h| h.conversation_id == id)
            .unwrap()
            .created_at
    };
    let all = search(&srv, &ada.token, "").await;
    let times = [carla_ada, gus_grace, carla_grace, marta_ada].map(|id| created(&all, id));
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    let (ada_id, grace_id) = (ada.me.principal.raw(), grace.me.principal.raw());

    // text alone: the chat that says it most first
    assert_eq!(
        ids(&search(&srv, &ada.token, "q=refund").await)[0],
        carla_ada
    );
    // company: alone (most recently ended first), with the text (ranked), the hit says whose
    assert_eq!(
        ids(&search(&srv, &ada.token, "company=acme").await),
        [carla_grace, carla_ada]
    );
    let acme = search(&srv, &ada.token, "company=acme&q=refund").await;
    assert_eq!(
        ids(&acme),
        [carla_ada, carla_grace],
        "ranked within the filter"
    );
    assert_eq!(
        (
            acme.hits[0].company.as_deref(),
            acme.hits[0].contact.as_deref()
        ),
        (Some("Acme Ltd"), Some("c-1"))
    );
    assert_eq!(
        ids(&search(&srv, &ada.token, "company=globex&q=refund").await),
        [gus_grace]
    );
    assert!(
        search(&srv, &ada.token, "company=globex&q=grinder")
            .await
            .hits
            .is_empty(),
        "both must match"
    );
    assert!(
        search(&srv, &ada.token, "company=nobody")
            .await
            .hits
            .is_empty()
    );
    // contact, with the text and an agent
    assert_eq!(
        ids(&search(&srv, &ada.token, "contact=c-1&q=refund").await),
        [carla_ada, carla_grace]
    );
    assert_eq!(
        ids(&search(
            &srv,
            &ada.token,
            &format!("contact=c-1&q=refund&agent={grace_id}")
        )
        .await),
        [carla_grace]
    );
    // agent, with the text: ranked
    assert_eq!(
        ids(&search(&srv, &ada.token, &format!("agent={ada_id}&q=refund")).await),
        [carla_ada, marta_ada]
    );
    assert_eq!(
        ids(&search(&srv, &ada.token, &format!("agent={grace_id}&company=acme")).await),
        [carla_grace]
    );
    // dates: from inclusive, to exclusive, with the text and with a company
    let [t0, t1, t2, t3] = times;
    assert_eq!(
        ids(&search(&srv, &ada.token, &format!("q=refund&from={t1}&to={t3}")).await),
        [gus_grace, carla_grace],
        "ranked: the shorter line first"
    );
    assert_eq!(
        ids(&search(&srv, &ada.token, &format!("q=refund&from={t1}&to={t2}")).await),
        [gus_grace]
    );
    assert_eq!(
        ids(&search(&srv, &ada.token, &format!("q=refund&from={t3}")).await),
        [marta_ada]
    );
    assert_eq!(
        ids(&search(&srv, &ada.token, &format!("company=acme&to={t1}")).await),
        [carla_ada]
    );
    assert_eq!(
        ids(&search(
            &srv,
            &ada.token,
            &format!("company=acme&q=refund&from={t0}&to={}", t2 + 1)
        )
        .await),
        [carla_ada, carla_grace]
    );
    assert!(
        search(&srv, &ada.token, &format!("from={t2}&to={t2}"))
            .await
            .hits
            .is_empty(),
        "an empty range"
    );
    for bad in ["from=yesterday", "to=1.5", "company=acme&agent=x"] {
        let (status, _) = call(
            &srv,
            Method::GET,
            &format!("/api/agent/history?{bad}"),
            Some(&ada.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }

    // pages under filters: only Grace's invoices, and only after t3
    for i in 0..SEARCH_PAGE + 2 {
        ended_chat(&srv, &format!("Inv {i}"), &grace, &["invoice missing"]).await;
    }
    for i in 0..3 {
        ended_chat(&srv, &format!("Ada inv {i}"), &ada, &["invoice missing"]).await;
    }
    let filter = format!("q=invoice&agent={grace_id}&from={t3}");
    let first = search(&srv, &ada.token, &filter).await;
    assert_eq!((first.hits.len(), first.more), (SEARCH_PAGE, true));
    let second = search(&srv, &ada.token, &format!("{filter}&page=1")).await;
    assert_eq!((second.hits.len(), second.more, second.page), (2, false, 1));
    assert!(
        first
            .hits
            .iter()
            .chain(&second.hits)
            .all(|h| h.agents == ["Grace"] && h.visitor.starts_with("Inv "))
    );
    let third = search(&srv, &ada.token, &format!("{filter}&page=2")).await;
    assert!(third.hits.is_empty() && !third.more);
    srv.stop().await;
}

#[tokio::test]
async fn any_agent_reads_the_directory_of_agents_and_companies_and_nobody_else() {
    let srv = helpdesk_server().await;
    let ada = srv.ada().await;
    sign_in(
        &srv,
        &statement_in("g-1", "Gus", ("globex", "Globex Inc"), 3600, SECRET),
        None,
    )
    .await;
    let carla = session(
        sign_in(&srv, &statement("c-1", "Carla", 3600, SECRET), None)
            .await
            .1,
    );
    let grace = srv.grace().await;
    // Grace is no admin: the directory is hers to read all the same.
    let (status, body) = call(
        &srv,
        Method::GET,
        "/api/agent/directory",
        Some(&grace.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["agents"][0].get("email").is_none(),
        "names only: {body}"
    );
    let dir: Directory = serde_json::from_value(body).unwrap();
    let agents: Vec<_> = dir.agents.iter().map(|a| (a.id, a.name.as_str())).collect();
    assert!(
        agents.contains(&(ada.me.principal.agent().unwrap(), "Ada"))
            && agents.contains(&(grace.me.principal.agent().unwrap(), "Grace")),
        "{agents:?}"
    );
    let companies: Vec<_> = dir
        .companies
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect();
    assert_eq!(companies, [("acme", "Acme Ltd"), ("globex", "Globex Inc")]);
    // visitors (a contact's token too), no token, a made-up token: 401
    let marta = srv.visitor("Marta").await;
    for token in [
        Some(marta.token.as_str()),
        Some(carla.token.as_str()),
        None,
        Some("v1.a-token-nobody-was-given"),
    ] {
        let (status, _) = call(&srv, Method::GET, "/api/agent/directory", token, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
    }
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
