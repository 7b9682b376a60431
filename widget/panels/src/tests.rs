//! The panel in headless Chromium: what it offers whom, the form's own checks, and what a
//! failed request shows. The server side of each request is tested against the real server
//! (integration tests) and end to end.

use leptos::prelude::*;
use livechat_client::testing::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use super::*;

wasm_bindgen_test_configure!(run_in_browser);

fn situation(closed: bool, contact: bool, conversation: Option<i64>) -> Situation {
    Situation {
        server: fake_server(),
        token: "v_token".into(),
        conversation,
        closed,
        // Monday 2026-11-30 09:00 UTC
        next_open: Some(1_796_029_200_000),
        contact,
        ticket: None,
    }
}

async fn mounted(s: Situation) -> web_sys::HtmlElement {
    let el = container();
    leptos::mount::mount_to(el.clone(), move || view! { <Help situation=s /> }).forget();
    tick().await;
    el
}

fn buttons(el: &web_sys::HtmlElement) -> Vec<String> {
    all_text(el, "button")
}

fn click(el: &web_sys::HtmlElement, label: &str) {
    let list = el.query_selector_all("button").unwrap();
    let button = (0..list.length())
        .map(|i| list.item(i).unwrap())
        .find(|b| b.text_content().as_deref() == Some(label))
        .unwrap_or_else(|| panic!("no button {label}"));
    button.unchecked_into::<web_sys::HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn outside_office_hours_it_says_when_we_are_back() {
    let el = mounted(situation(true, false, None)).await;
    let text = el.text_content().unwrap();
    assert!(text.contains("We're closed right now"), "{text}");
    assert!(text.contains("We'll be back"), "{text}");
    assert!(text.contains("leave us a message here") || text.contains("Leave us a message here"));
    // no chat yet: nothing to end or file
    assert_eq!(buttons(&el), ["Call me back"]);
}

#[wasm_bindgen_test]
async fn a_waiting_visitor_may_ask_for_a_call_or_end_and_a_contact_may_leave_a_ticket() {
    let el = mounted(situation(false, false, Some(3))).await;
    assert!(el.text_content().unwrap().contains("Sorry for the wait"));
    assert_eq!(buttons(&el), ["Call me back", "End chat"]);
    let el = mounted(situation(false, true, Some(3))).await;
    assert_eq!(
        buttons(&el),
        ["Call me back", "Leave a message", "End chat"]
    );
    click(&el, "Leave a message");
    tick().await;
    assert!(
        el.text_content()
            .unwrap()
            .contains("file this chat as a new ticket")
    );
}

#[wasm_bindgen_test]
async fn the_callback_form_checks_the_number_before_sending() {
    let el = mounted(situation(false, false, Some(3))).await;
    click(&el, "Call me back");
    tick().await;
    let form = el.query_selector("form").unwrap().unwrap();
    let submit = |form: &web_sys::Element| {
        form.unchecked_ref::<web_sys::HtmlFormElement>()
            .request_submit()
            .unwrap()
    };
    submit(&form);
    tick().await;
    let alert = || {
        el.query_selector("[role=alert]")
            .unwrap()
            .and_then(|a| a.text_content())
            .unwrap_or_default()
    };
    assert_eq!(alert(), "Please enter your phone number.");
    let phone = get(&el, "#lc-cb-phone");
    type_into(&phone, "call me maybe");
    submit(&form);
    tick().await;
    assert!(alert().contains("digits"), "{}", alert());
    // a valid number goes out; this fake server never answers, which the visitor is told
    type_into(&phone, "+49 30 1234567");
    submit(&form);
    for _ in 0..100 {
        if alert().contains("connection") {
            break;
        }
        tick().await;
    }
    assert!(alert().contains("check your connection"), "{}", alert());
}

#[wasm_bindgen_test]
fn refusals_read_as_what_to_do_next() {
    assert!(callback_error(409, "").contains("already asked"));
    assert!(callback_error(403, "").contains("wait a little longer"));
    assert!(callback_error(400, "phone must be a phone number").contains("phone must be"));
    assert!(rules::end_error(403, "").contains("stays open"));
    assert!(rules::end_error(0, "").contains("connection"));
}
