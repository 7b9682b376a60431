//! Contact presence and agent-started ("push") chats over the real server: a contact is online
//! while a portal tab is open and in use, away when every tab reported 5 minutes without
//! activity, offline when the last tab closes (several tabs, several devices); agents see it
//! on the visitor card and in the online list; an agent starts a chat with a present contact
//! and both ends open it; the refusals (offline, an open chat already, chat switched off, not
//! an agent, an anonymous visitor's report).

use std::time::Duration;

use protocol::helpdesk::{ContactSessionResponse, VisitorCard};
use protocol::presence::OnlineContacts;
use protocol::{Conversation, ConversationStatus, ErrorBody, ErrorCode, Presence, Principal};
use protocol::{ServerMsg, VisitorId};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::*;

/// Contact `sub` of company `acme` signs in (one call per device): their session.
async fn contact(srv: &TestServer, sub: &str, name: &str) -> ContactSessionResponse {
    let (status, body) = sign_in(srv, &statement(sub, name, 3600, SECRET), None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    session(body)
}

fn visitor_id(s: &ContactSessionResponse) -> VisitorId {
    match s.me.principal {
        Principal::Visitor(id) => id,
        Principal::Agent(_) => unreachable!(),
    }
}

async fn report(srv: &TestServer, token: &str, away: bool) -> (StatusCode, Value) {
    call(
        srv,
        Method::POST,
        "/api/contact/presence",
        Some(token),
        Some(json!({ "away": away })),
    )
    .await
}

async fn card(srv: &TestServer, agent: &str, visitor: VisitorId) -> VisitorCard {
    let (status, body) = call(
        srv,
        Method::GET,
        &format!("/api/agent/visitors/{}", visitor.0),
        Some(agent),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    serde_json::from_value(body).unwrap()
}

/// Poll the visitor card until it shows `expected` (sockets register and unregister a moment
/// after the client sees its welcome or its close; a bounded wait, never a verdict by sleep).
async fn presence_is(srv: &TestServer, agent: &str, visitor: VisitorId, expected: Presence) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let seen = card(srv, agent, visitor).await.presence;
        if seen == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "presence stayed {seen:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn online(srv: &TestServer, agent: &str) -> OnlineContacts {
    let (status, body) = call(
        srv,
        Method::GET,
        "/api/agent/contacts/online",
        Some(agent),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    serde_json::from_value(body).unwrap()
}

async fn push(
    srv: &TestServer,
    token: &str,
    contact: &str,
    ticket: Option<&str>,
) -> (StatusCode, Value) {
    call(
        srv,
        Method::POST,
        "/api/agent/push-chat",
        Some(token),
        Some(json!({ "contact_id": contact, "ticket": ticket })),
    )
    .await
}

fn code(body: Value) -> ErrorCode {
    serde_json::from_value::<ErrorBody>(body).unwrap().code
}

async fn put_ticket(srv: &TestServer, number: &str, contact: &str, status: &str) {
    let (s, _) = call(
        srv,
        Method::PUT,
        &format!("/api/admin/tickets/{number}"),
        Some(API_KEY),
        Some(json!({"subject": format!("{number} subject"), "status": status, "contact": contact})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn presence_follows_a_contacts_tabs_devices_and_away_reports() {
    let srv = helpdesk_server().await;
    let ada = srv.ada().await;
    let carla = contact(&srv, "c-1", "Carla Díaz").await;
    let me = visitor_id(&carla);
    put_ticket(&srv, "T-1", "c-1", "open").await;
    put_ticket(&srv, "T-2", "c-1", "closed").await;
    // signed in, no tab open
    presence_is(&srv, &ada.token, me, Presence::Offline).await;
    assert!(online(&srv, &ada.token).await.contacts.is_empty());

    let tab1 = srv.connect(&carla.token, vec![]).await;
    presence_is(&srv, &ada.token, me, Presence::Online).await;
    // agents list her, with her company and open tickets; an anonymous visitor is not listed
    let guest = srv.visitor("Guest").await;
    let mut on_guest = srv.connect(&guest.token, vec![]).await;
    on_guest.c.barrier().await;
    let list = online(&srv, &ada.token).await.contacts;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0].visitor_id, me);
    assert_eq!(list[0].contact.id, "c-1");
    assert_eq!(list[0].contact.name, "Carla Díaz");
    assert_eq!(list[0].company_name, "Acme Ltd");
    assert_eq!(list[0].presence, Presence::Online);
    assert_eq!(
        list[0]
            .open_tickets
            .iter()
            .map(|t| t.number.as_str())
            .collect::<Vec<_>>(),
        ["T-1"]
    );
    // an anonymous visitor's card says whether they are connected, too
    let guest_id = match guest.me.principal {
        Principal::Visitor(id) => id,
        Principal::Agent(_) => unreachable!(),
    };
    assert_eq!(
        card(&srv, &ada.token, guest_id).await.presence,
        Presence::Online
    );

    // 5 minutes without activity in her only tab: away (the answer waits for the change)
    assert_eq!(
        report(&srv, &carla.token, true).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(card(&srv, &ada.token, me).await.presence, Presence::Away);
    assert_eq!(
        online(&srv, &ada.token).await.contacts[0].presence,
        Presence::Away
    );
    // back again
    assert_eq!(
        report(&srv, &carla.token, false).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(card(&srv, &ada.token, me).await.presence, Presence::Online);

    // two tabs: away only when both are
    assert_eq!(
        report(&srv, &carla.token, true).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(card(&srv, &ada.token, me).await.presence, Presence::Away);
    let tab2 = srv.connect(&carla.token, vec![]).await;
    presence_is(&srv, &ada.token, me, Presence::Online).await;
    report(&srv, &carla.token, true).await;
    assert_eq!(card(&srv, &ada.token, me).await.presence, Presence::Away);
    // more reports than tabs count no further: one tab back is online
    report(&srv, &carla.token, true).await;
    report(&srv, &carla.token, false).await;
    assert_eq!(card(&srv, &ada.token, me).await.presence, Presence::Online);
    report(&srv, &carla.token, true).await;
    assert_eq!(card(&srv, &ada.token, me).await.presence, Presence::Away);

    // another device in use makes her online; closing it leaves the quiet tabs away
    let laptop = contact(&srv, "c-1", "Carla Díaz").await;
    let on_laptop = srv.connect(&laptop.token, vec![]).await;
    presence_is(&srv, &ada.token, me, Presence::Online).await;
    on_laptop.c.close().await;
    presence_is(&srv, &ada.token, me, Presence::Away).await;

    // one of the two quiet tabs closes: the other is still away
    let before = srv.hub.socket_count();
    tab1.c.close().await;
    eventually("the tab's socket is gone", Duration::from_secs(10), || {
        srv.hub.socket_count() == before - 1
    })
    .await;
    assert_eq!(card(&srv, &ada.token, me).await.presence, Presence::Away);
    // it is back in use, then quiet again
    report(&srv, &carla.token, false).await;
    assert_eq!(card(&srv, &ada.token, me).await.presence, Presence::Online);
    report(&srv, &carla.token, true).await;
    assert_eq!(card(&srv, &ada.token, me).await.presence, Presence::Away);
    // the last tab closes: offline, and off the list
    tab2.c.close().await;
    presence_is(&srv, &ada.token, me, Presence::Offline).await;
    assert!(online(&srv, &ada.token).await.contacts.is_empty());
    // a report with no tab open changes nothing; the next tab is online
    assert_eq!(
        report(&srv, &carla.token, true).await.0,
        StatusCode::NO_CONTENT
    );
    let _tab3 = srv.connect(&carla.token, vec![]).await;
    presence_is(&srv, &ada.token, me, Presence::Online).await;
    srv.stop().await;
}

#[tokio::test]
async fn only_a_contacts_widget_reports_presence_and_only_agents_see_it() {
    let srv = helpdesk_server().await;
    let guest = srv.visitor("Guest").await;
    let _on_guest = srv.connect(&guest.token, vec![]).await;
    let (status, body) = report(&srv, &guest.token, true).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(body), ErrorCode::Forbidden);
    let ada = srv.ada().await;
    let (status, body) = report(&srv, &ada.token, true).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an agent's token is not a visitor's"
    );
    assert_eq!(code(body), ErrorCode::Unauthorized);
    let (status, _) = report(&srv, "no-such-token", true).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let carla = contact(&srv, "c-1", "Carla").await;
    let (status, body) = call(
        &srv,
        Method::POST,
        "/api/contact/presence",
        Some(&carla.token),
        Some(json!({ "away": "yes" })),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(body), ErrorCode::InvalidInput);
    // the agents' side takes agents only
    for token in [guest.token.as_str(), carla.token.as_str()] {
        let (status, _) = call(
            &srv,
            Method::GET,
            "/api/agent/contacts/online",
            Some(token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    srv.stop().await;
}

#[tokio::test]
async fn a_pushed_chat_opens_on_the_contacts_tabs_and_in_the_agents_console() {
    let srv = helpdesk_server().await;
    let ada = srv.ada().await;
    let grace = srv.grace().await;
    let carla = contact(&srv, "c-1", "Carla Díaz").await;
    put_ticket(&srv, "T-1", "c-1", "open").await;
    let mut tab1 = srv.connect(&carla.token, vec![]).await;
    let mut tab2 = srv.connect(&carla.token, vec![]).await;
    let mut console = srv.connect(&ada.token, vec![]).await;
    let mut bystander = srv.connect(&grace.token, vec![]).await;
    for c in [&mut tab1, &mut tab2, &mut console, &mut bystander] {
        c.c.barrier().await;
    }
    // away counts as present: the widget opens when she comes back to the tab
    report(&srv, &carla.token, true).await;
    report(&srv, &carla.token, true).await;

    let (status, body) = push(&srv, &ada.token, "c-1", Some("T-1")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let conversation: Conversation = serde_json::from_value(body).unwrap();
    assert_eq!(conversation.status, ConversationStatus::Active);
    assert_eq!(conversation.visitor, carla.me);
    assert_eq!(conversation.agents.len(), 1);
    assert_eq!(conversation.agents[0].principal, ada.me.principal);
    let line = "Ada invited Carla Díaz to chat about ticket T-1: T-1 subject";

    // every tab of hers: the conversation, its system line, its ticket
    for tab in [&mut tab1, &mut tab2] {
        match tab.c.recv().await {
            ServerMsg::Conversation { conversation: c } => assert_eq!(c, conversation),
            other => panic!("expected the conversation, got {other:?}"),
        }
        match tab.c.recv().await {
            ServerMsg::Message { message } => {
                assert_eq!(message.body, line);
                assert_eq!(message.conversation_id, conversation.id);
                assert!(message.author.is_none());
            }
            other => panic!("expected the system line, got {other:?}"),
        }
        match tab.c.recv().await {
            ServerMsg::TicketLinked {
                conversation_id,
                ticket,
            } => {
                assert_eq!(conversation_id, conversation.id);
                assert_eq!(ticket.unwrap().number, "T-1");
            }
            other => panic!("expected ticket_linked, got {other:?}"),
        }
    }
    // the agent's console: accepted (it opens the chat), its history, its ticket
    match console.c.recv().await {
        ServerMsg::Accepted { conversation: c } => assert_eq!(c, conversation),
        other => panic!("expected accepted, got {other:?}"),
    }
    match console.c.recv().await {
        ServerMsg::History {
            conversation_id,
            messages,
            ..
        } => {
            assert_eq!(conversation_id, conversation.id);
            assert_eq!(
                messages.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
                [line]
            );
        }
        other => panic!("expected history, got {other:?}"),
    }
    assert!(matches!(
        console.c.recv().await,
        ServerMsg::TicketLinked { .. }
    ));
    // another agent hears nothing of it (it never was in the queue)
    bystander.c.barrier().await;

    // they talk
    let sent = tab1.c.say_acked("m1", None, "oh hi!").await;
    assert_eq!(
        sent.conversation_id, conversation.id,
        "her message goes to the pushed chat"
    );
    match console.c.recv().await {
        ServerMsg::Message { message } => assert_eq!(message.body, "oh hi!"),
        other => panic!("expected her message, got {other:?}"),
    }
    // resuming shows it on both ends
    let again = srv.connect(&carla.token, vec![]).await;
    assert_eq!(again.conversations[0].id, conversation.id);
    let again = srv.connect(&ada.token, vec![]).await;
    assert_eq!(again.conversations[0].id, conversation.id);
    srv.stop().await;
}

#[tokio::test]
async fn a_push_chat_is_refused_offline_busy_disabled_and_to_non_agents() {
    let srv = helpdesk_server().await;
    let ada = srv.ada().await;
    let carla = contact(&srv, "c-1", "Carla").await;
    let gus = contact(&srv, "c-2", "Gus").await;

    // nobody by that id; a malformed body
    let (status, body) = push(&srv, &ada.token, "c-404", None).await;
    assert_eq!(
        (status, code(body)),
        (StatusCode::NOT_FOUND, ErrorCode::NotFound)
    );
    let (status, _) = push(&srv, &ada.token, "", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // offline: signed in, but no tab open
    let (status, body) = push(&srv, &ada.token, "c-1", None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let e: ErrorBody = serde_json::from_value(body).unwrap();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert_eq!(e.message, "Carla is not on the site now");

    // not an agent: a visitor's token (hers included) is refused like an unknown one
    let mut on_carla = srv.connect(&carla.token, vec![]).await;
    on_carla.c.barrier().await;
    presence_is(&srv, &ada.token, visitor_id(&carla), Presence::Online).await;
    for token in [carla.token.as_str(), gus.token.as_str(), "nonsense"] {
        let (status, body) = push(&srv, token, "c-1", None).await;
        assert_eq!(
            (status, code(body)),
            (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized)
        );
    }

    // a ticket that is not one of hers
    put_ticket(&srv, "T-9", "c-2", "open").await;
    let (status, body) = push(&srv, &ada.token, "c-1", Some("T-9")).await;
    assert_eq!(
        (status, code(body)),
        (StatusCode::BAD_REQUEST, ErrorCode::InvalidInput)
    );

    // she already has an open chat (waiting in the queue): 409, nothing new made
    let waiting = on_carla
        .c
        .say_acked("m1", None, "hello?")
        .await
        .conversation_id;
    let (status, body) = push(&srv, &ada.token, "c-1", None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let e: ErrorBody = serde_json::from_value(body).unwrap();
    assert_eq!(e.code, ErrorCode::LimitReached);
    assert_eq!(e.message, "Carla already has an open chat");
    on_carla.c.barrier().await;
    let resumed = srv.connect(&carla.token, vec![]).await;
    assert_eq!(resumed.conversations.len(), 1);
    assert_eq!(resumed.conversations[0].id, waiting);

    // chat switched off for Gus (online): refused as forbidden
    let mut on_gus = srv.connect(&gus.token, vec![]).await;
    on_gus.c.barrier().await;
    presence_is(&srv, &ada.token, visitor_id(&gus), Presence::Online).await;
    let (status, _) = call(
        &srv,
        Method::PUT,
        "/api/admin/contacts/c-2",
        Some(API_KEY),
        Some(json!({"company": "acme", "name": "Gus", "email": "c-2@acme.test", "chat_enabled": false})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = push(&srv, &ada.token, "c-2", None).await;
    assert_eq!(
        (status, code(body)),
        (StatusCode::FORBIDDEN, ErrorCode::Forbidden)
    );
    // and nothing reached him
    on_gus.c.barrier().await;
    srv.stop().await;
}
