//! Offering choices, through the console as an agent uses it: the choices offered shown as
//! chips under their message (live and in History). The tests play the server's frames.
//! Elements are found by role and accessible name.

use leptos::prelude::*;
use livechat_client::testing::*;
use protocol::{ConversationStatus, Message, ServerMsg};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

use super::fake_rest::FakeRest;
use super::workspace::role;
use super::{Console, console, id};

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
