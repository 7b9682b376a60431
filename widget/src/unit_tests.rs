//! Tests of the shared plain-data pieces: the message list and the transport's bookkeeping.
//! They run in the browser like the rest (the crate is wasm-only).

use protocol::Role;
use wasm_bindgen_test::*;

use crate::chat::{Chat, Delivery};
use crate::testing::{person, text};
use crate::transport::{Backoff, Cursors, Outbox, Queued};

wasm_bindgen_test_configure!(run_in_browser);

fn bodies(chat: &Chat) -> Vec<&str> {
    chat.lines.iter().map(|l| l.body.as_str()).collect()
}

#[wasm_bindgen_test]
fn chat_orders_by_seq_and_drops_duplicates() {
    let ada = person(Role::Agent, 7, "Ada");
    let mut chat = Chat::default();
    assert!(chat.insert(text(12, 1, 2, ada.clone(), "two")));
    assert!(chat.insert(text(11, 1, 1, ada.clone(), "one")));
    assert!(chat.insert(text(13, 1, 3, ada.clone(), "three")));
    assert!(
        !chat.insert(text(12, 1, 2, ada.clone(), "two")),
        "same id twice"
    );
    assert_eq!(bodies(&chat), ["one", "two", "three"]);
}

#[wasm_bindgen_test]
fn pending_lines_stay_last_until_confirmed() {
    let me = person(Role::Visitor, 1, "Marta");
    let mut chat = Chat::default();
    chat.add_pending("c1".into(), "mine".into(), None);
    chat.insert(text(11, 1, 1, person(Role::Agent, 7, "Ada"), "theirs"));
    assert_eq!(bodies(&chat), ["theirs", "mine"]);
    assert_eq!(chat.lines[1].delivery, Delivery::Pending);
    let mut acked = text(12, 1, 2, me, "mine");
    acked.client_id = Some("c1".into());
    chat.insert(acked);
    assert_eq!(
        bodies(&chat),
        ["theirs", "mine"],
        "the ack replaces the pending copy"
    );
    assert_eq!(chat.lines[1].delivery, Delivery::Sent);
    assert!(!chat.has_pending());
}

#[wasm_bindgen_test]
fn a_refused_send_is_marked_failed() {
    let mut chat = Chat::default();
    chat.add_pending("c1".into(), "hi".into(), None);
    assert!(chat.fail("c1", "too fast".into()));
    assert!(!chat.fail("nope", "x".into()));
    assert_eq!(chat.lines[0].delivery, Delivery::Failed("too fast".into()));
}

#[wasm_bindgen_test]
fn outbox_keeps_order_and_ignores_repeats() {
    let q = |id: &str| Queued {
        client_id: id.into(),
        conversation_id: None,
        body: id.into(),
    };
    let mut out = Outbox::default();
    out.push(q("a"));
    out.push(q("b"));
    out.push(q("a"));
    out.push(q("c"));
    let ids: Vec<_> = out.items().iter().map(|i| i.client_id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert!(out.remove("b"));
    assert!(!out.remove("b"));
    let ids: Vec<_> = out.items().iter().map(|i| i.client_id.as_str()).collect();
    assert_eq!(ids, ["a", "c"]);
}

#[wasm_bindgen_test]
fn cursors_track_the_highest_seq_and_report_gaps() {
    let mut c = Cursors::default();
    assert_eq!(c.observe(5, 1), None);
    assert_eq!(c.observe(5, 2), None);
    assert_eq!(c.observe(5, 2), None, "a replay is no gap");
    assert_eq!(c.observe(5, 6), Some(2), "3..5 missing");
    assert_eq!(c.observe(9, 4), None, "first sight of a conversation");
    let list = c.list();
    assert_eq!(list.len(), 2);
    assert_eq!((list[0].conversation_id, list[0].last_seq), (5, 6));
    assert_eq!((list[1].conversation_id, list[1].last_seq), (9, 4));
}

#[wasm_bindgen_test]
fn backoff_doubles_with_jitter_up_to_the_cap() {
    let mut b = Backoff::default();
    assert_eq!(b.next_delay(0.0), 250);
    assert_eq!(b.next_delay(0.999_999), 999);
    assert_eq!(b.next_delay(0.0), 1000);
    for _ in 0..20 {
        let d = b.next_delay(0.5);
        assert!(d <= Backoff::CAP_MS);
    }
    assert_eq!(b.next_delay(0.0), Backoff::CAP_MS / 2, "capped");
    b.reset();
    assert_eq!(b.next_delay(1.0), 500);
}

#[wasm_bindgen_test]
fn server_urls_become_socket_urls() {
    assert_eq!(crate::util::ws_url("http://a:8080/"), "ws://a:8080/ws");
    assert_eq!(
        crate::util::ws_url("https://chat.example"),
        "wss://chat.example/ws"
    );
}

#[wasm_bindgen_test]
fn client_ids_are_valid_for_the_server() {
    let id = crate::util::client_id();
    assert!(protocol::valid_client_id(&id), "{id}");
    assert_ne!(id, crate::util::client_id());
}
