//! Outgoing webhooks against a real receiver on port 0: every event arrives signed (checked
//! here with our own HMAC), failures are retried with the same delivery id until the receiver
//! takes them, nothing is sent while no target is set, and a receiver that never answers
//! holds up no chat.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use protocol::ClientMsg;
use protocol::webhooks::{WebhookEvent, WebhookSettings};
use reqwest::Method;
use serde_json::json;
use sha2::Sha256;

use crate::support::*;

const SECRET: &str = "the receiver's webhook secret, 32 bytes or more";

/// What the receiver saw, and how it answers the next requests.
#[derive(Default)]
struct Receiver {
    seen: Vec<(HeaderMap, String)>,
    /// Answer this many `chat.started` deliveries with 500 before taking one.
    fail_started: usize,
    /// Never answer (a receiver that hangs).
    hang: bool,
}

async fn receiver(state: Arc<Mutex<Receiver>>) -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let state = Arc::clone(&state);
            async move {
                let (hang, fail) = {
                    let mut r = state.lock().unwrap();
                    let started = headers["x-livechat-event"] == "chat.started";
                    r.seen.push((headers, body));
                    let fail = started && r.fail_started > 0;
                    if fail {
                        r.fail_started -= 1;
                    }
                    (r.hang, fail)
                };
                if hang {
                    std::future::pending::<()>().await;
                }
                if fail {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

async fn server() -> TestServer {
    TestServer::start_with(|c| {
        c.admin_api_key = Some(API_KEY.into());
        c.webhook_retry_ms = 50;
    })
    .await
}

async fn set_target(srv: &TestServer, url: Option<&str>, secret: Option<&str>) -> WebhookSettings {
    let r = srv
        .http
        .request(Method::PUT, srv.url("/api/admin/webhook"))
        .bearer_auth(API_KEY)
        .json(&json!({ "url": url, "secret": secret }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Wait (within a generous bound) until the receiver has seen `n` requests.
async fn wait_for(state: &Arc<Mutex<Receiver>>, n: usize) {
    let state = Arc::clone(state);
    eventually(
        &format!("{n} webhook requests"),
        Duration::from_secs(20),
        move || state.lock().unwrap().seen.len() >= n,
    )
    .await;
}

fn verify(headers: &HeaderMap, body: &str) -> WebhookEvent {
    let header = headers["x-livechat-signature"].to_str().unwrap();
    let (t, v1) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .expect("t=…,v1=…");
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, expected, "signature of {body}");
    let age = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64)
        - t.parse::<i64>().unwrap();
    assert!((0..60).contains(&age), "a fresh timestamp");
    let event: WebhookEvent = serde_json::from_str(body).unwrap();
    assert_eq!(headers["x-livechat-event"].to_str().unwrap(), event.name());
    event
}

#[tokio::test]
async fn chat_events_are_delivered_signed_and_failures_retried_with_one_delivery_id() {
    let srv = server().await;
    let state = Arc::new(Mutex::new(Receiver {
        fail_started: 2,
        ..Receiver::default()
    }));
    let url = receiver(Arc::clone(&state)).await;
    let settings = set_target(&srv, Some(&url), Some(SECRET)).await;
    assert_eq!(
        (
            settings.url.as_deref(),
            settings.secret,
            settings.secret_set
        ),
        (Some(url.as_str()), None, true),
        "the secret is never read back"
    );

    let visitor = srv.visitor("Marta").await;
    let ada = srv.ada().await;
    let (_v, mut a, conv) = srv.accepted_chat(&visitor, &ada).await;
    a.c.send(&ClientMsg::End {
        conversation_id: conv,
    })
    .await;
    // chat.started failed twice (500) and went through on the third attempt; then chat.ended
    wait_for(&state, 4).await;
    let seen = state.lock().unwrap().seen.clone();
    // Each delivery keeps its id across attempts; deliveries are independent (a retry waits
    // while the next event goes out), so they are matched by id, not by order.
    let mut by_id: std::collections::BTreeMap<String, Vec<WebhookEvent>> = Default::default();
    for (headers, body) in &seen {
        let id = headers["x-livechat-delivery"].to_str().unwrap().to_owned();
        by_id.entry(id).or_default().push(verify(headers, body));
    }
    let deliveries: Vec<&Vec<WebhookEvent>> = by_id.values().collect();
    assert_eq!(deliveries.len(), 2, "{by_id:?}");
    assert_eq!(deliveries[0].len(), 3, "chat.started: two 500s, then taken");
    assert!(
        deliveries[0].iter().all(|e| *e == deliveries[0][0]),
        "the same body each time"
    );
    assert_eq!(deliveries[1].len(), 1, "chat.ended: taken at once");
    match &deliveries[0][0] {
        WebhookEvent::ChatStarted {
            conversation_id,
            visitor,
            contact,
            first_message,
            ..
        } => {
            assert_eq!(*conversation_id, conv);
            assert_eq!(visitor.name, "Marta");
            assert_eq!(*contact, None);
            assert_eq!(first_message, "hello");
        }
        other => panic!("expected chat.started, got {other:?}"),
    }
    match &deliveries[1][0] {
        WebhookEvent::ChatEnded {
            conversation_id,
            ended_by,
            ticket,
            transcript,
            ..
        } => {
            assert_eq!(*conversation_id, conv);
            assert_eq!(ended_by, "Ada");
            assert_eq!(*ticket, None);
            assert!(transcript.contains("Marta: hello"), "{transcript}");
            assert!(transcript.contains("Ada ended the chat"), "{transcript}");
        }
        other => panic!("expected chat.ended, got {other:?}"),
    }
    let ended = seen
        .iter()
        .find(|(_, b)| b.contains("chat.ended"))
        .unwrap()
        .clone();
    // a tampered body would not verify
    let (h, body) = &ended;
    let tampered = body.replace("Marta", "Mallory");
    let result = std::panic::catch_unwind(|| verify(h, &tampered));
    assert!(result.is_err(), "a changed body fails the check");
    srv.stop().await;
}

#[tokio::test]
async fn nothing_is_queued_without_a_target_and_a_hanging_receiver_holds_up_no_chat() {
    let srv = server().await;
    let state = Arc::new(Mutex::new(Receiver {
        hang: true,
        ..Receiver::default()
    }));
    let url = receiver(Arc::clone(&state)).await;
    // events before a target exists are not sent later
    let early = srv.visitor("Early").await;
    let mut e = srv.connect(&early.token, vec![]).await;
    e.c.say_acked("e1", None, "before webhooks").await;

    set_target(&srv, Some(&url), Some(SECRET)).await;
    let visitor = srv.visitor("Marta").await;
    let mut v = srv.connect(&visitor.token, vec![]).await;
    v.c.say_acked("m1", None, "hello").await;
    wait_for(&state, 1).await;
    // The receiver now hangs on chat.started, and chats go on meanwhile: every send is
    // acknowledged (within the test client's bounded waits) while that delivery is still
    // unanswered.
    for i in 0..10 {
        v.c.say_acked(&format!("m{}", i + 2), None, "still here")
            .await;
    }
    let seen = state.lock().unwrap().seen.clone();
    assert_eq!(
        seen.len(),
        1,
        "only the chat started after the target was set, still in flight"
    );
    match verify(&seen[0].0, &seen[0].1) {
        WebhookEvent::ChatStarted { visitor, .. } => assert_eq!(visitor.name, "Marta"),
        other => panic!("{other:?}"),
    }
    // switching the target off: later chats queue nothing
    let off = set_target(&srv, None, None).await;
    assert_eq!((off.url, off.secret_set), (None, true));
    let late = srv.visitor("Late").await;
    let mut l = srv.connect(&late.token, vec![]).await;
    l.c.say_acked("l1", None, "after webhooks").await;
    let db = srv.db();
    let undelivered = db.call(|s| s.due_webhooks(i64::MAX, 100)).await.unwrap();
    assert_eq!(undelivered.len(), 1, "{undelivered:?}");
    assert_eq!(undelivered[0].event, "chat.started");
    srv.stop().await;
}

#[tokio::test]
async fn webhook_settings_are_validated_admin_only_and_audited_without_the_secret() {
    let srv = server().await;
    let grace = srv.grace().await;
    let put = |token: String, body: serde_json::Value| {
        let srv = &srv;
        async move {
            srv.http
                .request(Method::PUT, srv.url("/api/admin/webhook"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        put(
            grace.token.clone(),
            json!({"url": "https://hooks.example/x"})
        )
        .await,
        403
    );
    for body in [
        json!({"url": "ftp://hooks.example/x"}),
        json!({"url": "not a url"}),
        json!({"url": "https://hooks.example/x", "secret": "short"}),
    ] {
        assert_eq!(put(API_KEY.into(), body.clone()).await, 400, "{body}");
    }
    assert_eq!(
        put(
            API_KEY.into(),
            json!({"url": "https://hooks.example/x", "secret": SECRET})
        )
        .await,
        200
    );
    let log: Vec<protocol::helpdesk::AuditEntry> = srv
        .http
        .get(srv.url("/api/admin/audit"))
        .bearer_auth(API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log[0].action, "webhook.put");
    assert!(
        log[0].detail.contains("\"secret_changed\":true"),
        "{}",
        log[0].detail
    );
    assert!(
        !log[0].detail.contains(SECRET),
        "the secret is not in the audit log"
    );
    srv.stop().await;
}
