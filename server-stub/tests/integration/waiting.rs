//! When nobody answers: office hours and the widget's availability check, callbacks (offered
//! only once the wait is over or outside office hours, one open request per visitor, listed for
//! agents and marked done), and a visitor ending a request nobody took.

use protocol::helpdesk::{Availability, Callback, CallbackList};
use protocol::{ClientMsg, ErrorBody, ErrorCode, ServerMsg};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::*;

async fn server() -> TestServer {
    TestServer::start_with(|c| c.admin_api_key = Some(API_KEY.into())).await
}

async fn availability(srv: &TestServer) -> Availability {
    let (status, body) = call(srv, Method::GET, "/api/availability", None, None).await;
    assert_eq!(status, StatusCode::OK);
    serde_json::from_value(body).unwrap()
}

/// Today and the next `n - 1` days, in UTC, as `YYYY-MM-DD`.
fn days_from_today(n: i64) -> Vec<String> {
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    (0..n)
        .map(|i| {
            today
                .checked_add(jiff::Span::new().days(i))
                .unwrap()
                .to_string()
        })
        .collect()
}

fn every_day_all_day(holidays: Vec<String>) -> Value {
    let weekly: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"day": d, "open": "00:00", "close": "23:59"}))
        .collect();
    json!({"enabled": true, "time_zone": "UTC", "weekly": weekly, "holidays": holidays})
}

#[tokio::test]
async fn office_hours_tell_the_widget_whether_and_when_chats_are_answered() {
    let srv = server().await;
    assert_eq!(
        availability(&srv).await,
        Availability {
            open: true,
            next_open: None,
            chat_enabled: true,
            unanswered_after_secs: 60,
            pre_ticket: false,
            sections: vec![],
        },
        "no office hours: always open"
    );
    // bad settings are refused with the reason, and nothing changes
    let (status, body) = call(
        &srv,
        Method::PUT,
        "/api/admin/office-hours",
        Some(API_KEY),
        Some(json!({"enabled": true, "time_zone": "Mars/Olympus"})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let e: ErrorBody = serde_json::from_value(body).unwrap();
    assert!(e.message.contains("time_zone"), "{}", e.message);
    assert!(availability(&srv).await.open);

    // closed today (a holiday), open from tomorrow 00:00 UTC
    let days = days_from_today(2);
    let (status, _) = call(
        &srv,
        Method::PUT,
        "/api/admin/office-hours",
        Some(API_KEY),
        Some(every_day_all_day(vec![days[0].clone()])),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let a = availability(&srv).await;
    assert!(!a.open);
    let tomorrow: jiff::Timestamp = format!("{}T00:00:00Z", days[1]).parse().unwrap();
    assert_eq!(a.next_open, Some(tomorrow.as_millisecond()));
    // closed for the next two weeks: no date to promise
    call(
        &srv,
        Method::PUT,
        "/api/admin/office-hours",
        Some(API_KEY),
        Some(every_day_all_day(days_from_today(15))),
    )
    .await;
    assert_eq!(
        availability(&srv).await,
        Availability {
            open: false,
            next_open: None,
            chat_enabled: true,
            unanswered_after_secs: 60,
            pre_ticket: false,
            sections: vec![],
        }
    );
    srv.stop().await;
}

#[tokio::test]
async fn callbacks_are_offered_once_nobody_can_answer_and_agents_close_them() {
    let srv = server().await;
    let marta = srv.visitor("Marta").await;
    let mut m = srv.connect(&marta.token, vec![]).await;
    let conv =
        m.c.say_acked("m1", None, "anyone there?")
            .await
            .conversation_id;
    let ask = |token: String, phone: &'static str| {
        let srv = &srv;
        async move {
            call(
                srv,
                Method::POST,
                "/api/callbacks",
                Some(&token),
                Some(json!({"phone": phone, "preferred_time": "after 3 pm", "note": "printer"})),
            )
            .await
        }
    };
    // within the wait (60 s by default) and in office hours: agents may still answer
    let (status, body) = ask(marta.token.clone(), "+49 30 1234567").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        serde_json::from_value::<ErrorBody>(body).unwrap().code,
        ErrorCode::Forbidden
    );

    // the wait is over (an admin made it 0 s)
    let (status, _) = call(
        &srv,
        Method::PUT,
        "/api/admin/settings",
        Some(API_KEY),
        Some(json!({"chat_enabled": true, "unanswered_after_secs": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = ask(marta.token.clone(), "call me maybe").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not a phone number");
    let (status, body) = ask(marta.token.clone(), "+49 30 1234567").await;
    assert_eq!(status, StatusCode::CREATED);
    let asked: Callback = serde_json::from_value(body).unwrap();
    assert_eq!(asked.visitor.name, "Marta");
    assert_eq!(asked.conversation_id, Some(conv));
    assert_eq!(
        (asked.phone.as_str(), asked.done_at),
        ("+49 30 1234567", None)
    );
    let (status, body) = ask(marta.token.clone(), "+49 30 1234567").await;
    assert_eq!(status, StatusCode::CONFLICT, "one open request at a time");
    assert_eq!(
        serde_json::from_value::<ErrorBody>(body).unwrap().code,
        ErrorCode::LimitReached
    );

    // agents see it and close it; visitors and strangers cannot
    let ada = srv.ada().await;
    let (status, _) = ask(ada.token.clone(), "+1 555 0100").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "agents do not ask for callbacks"
    );
    let (status, _) = call(
        &srv,
        Method::GET,
        "/api/agent/callbacks",
        Some(&marta.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, open) = call(
        &srv,
        Method::GET,
        "/api/agent/callbacks",
        Some(&ada.token),
        None,
    )
    .await;
    let open: CallbackList = serde_json::from_value(open).unwrap();
    assert_eq!(open.callbacks, std::slice::from_ref(&asked));
    let done_path = format!("/api/agent/callbacks/{}/done", asked.id);
    let (status, done) = call(&srv, Method::POST, &done_path, Some(&ada.token), None).await;
    assert_eq!(status, StatusCode::OK);
    let done: Callback = serde_json::from_value(done).unwrap();
    assert_eq!(done.done_by.as_deref(), Some("Ada"));
    assert!(done.done_at.is_some());
    let (_, open) = call(
        &srv,
        Method::GET,
        "/api/agent/callbacks",
        Some(&ada.token),
        None,
    )
    .await;
    assert!(
        serde_json::from_value::<CallbackList>(open)
            .unwrap()
            .callbacks
            .is_empty()
    );
    let (_, closed) = call(
        &srv,
        Method::GET,
        "/api/agent/callbacks?done=true",
        Some(&ada.token),
        None,
    )
    .await;
    assert_eq!(
        serde_json::from_value::<CallbackList>(closed)
            .unwrap()
            .callbacks,
        [done]
    );
    let (status, _) = call(
        &srv,
        Method::POST,
        "/api/agent/callbacks/999/done",
        Some(&ada.token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    srv.stop().await;
}

#[tokio::test]
async fn a_visitor_ends_a_request_nobody_took_and_it_leaves_the_queue() {
    let srv = server().await;
    let ada = srv.ada().await;
    let mut a = srv.connect(&ada.token, vec![]).await;
    a.c.send(&ClientMsg::SetOnline { online: true }).await;
    assert!(matches!(a.c.recv().await, ServerMsg::Queue { .. }));
    let marta = srv.visitor("Marta").await;
    let mut m = srv.connect(&marta.token, vec![]).await;
    let conv = m.c.say_acked("m1", None, "hello?").await.conversation_id;
    assert!(matches!(a.c.recv().await, ServerMsg::RequestAdded { .. }));
    // still within the wait: not hers to end yet
    m.c.send(&ClientMsg::End {
        conversation_id: conv,
    })
    .await;
    let (code, message, _) = m.c.expect_error().await;
    assert_eq!(code, ErrorCode::Forbidden);
    assert!(message.contains("nobody has answered"), "{message}");
    // the wait is over: she gives up, and the agents' queue loses the request
    call(
        &srv,
        Method::PUT,
        "/api/admin/settings",
        Some(API_KEY),
        Some(json!({"chat_enabled": true, "unanswered_after_secs": 0})),
    )
    .await;
    m.c.send(&ClientMsg::End {
        conversation_id: conv,
    })
    .await;
    match m.c.recv().await {
        ServerMsg::Message { message } => assert_eq!(message.body, "Marta ended the chat"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(m.c.recv().await, ServerMsg::Conversation { .. }));
    match a.c.recv().await {
        ServerMsg::RequestRemoved {
            conversation_id,
            accepted_by,
            abandoned: false,
        } => assert_eq!((conversation_id, accepted_by), (conv, None)),
        other => panic!("{other:?}"),
    }
    srv.stop().await;
}
