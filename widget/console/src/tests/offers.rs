//! Offering choices, through the console as an agent uses it: the "Offer choices" form (its
//! checks before anything is sent, the request it sends, the server's refusal, Escape), the
//! choices offered shown as chips under their message (live and in History). REST goes to a
//! [`FakeRest`]; the tests play the server's frames. Elements are found by role and accessible
//! name.

use leptos::prelude::*;
use livechat_client::testing::*;
use protocol::{ConversationStatus, Message, ServerMsg};
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

use super::fake_rest::FakeRest;
use super::workspace::{by_role, role, until};
use super::{Console, console, id};

const OFFER: &str = "/api/agent/conversations/3/offer";

/// Ada in chat 3 with Marta, her REST calls reaching a fake.
async fn in_a_chat() -> (Console, FakeRest) {
    let c = console(true);
    let rest = FakeRest::install(&c.server);
    c.welcome();
    c.ctl.receive(ServerMsg::Accepted {
        conversation: conversation(3, ConversationStatus::Active, "Marta"),
    });
    tick().await;
    (c, rest)
}

fn offered(msg_id: i64, seq: i64, author: protocol::Participant, options: &[&str]) -> Message {
    Message {
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        ..text(msg_id, 3, seq, author, "Which team should help you?")
    }
}

fn focused() -> Element {
    document().active_element().expect("something has focus")
}

fn form(c: &Console) -> Option<HtmlElement> {
    by_role(&c.root, "form", "Offer choices")
}

fn alert_in(form: &HtmlElement) -> Option<String> {
    find(form, "[role=alert]").and_then(|a| a.text_content())
}

fn json_of(body: Option<String>) -> Value {
    serde_json::from_str(&body.unwrap_or_default()).expect("a JSON body")
}

#[wasm_bindgen_test]
async fn the_offer_form_checks_the_choices_sends_the_offer_and_returns_to_the_reply_box() {
    let (c, rest) = in_a_chat().await;
    rest.answer_json(
        "POST",
        OFFER,
        201,
        &offered(40, 2, ada(), &["Sales", "Support", "Billing"]),
    );
    let chat = role(&c.root, "region", "Chat with Marta");
    let button = role(&chat, "button", "Offer choices");
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    button.click();
    tick().await;
    let f = form(&c).expect("the offer form");
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    let question = role(&f, "textbox", "Question");
    assert!(
        until(|| focused() == *question.unchecked_ref::<Element>(), 2_000).await,
        "the form starts at its question"
    );
    assert!(by_role(&f, "textbox", "Choice 1").is_some());
    assert!(by_role(&f, "textbox", "Choice 2").is_some());
    assert!(
        by_role(&f, "textbox", "Choice 3").is_none(),
        "two to start with"
    );
    assert!(
        by_role(&f, "button", "Remove choice 2").is_none(),
        "the first two stay"
    );

    // one choice: refused here, nothing sent
    type_into(&question, "Which team should help you?");
    type_into(&role(&f, "textbox", "Choice 1"), "Sales");
    role(&f, "button", "Send choices").click();
    tick().await;
    assert_eq!(alert_in(&f).as_deref(), Some("Offer at least 2 choices."));
    assert_eq!(
        role(&f, "textbox", "Choice 2")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    assert!(rest.requests_to(&[OFFER]).is_empty(), "nothing was sent");

    // up to six, each beyond two removable
    for _ in 0..4 {
        role(&f, "button", "Add choice").click();
        tick().await;
    }
    assert!(by_role(&f, "textbox", "Choice 6").is_some());
    assert!(by_role(&f, "button", "Add choice").is_none(), "six at most");
    assert!(
        until(
            || focused() == *role(&f, "textbox", "Choice 6").unchecked_ref::<Element>(),
            2_000
        )
        .await,
        "an added choice takes the focus"
    );
    for n in [6, 5, 4] {
        role(&f, "button", &format!("Remove choice {n}")).click();
        tick().await;
    }
    assert!(by_role(&f, "textbox", "Choice 4").is_none());
    assert!(by_role(&f, "button", "Add choice").is_some());

    // two the same: refused by name
    type_into(&role(&f, "textbox", "Choice 2"), "Support");
    type_into(&role(&f, "textbox", "Choice 3"), " Sales ");
    role(&f, "button", "Send choices").click();
    tick().await;
    assert_eq!(
        alert_in(&f).as_deref(),
        Some("Choice 3 is the same as choice 1.")
    );
    assert!(rest.requests_to(&[OFFER]).is_empty());

    type_into(&role(&f, "textbox", "Choice 3"), "  Billing ");
    role(&f, "button", "Send choices").click();
    let body = json_of(rest.first("POST", OFFER).await);
    assert!(
        body["client_id"]
            .as_str()
            .is_some_and(protocol::valid_client_id),
        "{body}"
    );
    assert_eq!(
        body,
        json!({
            "client_id": body["client_id"],
            "body": "Which team should help you?",
            "options": ["Sales", "Support", "Billing"],
        })
    );
    assert!(
        until(|| form(&c).is_none(), 3_000).await,
        "closed once sent"
    );
    let reply = get(&chat, "textarea[aria-label=Reply]");
    assert_eq!(focused(), *reply.unchecked_ref::<Element>());
    // the stored offer is in the log at once (the frame that follows is the same message)
    let list = role(&chat, "list", "Choices offered");
    assert_eq!(all_text(&list, "li"), ["Sales", "Support", "Billing"]);
    c.ctl.receive(ServerMsg::Message {
        message: offered(40, 2, ada(), &["Sales", "Support", "Billing"]),
    });
    tick().await;
    assert_eq!(
        chat.query_selector_all("ul[aria-label='Choices offered']")
            .unwrap()
            .length(),
        1
    );

    // opened again: a fresh draft
    button.click();
    tick().await;
    let f = form(&c).unwrap();
    let value = |name: &str| {
        role(&f, "textbox", name)
            .unchecked_into::<web_sys::HtmlInputElement>()
            .value()
    };
    assert_eq!(value("Question"), "");
    assert_eq!(value("Choice 1"), "");
    assert!(by_role(&f, "textbox", "Choice 3").is_none());
}

#[wasm_bindgen_test]
async fn a_refused_offer_says_why_escape_cancels_and_only_an_open_chat_offers() {
    let (c, rest) = in_a_chat().await;
    rest.answer(
        "POST",
        OFFER,
        400,
        r#"{"code":"invalid_input","message":"options: each is 1 to 60 characters"}"#,
    );
    let chat = role(&c.root, "region", "Chat with Marta");
    let button = role(&chat, "button", "Offer choices");
    button.click();
    tick().await;
    let f = form(&c).unwrap();
    type_into(&role(&f, "textbox", "Question"), "Pick one");
    type_into(&role(&f, "textbox", "Choice 1"), "Yes");
    type_into(&role(&f, "textbox", "Choice 2"), "No");
    role(&f, "button", "Send choices").click();
    rest.first("POST", OFFER).await;
    assert!(
        until(
            || alert_in(&f).as_deref() == Some("Options: each is 1 to 60 characters."),
            3_000
        )
        .await,
        "the server's reason: {:?}",
        alert_in(&f)
    );
    assert!(form(&c).is_some(), "the draft stays to be fixed");

    // Escape: closed, the focus back on the button
    key(&role(&f, "textbox", "Choice 2"), "Escape", false);
    tick().await;
    assert!(form(&c).is_none());
    assert_eq!(focused(), *button.unchecked_ref::<Element>());
    // Cancel too
    button.click();
    tick().await;
    role(&form(&c).unwrap(), "button", "Cancel").click();
    tick().await;
    assert!(form(&c).is_none());
    assert_eq!(focused(), *button.unchecked_ref::<Element>());

    // ended: no more offers (an open form goes with it)
    button.click();
    tick().await;
    assert!(form(&c).is_some());
    c.ctl.receive(ServerMsg::Conversation {
        conversation: conversation(3, ConversationStatus::Ended, "Marta"),
    });
    tick().await;
    assert!(form(&c).is_none());
    assert!(by_role(&chat, "button", "Offer choices").is_none());
}

#[wasm_bindgen_test]
async fn a_chat_i_left_offers_no_choices() {
    let (c, _rest) = in_a_chat().await;
    let chat = role(&c.root, "region", "Chat with Marta");
    assert!(by_role(&chat, "button", "Offer choices").is_some());
    // Grace stays, I leave
    c.ctl.receive(ServerMsg::Conversation {
        conversation: protocol::Conversation {
            agents: vec![grace()],
            ..conversation(3, ConversationStatus::Active, "Marta")
        },
    });
    tick().await;
    assert!(by_role(&chat, "button", "Offer choices").is_none());
}

#[wasm_bindgen_test]
async fn choices_offered_show_as_chips_under_their_message_live_and_in_history() {
    use protocol::search::ArchivedChat;
    let (c, _rest) = in_a_chat().await;
    c.ctl.receive(ServerMsg::History {
        conversation_id: id(3),
        reset: false,
        more: false,
        messages: vec![
            text(30, 3, 1, marta(), "Hello"),
            offered(31, 2, grace(), &["Sales", "Support"]),
            text(32, 3, 3, marta(), "Support"),
        ],
    });
    tick().await;
    let log = get(&c.root, "[role=log]");
    let list = role(&log, "list", "Choices offered");
    assert_eq!(all_text(&list, "li.chip"), ["Sales", "Support"]);
    assert!(
        find(&list, "button, a, input").is_none(),
        "not for agents to click"
    );
    // right under its message, and only there
    let above = list.previous_element_sibling().unwrap();
    assert_eq!(
        get(&above, ".body").text_content().as_deref(),
        Some("Which team should help you?")
    );
    assert_eq!(log.query_selector_all("ul").unwrap().length(), 1);
    // a colleague's offer sits on their side; mine on mine
    assert!(!list.class_list().contains("mine"));
    c.ctl.receive(ServerMsg::Message {
        message: offered(33, 4, ada(), &["Today", "Tomorrow"]),
    });
    tick().await;
    let lists = log
        .query_selector_all("ul[aria-label='Choices offered']")
        .unwrap();
    assert_eq!(lists.length(), 2);
    let mine: Element = lists.item(1).unwrap().unchecked_into();
    assert!(mine.class_list().contains("mine"));
    assert_eq!(all_text(&mine, "li"), ["Today", "Tomorrow"]);

    // History shows an archived chat's offers the same way
    c.ctl.history.open.set(true);
    c.ctl.history.chat.set(Some(ArchivedChat {
        conversation: conversation(3, ConversationStatus::Ended, "Marta"),
        messages: vec![offered(31, 2, grace(), &["Sales", "Support"])],
        notes: vec![],
        ended_by: None,
        closing_note: None,
    }));
    tick().await;
    let archived = get(&c.root, "article[aria-label='Archived chat with Marta']");
    let list = role(&archived, "list", "Choices offered");
    assert_eq!(all_text(&list, "li"), ["Sales", "Support"]);
}
