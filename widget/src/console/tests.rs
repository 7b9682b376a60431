//! Component tests of the agent console in Chromium, with a [`Recorder`] as its link and the
//! tests playing the server through [`Ctl::receive`].

use std::rc::Rc;

use leptos::prelude::*;
use protocol::{ChatRequest, ClientMsg, ConversationStatus, ErrorCode, Identity, Role, ServerMsg};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

use super::Ctl;
use super::state::{ALREADY_ACCEPTED, AgentSession};
use super::ui::App;
use crate::testing::*;

wasm_bindgen_test_configure!(run_in_browser);

struct Console {
    ctl: Ctl,
    link: Rc<Recorder>,
    root: Element,
}

fn console(signed_in: bool) -> Console {
    let ctl = Ctl::new(&fake_server());
    if signed_in {
        ctl.state.update(|s| {
            s.session = Some(AgentSession {
                token: "agent-tok".into(),
                name: "Ada".into(),
            })
        });
    }
    let link = Rc::new(Recorder::default());
    ctl.install(link.clone());
    let root = container();
    leptos::mount::mount_to(root.clone(), move || view! { <App ctl=ctl /> }).forget();
    Console {
        ctl,
        link,
        root: root.into(),
    }
}

impl Console {
    fn welcome(&self) {
        self.ctl.receive(ServerMsg::Welcome {
            protocol: protocol::PROTOCOL_VERSION,
            me: Identity {
                role: Role::Agent,
                id: 7,
                name: "Ada".into(),
            },
            conversations: vec![],
        });
    }
    fn button(&self, name: &str) -> Option<HtmlElement> {
        find(&self.root, &format!("button[aria-label='{name}']"))
    }
}

fn request(id: i64, name: &str, preview: &str) -> ChatRequest {
    ChatRequest {
        conversation_id: id,
        visitor: person(Role::Visitor, id * 10, name),
        preview: preview.into(),
        created_at: crate::util::now_ms() - 210_000,
    }
}

#[wasm_bindgen_test]
async fn signed_out_shows_the_login_form() {
    let c = console(false);
    tick().await;
    assert!(find(&c.root, "input#email[type=email]").is_some());
    assert!(find(&c.root, "input#password[type=password]").is_some());
    assert_eq!(all_text(&c.root, "label"), ["Email", "Password"]);
    get(&c.root, "button[type=submit]").click();
    tick().await;
    assert_eq!(
        get(&c.root, "[role=alert]").text_content().unwrap(),
        "Enter your email and password."
    );
}

#[wasm_bindgen_test]
async fn welcome_goes_online_and_the_switch_follows() {
    let c = console(true);
    assert_eq!(c.link.connected.borrow().as_deref(), Some("agent-tok"));
    c.welcome();
    tick().await;
    assert_eq!(c.link.last(), Some(ClientMsg::SetOnline { online: true }));
    let switch = get(&c.root, "input[role=switch]");
    let input: web_sys::HtmlInputElement = switch.clone().unchecked_into();
    assert!(input.checked());
    switch.click();
    tick().await;
    assert_eq!(c.link.last(), Some(ClientMsg::SetOnline { online: false }));
    assert_eq!(
        switch.get_attribute("aria-checked").as_deref(),
        Some("false")
    );
}

#[wasm_bindgen_test]
async fn the_queue_follows_added_and_removed_requests() {
    let c = console(true);
    c.welcome();
    c.ctl.receive(ServerMsg::Queue {
        requests: vec![request(1, "Marta", "Where is my order?")],
    });
    c.ctl.receive(ServerMsg::RequestAdded {
        request: request(2, "Bob", "Refund please"),
    });
    c.ctl.receive(ServerMsg::RequestAdded {
        request: request(2, "Bob", "Refund please"),
    });
    tick().await;
    let region = get(&c.root, "section[aria-labelledby=queue-h]");
    assert_eq!(get(&c.root, "#queue-h .count").text_content().unwrap(), "2");
    assert_eq!(
        all_text(&region, ".preview"),
        ["Where is my order?", "Refund please"]
    );
    assert_eq!(all_text(&region, ".who .small"), ["3 min", "3 min"]);
    assert!(c.button("Accept chat with Marta").is_some());
    c.button("Accept chat with Bob").unwrap().click();
    tick().await;
    assert_eq!(
        c.link.last(),
        Some(ClientMsg::Accept { conversation_id: 2 })
    );
    c.ctl.receive(ServerMsg::RequestRemoved {
        conversation_id: 1,
        accepted_by: Some(person(Role::Agent, 8, "Grace")),
    });
    tick().await;
    assert!(c.button("Accept chat with Marta").is_none());
    assert!(c.button("Accept chat with Bob").is_some());
}

#[wasm_bindgen_test]
async fn losing_an_accept_race_shows_an_alert() {
    let c = console(true);
    c.welcome();
    c.ctl.receive(ServerMsg::Error {
        code: ErrorCode::AlreadyAccepted,
        message: "already accepted".into(),
        client_id: None,
    });
    tick().await;
    let alert = get(&c.root, ".alert[role=alert]");
    assert!(alert.text_content().unwrap().contains(ALREADY_ACCEPTED));
    get(&alert, "button").click();
    tick().await;
    assert!(find(&c.root, ".alert").is_none());
}

#[wasm_bindgen_test]
async fn an_accepted_chat_opens_replies_and_ends() {
    let c = console(true);
    c.welcome();
    c.ctl.receive(ServerMsg::Queue {
        requests: vec![request(3, "<i>Marta</i>", "hello")],
    });
    c.ctl.receive(ServerMsg::Accepted {
        conversation: conversation(3, ConversationStatus::Active, "<i>Marta</i>"),
    });
    c.ctl.receive(ServerMsg::History {
        conversation_id: 3,
        messages: vec![
            text(1, 3, 1, person(Role::Visitor, 1, "<i>Marta</i>"), "hello"),
            system(2, 3, 2, "Ada joined the chat"),
        ],
    });
    tick().await;
    assert!(
        c.button("Accept chat with <i>Marta</i>").is_none(),
        "left the queue"
    );
    assert!(c.button("Open chat with <i>Marta</i>").is_some());
    assert!(find(&c.root, "i").is_none(), "names are text");
    let log = get(&c.root, "[role=log]");
    assert_eq!(
        log.get_attribute("aria-label").as_deref(),
        Some("Conversation with <i>Marta</i>")
    );
    assert_eq!(
        all_text(&log, ".body, .system"),
        ["hello", "Ada joined the chat"]
    );

    let reply = get(&c.root, "textarea[aria-label=Reply]");
    type_into(&reply, "Hi, how can I help?");
    key(&reply, "Enter", false);
    tick().await;
    assert!(matches!(
        c.link.last(),
        Some(ClientMsg::Send { conversation_id: Some(3), ref body, .. }) if body == "Hi, how can I help?"
    ));
    assert_eq!(
        all_text(&log, ".msg.pending .body"),
        ["Hi, how can I help?"]
    );

    get(&c.root, ".conv-head button").click();
    tick().await;
    assert_eq!(c.link.last(), Some(ClientMsg::End { conversation_id: 3 }));
    c.ctl.receive(ServerMsg::Conversation {
        conversation: conversation(3, ConversationStatus::Ended, "<i>Marta</i>"),
    });
    tick().await;
    assert_eq!(
        get(&c.root, "p[role=status]").text_content().unwrap(),
        "Chat ended"
    );
    let reply: web_sys::HtmlTextAreaElement =
        get(&c.root, "textarea[aria-label=Reply]").unchecked_into();
    assert!(reply.disabled());
}

#[wasm_bindgen_test]
async fn messages_in_other_chats_mark_them_unread() {
    let c = console(true);
    c.welcome();
    for (id, name) in [(1, "Marta"), (2, "Bob")] {
        c.ctl.receive(ServerMsg::Accepted {
            conversation: conversation(id, ConversationStatus::Active, name),
        });
    }
    tick().await;
    // Bob's chat is open (accepted last); a message for Marta's marks it.
    c.ctl.receive(ServerMsg::Message {
        message: text(5, 1, 1, person(Role::Visitor, 1, "Marta"), "anyone?"),
    });
    tick().await;
    let marta = c.button("Open chat with Marta").unwrap();
    assert!(find(&marta, ".dot").is_some());
    marta.click();
    tick().await;
    let marta = c.button("Open chat with Marta").unwrap();
    assert!(find(&marta, ".dot").is_none());
    assert_eq!(
        get(&c.root, "[role=log]")
            .get_attribute("aria-label")
            .as_deref(),
        Some("Conversation with Marta")
    );
}
