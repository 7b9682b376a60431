//! Portal contacts and the helpdesk over the real server: signed identity (valid, expired,
//! tampered, another site's, missing), one contact on many devices, an anonymous visitor who
//! identifies keeping their chat, chat permissions, the admin API's roles and audit log, and a
//! contact's data never reaching another contact.

use protocol::helpdesk::{
    AuditEntry, Availability, ChatSettings, Company, Contact, PastConversationList, TicketDetail,
    TicketList, VisitorCard,
};
use protocol::{ClientMsg, ErrorBody, ErrorCode, ServerMsg};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::*;

fn error(body: Value) -> ErrorBody {
    serde_json::from_value(body).unwrap()
}

#[tokio::test]
async fn scenario_8_only_a_valid_signed_identity_signs_a_contact_in() {
    let srv = helpdesk_server().await;
    let (status, body) = sign_in(&srv, &statement("c-1", "Carla", 3600, SECRET), None).await;
    assert_eq!(status, StatusCode::CREATED);
    let carla = session(body);
    assert_eq!(carla.me.name, "Carla");
    assert_eq!(carla.contact.id, "c-1");
    assert_eq!(carla.contact.email, "c-1@acme.test");
    assert_eq!(carla.company_name, "Acme Ltd");

    let expired = statement("c-1", "Carla", -3600, SECRET);
    let foreign = statement(
        "c-1",
        "Carla",
        3600,
        "another site's secret, also 32+ bytes",
    );
    // the payload swapped for another contact's, the signature kept
    let good = statement("c-1", "Carla", 3600, SECRET);
    let other = statement("c-2", "Gus", 3600, SECRET);
    let parts: Vec<&str> = good.split('.').collect();
    let other_parts: Vec<&str> = other.split('.').collect();
    let replayed = format!("{}.{}.{}", parts[0], other_parts[1], parts[2]);
    for (identity, why) in [
        (expired.as_str(), "expired"),
        (foreign.as_str(), "signature"),
        (replayed.as_str(), "signature"),
        ("not-a-jwt", "malformed"),
    ] {
        let (status, body) = sign_in(&srv, identity, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{why}");
        let e = error(body);
        assert_eq!(e.code, ErrorCode::Unauthorized);
        assert!(e.message.contains(why), "{why}: {}", e.message);
    }
    // no statement at all is not a contact either
    let (status, _) = call(
        &srv,
        Method::POST,
        "/api/contact/session",
        None,
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // none of the refusals created anyone: c-2 is unknown to the helpdesk
    let (_, contacts) = call(
        &srv,
        Method::GET,
        "/api/admin/contacts",
        Some(API_KEY),
        None,
    )
    .await;
    let contacts: Vec<Contact> = serde_json::from_value(contacts).unwrap();
    assert_eq!(
        contacts.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["c-1"]
    );

    // a server without a secret takes no statement at all
    let plain = TestServer::start().await;
    let (status, _) = sign_in(&plain, &statement("c-1", "Carla", 3600, SECRET), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    plain.stop().await;
    srv.stop().await;
}

#[tokio::test]
async fn a_contact_resumes_on_any_device_and_sees_only_their_own() {
    let srv = helpdesk_server().await;
    let phone = session(
        sign_in(&srv, &statement("c-1", "Carla", 3600, SECRET), None)
            .await
            .1,
    );
    let mut on_phone = srv.connect(&phone.token, vec![]).await;
    let conv = on_phone
        .c
        .say_acked("m1", None, "my printer is on fire")
        .await
        .conversation_id;

    // the same contact on a laptop: the same conversation, live
    let laptop = session(
        sign_in(&srv, &statement("c-1", "Carla", 3600, SECRET), None)
            .await
            .1,
    );
    assert_eq!(laptop.me.principal, phone.me.principal);
    let on_laptop = srv.connect(&laptop.token, vec![]).await;
    assert_eq!(on_laptop.conversations[0].id, conv);
    assert_eq!(on_laptop.histories[0].1[0].body, "my printer is on fire");

    // another contact of the same company sees none of it
    let gus = session(
        sign_in(&srv, &statement("c-2", "Gus", 3600, SECRET), None)
            .await
            .1,
    );
    let on_gus = srv.connect(&gus.token, vec![]).await;
    assert!(on_gus.conversations.is_empty());
    let r = srv.rest.history(Some(&gus.token), conv, "0").await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // tickets: each contact reads their own only
    for (number, contact) in [("T-1", "c-1"), ("T-2", "c-2")] {
        let (status, _) = call(
            &srv,
            Method::PUT,
            &format!("/api/admin/tickets/{number}"),
            Some(API_KEY),
            Some(json!({"subject": format!("{number} subject"), "status": "open", "contact": contact})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, mine) = call(
        &srv,
        Method::GET,
        "/api/contact/tickets",
        Some(&gus.token),
        None,
    )
    .await;
    let mine: TicketList = serde_json::from_value(mine).unwrap();
    assert_eq!(
        mine.tickets
            .iter()
            .map(|t| t.number.as_str())
            .collect::<Vec<_>>(),
        ["T-2"]
    );
    let anonymous = srv.visitor("Guest").await;
    let (_, none) = call(
        &srv,
        Method::GET,
        "/api/contact/tickets",
        Some(&anonymous.token),
        None,
    )
    .await;
    assert_eq!(
        serde_json::from_value::<TicketList>(none).unwrap().tickets,
        []
    );

    // agents see who a visitor is: the verified contact and their open tickets
    let ada = srv.ada().await;
    let visitor_id = phone.me.principal.raw();
    let path = format!("/api/agent/visitors/{visitor_id}");
    let (status, card) = call(&srv, Method::GET, &path, Some(&ada.token), None).await;
    assert_eq!(status, StatusCode::OK);
    let card: VisitorCard = serde_json::from_value(card).unwrap();
    assert_eq!(card.contact.unwrap().email, "c-1@acme.test");
    assert_eq!(card.company_name.as_deref(), Some("Acme Ltd"));
    assert_eq!(card.open_tickets[0].number, "T-1");
    let (status, _) = call(&srv, Method::GET, &path, Some(&gus.token), None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "visitors do not read cards"
    );
    srv.stop().await;
}

#[tokio::test]
async fn an_anonymous_visitor_who_identifies_keeps_the_chat_and_the_agent_sees_who() {
    let srv = helpdesk_server().await;
    let guest = srv.visitor("Guest").await;
    let ada = srv.ada().await;
    let (mut v, mut a, conv) = srv.accepted_chat(&guest, &ada).await;

    let (status, body) = sign_in(
        &srv,
        &statement("c-1", "Carla", 3600, SECRET),
        Some(&guest.token),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let carla = session(body);
    assert_eq!(carla.adopted, Some(conv));
    // the anonymous session ends; the agent is told who they are talking to now
    let (_, close) = v.c.until_close().await;
    let close = close.unwrap();
    assert_eq!(
        (u16::from(close.code), close.reason.as_str()),
        (1008, "identified")
    );
    match a.c.recv().await {
        ServerMsg::Conversation { conversation } => {
            assert_eq!(conversation.id, conv);
            assert_eq!(conversation.visitor, carla.me);
        }
        other => panic!("expected the updated conversation, got {other:?}"),
    }
    let r = srv
        .rest
        .history(Some(&guest.token), conv, "0")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // the contact carries on in the same conversation
    let mut c = srv.connect(&carla.token, vec![]).await;
    assert_eq!(c.conversations[0].id, conv);
    c.c.say_acked("m2", Some(conv), "it's me, Carla").await;
    assert!(matches!(a.c.recv().await, ServerMsg::Message { .. }));
    srv.stop().await;
}

#[tokio::test]
async fn chat_permission_is_contact_over_company_over_global() {
    let srv = helpdesk_server().await;
    let put = |path: &'static str, body: Value| {
        let srv = &srv;
        async move {
            call(srv, Method::PUT, path, Some(API_KEY), Some(body))
                .await
                .0
        }
    };
    assert_eq!(
        put("/api/admin/settings", json!({"chat_enabled": false})).await,
        StatusCode::OK
    );
    let (status, body) = sign_in(&srv, &statement("c-1", "Carla", 3600, SECRET), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "off globally");
    assert_eq!(error(body).code, ErrorCode::Forbidden);
    assert_eq!(
        put(
            "/api/admin/companies/acme",
            json!({"name": "Acme Ltd", "chat_enabled": true})
        )
        .await,
        StatusCode::OK
    );
    let carla = session(
        sign_in(&srv, &statement("c-1", "Carla", 3600, SECRET), None)
            .await
            .1,
    );
    // switched off for Carla alone: her session stops at its next use, socket included
    assert_eq!(
        put(
            "/api/admin/contacts/c-1",
            json!({"company": "acme", "name": "Carla", "email": "c-1@acme.test", "chat_enabled": false})
        )
        .await,
        StatusCode::OK
    );
    let mut late = srv.client().await;
    late.send(&ClientMsg::Hello {
        protocol: protocol::PROTOCOL_VERSION,
        token: carla.token.clone(),
        cursors: vec![],
    })
    .await;
    assert_eq!(late.refused().await, (ErrorCode::Unauthorized, Some(1008)));
    let (status, _) = sign_in(&srv, &statement("c-1", "Carla", 3600, SECRET), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Gus, of the same company, still may
    let (status, _) = sign_in(&srv, &statement("c-2", "Gus", 3600, SECRET), None).await;
    assert_eq!(status, StatusCode::CREATED);
    srv.stop().await;
}

/// What the loader asks before drawing a bubble, for the page's contact (or anonymously).
async fn availability(srv: &TestServer, identity: Option<&str>) -> Availability {
    let (status, body) = match identity {
        Some(identity) => {
            let body = json!({ "identity": identity });
            call(srv, Method::POST, "/api/availability", None, Some(body)).await
        }
        None => call(srv, Method::GET, "/api/availability", None, None).await,
    };
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).unwrap()
}

#[tokio::test]
async fn the_loader_learns_whether_this_visitor_may_chat_before_drawing_a_bubble() {
    let srv = helpdesk_server().await;
    let carla = statement("c-1", "Carla", 3600, SECRET);
    let put = |path: &'static str, body: Value| {
        let srv = &srv;
        async move {
            let (status, body) = call(srv, Method::PUT, path, Some(API_KEY), Some(body)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };
    let a = availability(&srv, None).await;
    assert!(
        a.chat_enabled && !a.pre_ticket,
        "anonymous: on, no pre-ticket"
    );
    let a = availability(&srv, Some(&carla)).await;
    assert!(
        a.chat_enabled && a.pre_ticket,
        "a contact: on, pre-ticket by default"
    );

    // off for her company: no bubble for Carla; the site's anonymous visitors still chat
    put(
        "/api/admin/companies/acme",
        json!({"name": "Acme Ltd", "chat_enabled": false, "pre_ticket": false}),
    )
    .await;
    let a = availability(&srv, Some(&carla)).await;
    assert!(!a.chat_enabled && !a.pre_ticket);
    assert!(availability(&srv, None).await.chat_enabled);
    // a statement that does not verify is answered as for an anonymous visitor
    let forged = statement(
        "c-1",
        "Carla",
        3600,
        "another site's secret, 32+ bytes long",
    );
    assert!(availability(&srv, Some(&forged)).await.chat_enabled);
    let (status, body) = call(
        &srv,
        Method::POST,
        "/api/availability",
        None,
        Some(json!({"identity": carla, "admin": true})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error(body).code, ErrorCode::InvalidInput);

    // off for the site: no bubble, and a crafted session request is refused
    put(
        "/api/admin/settings",
        json!({"chat_enabled": false, "unanswered_after_secs": 30}),
    )
    .await;
    let a = availability(&srv, None).await;
    assert!(!a.chat_enabled);
    assert_eq!(a.unanswered_after_secs, 30);
    let (status, body) = call(
        &srv,
        Method::POST,
        "/api/visitor/session",
        None,
        Some(json!({"name": "Marta"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error(body).code, ErrorCode::Forbidden);
    srv.stop().await;
}

#[tokio::test]
async fn the_agent_who_accepts_a_request_about_a_ticket_sees_the_ticket() {
    let srv = helpdesk_server().await;
    let carla = session(
        sign_in(&srv, &statement("c-1", "Carla", 3600, SECRET), None)
            .await
            .1,
    );
    let (status, _) = call(
        &srv,
        Method::PUT,
        "/api/admin/tickets/T-1",
        Some(API_KEY),
        Some(json!({"subject": "Grinder", "status": "open", "contact": "c-1"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut v = srv.connect(&carla.token, vec![]).await;
    let conv =
        v.c.say_acked("c1", None, "It is loud")
            .await
            .conversation_id;
    // picked before anyone answered
    let (status, _) = call(
        &srv,
        Method::PUT,
        &format!("/api/conversations/{}/ticket", conv.0),
        Some(&carla.token),
        Some(json!({"ticket": "T-1"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let ada = srv.ada().await;
    let mut a = srv.connect(&ada.token, vec![]).await;
    a.c.send(&ClientMsg::Accept {
        conversation_id: conv,
    })
    .await;
    assert!(matches!(a.c.recv().await, ServerMsg::Accepted { .. }));
    assert!(matches!(a.c.recv().await, ServerMsg::History { .. }));
    match a.c.recv().await {
        ServerMsg::TicketLinked {
            conversation_id,
            ticket: Some(t),
        } => {
            assert_eq!(conversation_id, conv);
            assert_eq!(t.number, "T-1");
        }
        other => panic!("expected the chat's ticket, got {other:?}"),
    }
    srv.stop().await;
}

#[tokio::test]
async fn a_contact_reads_their_past_chats_with_tickets_and_nobody_else_does() {
    let srv = helpdesk_server().await;
    let carla = session(
        sign_in(&srv, &statement("c-1", "Carla", 3600, SECRET), None)
            .await
            .1,
    );
    let gus = session(
        sign_in(&srv, &statement("c-2", "Gus", 3600, SECRET), None)
            .await
            .1,
    );
    let carla_session = protocol::SessionResponse {
        token: carla.token.clone(),
        me: carla.me.clone(),
    };
    let ada = srv.ada().await;
    let (_v, _a, first) = srv.accepted_chat(&carla_session, &ada).await;
    // the agent ends it over REST, as the socket's `end` would
    let path = format!("/api/conversations/{}/end", first.0);
    let (status, _) = call(&srv, Method::POST, &path, Some(&ada.token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = call(&srv, Method::POST, &path, Some(&ada.token), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "once: {body}");
    // a visitor may not end a chat an agent answered a moment ago
    let mut v = srv.connect(&carla.token, vec![]).await;
    let second =
        v.c.say_acked("again", None, "One more thing")
            .await
            .conversation_id;
    let mut a = srv.connect(&ada.token, vec![]).await;
    a.c.send(&ClientMsg::Accept {
        conversation_id: second,
    })
    .await;
    assert!(matches!(a.c.recv().await, ServerMsg::Accepted { .. }));
    let path = format!("/api/conversations/{}/end", second.0);
    let (status, body) = call(&srv, Method::POST, &path, Some(&carla.token), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let history = |token: String| {
        let srv = &srv;
        async move {
            let (status, body) = call(
                srv,
                Method::GET,
                "/api/contact/conversations",
                Some(&token),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_value::<PastConversationList>(body)
                .unwrap()
                .conversations
        }
    };
    let mine = history(carla.token.clone()).await;
    assert_eq!(
        mine.iter().map(|c| c.id).collect::<Vec<_>>(),
        [second, first]
    );
    assert_eq!(mine[1].preview, "hello");
    assert_eq!(mine[1].agents, ["Ada"]);
    assert_eq!(mine[1].status, protocol::ConversationStatus::Ended);
    assert!(history(gus.token.clone()).await.is_empty(), "not Gus's");
    let marta = srv.visitor("Marta").await;
    assert!(history(marta.token.clone()).await.is_empty(), "anonymous");
    let (status, _) = call(
        &srv,
        Method::GET,
        "/api/contact/conversations",
        Some(&ada.token),
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "agents have no history here"
    );
    srv.stop().await;
}

#[tokio::test]
async fn the_admin_api_is_for_admins_and_the_sync_key_and_every_write_is_audited() {
    let srv = helpdesk_server().await;
    let ada = srv.ada().await; // the demo's admin
    let grace = srv.grace().await;
    let visitor = srv.visitor("Vi").await;
    let company = json!({"name": "Acme Ltd"});
    for (token, expected) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some("not a token or key"), StatusCode::UNAUTHORIZED),
        (Some(visitor.token.as_str()), StatusCode::FORBIDDEN),
        (Some(grace.token.as_str()), StatusCode::FORBIDDEN),
        (Some(ada.token.as_str()), StatusCode::OK),
        (Some(API_KEY), StatusCode::OK),
    ] {
        let (status, _) = call(
            &srv,
            Method::PUT,
            "/api/admin/companies/acme",
            token,
            Some(company.clone()),
        )
        .await;
        assert_eq!(status, expected, "{token:?}");
    }
    let (_, companies) = call(
        &srv,
        Method::GET,
        "/api/admin/companies",
        Some(&ada.token),
        None,
    )
    .await;
    let companies: Vec<Company> = serde_json::from_value(companies).unwrap();
    assert_eq!(companies.len(), 1);

    // bad input is refused with the reason, and changes nothing
    for (path, body, why) in [
        (
            "/api/admin/contacts/c-1",
            json!({"company": "nope", "name": "Carla", "email": "c@a.test"}),
            "no company",
        ),
        (
            "/api/admin/contacts/c-1",
            json!({"company": "acme", "name": "Carla", "email": "nope"}),
            "email",
        ),
        (
            "/api/admin/contacts/c-1",
            json!({"company": "acme", "name": "", "email": "c@a.test"}),
            "name",
        ),
        (
            "/api/admin/tickets/T-1",
            json!({"subject": "x", "status": "open", "contact": "nobody"}),
            "no contact",
        ),
        (
            "/api/admin/tickets/T-1",
            json!({"subject": "x", "status": "lost", "contact": "c-1"}),
            "status",
        ),
    ] {
        let (status, body) = call(&srv, Method::PUT, path, Some(API_KEY), Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}");
        let e = error(body);
        assert_eq!(e.code, ErrorCode::InvalidInput, "{why}");
    }
    let long = format!("/api/admin/companies/{}", "k".repeat(65));
    let (status, _) = call(
        &srv,
        Method::PUT,
        &long,
        Some(API_KEY),
        Some(company.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // a contact, a ticket and a note, then read back
    let (status, _) = call(
        &srv,
        Method::PUT,
        "/api/admin/contacts/c-1",
        Some(API_KEY),
        Some(json!({"company": "acme", "name": "Carla", "email": "Carla@Acme.test"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &srv,
        Method::PUT,
        "/api/admin/tickets/T-1",
        Some(&ada.token),
        Some(json!({"subject": "Printer", "status": "open", "contact": "c-1"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &srv,
        Method::POST,
        "/api/admin/tickets/T-1/notes",
        Some(API_KEY),
        Some(json!({"author": "Helpdesk sync", "body": "Customer called"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, detail) = call(
        &srv,
        Method::GET,
        "/api/admin/tickets/T-1",
        Some(API_KEY),
        None,
    )
    .await;
    let detail: TicketDetail = serde_json::from_value(detail).unwrap();
    assert_eq!(detail.notes[0].body, "Customer called");
    let (status, _) = call(
        &srv,
        Method::GET,
        "/api/admin/tickets/T-9",
        Some(API_KEY),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, settings) = call(
        &srv,
        Method::GET,
        "/api/admin/settings",
        Some(API_KEY),
        None,
    )
    .await;
    assert_eq!(
        serde_json::from_value::<ChatSettings>(settings).unwrap(),
        ChatSettings::default()
    );

    // the audit log: who changed what, newest first; refusals are not in it
    let (_, log) = call(
        &srv,
        Method::GET,
        "/api/admin/audit?limit=10",
        Some(&ada.token),
        None,
    )
    .await;
    let log: Vec<AuditEntry> = serde_json::from_value(log).unwrap();
    let seen: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str(), e.target.as_str()))
        .collect();
    let ada_actor = format!("agent:{}", ada.me.principal.raw());
    assert_eq!(
        seen,
        [
            ("api-key", "ticket.note", "ticket:T-1"),
            (ada_actor.as_str(), "ticket.put", "ticket:T-1"),
            ("api-key", "contact.put", "contact:c-1"),
            ("api-key", "company.put", "company:acme"),
            (ada_actor.as_str(), "company.put", "company:acme"),
        ]
    );
    let (status, _) = call(
        &srv,
        Method::GET,
        "/api/admin/audit",
        Some(&grace.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    srv.stop().await;
}

/// Read frames until `ticket_linked`; the system lines seen on the way.
async fn until_ticket_linked(c: &mut Client) -> (Vec<String>, Option<String>) {
    let mut lines = Vec::new();
    loop {
        match c.recv().await {
            ServerMsg::Message { message } => lines.push(message.body),
            ServerMsg::TicketLinked { ticket, .. } => {
                return (
                    lines,
                    ticket.map(|t| format!("{}: {}", t.number, t.subject)),
                );
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_chat_is_linked_to_the_contacts_ticket_and_its_transcript_lands_on_it() {
    let srv = helpdesk_server().await;
    let carla = session(
        sign_in(&srv, &statement("c-1", "Carla", 3600, SECRET), None)
            .await
            .1,
    );
    sign_in(&srv, &statement("c-2", "Gus", 3600, SECRET), None).await;
    for (number, contact, status) in [
        ("T-1", "c-1", "open"),
        ("T-2", "c-2", "open"),
        ("T-3", "c-1", "closed"),
    ] {
        let (s, _) = call(
            &srv,
            Method::PUT,
            &format!("/api/admin/tickets/{number}"),
            Some(API_KEY),
            Some(json!({"subject": format!("{number} printer"), "status": status, "contact": contact})),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
    }
    let ada = srv.ada().await;
    let carla_session = protocol::SessionResponse {
        token: carla.token.clone(),
        me: carla.me.clone(),
    };
    let (mut v, mut a, conv) = srv.accepted_chat(&carla_session, &ada).await;
    let link = |token: String, ticket: Option<&'static str>| {
        let srv = &srv;
        async move {
            call(
                srv,
                Method::PUT,
                &format!("/api/conversations/{}/ticket", conv.0),
                Some(&token),
                Some(json!({ "ticket": ticket })),
            )
            .await
            .0
        }
    };
    // another contact's ticket and a closed one are not hers to link
    assert_eq!(
        link(carla.token.clone(), Some("T-2")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        link(carla.token.clone(), Some("T-3")).await,
        StatusCode::NOT_FOUND
    );
    let grace = srv.grace().await;
    assert_eq!(
        link(grace.token.clone(), Some("T-1")).await,
        StatusCode::NOT_FOUND
    );
    // the contact picks her ticket: both sides see the line and the ticket
    assert_eq!(
        link(carla.token.clone(), Some("T-1")).await,
        StatusCode::NO_CONTENT
    );
    for c in [&mut v.c, &mut a.c] {
        let (lines, ticket) = until_ticket_linked(c).await;
        assert_eq!(lines, ["Chat linked to ticket T-1: T-1 printer"]);
        assert_eq!(ticket.as_deref(), Some("T-1: T-1 printer"));
    }

    // the agent makes a new ticket from the chat; a retry makes no second one
    let create = |key: &'static str| {
        let (srv, token) = (&srv, ada.token.clone());
        async move {
            call(
                srv,
                Method::POST,
                &format!("/api/conversations/{}/tickets", conv.0),
                Some(&token),
                Some(json!({"subject": "Toner order", "client_key": key})),
            )
            .await
        }
    };
    let (status, made) = create("k-1").await;
    assert_eq!(status, StatusCode::CREATED);
    let made: protocol::helpdesk::Ticket = serde_json::from_value(made).unwrap();
    assert!(made.number.starts_with("C-"), "{}", made.number);
    assert_eq!(made.contact, "c-1");
    for c in [&mut v.c, &mut a.c] {
        let (_, ticket) = until_ticket_linked(c).await;
        assert_eq!(ticket, Some(format!("{}: Toner order", made.number)));
    }
    let (status, again) = create("k-1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_value::<protocol::helpdesk::Ticket>(again).unwrap(),
        made
    );
    a.c.barrier().await;

    // reconnecting, the agent learns what the chat is about again
    let mut back = srv.connect(&ada.token, vec![]).await;
    let (_, ticket) = until_ticket_linked(&mut back.c).await;
    assert_eq!(ticket, Some(format!("{}: Toner order", made.number)));

    // ending the chat puts its transcript on the ticket; the chat cannot change ticket any more
    v.c.say_acked("m9", Some(conv), "thanks, bye").await;
    a.c.send(&ClientMsg::End {
        conversation_id: conv,
    })
    .await;
    // The transcript is written in the end's own transaction: once the agent is told the
    // chat ended, it is on the ticket.
    until_ended(&mut a.c, conv).await;
    let (_, detail) = call(
        &srv,
        Method::GET,
        &format!("/api/admin/tickets/{}", made.number),
        Some(API_KEY),
        None,
    )
    .await;
    let detail: TicketDetail = serde_json::from_value(detail).unwrap();
    let transcript = &detail.notes[0];
    assert_eq!(transcript.kind, protocol::helpdesk::NoteKind::Transcript);
    assert_eq!(transcript.author, "Ada");
    for line in [
        "Carla: hello",
        "Ada joined the chat",
        "Chat linked to ticket T-1: T-1 printer",
        "Carla: thanks, bye",
        "Ada ended the chat",
    ] {
        assert!(
            transcript.body.contains(line),
            "{line:?} in {}",
            transcript.body
        );
    }
    assert_eq!(link(carla.token.clone(), None).await, StatusCode::CONFLICT);
    // T-1 was unlinked before the end: it has no transcript
    let (_, t1) = call(
        &srv,
        Method::GET,
        "/api/admin/tickets/T-1",
        Some(API_KEY),
        None,
    )
    .await;
    assert!(
        serde_json::from_value::<TicketDetail>(t1)
            .unwrap()
            .notes
            .is_empty()
    );

    // an anonymous visitor's chat has no tickets
    let guest = srv.visitor("Guest").await;
    let mut g = srv.connect(&guest.token, vec![]).await;
    let gconv = g.c.say_acked("g1", None, "hi").await.conversation_id;
    let (status, _) = call(
        &srv,
        Method::PUT,
        &format!("/api/conversations/{}/ticket", gconv.0),
        Some(&guest.token),
        Some(json!({"ticket": "T-1"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    srv.stop().await;
}
