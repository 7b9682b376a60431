//! Component tests of the visitor widget in Chromium. The app runs with a [`Recorder`] as its
//! link; the tests play the server by feeding `ServerMsg` values to [`Ctl::receive`].

use std::rc::Rc;

use gloo_storage::Storage;
use leptos::prelude::*;
use livechat_client::chat::{Delivery, Line};
use livechat_client::server_url::storage_key;
use livechat_client::testing::*;
use protocol::{ClientMsg, ConversationId, ConversationStatus, ServerMsg};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

use super::Ctl;
use super::state::Session;
use super::ui::App;

wasm_bindgen_test_configure!(run_in_browser);

struct Widget {
    ctl: Ctl,
    link: Rc<Recorder>,
    root: Element,
    shadow: web_sys::ShadowRoot,
}

/// Mounts the widget into a shadow root, like `mount` does, but with a recorder as link.
fn widget(with_session: bool) -> Widget {
    widget_with(with_session, Recorder::default())
}

/// [`widget`] with a prepared recorder (e.g. one whose outbox is full).
fn widget_with(with_session: bool, recorder: Recorder) -> Widget {
    let server = fake_server();
    if with_session {
        let s = Session {
            token: "tok".into(),
            name: "Marta".into(),
        };
        gloo_storage::LocalStorage::set(storage_key(&server, "session"), &s).unwrap();
    }
    let host = container();
    let shadow = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap();
    let doc = web_sys::window().unwrap().document().unwrap();
    let root: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    shadow.append_child(&root).unwrap();
    let ctl = Ctl::new(&server);
    let link = Rc::new(recorder);
    ctl.install(link.clone());
    leptos::mount::mount_to(root.clone(), move || view! { <App ctl=ctl /> }).forget();
    Widget {
        ctl,
        link,
        root: root.into(),
        shadow,
    }
}

impl Widget {
    fn launcher(&self) -> HtmlElement {
        get(&self.root, ".lc-launcher")
    }
    fn dialog(&self) -> HtmlElement {
        get(&self.root, "[role=dialog]")
    }
    fn is_open(&self) -> bool {
        !self.dialog().hidden()
    }
    fn log_bodies(&self) -> Vec<String> {
        all_text(&self.root, "[role=log] .msg .body")
    }
    fn message_box(&self) -> HtmlElement {
        get(&self.root, "textarea[aria-label=Message]")
    }
    fn focused(&self) -> Option<Element> {
        self.shadow.active_element()
    }
    /// The client id and body of the last frame the widget sent, which must be a `send`.
    fn last_send(&self) -> (String, String) {
        match self.link.last() {
            Some(ClientMsg::Send {
                client_id, body, ..
            }) => (client_id, body),
            other => panic!("last frame is not a send: {other:?}"),
        }
    }
    fn lines(&self) -> Vec<Line> {
        self.ctl.state.with_untracked(|s| s.chat.lines.clone())
    }
    fn welcome(&self, conversations: Vec<protocol::Conversation>) {
        self.ctl.receive(ServerMsg::Welcome {
            protocol: protocol::PROTOCOL_VERSION,
            me: marta(),
            conversations,
        });
    }
}

#[wasm_bindgen_test]
async fn launcher_is_named_and_toggles_the_dialog() {
    let w = widget(false);
    tick().await;
    assert_eq!(label(&w.launcher()), "Open chat");
    assert!(!w.is_open());
    w.launcher().click();
    tick().await;
    assert!(w.is_open());
    assert_eq!(label(&w.launcher()), "Close chat");
    assert_eq!(
        w.dialog().get_attribute("aria-label").as_deref(),
        Some("Live chat")
    );
    let name = get(&w.root, "#lc-name-input");
    assert_eq!(
        w.focused(),
        Some(name.into()),
        "opening focuses the name field"
    );
    w.launcher().click();
    tick().await;
    assert!(!w.is_open());
    assert_eq!(label(&w.launcher()), "Open chat");
}

#[wasm_bindgen_test]
async fn escape_minimises_and_focus_returns_to_the_launcher() {
    let w = widget(false);
    w.launcher().click();
    tick().await;
    key(&get(&w.root, "#lc-name-input"), "Escape", false);
    tick().await;
    assert!(!w.is_open());
    assert_eq!(w.focused(), Some(w.launcher().into()));
    // The header button does the same.
    w.launcher().click();
    tick().await;
    get(&w.root, "button[aria-label='Minimise chat']").click();
    tick().await;
    assert!(!w.is_open());
    assert_eq!(w.focused(), Some(w.launcher().into()));
}

#[wasm_bindgen_test]
async fn an_empty_name_is_refused_with_a_visible_message() {
    let w = widget(false);
    w.launcher().click();
    tick().await;
    type_into(&get(&w.root, "#lc-name-input"), "   ");
    get(&w.root, ".lc-name button[type=submit]").click();
    tick().await;
    let alert = get(&w.root, ".lc-name [role=alert]");
    assert_eq!(alert.text_content().unwrap(), "Please enter your name.");
    let input = get(&w.root, "#lc-name-input");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(
        w.link.connected.borrow().is_none(),
        "no session, no connection"
    );
    type_into(&input, "M");
    tick().await;
    assert!(
        find(&w.root, ".lc-name [role=alert]").is_none(),
        "typing clears the error"
    );
}

#[wasm_bindgen_test]
async fn a_stored_session_skips_the_name_step_and_connects() {
    let w = widget(true);
    tick().await;
    assert_eq!(w.link.connected.borrow().as_deref(), Some("tok"));
    w.launcher().click();
    tick().await;
    assert!(find(&w.root, "#lc-name-input").is_none());
    let log = get(&w.root, "[role=log]");
    assert_eq!(log.get_attribute("aria-label").as_deref(), Some("Messages"));
    assert_eq!(log.get_attribute("aria-live").as_deref(), Some("polite"));
    assert_eq!(
        w.focused(),
        Some(w.message_box().into()),
        "opening focuses the message box"
    );
}

#[wasm_bindgen_test]
async fn unread_counts_only_new_messages_from_others_while_minimised() {
    let w = widget(true);
    w.welcome(vec![conversation(3, ConversationStatus::Active, "Marta")]);
    w.ctl.receive(ServerMsg::History {
        conversation_id: ConversationId(3),
        reset: false,
        more: false,
        messages: vec![text(1, 3, 1, marta(), "hi"), text(2, 3, 2, ada(), "old")],
    });
    tick().await;
    assert_eq!(label(&w.launcher()), "Open chat", "history is not unread");
    w.ctl.receive(ServerMsg::Message {
        message: text(3, 3, 3, ada(), "new"),
    });
    tick().await;
    assert_eq!(label(&w.launcher()), "Open chat, 1 unread message");
    assert_eq!(get(&w.root, ".lc-badge").text_content().unwrap(), "1");
    // My own message from another tab, and a duplicate, do not count.
    w.ctl.receive(ServerMsg::Message {
        message: text(4, 3, 4, marta(), "from my other tab"),
    });
    w.ctl.receive(ServerMsg::Message {
        message: text(3, 3, 3, ada(), "new"),
    });
    w.ctl.receive(ServerMsg::Message {
        message: system(5, 3, 5, "Grace joined the chat"),
    });
    tick().await;
    assert_eq!(label(&w.launcher()), "Open chat, 2 unread messages");
    w.launcher().click();
    tick().await;
    assert_eq!(label(&w.launcher()), "Close chat");
    w.ctl.receive(ServerMsg::Message {
        message: text(6, 3, 6, ada(), "while open"),
    });
    w.ctl.set_open(false);
    tick().await;
    assert_eq!(label(&w.launcher()), "Open chat", "read while open");
    assert!(find(&w.root, ".lc-badge").is_none());
}

#[wasm_bindgen_test]
async fn the_log_orders_by_seq_and_drops_duplicates() {
    let w = widget(true);
    w.welcome(vec![conversation(3, ConversationStatus::Active, "Marta")]);
    w.ctl.receive(ServerMsg::Message {
        message: text(12, 3, 2, ada(), "two"),
    });
    w.ctl.receive(ServerMsg::History {
        conversation_id: ConversationId(3),
        reset: false,
        more: false,
        messages: vec![text(11, 3, 1, marta(), "one"), text(12, 3, 2, ada(), "two")],
    });
    w.ctl.receive(ServerMsg::Message {
        message: text(13, 3, 3, ada(), "three"),
    });
    w.ctl.receive(ServerMsg::Message {
        message: text(13, 3, 3, ada(), "three"),
    });
    w.ctl.set_open(true);
    tick().await;
    assert_eq!(w.log_bodies(), ["one", "two", "three"]);
    // Own messages are right-aligned, others' show the author.
    assert_eq!(all_text(&w.root, ".msg.mine .body"), ["one"]);
    assert_eq!(all_text(&w.root, ".msg.theirs .author"), ["Ada", "Ada"]);
}

#[wasm_bindgen_test]
async fn a_send_shows_pending_until_acknowledged() {
    let w = widget(true);
    w.welcome(vec![]);
    w.ctl.set_open(true);
    tick().await;
    type_into(&w.message_box(), "Hello there");
    key(&w.message_box(), "Enter", false);
    tick().await;
    let (client_id, body) = w.last_send();
    assert_eq!(body, "Hello there");
    // The frame on the wire and the line on screen are the same send: same id, same text.
    let pending = w.lines();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].client_id.as_deref(), Some(client_id.as_str()));
    assert_eq!(
        (
            pending[0].body.as_str(),
            &pending[0].delivery,
            pending[0].id
        ),
        ("Hello there", &Delivery::Pending, None)
    );
    assert_eq!(w.log_bodies(), ["Hello there"]);
    assert!(find(&w.root, ".msg.pending").is_some());
    assert_eq!(
        get(&w.root, ".msg .delivery").text_content().unwrap(),
        "Sending…"
    );
    assert_eq!(
        w.message_box()
            .unchecked_into::<web_sys::HtmlTextAreaElement>()
            .value(),
        ""
    );
    assert!(
        get(&w.root, ".lc-note")
            .text_content()
            .unwrap()
            .contains("Waiting for an agent"),
        "waiting notice while nobody has joined"
    );
    // An ack for some other send changes nothing; the ack for this one confirms this line.
    let mut other = text(20, 4, 1, marta(), "from my other tab");
    other.client_id = Some("c-other".into());
    w.ctl.receive(ServerMsg::Ack {
        client_id: "c-other".into(),
        message: other,
    });
    tick().await;
    assert!(find(&w.root, ".msg.pending").is_some(), "still pending");
    let mut stored = text(21, 4, 2, marta(), "Hello there");
    stored.client_id = Some(client_id.clone());
    w.ctl.receive(ServerMsg::Ack {
        client_id: client_id.clone(),
        message: stored,
    });
    tick().await;
    let mine = w
        .lines()
        .into_iter()
        .find(|l| l.client_id.as_deref() == Some(client_id.as_str()))
        .expect("the acked line");
    assert_eq!(
        (mine.id, &mine.delivery),
        (Some(protocol::MessageId(21)), &Delivery::Sent)
    );
    assert!(find(&w.root, ".msg.pending").is_none());
    assert!(find(&w.root, ".msg .delivery").is_none());
    assert_eq!(
        all_text(&w.root, ".msg.mine .body"),
        ["from my other tab", "Hello there"]
    );
}

#[wasm_bindgen_test]
async fn shift_enter_and_blank_messages_do_not_send() {
    let w = widget(true);
    w.welcome(vec![]);
    w.ctl.set_open(true);
    tick().await;
    type_into(&w.message_box(), "line one");
    key(&w.message_box(), "Enter", true);
    tick().await;
    assert!(w.link.sent.borrow().is_empty(), "shift+enter is a newline");
    type_into(&w.message_box(), "  \n ");
    key(&w.message_box(), "Enter", false);
    tick().await;
    assert!(w.link.sent.borrow().is_empty());
    assert_eq!(
        get(&w.root, ".composer [role=alert]")
            .text_content()
            .unwrap(),
        "Type a message first."
    );
}

/// Types `body`, clicks Send, and returns the client id the send went out with.
async fn send_one(w: &Widget, body: &str) -> String {
    type_into(&w.message_box(), body);
    get(&w.root, "button[aria-label=Send]").click();
    tick().await;
    let Some(ClientMsg::Send { client_id, .. }) = w.link.last() else {
        panic!("nothing sent");
    };
    client_id
}

fn refusal(code: protocol::ErrorCode, message: &str, client_id: String) -> ServerMsg {
    ServerMsg::Error {
        code,
        message: message.into(),
        client_id: Some(client_id),
    }
}

#[wasm_bindgen_test]
async fn a_refused_send_shows_the_reason() {
    let w = widget(true);
    w.welcome(vec![]);
    w.ctl.set_open(true);
    tick().await;
    let client_id = send_one(&w, "hello").await;
    w.ctl.receive(refusal(
        protocol::ErrorCode::InvalidInput,
        "body must be at most 4000 characters",
        client_id,
    ));
    tick().await;
    assert!(find(&w.root, ".msg.failed").is_some());
    assert_eq!(
        get(&w.root, ".msg .delivery").text_content().unwrap(),
        "Not sent: body must be at most 4000 characters"
    );
}

#[wasm_bindgen_test]
async fn a_send_refused_for_rate_or_a_server_failure_stays_sending() {
    // The transport keeps it and writes it again after a pause: not a failure to show.
    let w = widget(true);
    w.welcome(vec![]);
    w.ctl.set_open(true);
    tick().await;
    for code in [
        protocol::ErrorCode::RateLimited,
        protocol::ErrorCode::Internal,
    ] {
        let client_id = send_one(&w, "patience").await;
        w.ctl.receive(refusal(code, "slow down", client_id));
        tick().await;
        assert!(find(&w.root, ".msg.failed").is_none(), "{code:?}");
        assert!(find(&w.root, ".msg.pending").is_some(), "{code:?}");
    }
}

#[wasm_bindgen_test]
async fn a_full_outbox_refuses_another_message() {
    let queued = (0..livechat_client::transport::MAX_QUEUED)
        .map(|i| livechat_client::transport::Queued {
            client_id: format!("q{i}"),
            conversation_id: None,
            body: format!("queued {i}"),
        })
        .collect();
    let w = widget_with(
        true,
        Recorder {
            queued,
            ..Recorder::default()
        },
    );
    w.welcome(vec![]);
    w.ctl.set_open(true);
    tick().await;
    type_into(&w.message_box(), "one more");
    get(&w.root, "button[aria-label=Send]").click();
    tick().await;
    assert!(w.link.sent.borrow().is_empty(), "nothing sent");
    assert_eq!(
        get(&w.root, ".composer [role=alert]")
            .text_content()
            .unwrap(),
        livechat_client::composer::queue_full()
    );
}

#[wasm_bindgen_test]
async fn an_ended_chat_disables_the_composer_and_offers_a_new_one() {
    let w = widget(true);
    w.welcome(vec![conversation(3, ConversationStatus::Active, "Marta")]);
    w.ctl.receive(ServerMsg::History {
        conversation_id: ConversationId(3),
        reset: false,
        more: false,
        messages: vec![text(1, 3, 1, marta(), "hi")],
    });
    w.ctl.set_open(true);
    tick().await;
    assert!(
        !w.message_box()
            .unchecked_into::<web_sys::HtmlTextAreaElement>()
            .disabled()
    );
    w.ctl.receive(ServerMsg::Conversation {
        conversation: conversation(3, ConversationStatus::Ended, "Marta"),
    });
    w.ctl.receive(ServerMsg::Message {
        message: system(2, 3, 2, "Ada ended the chat"),
    });
    tick().await;
    assert_eq!(
        get(&w.root, ".lc-ended [role=status]")
            .text_content()
            .unwrap(),
        "This chat has ended"
    );
    assert!(
        w.message_box()
            .unchecked_into::<web_sys::HtmlTextAreaElement>()
            .disabled()
    );
    let again = get(&w.root, ".lc-ended button");
    assert_eq!(again.text_content().unwrap(), "Start a new chat");
    again.click();
    tick().await;
    assert!(find(&w.root, ".lc-ended [role=status]").is_none());
    assert!(w.log_bodies().is_empty());
    assert!(
        !w.message_box()
            .unchecked_into::<web_sys::HtmlTextAreaElement>()
            .disabled()
    );
    // A late frame about the old conversation does not bring it back.
    w.ctl.receive(ServerMsg::Message {
        message: text(9, 3, 9, ada(), "late"),
    });
    tick().await;
    assert!(w.log_bodies().is_empty());
    let sent_before = w.link.sent.borrow().len();
    type_into(&w.message_box(), "new question");
    key(&w.message_box(), "Enter", false);
    tick().await;
    assert_eq!(w.link.sent.borrow().len(), sent_before + 1, "one new send");
    let (client_id, body) = w.last_send();
    assert_eq!(body, "new question");
    let lines = w.lines();
    assert_eq!(lines.len(), 1, "only the new question, pending");
    assert_eq!(lines[0].client_id.as_deref(), Some(client_id.as_str()));
}

#[wasm_bindgen_test]
async fn markup_in_names_and_bodies_is_shown_as_text() {
    let w = widget(true);
    w.welcome(vec![conversation(3, ConversationStatus::Active, "Marta")]);
    let evil = agent(7, "<b id=pwn>Ada</b>");
    w.ctl.receive(ServerMsg::Message {
        message: text(1, 3, 1, evil, "<img src=x onerror=alert(1)>"),
    });
    w.ctl.set_open(true);
    tick().await;
    assert!(find(&w.root, "img").is_none());
    assert!(find(&w.root, "#pwn").is_none());
    assert_eq!(w.log_bodies(), ["<img src=x onerror=alert(1)>"]);
    assert_eq!(all_text(&w.root, ".msg .author"), ["<b id=pwn>Ada</b>"]);
}

#[wasm_bindgen_test]
async fn a_rejected_token_returns_to_the_name_step() {
    let w = widget(true);
    w.ctl.set_open(true);
    tick().await;
    assert!(find(&w.root, "#lc-name-input").is_none());
    w.ctl.receive(ServerMsg::Error {
        code: protocol::ErrorCode::Unauthorized,
        message: "unknown token".into(),
        client_id: None,
    });
    tick().await;
    assert!(find(&w.root, "#lc-name-input").is_some());
    assert!(w.link.connected.borrow().is_none());
}

#[wasm_bindgen_test]
async fn a_reset_history_replaces_what_the_widget_showed() {
    let w = widget(true);
    w.welcome(vec![conversation(3, ConversationStatus::Active, "Marta")]);
    let history = |bodies: &[&str], reset| ServerMsg::History {
        conversation_id: ConversationId(3),
        messages: bodies
            .iter()
            .zip(1..)
            .map(|(b, seq)| text(10 + seq, 3, seq, ada(), b))
            .collect(),
        reset,
        more: false,
    };
    w.ctl.receive(history(&["one", "two", "phantom"], false));
    w.ctl.set_open(true);
    tick().await;
    assert_eq!(w.log_bodies(), ["one", "two", "phantom"]);
    // The server could not honour the cursor: the widget shows the server's state only.
    w.ctl.receive(history(&["one", "two"], true));
    tick().await;
    assert_eq!(w.log_bodies(), ["one", "two"]);
}

#[wasm_bindgen_test]
async fn an_agents_name_carries_an_agent_tag_and_system_lines_none() {
    let w = widget(true);
    w.welcome(vec![conversation(3, ConversationStatus::Active, "Marta")]);
    w.ctl.receive(ServerMsg::Message {
        message: system(1, 3, 1, "Ada joined the chat"),
    });
    w.ctl.receive(ServerMsg::Message {
        message: text(2, 3, 2, ada(), "Hello!"),
    });
    w.ctl.set_open(true);
    tick().await;
    assert_eq!(all_text(&w.root, ".msg.theirs .author"), ["Ada"]);
    assert_eq!(all_text(&w.root, ".msg.theirs .role"), ["Agent"]);
    assert_eq!(
        all_text(&w.root, "[role=note] .body"),
        ["Ada joined the chat"]
    );
    assert!(find(&w.root, "[role=note] .author").is_none());
}

#[wasm_bindgen_test]
async fn names_with_line_breaks_or_nothing_visible_are_refused_with_the_reason() {
    let w = widget(false);
    w.ctl.set_open(true);
    tick().await;
    for (name, why) in [
        (
            "Ada\nLovelace",
            "Please use visible characters, no line breaks.",
        ),
        (
            "Eve\u{202E}",
            "Please use visible characters, no line breaks.",
        ),
        (
            "\u{200B}\u{2060}",
            "Please use visible characters, no line breaks.",
        ),
    ] {
        w.ctl.start_chat(name.into()).await;
        tick().await;
        assert_eq!(
            get(&w.root, "#lc-name-error").text_content().unwrap(),
            why,
            "{name:?}"
        );
    }
}

/// Stands in for `loader.js`'s `window.__livechatHook`, recording each call as `[kind, a, b]`.
fn record_hook() -> Rc<std::cell::RefCell<Vec<[f64; 3]>>> {
    let calls = Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = calls.clone();
    let hook = wasm_bindgen::closure::Closure::<dyn Fn(f64, f64, f64)>::new(move |k, a, b| {
        sink.borrow_mut().push([k, a, b]);
    });
    js_sys::Reflect::set(
        &web_sys::window().unwrap(),
        &"__livechatHook".into(),
        hook.as_ref(),
    )
    .unwrap();
    hook.forget();
    calls
}

#[wasm_bindgen_test]
async fn the_loader_hears_when_a_request_waits_and_when_it_is_answered() {
    let calls = record_hook();
    let w = widget(true);
    tick().await;
    let help = |calls: &Rc<std::cell::RefCell<Vec<[f64; 3]>>>| {
        calls
            .borrow()
            .iter()
            .filter(|c| c[0] == super::HOOK_HELP as f64)
            .map(|c| (c[1] as i64, c[2] as i64))
            .next_back()
    };
    w.welcome(vec![]);
    assert_eq!(help(&calls), Some((0, 0)), "a session, no request yet");
    w.ctl.receive(ServerMsg::Conversation {
        conversation: conversation(4, ConversationStatus::Waiting, "Marta"),
    });
    assert_eq!(
        help(&calls),
        Some((4, 1_700_000_000_000)),
        "waiting since it was made"
    );
    w.ctl.receive(ServerMsg::Conversation {
        conversation: conversation(4, ConversationStatus::Active, "Marta"),
    });
    assert_eq!(help(&calls), Some((-1, 0)), "answered: no panel");
    // the slot the loader mounts the panel in is there while chatting
    assert!(find(&w.root, "#lc-help").is_some());
}

#[wasm_bindgen_test]
async fn an_agents_offer_goes_to_the_loader_while_it_is_the_last_word_of_an_active_chat() {
    let calls = record_hook();
    let w = widget(true);
    w.welcome(vec![conversation(3, ConversationStatus::Active, "Marta")]);
    let last = || {
        calls
            .borrow()
            .last()
            .map(|c| (c[0] as u32, c[1] as i64, c[2] as i64))
    };
    // the frame exactly as the server sends it (the golden file): this build decodes only
    // that it offers choices, which is all the loader needs to fetch its panel
    let frame = include_str!("../../../protocol/tests/golden/server_message_offer.json");
    let offer = super::decode(frame).expect("the widget reads an offer");
    w.ctl.receive(offer.clone());
    assert_eq!(
        last(),
        Some((super::HOOK_OFFER, 3, 2)),
        "conversation 3, seq 2"
    );
    // the same again (a replay after reconnecting): still the same offer
    w.ctl.receive(offer);
    assert_eq!(last(), Some((super::HOOK_OFFER, 3, 2)));
    // my answer is the last word now: the panel goes
    w.ctl.receive(ServerMsg::Message {
        message: text(43, 3, 3, marta(), "Phone"),
    });
    assert_eq!(last(), Some((super::HOOK_HELP, -1, 0)));
    // an offer read from history after a reload counts the same
    let w = widget(true);
    w.welcome(vec![conversation(5, ConversationStatus::Active, "Marta")]);
    let mut offered = text(50, 5, 1, ada(), "Which one?");
    offered.options = vec![String::new()];
    w.ctl.receive(ServerMsg::History {
        conversation_id: ConversationId(5),
        messages: vec![offered],
        more: false,
        reset: false,
    });
    assert_eq!(last(), Some((super::HOOK_OFFER, 5, 1)));
    // once the chat ends there is nothing to answer
    w.ctl.receive(ServerMsg::Conversation {
        conversation: conversation(5, ConversationStatus::Ended, "Marta"),
    });
    assert_eq!(last(), Some((super::HOOK_HELP, -1, 0)));
}

#[wasm_bindgen_test]
async fn a_reply_while_minimised_asks_the_loader_for_the_chime() {
    let calls = record_hook();
    let w = widget(true);
    tick().await;
    w.welcome(vec![conversation(4, ConversationStatus::Active, "Marta")]);
    let chimes = |calls: &Rc<std::cell::RefCell<Vec<[f64; 3]>>>| {
        calls
            .borrow()
            .iter()
            .filter(|c| c[0] == super::HOOK_CHIME as f64)
            .count()
    };
    w.ctl.receive(ServerMsg::Message {
        message: text(10, 4, 1, ada(), "Hello"),
    });
    assert_eq!(chimes(&calls), 1);
    w.ctl.set_open(true);
    w.ctl.receive(ServerMsg::Message {
        message: text(11, 4, 2, ada(), "Still there?"),
    });
    assert_eq!(chimes(&calls), 2, "the page hears of every message");
    // my own line (another tab) and a repeat are not news
    w.ctl.receive(ServerMsg::Message {
        message: text(12, 4, 3, marta(), "Yes"),
    });
    w.ctl.receive(ServerMsg::Message {
        message: text(11, 4, 2, ada(), "Still there?"),
    });
    let told: Vec<_> = calls
        .borrow()
        .iter()
        .filter(|c| c[0] == super::HOOK_CHIME as f64)
        .map(|c| (c[1], c[2]))
        .collect();
    assert_eq!(
        told,
        [(1.0, 1.0), (0.0, 0.0)],
        "a chime (one unread) while minimised; none while the window is open"
    );
}

#[wasm_bindgen_test]
async fn the_loader_opens_the_window_and_hears_when_it_or_the_unread_count_changes() {
    let calls = record_hook();
    let host = container();
    let shadow = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap();
    // a server of its own: no session stored for it, so nothing connects
    super::mount(shadow.clone(), "http://127.0.0.1:9".into(), false);
    tick().await;
    let window = || {
        calls
            .borrow()
            .iter()
            .filter(|c| c[0] == super::HOOK_WINDOW as f64)
            .map(|c| (c[1] as u32, c[2] as u32))
            .next_back()
    };
    let dialog_open = || {
        let el: HtmlElement = shadow
            .query_selector("[role=dialog]")
            .unwrap()
            .unwrap()
            .unchecked_into();
        !el.hidden()
    };
    assert_eq!(window(), Some((0, 0)), "told once mounted");
    super::set_open(true);
    tick().await;
    assert_eq!(window(), Some((1, 0)));
    assert!(dialog_open());
    super::set_open(false);
    tick().await;
    assert_eq!(window(), Some((0, 0)));
    assert!(!dialog_open());
    let ctl = super::MOUNTED.get().unwrap();
    ctl.receive(ServerMsg::Welcome {
        protocol: protocol::PROTOCOL_VERSION,
        me: marta(),
        conversations: vec![conversation(4, ConversationStatus::Active, "Marta")],
    });
    ctl.receive(ServerMsg::Message {
        message: text(10, 4, 1, ada(), "Hello"),
    });
    tick().await;
    assert_eq!(window(), Some((0, 1)), "one unread");
    super::set_open(true);
    tick().await;
    assert_eq!(window(), Some((1, 0)), "read once open");
    super::unmount();
    super::set_open(false); // nothing mounted: nothing happens
}

#[wasm_bindgen_test]
fn unmounting_closes_the_socket_and_lets_go_of_the_session() {
    let w = widget(true);
    super::MOUNTED.set(Some(w.ctl));
    assert_eq!(w.link.connected.borrow().as_deref(), Some("tok"));
    super::unmount();
    assert_eq!(w.link.connected.borrow().as_deref(), None);
    assert!(w.ctl.state.with_untracked(|s| s.session.is_none()));
    super::unmount(); // a second time is harmless
}

#[wasm_bindgen_test]
fn the_help_panel_is_wanted_only_while_a_request_waits() {
    use super::state::VisitorState;
    let mut s = VisitorState::default();
    assert_eq!(s.help_request(), None, "no session: nothing to offer");
    s.session = Some(Session {
        token: "t".into(),
        name: "Marta".into(),
    });
    assert_eq!(s.help_request(), Some((0, 0)));
    for (status, wanted) in [
        (ConversationStatus::Waiting, Some((7, 1_700_000_000_000))),
        (ConversationStatus::Active, None),
        (ConversationStatus::Ended, None),
    ] {
        s.conversation = Some(conversation(7, status, "Marta"));
        assert_eq!(s.help_request(), wanted, "{status:?}");
    }
}

#[wasm_bindgen_test]
async fn the_agent_typing_shows_until_their_message_and_my_typing_is_sent_sparingly() {
    let w = widget(true);
    w.welcome(vec![conversation(4, ConversationStatus::Active, "Marta")]);
    w.ctl.set_open(true);
    w.ctl.receive(ServerMsg::Typing {
        conversation_id: ConversationId(4),
        name: "Ada".into(),
    });
    tick().await;
    assert!(w.root.text_content().unwrap().contains("Ada is typing…"));
    w.ctl.receive(ServerMsg::Message {
        message: text(10, 4, 1, ada(), "Here is the answer"),
    });
    tick().await;
    assert!(!w.root.text_content().unwrap().contains("is typing"));
    // another conversation's typing is not this one's
    w.ctl.receive(ServerMsg::Typing {
        conversation_id: ConversationId(9),
        name: "Grace".into(),
    });
    tick().await;
    assert!(!w.root.text_content().unwrap().contains("is typing"));

    type_into(&w.message_box(), "H");
    type_into(&w.message_box(), "He");
    let sent = w
        .link
        .sent
        .borrow()
        .iter()
        .filter(|m| matches!(m, ClientMsg::Typing { .. }))
        .count();
    assert_eq!(sent, 1, "one signal for a burst of keystrokes");
}

#[wasm_bindgen_test]
async fn a_catalogue_from_the_loader_changes_every_word_and_arabic_mirrors_the_window() {
    let w = widget(false);
    w.ctl.set_open(true);
    tick().await;
    let window = || get(&w.root, "#lc-window");
    assert_eq!(window().get_attribute("lang").as_deref(), Some("en"));
    assert_eq!(window().get_attribute("dir").as_deref(), Some("ltr"));
    assert!(w.root.text_content().unwrap().contains("Start chat"));

    super::set_words(include_str!("../../locales/de.json").into());
    tick().await;
    let text = w.root.text_content().unwrap();
    assert!(text.contains("Chat starten"), "{text}");
    assert!(text.contains("Ihr Name"), "{text}");
    assert_eq!(label(&window()), "Live-Chat");
    assert_eq!(window().get_attribute("lang").as_deref(), Some("de"));

    super::set_words(include_str!("../../locales/ar.json").into());
    tick().await;
    assert_eq!(window().get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(window().get_attribute("lang").as_deref(), Some("ar"));
    assert!(w.root.text_content().unwrap().contains("بدء المحادثة"));
    assert_eq!(label(&get(&w.root, ".lc-launcher")), "إغلاق المحادثة");

    // not a catalogue: nothing changes
    super::set_words("{\"no\": 1}".into());
    super::set_words("<html>".into());
    tick().await;
    assert_eq!(window().get_attribute("lang").as_deref(), Some("ar"));
    // the panels get the same catalogue from the loader
    assert!(super::words().contains("\"_lang\": \"ar\""));
    // a site's own greeting, in every language
    super::set_greeting("Welcome to Northwind!".into());
    tick().await;
    assert!(
        w.root
            .text_content()
            .unwrap()
            .contains("Welcome to Northwind!")
    );
    super::set_words(include_str!("../../locales/fr.json").into());
    tick().await;
    let text = w.root.text_content().unwrap();
    assert!(
        text.contains("Welcome to Northwind!") && text.contains("Votre nom"),
        "{text}"
    );
    // back to English for the other tests of this page
    super::GREETING.set(None);
    super::set_locale("en-GB".into());
    tick().await;
    assert!(w.root.text_content().unwrap().contains("Start chat"));
    assert!(super::words().contains("\"_lang\": \"en\""));
}

#[wasm_bindgen_test]
async fn the_window_grows_on_request_and_stays_grown_through_a_change_of_language() {
    let w = widget(true);
    w.ctl.set_open(true);
    tick().await;
    let button = || get(&w.root, "[aria-label='Larger window']");
    let window = || get(&w.root, "#lc-window");
    assert_eq!(
        button().get_attribute("aria-pressed").as_deref(),
        Some("false")
    );
    assert!(!window().class_list().contains("lc-expanded"));
    button().click();
    tick().await;
    assert_eq!(
        button().get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    assert!(window().class_list().contains("lc-expanded"));
    super::set_words(livechat_client::i18n::ENGLISH.into());
    tick().await;
    assert!(
        window().class_list().contains("lc-expanded"),
        "kept through a redraw"
    );
    button().click();
    tick().await;
    assert!(!window().class_list().contains("lc-expanded"));
}

#[wasm_bindgen_test]
async fn the_connection_is_told_honestly_over_the_chat_and_counted_down() {
    use livechat_client::transport::ConnState;
    let w = widget(true);
    w.ctl.set_open(true);
    // The status element stays in place; empty, the line is not shown.
    let status = || {
        find(&w.root, ".lc-conn [role=status]")
            .and_then(|s| s.text_content())
            .filter(|t| !t.is_empty())
    };
    let banner = || find(&w.root, ".lc-conn").map(|s| s.text_content().unwrap());
    w.ctl.conn.set(ConnState::Online);
    tick().await;
    assert_eq!(status(), None, "online: nothing to say");
    w.ctl.conn.set(ConnState::Connecting);
    tick().await;
    assert_eq!(status().as_deref(), Some("Connecting…"));
    // the server went away: the next attempt is counted down (outside the status text)
    w.ctl.retry_at.set(livechat_client::clock::now_ms() + 4_200);
    w.ctl.conn.set(ConnState::Offline);
    tick().await;
    assert_eq!(status().as_deref(), Some("Connection lost. Reconnecting…"));
    assert!(banner().unwrap().ends_with("5 s"), "{:?}", banner());
    // the browser itself is offline: nothing to count down
    w.ctl.retry_at.set(0);
    tick().await;
    assert_eq!(
        status().as_deref(),
        Some("You're offline. Messages will be sent when you're back.")
    );
    w.ctl.conn.set(ConnState::Online);
    tick().await;
    assert_eq!(status(), None);
}

#[wasm_bindgen_test]
async fn while_waiting_the_visitor_sees_their_place_in_the_queue_and_how_long_it_has_been() {
    let w = widget(true);
    w.ctl.set_open(true);
    let mut waiting = conversation(6, ConversationStatus::Waiting, "Marta");
    waiting.created_at = livechat_client::clock::now_ms() - 3 * 60_000 - 5_000;
    w.welcome(vec![waiting]);
    tick().await;
    let note = || get(&w.root, ".lc-note").text_content().unwrap();
    assert_eq!(note(), "Waiting for an agent… (3 min)");
    // the frame exactly as the server sends it (the golden file), for this conversation
    let frame = include_str!("../../../protocol/tests/golden/server_queue_position.json")
        .replace("\"conversation_id\": 3", "\"conversation_id\": 6");
    w.ctl
        .receive(super::decode(&frame).expect("the widget reads its place"));
    tick().await;
    assert_eq!(
        note(),
        "Waiting for an agent… You're number 2 in line. (3 min)"
    );
    // another conversation's place is not this one's
    w.ctl.receive(ServerMsg::QueuePosition {
        conversation_id: ConversationId(2),
        position: 9,
    });
    tick().await;
    assert!(note().contains("number 2"));
    // answered: no more waiting
    w.ctl.receive(ServerMsg::Conversation {
        conversation: conversation(6, ConversationStatus::Active, "Marta"),
    });
    tick().await;
    assert!(find(&w.root, ".lc-note").is_none());
}
