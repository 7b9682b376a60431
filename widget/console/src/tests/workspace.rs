//! The workspace for many conversations: waiting times that tick and turn overdue, my chats
//! ordered by their last update with unread counts and last lines, the closed list, the
//! compact view's bubbles and window (with the stylesheet in the page and the runner's window
//! at 1280x800, `webdriver.json`: its note is laid out beside the window, not under it), and
//! the new-message sound that repeats until read. Elements are found by role and accessible
//! name where the DOM allows.

use gloo_storage::Storage;
use leptos::prelude::*;
use livechat_client::clock::now_ms;
use livechat_client::testing::*;
use protocol::{ConversationStatus, ServerMsg};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

use super::{Console, console, console_with_clock, id};
use crate::Ctl;
use crate::ui::Clock;

/// An element's accessible name, as far as the console's markup goes: `aria-label`, the
/// elements `aria-labelledby` names (looked up inside `root`: every test's console shares the
/// page), a `<label for>` it, a wrapping `<label>`, else its text.
pub(super) fn name_of(root: &Element, el: &Element) -> String {
    if let Some(label) = el.get_attribute("aria-label") {
        return label;
    }
    if let Some(ids) = el.get_attribute("aria-labelledby") {
        return ids
            .split_whitespace()
            .filter_map(|id| root.query_selector(&format!("#{id}")).ok().flatten())
            .filter_map(|e| e.text_content())
            .collect::<Vec<_>>()
            .join(" ");
    }
    let id = el.id();
    if !id.is_empty()
        && let Ok(Some(label)) = root.query_selector(&format!("label[for='{id}']"))
    {
        return label.text_content().unwrap_or_default().trim().to_string();
    }
    if let Ok(Some(label)) = el.closest("label") {
        return label.text_content().unwrap_or_default().trim().to_string();
    }
    el.text_content().unwrap_or_default().trim().to_string()
}

/// Every element of `role` inside `root` (the roles these tests look for).
pub(super) fn all_by_role(root: &Element, role: &str) -> Vec<HtmlElement> {
    let selector = match role {
        "button" => "button",
        "region" => "section[aria-labelledby], section[aria-label]",
        "checkbox" => "input[type=checkbox]",
        "radio" => "input[type=radio]",
        "textbox" => "input:not([type]), input[type=text], textarea",
        "spinbutton" => "input[type=number]",
        "combobox" => "select",
        "form" => "form[aria-label], form[aria-labelledby]",
        "list" => "ul",
        other => return all_by_role_attr(root, other),
    };
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into())
        .collect()
}

fn all_by_role_attr(root: &Element, role: &str) -> Vec<HtmlElement> {
    let list = root.query_selector_all(&format!("[role={role}]")).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into())
        .collect()
}

pub(super) fn by_role(root: &Element, role: &str, name: &str) -> Option<HtmlElement> {
    all_by_role(root, role)
        .into_iter()
        .find(|e| name_of(root, e) == name)
}

pub(super) fn role(root: &Element, role: &str, name: &str) -> HtmlElement {
    by_role(root, role, name).unwrap_or_else(|| {
        let names: Vec<_> = all_by_role(root, role)
            .iter()
            .map(|e| name_of(root, e))
            .collect();
        panic!("no {role} named {name:?}; there are {names:?}")
    })
}

/// The names of the `button`s inside `within`.
pub(super) fn button_names(root: &Element, within: &Element) -> Vec<String> {
    all_by_role(within, "button")
        .iter()
        .map(|b| name_of(root, b))
        .collect()
}

/// Wait (bounded, generously) until `ok()`; false if it never held.
pub(super) async fn until(mut ok: impl FnMut() -> bool, ms: u32) -> bool {
    for _ in 0..ms / 20 {
        if ok() {
            return true;
        }
        tick().await;
    }
    ok()
}

fn accept(c: &Console, n: i64, name: &str) {
    c.ctl.receive(ServerMsg::Accepted {
        conversation: conversation(n, ConversationStatus::Active, name),
    });
}

/// A visitor's message `seq` in conversation `conv` (its time: `seq` seconds in).
fn says(c: &Console, conv: i64, seq: i64, body: &str) {
    c.ctl.receive(ServerMsg::Message {
        message: text(conv * 100 + seq, conv, seq, marta(), body),
    });
}

#[wasm_bindgen_test]
async fn waiting_times_tick_each_second_and_turn_overdue_after_30_s() {
    let t0 = now_ms();
    let clock = Clock(RwSignal::new(t0));
    let c = console_with_clock(true, Some(clock));
    c.welcome();
    c.ctl.receive(ServerMsg::Queue {
        requests: vec![request(1, "Marta", "Where is my order?", t0 - 10_000)],
    });
    tick().await;
    let region = role(&c.root, "region", "Waiting chats (1)");
    let row = get(&region, "li");
    let accept = role(&region, "button", "Accept chat with Marta");
    let wait = || get(&row, ".wait").text_content().unwrap();
    // What the Accept button is described by: the waiting time, in words.
    let description = || {
        let id = accept.get_attribute("aria-describedby").unwrap();
        get(&c.root, &format!("#{id}")).text_content().unwrap()
    };
    assert_eq!(wait(), "waiting 10 s");
    clock.0.set(t0 + 1_000);
    tick().await;
    assert_eq!(wait(), "waiting 11 s");
    assert!(!row.class_list().contains("overdue"));
    assert_eq!(description(), "waiting 11 s");
    clock.0.set(t0 + 20_000);
    tick().await;
    assert_eq!(wait(), "waiting 30 s", "30 s is not yet overdue");
    assert!(!row.class_list().contains("overdue"));
    clock.0.set(t0 + 35_000);
    tick().await;
    assert_eq!(wait(), "waiting 45 s — overdue");
    assert!(row.class_list().contains("overdue"), "red");
    assert_eq!(
        description(),
        "waiting 45 s — overdue",
        "said, not only shown"
    );
    clock.0.set(t0 + 125_000);
    tick().await;
    assert_eq!(wait(), "waiting 2 min 15 s — overdue");
    // The row was updated in place: the list did not render it again.
    assert!(get(&region, "li").is_same_node(Some(&row)));
}

#[wasm_bindgen_test]
async fn the_consoles_own_clock_moves_waiting_times_every_second() {
    let c = console(true);
    c.welcome();
    c.ctl.receive(ServerMsg::Queue {
        requests: vec![request(1, "Marta", "hello", now_ms() - 5_000)],
    });
    tick().await;
    let region = role(&c.root, "region", "Waiting chats (1)");
    let first = get(&region, ".wait").text_content().unwrap();
    // A tick every second (it was every 15 s): the text moves well within 5 s.
    let moved = until(
        || get(&region, ".wait").text_content().unwrap() != first,
        5_000,
    )
    .await;
    assert!(moved, "still {first}");
}

#[wasm_bindgen_test]
async fn my_chats_are_ordered_by_last_update_with_unread_counts_and_last_lines() {
    let c = console(true);
    c.welcome();
    for (n, name) in [(1, "Marta"), (2, "Bob"), (3, "Eve")] {
        accept(&c, n, name);
    }
    says(&c, 1, 5, "Where is my order?");
    says(&c, 2, 2, "Refund please");
    tick().await;
    let mine = role(&c.root, "region", "My chats (3)");
    // Eve's is open (accepted last) and quiet since it started; Marta spoke last.
    assert_eq!(
        button_names(&c.root, &mine),
        [
            "Open chat with Marta, 1 unread",
            "Open chat with Bob, 1 unread",
            "Open chat with Eve"
        ]
    );
    assert_eq!(all_text(&mine, ".badge"), ["1", "1"]);
    assert_eq!(
        all_text(&mine, ".last"),
        ["Where is my order?", "Refund please", ""]
    );
    let bob_row = role(&mine, "button", "Open chat with Bob, 1 unread");
    // Bob writes again, at length: his chat goes to the top with 2 unread and the new line,
    // cut short.
    says(
        &c,
        2,
        9,
        "Also, the parcel that arrived on Tuesday was damaged and the box was open, what now?",
    );
    tick().await;
    assert_eq!(
        button_names(&c.root, &mine),
        [
            "Open chat with Bob, 2 unread",
            "Open chat with Marta, 1 unread",
            "Open chat with Eve"
        ]
    );
    let bob = role(&mine, "button", "Open chat with Bob, 2 unread");
    assert!(bob.is_same_node(Some(&bob_row)), "moved, not made again");
    assert_eq!(get(&bob, ".badge").text_content().unwrap(), "2");
    // The last line sits beside the button, in its row (a button's text must be its name).
    let bob_line = get(&bob.parent_element().unwrap(), ".last");
    let last = bob_line.text_content().unwrap();
    assert!(
        last.starts_with("Also, the parcel") && last.ends_with('…') && last.chars().count() <= 61,
        "{last}"
    );
    // The last line describes the button.
    assert_eq!(
        bob.get_attribute("aria-describedby"),
        bob_line.get_attribute("id")
    );
    // Opening it reads it; the order stays.
    bob.click();
    tick().await;
    assert_eq!(
        button_names(&c.root, &mine),
        [
            "Open chat with Bob",
            "Open chat with Marta, 1 unread",
            "Open chat with Eve"
        ]
    );
    assert!(find(&bob, ".badge").is_none());
    // My reply counts as an update too.
    role(&c.root, "button", "Open chat with Eve").click();
    tick().await;
    let reply = get(&c.root, "textarea[aria-label=Reply]");
    type_into(&reply, "Hello Eve");
    key(&reply, "Enter", false);
    tick().await;
    assert_eq!(
        button_names(&c.root, &mine)[0],
        "Open chat with Eve",
        "my reply is the newest"
    );
}

#[wasm_bindgen_test]
async fn ended_chats_move_to_the_closed_list_and_stay_readable() {
    let c = console(true);
    c.welcome();
    tick().await;
    // Every list's heading counts its items in its name.
    for name in [
        "Waiting chats (0)",
        "My chats (0)",
        "Closed (0)",
        "Callbacks (0)",
    ] {
        role(&c.root, "region", name);
    }
    accept(&c, 1, "Marta");
    accept(&c, 2, "Bob");
    says(&c, 1, 1, "thanks, bye");
    c.ctl.receive(ServerMsg::Conversation {
        conversation: conversation(1, ConversationStatus::Ended, "Marta"),
    });
    tick().await;
    let mine = role(&c.root, "region", "My chats (1)");
    let closed = role(&c.root, "region", "Closed (1)");
    assert_eq!(button_names(&c.root, &mine), ["Open chat with Bob"]);
    assert_eq!(
        button_names(&c.root, &closed),
        ["Open chat with Marta, 1 unread"]
    );
    assert_eq!(all_text(&closed, ".last"), ["thanks, bye"]);
    role(&closed, "button", "Open chat with Marta, 1 unread").click();
    tick().await;
    let log = role(&c.root, "log", "Conversation with Marta");
    assert_eq!(all_text(&log, ".body"), ["thanks, bye"]);
    let reply: web_sys::HtmlTextAreaElement =
        get(&c.root, "textarea[aria-label=Reply]").unchecked_into();
    assert!(reply.disabled(), "read-only");
    role(&closed, "button", "Open chat with Marta");
}

/// Nine chats, Ann's updated last and Ivo's first, all unread, none open.
async fn nine_chats() -> Console {
    let c = console(true);
    c.welcome();
    let names = [
        "Ann Lee", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana", "Ivo",
    ];
    for (n, name) in (1..).zip(names) {
        accept(&c, n, name);
    }
    c.ctl.close_chat();
    for n in 1..=9 {
        says(&c, n, 10 - n, "hi");
    }
    tick().await;
    c
}

fn bubbles(c: &Console) -> HtmlElement {
    get(&c.root, "nav[aria-label='My chats']")
}

#[wasm_bindgen_test]
async fn compact_view_shows_seven_bubbles_and_the_rest_behind_more() {
    let c = nine_chats().await;
    assert!(find(&c.root, ".bubbles").is_none(), "off at first");
    let toggle = role(&c.root, "button", "Compact view");
    assert_eq!(
        toggle.get_attribute("aria-pressed").as_deref(),
        Some("false")
    );
    toggle.click();
    tick().await;
    assert_eq!(
        toggle.get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    // Remembered for this browser: a console opened later on this server starts compact.
    assert!(Ctl::new(&c.server).prefs.compact.on.get_untracked());
    // The bubbles are my chats now, not the list.
    assert!(by_role(&c.root, "region", "My chats (9)").is_none());
    let stack = bubbles(&c);
    let shown = stack.query_selector_all(":scope > .bubble").unwrap();
    assert_eq!(shown.length(), 7, "at most seven bubbles");
    assert_eq!(
        button_names(&c.root, &stack),
        [
            "Chat with Ann Lee, 1 unread",
            "Chat with Ben, 1 unread",
            "Chat with Cleo, 1 unread",
            "Chat with Dan, 1 unread",
            "Chat with Eve, 1 unread",
            "Chat with Finn, 1 unread",
            "Chat with Gus, 1 unread",
            "+2 more",
        ],
        "most recent first, then the rest behind one button"
    );
    let ann = role(&stack, "button", "Chat with Ann Lee, 1 unread");
    assert_eq!(get(&ann, ".initials").text_content().unwrap(), "AL");
    assert_eq!(get(&ann, ".badge").text_content().unwrap(), "1");
    assert!(
        ann.get_attribute("style")
            .is_some_and(|s| s.contains(crate::state::ChatKind::Live.colour())),
        "a live chat's colour"
    );
    // "+2 more" reveals the other two.
    let more = role(&stack, "button", "+2 more");
    assert_eq!(
        more.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    more.click();
    tick().await;
    assert_eq!(more.get_attribute("aria-expanded").as_deref(), Some("true"));
    let rest = role(&stack, "list", "More chats");
    assert_eq!(
        button_names(&c.root, &rest),
        ["Chat with Hana, 1 unread", "Chat with Ivo, 1 unread"]
    );
    // Ivo writes: his bubble comes to the top and Gus's goes behind "+2 more".
    says(&c, 9, 20, "still there?");
    tick().await;
    let names = button_names(&c.root, &stack);
    assert_eq!(names[0], "Chat with Ivo, 2 unread");
    assert_eq!(
        button_names(&c.root, &role(&stack, "list", "More chats")),
        ["Chat with Gus, 1 unread", "Chat with Hana, 1 unread"]
    );
    // One from the list opens in the window, and the list closes.
    role(&stack, "button", "Chat with Hana, 1 unread").click();
    tick().await;
    assert!(by_role(&stack, "list", "More chats").is_none());
    role(&c.root, "dialog", "Chat window: Hana");
    // Off again: the list is back, the bubbles gone.
    toggle.click();
    tick().await;
    assert!(find(&c.root, ".bubbles").is_none());
    role(&c.root, "region", "My chats (9)");
    assert!(!Ctl::new(&c.server).prefs.compact.on.get_untracked());
}

#[wasm_bindgen_test]
async fn a_bubble_opens_its_chat_in_a_window_that_escape_closes() {
    let c = nine_chats().await;
    role(&c.root, "button", "Compact view").click();
    tick().await;
    let stack = bubbles(&c);
    let ben = role(&stack, "button", "Chat with Ben, 1 unread");
    assert_eq!(ben.get_attribute("aria-expanded").as_deref(), Some("false"));
    ben.click();
    tick().await;
    let window = role(&c.root, "dialog", "Chat window: Ben");
    assert_eq!(ben.get_attribute("aria-expanded").as_deref(), Some("true"));
    assert_eq!(name_of(&c.root, &ben), "Chat with Ben, 0 unread", "read");
    // The same conversation pane as the full view, and only once on the page.
    let log = role(&window, "log", "Conversation with Ben");
    assert_eq!(all_text(&log, ".body"), ["hi"]);
    assert_eq!(all_by_role_attr(&c.root, "log").len(), 1);
    // Focus goes to the reply box.
    let doc = web_sys::window().unwrap().document().unwrap();
    let reply = get(&window, "textarea[aria-label=Reply]");
    let focused = until(
        || {
            doc.active_element()
                .is_some_and(|a| a.is_same_node(Some(&reply)))
        },
        2_000,
    )
    .await;
    assert!(focused, "the reply box has focus");
    // Another chat's message while Ben's is open counts as unread.
    says(&c, 3, 30, "hello?");
    tick().await;
    role(&stack, "button", "Chat with Cleo, 2 unread");
    // Escape closes the window and gives focus back to Ben's bubble.
    key(&reply, "Escape", false);
    tick().await;
    assert!(by_role(&c.root, "dialog", "Chat window: Ben").is_none());
    let ben = role(&stack, "button", "Chat with Ben, 0 unread");
    assert!(
        doc.active_element()
            .is_some_and(|a| a.is_same_node(Some(&ben))),
        "focus is back on the bubble"
    );
    assert_eq!(ben.get_attribute("aria-expanded").as_deref(), Some("false"));
    // With the window closed, Ben's messages are unread again.
    says(&c, 2, 31, "one more thing");
    tick().await;
    role(&stack, "button", "Chat with Ben, 1 unread");
    // The close button does the same.
    role(&stack, "button", "Chat with Ben, 1 unread").click();
    tick().await;
    role(&c.root, "button", "Close chat window").click();
    tick().await;
    assert!(by_role(&c.root, "dialog", "Chat window: Ben").is_none());
}

#[wasm_bindgen_test]
async fn the_sound_repeats_while_anything_is_unread_and_stops_once_read() {
    let c = console(true);
    c.welcome();
    c.ctl.chime.every_ms.set_value(40);
    let rung = || c.ctl.chime.rung.get_value();
    accept(&c, 1, "Marta");
    accept(&c, 2, "Bob");
    tick().await;
    // The preference lives in the account panel and is remembered.
    role(&c.root, "button", "Account").click();
    tick().await;
    let repeat = role(&c.root, "checkbox", "Repeat sound until read");
    repeat.click();
    tick().await;
    let key = livechat_client::server_url::storage_key(&c.server, "repeat-sound");
    assert_eq!(
        gloo_storage::LocalStorage::get::<bool>(&key).ok(),
        Some(true)
    );
    // A message in the open chat (Bob's) makes no sound.
    says(&c, 2, 1, "hi");
    tick().await;
    assert_eq!(rung(), 0);
    // One in Marta's does, at once, and again and again while it is unread.
    says(&c, 1, 1, "hello?");
    assert_eq!(rung(), 1);
    assert!(until(|| rung() >= 4, 5_000).await, "repeats: {}", rung());
    // Read: it stops at once.
    c.ctl.select(id(1));
    tick().await;
    let after_read = rung();
    gloo_timers::future::TimeoutFuture::new(400).await;
    assert_eq!(rung(), after_read, "no tone once nothing is unread");
    // (The timer still works: news in Bob's chat, now in the background, rings again.)
    says(&c, 2, 2, "are you there?");
    assert!(until(|| rung() >= after_read + 3, 5_000).await);
    // Off: the tone plays once per message, no more.
    repeat.click();
    tick().await;
    let when_off = rung();
    gloo_timers::future::TimeoutFuture::new(400).await;
    assert_eq!(rung(), when_off, "no repeats when not asked for");
    says(&c, 2, 3, "hello??");
    assert_eq!(rung(), when_off + 1);
}

/// The console's stylesheet in the page for as long as this lives: the tests mount the console
/// without it (as `start` adds it), and every test shares the page.
struct Stylesheet(Element);

impl Stylesheet {
    fn add() -> Self {
        let doc = web_sys::window().unwrap().document().unwrap();
        let style = doc.create_element("style").unwrap();
        style.set_text_content(Some(include_str!(concat!(env!("OUT_DIR"), "/console.css"))));
        doc.head().unwrap().append_child(&style).unwrap();
        Stylesheet(style)
    }
}

impl Drop for Stylesheet {
    fn drop(&mut self) {
        self.0.remove();
    }
}

#[wasm_bindgen_test]
async fn the_compact_views_note_is_beside_the_chat_window_not_under_it() {
    let _css = Stylesheet::add();
    let c = nine_chats().await;
    role(&c.root, "button", "Compact view").click();
    tick().await;
    role(&bubbles(&c), "button", "Chat with Ben, 1 unread").click();
    tick().await;
    let window = role(&c.root, "dialog", "Chat window: Ben").get_bounding_client_rect();
    let note = get(&c.root, ".main .empty p");
    assert!(
        note.text_content().unwrap().starts_with("Compact view"),
        "the compact view's note"
    );
    let note = note.get_bounding_client_rect();
    assert!(
        note.width() > 0.0 && note.right() <= window.left(),
        "the note ({}..{}) ends before the window ({}..{}) starts; viewport {:?}",
        note.left(),
        note.right(),
        window.left(),
        window.right(),
        web_sys::window().unwrap().inner_width()
    );
}
