//! Session lifetimes over the real server: sliding expiry (a session in use, by requests or an
//! open socket, lives on; one left alone ends), an agent listing and ending their sessions, a
//! password change ending all of them, and a visitor signing out.

use std::time::Duration;

use protocol::{
    ChangePasswordRequest, ErrorBody, ErrorCode, SessionInfo, SessionList, SessionResponse,
    SessionsEnded,
};
use reqwest::{Method, Response, StatusCode};

use crate::support::*;

/// A request with `token` as its bearer and `device` as its `User-Agent`.
async fn call(
    srv: &TestServer,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&ChangePasswordRequest>,
) -> Response {
    let mut req = srv.http.request(method, srv.url(path)).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(body);
    }
    bounded(path, req.send()).await.unwrap()
}

async fn sessions_of(srv: &TestServer, token: &str) -> Vec<SessionInfo> {
    let r = call(srv, Method::GET, "/api/agent/sessions", token, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<SessionList>().await.unwrap().sessions
}

/// Whether `token` is still accepted (a REST call that takes agents' tokens).
async fn agent_token_works(srv: &TestServer, token: &str) -> bool {
    let r = call(srv, Method::GET, "/api/agent/sessions", token, None).await;
    match r.status() {
        StatusCode::OK => true,
        StatusCode::UNAUTHORIZED => false,
        other => panic!("unexpected {other}"),
    }
}

/// Sign Ada in from a device named `device`.
async fn ada_on(srv: &TestServer, device: &str) -> SessionResponse {
    let r = srv
        .http
        .post(srv.url("/api/agent/login"))
        .header("user-agent", device)
        .json(&protocol::LoginRequest {
            email: "ada@example.com".into(),
            password: PASSWORD.into(),
        })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn sessions_expire_unless_used_and_an_open_socket_keeps_one_alive() {
    let srv = TestServer::start_with(|c| {
        c.agent_session_secs = 2;
        c.visitor_session_secs = 2;
    })
    .await;
    let (used, idle, held) = (srv.ada().await, srv.ada().await, srv.ada().await);
    let visitor = srv.visitor("Vi").await;
    // `held` has a socket open the whole time; `used` makes a call every 400 ms; `idle` and
    // the visitor do nothing.
    let socket = srv.connect(&held.token, vec![]).await;
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(agent_token_works(&srv, &used.token).await, "in use");
    }
    // 3.2 s in, past the 2 s lifetime:
    assert!(!agent_token_works(&srv, &idle.token).await, "left alone");
    let mut late = srv.client().await;
    late.send(&protocol::ClientMsg::Hello {
        protocol: protocol::PROTOCOL_VERSION,
        token: visitor.token.clone(),
        cursors: vec![],
    })
    .await;
    assert_eq!(
        late.refused().await,
        (ErrorCode::Unauthorized, Some(1008)),
        "an expired visitor session cannot open a socket"
    );
    assert!(agent_token_works(&srv, &held.token).await, "socket open");
    // Once the socket closes, that session too ends a lifetime later.
    socket.c.close().await;
    tokio::time::sleep(Duration::from_millis(2_600)).await;
    assert!(!agent_token_works(&srv, &held.token).await);
    // Expired sessions are deleted, not only refused: by now every one of Ada's has expired
    // (`used` was last used 2.6 s ago), and `now = 0` lists every row still stored.
    let (db, ada) = (srv.db(), used.me.principal);
    let rows = db.call(move |s| s.sessions_of(ada, 0)).await.unwrap();
    assert_eq!(rows.len(), 0, "expired rows were not deleted: {rows:?}");
    srv.stop().await;
}

#[tokio::test]
async fn an_agent_sees_and_ends_their_other_sessions() {
    let srv = TestServer::start().await;
    let laptop = ada_on(&srv, "Laptop browser").await;
    let phone = ada_on(&srv, "Phone\tbrowser").await;
    let grace = srv.grace().await;
    let mut phone_socket = srv.connect(&phone.token, vec![]).await;

    let listed = sessions_of(&srv, &laptop.token).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    let me = &listed[0];
    assert!(me.current, "the caller's own comes first: {listed:?}");
    assert_eq!(me.device, "Laptop browser");
    assert!(!me.connected);
    let other = listed.iter().find(|s| !s.current).unwrap();
    assert_eq!(other.device, "Phone browser", "a tab is shown as a space");
    assert!(other.connected, "the phone has a socket open");
    assert!(other.expires_at > other.last_used_at && other.last_used_at >= other.created_at);

    // Grace's sessions are not Ada's to see or end.
    let graces = sessions_of(&srv, &grace.token).await;
    assert_eq!(graces.len(), 1);
    let path = format!("/api/agent/sessions/{}", graces[0].id.0);
    let r = call(&srv, Method::DELETE, &path, &laptop.token, None).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        r.json::<ErrorBody>().await.unwrap().code,
        ErrorCode::NotFound
    );
    assert!(agent_token_works(&srv, &grace.token).await);
    // A visitor's token lists nothing.
    let visitor = srv.visitor("Vi").await;
    let r = call(
        &srv,
        Method::GET,
        "/api/agent/sessions",
        &visitor.token,
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Ending the phone's session closes its socket at once and refuses its token.
    let path = format!("/api/agent/sessions/{}", other.id.0);
    let r = call(&srv, Method::DELETE, &path, &laptop.token, None).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        closed_with(&mut phone_socket.c).await,
        (1008, "session ended".into())
    );
    assert!(!agent_token_works(&srv, &phone.token).await);
    let r = call(&srv, Method::DELETE, &path, &laptop.token, None).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "already ended");
    let r = call(
        &srv,
        Method::DELETE,
        "/api/agent/sessions/x",
        &laptop.token,
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // "Sign out everywhere else": every other session ends, this one stays.
    let (a, b) = (ada_on(&srv, "a").await, ada_on(&srv, "b").await);
    let mut b_socket = srv.connect(&b.token, vec![]).await;
    let r = call(
        &srv,
        Method::DELETE,
        "/api/agent/sessions",
        &laptop.token,
        None,
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<SessionsEnded>().await.unwrap().ended, 2);
    assert_eq!(
        closed_with(&mut b_socket.c).await,
        (1008, "session ended".into())
    );
    assert!(!agent_token_works(&srv, &a.token).await);
    assert!(agent_token_works(&srv, &laptop.token).await);
    assert!(agent_token_works(&srv, &grace.token).await);
    assert_eq!(sessions_of(&srv, &laptop.token).await.len(), 1);
    srv.stop().await;
}

#[tokio::test]
async fn a_password_change_ends_every_session_and_signs_this_device_in_again() {
    let srv = TestServer::start_with(|c| c.logins_per_account_per_minute = 5).await;
    let (laptop, phone) = (ada_on(&srv, "laptop").await, ada_on(&srv, "phone").await);
    let mut sockets = [
        srv.connect(&laptop.token, vec![]).await,
        srv.connect(&phone.token, vec![]).await,
    ];
    let change = |current: &str, new: &str| ChangePasswordRequest {
        current_password: current.into(),
        new_password: new.into(),
    };
    let post = |body: ChangePasswordRequest| {
        let (srv, token) = (&srv, laptop.token.clone());
        async move {
            call(
                srv,
                Method::POST,
                "/api/agent/password",
                &token,
                Some(&body),
            )
            .await
        }
    };

    // Refusals change nothing.
    let r = post(change("wrong", "a long new password")).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: ErrorBody = r.json().await.unwrap();
    assert_eq!(e.code, ErrorCode::InvalidInput);
    assert!(e.message.contains("current password"), "{}", e.message);
    let r = post(change(PASSWORD, "short")).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: ErrorBody = r.json().await.unwrap();
    assert!(e.message.contains("at least 10"), "{}", e.message);
    assert!(agent_token_works(&srv, &phone.token).await);

    // The change: every session ends, this device gets a new one.
    let r = post(change(PASSWORD, "a long new password")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let renewed: SessionResponse = r.json().await.unwrap();
    assert_eq!(renewed.me, laptop.me);
    for s in &mut sockets {
        assert_eq!(
            closed_with(&mut s.c).await,
            (1008, "password changed".into())
        );
    }
    assert!(!agent_token_works(&srv, &laptop.token).await);
    assert!(!agent_token_works(&srv, &phone.token).await);
    assert!(agent_token_works(&srv, &renewed.token).await);
    assert_eq!(srv.login("ada@example.com", PASSWORD).await.status(), 401);
    assert_eq!(
        srv.login("ada@example.com", "a long new password")
            .await
            .status(),
        200
    );

    // Guessing the current password is rate-limited like logins (5 a minute here; the three
    // attempts above count).
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let r = call(
            &srv,
            Method::POST,
            "/api/agent/password",
            &renewed.token,
            Some(&change("guess", "another long password")),
        )
        .await;
        statuses.push(r.status().as_u16());
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(retry_after(&r) >= 1);
        }
    }
    assert_eq!(statuses, [400, 400, 429]);
    srv.stop().await;
}

#[tokio::test]
async fn a_visitor_signs_out_and_their_socket_closes() {
    let srv = TestServer::start().await;
    let visitor = srv.visitor("Vi").await;
    let ada = srv.ada().await;
    let mut socket = srv.connect(&visitor.token, vec![]).await;
    let logout = |token: String| {
        let srv = &srv;
        async move {
            let req = srv
                .http
                .post(srv.url("/api/visitor/logout"))
                .bearer_auth(token);
            bounded("visitor logout", req.send()).await.unwrap()
        }
    };
    assert_eq!(
        logout(ada.token.clone()).await.status(),
        StatusCode::UNAUTHORIZED,
        "an agent's token is not a visitor's"
    );
    assert!(agent_token_works(&srv, &ada.token).await);
    assert_eq!(
        logout(visitor.token.clone()).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        closed_with(&mut socket.c).await,
        (1008, "signed out".into())
    );
    assert_eq!(
        logout(visitor.token.clone()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    srv.stop().await;
}
