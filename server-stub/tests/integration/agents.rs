//! Agent accounts managed by an admin over the real server: adding one (who can then sign
//! in), deactivating (their sockets close at once, sign-in and old tokens refused, the record
//! stays), reactivating, a new password set by an admin (every session ends), the last admin
//! kept, non-admins refused, and every change audited without a password in it.

use protocol::agents::{AgentList, AgentProfile, AgentRecord};
use protocol::{ErrorBody, ErrorCode};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::*;

const NEW_PASSWORD: &str = "a new password for Bea";

#[tokio::test]
async fn admins_add_deactivate_and_reset_agents_and_the_last_admin_stays() {
    let srv = TestServer::start().await;
    let ada = srv.ada().await; // the first agent: the admin
    let grace = srv.grace().await;
    let admin = |method: Method, path: String, body: Option<Value>| {
        let (srv, token) = (&srv, ada.token.clone());
        async move { call(srv, method, &path, Some(&token), body).await }
    };

    // each agent may ask who they are and whether they are an admin (the console's Settings)
    for (who, admin) in [(&ada, true), (&grace, false)] {
        let (status, body) = call(&srv, Method::GET, "/api/agent/me", Some(&who.token), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            serde_json::from_value::<AgentProfile>(body).unwrap(),
            AgentProfile {
                id: who.me.principal.agent().unwrap(),
                name: who.me.name.clone(),
                is_admin: admin,
            }
        );
    }
    let marta = srv.visitor("Marta").await;
    let (status, _) = call(&srv, Method::GET, "/api/agent/me", Some(&marta.token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "not an agent");

    // a non-admin may not even list
    let (status, _) = call(
        &srv,
        Method::GET,
        "/api/admin/agents",
        Some(&grace.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // add Bea; a second with her e-mail (any case) and a short password are refused
    let (status, body) = admin(
        Method::POST,
        "/api/admin/agents".into(),
        Some(json!({"email": "Bea@Example.com", "name": "Bea", "password": "a first password"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let bea: AgentRecord = serde_json::from_value(body).unwrap();
    assert_eq!(
        (bea.email.as_str(), bea.active, bea.is_admin),
        ("bea@example.com", true, false)
    );
    for (body, why) in [
        (
            json!({"email": "bea@example.com", "name": "Bea 2", "password": "another password"}),
            "already exists",
        ),
        (
            json!({"email": "cy@example.com", "name": "Cy", "password": "short"}),
            "password",
        ),
        (
            json!({"email": "not-an-address", "name": "Cy", "password": "long enough password"}),
            "e-mail",
        ),
    ] {
        let (status, body) = admin(Method::POST, "/api/admin/agents".into(), Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}");
        let e: ErrorBody = serde_json::from_value(body).unwrap();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains(why), "{why}: {}", e.message);
    }
    let r = srv.login("bea@example.com", "a first password").await;
    assert_eq!(r.status(), 200);
    let bea_session: protocol::SessionResponse = r.json().await.unwrap();
    let mut bea_socket = srv.connect(&bea_session.token, vec![]).await;

    // deactivated: her socket closes now, her token and her password stop working
    let path = format!("/api/admin/agents/{}", bea.id.0);
    let (status, body) = admin(Method::PUT, path.clone(), Some(json!({"active": false}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!serde_json::from_value::<AgentRecord>(body).unwrap().active);
    assert_eq!(
        closed_with(&mut bea_socket.c).await,
        (1008, "account deactivated".to_owned())
    );
    let (status, _) = call(
        &srv,
        Method::GET,
        "/api/agent/sessions",
        Some(&bea_session.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        srv.login("bea@example.com", "a first password")
            .await
            .status(),
        401
    );
    // still listed (after the active ones), so her chats keep their author
    let (_, body) = admin(Method::GET, "/api/admin/agents".into(), None).await;
    let list: AgentList = serde_json::from_value(body).unwrap();
    assert_eq!(list.agents.last().map(|a| a.id), Some(bea.id));

    // back, with a new password set by the admin: the old one no longer works
    admin(Method::PUT, path.clone(), Some(json!({"active": true}))).await;
    let again: protocol::SessionResponse = srv
        .login("bea@example.com", "a first password")
        .await
        .json()
        .await
        .unwrap();
    let mut again_socket = srv.connect(&again.token, vec![]).await;
    let (status, _) = admin(
        Method::POST,
        format!("/api/admin/agents/{}/password", bea.id.0),
        Some(json!({"password": NEW_PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        closed_with(&mut again_socket.c).await,
        (1008, "password reset".to_owned())
    );
    assert_eq!(
        srv.login("bea@example.com", "a first password")
            .await
            .status(),
        401
    );
    assert_eq!(
        srv.login("bea@example.com", NEW_PASSWORD).await.status(),
        200
    );

    // the last admin cannot leave; with Bea an admin, Ada can step down
    let ada_path = format!("/api/admin/agents/{}", ada.me.principal.raw());
    for change in [json!({"active": false}), json!({"is_admin": false})] {
        let (status, body) = admin(Method::PUT, ada_path.clone(), Some(change)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.to_string().contains("no active admin"), "{body}");
    }
    admin(Method::PUT, path.clone(), Some(json!({"is_admin": true}))).await;
    let (status, _) = admin(Method::PUT, ada_path, Some(json!({"is_admin": false}))).await;
    assert_eq!(status, StatusCode::OK);

    // audited, without a password anywhere
    let bea_admin = srv
        .login("bea@example.com", NEW_PASSWORD)
        .await
        .json::<protocol::SessionResponse>()
        .await
        .unwrap();
    let (status, body) = call(
        &srv,
        Method::GET,
        "/api/admin/audit?limit=50",
        Some(&bea_admin.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let log = body.to_string();
    for action in ["agent.add", "agent.update", "agent.password_reset"] {
        assert!(log.contains(action), "{action} in {log}");
    }
    assert!(!log.contains("a first password") && !log.contains(NEW_PASSWORD));
    let (status, _) = call(
        &srv,
        Method::PUT,
        "/api/admin/agents/999",
        Some(&bea_admin.token),
        Some(json!({"active": false})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    srv.stop().await;
}
