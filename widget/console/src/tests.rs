//! Component tests of the agent console in Chromium, with a [`Recorder`] as its link and the
//! tests playing the server through [`Ctl::receive`].

use std::rc::Rc;

use leptos::prelude::*;
use livechat_client::clock::now_ms;
use livechat_client::testing::*;
use protocol::{ChatRequest, ClientMsg, ConversationId, ConversationStatus, ErrorCode, ServerMsg};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

use super::Ctl;
use super::state::{ALREADY_ACCEPTED, AgentSession};
use super::ui::{App, Clock};

/// Agents' own chats: the list, the pane, starting, renaming, adding, leaving.
mod team_chats;
/// The many-conversations workspace: lists, compact view, sounds.
mod workspace;

/// A fake of the server's REST API (`window.fetch`) that records what the console sent.
mod fake_rest;

/// Working together: reject, join, abandoned, invitations, leave, sections.
mod teamwork;

/// Offering choices: the form, and the chips under a message.
mod offers;

wasm_bindgen_test_configure!(run_in_browser);

struct Console {
    ctl: Ctl,
    link: Rc<Recorder>,
    root: Element,
    /// The server it was made for (another console on it shares its `localStorage`).
    server: String,
}

/// A console on a server whose requests fail at once: browsers refuse port 1 outright, so no
/// DNS lookup is waited for (a lookup of `fake_server()`'s `.invalid` name can take the
/// resolver's 5 s timeout, and the runner gives the whole suite 20 s). The path keeps each
/// test's `localStorage` keys apart.
fn console(signed_in: bool) -> Console {
    console_with_clock(signed_in, None)
}

/// [`console`], with a clock the test drives instead of one ticking every second.
fn console_with_clock(signed_in: bool, clock: Option<Clock>) -> Console {
    let unique = fake_server().replace("http://", "");
    let server = format!("http://127.0.0.1:1/{unique}");
    let ctl = Ctl::new(&server);
    if signed_in {
        ctl.store.desk.update(|d| {
            d.session = Some(AgentSession {
                token: "agent-tok".into(),
                name: "Ada".into(),
            })
        });
    }
    let link = Rc::new(Recorder::default());
    ctl.install(link.clone());
    let root = container();
    leptos::mount::mount_to(root.clone(), move || match clock {
        Some(clock) => view! { <App ctl=ctl clock=clock /> }.into_any(),
        None => view! { <App ctl=ctl /> }.into_any(),
    })
    .forget();
    Console {
        ctl,
        link,
        root: root.into(),
        server,
    }
}

impl Console {
    fn welcome(&self) {
        self.ctl.receive(ServerMsg::Welcome {
            protocol: protocol::PROTOCOL_VERSION,
            me: ada(),
            conversations: vec![],
        });
    }
    fn button(&self, name: &str) -> Option<HtmlElement> {
        find(&self.root, &format!("button[aria-label='{name}']"))
    }
}

/// A request that has been waiting for 3.5 minutes.
fn waiting(id: i64, name: &str, preview: &str) -> ChatRequest {
    request(id, name, preview, now_ms() - 210_000)
}

fn id(n: i64) -> ConversationId {
    ConversationId(n)
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
async fn welcome_goes_online_and_the_status_picker_follows() {
    use protocol::presence::AgentStatus;
    let c = console(true);
    assert_eq!(c.link.connected.borrow().as_deref(), Some("agent-tok"));
    c.welcome();
    tick().await;
    assert_eq!(
        c.link.last(),
        Some(ClientMsg::SetStatus {
            status: AgentStatus::Online
        })
    );
    let picker: web_sys::HtmlSelectElement =
        get(&c.root, "select[aria-label=Status]").unchecked_into();
    assert_eq!(picker.value(), "online");
    picker.set_value("busy");
    picker
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick().await;
    assert_eq!(
        c.link.last(),
        Some(ClientMsg::SetStatus {
            status: AgentStatus::Busy
        })
    );
    assert!(
        !c.ctl.store.desk.with_untracked(|d| d.online),
        "busy: no requests"
    );
}

#[wasm_bindgen_test]
async fn colleagues_are_listed_with_their_status_in_words() {
    use protocol::presence::{AgentPresence, AgentStatus};
    let c = console(true);
    c.welcome();
    c.ctl.receive(ServerMsg::Team {
        agents: vec![
            AgentPresence {
                agent: ada(),
                status: AgentStatus::Online,
            },
            AgentPresence {
                agent: grace(),
                status: AgentStatus::Busy,
            },
        ],
        away_after_secs: 120,
    });
    tick().await;
    assert_eq!(all_text(&c.root, ".team .name"), ["Grace"], "not me");
    c.ctl.receive(ServerMsg::AgentStatus {
        presence: AgentPresence {
            agent: grace(),
            status: AgentStatus::Away,
        },
    });
    tick().await;
    let row = get(&c.root, ".team li");
    assert_eq!(
        row.get_attribute("aria-label").as_deref(),
        Some("Grace: Away")
    );
    assert_eq!(c.ctl.store.desk.with_untracked(|d| d.away_after_secs), 120);
}

#[wasm_bindgen_test]
async fn the_queue_follows_added_and_removed_requests() {
    let c = console(true);
    c.welcome();
    c.ctl.receive(ServerMsg::Queue {
        requests: vec![waiting(1, "Marta", "Where is my order?")],
    });
    c.ctl.receive(ServerMsg::RequestAdded {
        request: waiting(2, "Bob", "Refund please"),
    });
    c.ctl.receive(ServerMsg::RequestAdded {
        request: waiting(2, "Bob", "Refund please"),
    });
    tick().await;
    let region = get(&c.root, "section[aria-labelledby=queue-h]");
    assert_eq!(get(&c.root, "#queue-h .count").text_content().unwrap(), "2");
    assert_eq!(
        all_text(&region, ".preview"),
        ["Where is my order?", "Refund please"]
    );
    for wait in all_text(&region, ".who .wait") {
        assert!(
            wait.starts_with("waiting 3 min ") && wait.ends_with(" — overdue"),
            "{wait}"
        );
    }
    assert!(c.button("Accept chat with Marta").is_some());
    c.button("Accept chat with Bob").unwrap().click();
    tick().await;
    assert_eq!(
        c.link.last(),
        Some(ClientMsg::Accept {
            conversation_id: id(2)
        })
    );
    c.ctl.receive(ServerMsg::RequestRemoved {
        conversation_id: id(1),
        accepted_by: Some(grace()),
        abandoned: false,
    });
    tick().await;
    assert!(c.button("Accept chat with Marta").is_none());
    assert!(c.button("Accept chat with Bob").is_some());
}

#[wasm_bindgen_test]
async fn an_old_servers_already_accepted_shows_the_generic_alert() {
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
async fn losing_an_accept_race_names_the_winner_and_the_refusal_stays_quiet() {
    let c = console(true);
    c.welcome();
    c.ctl.receive(ServerMsg::Queue {
        requests: vec![waiting(2, "Bob", "Refund please"), waiting(4, "Eve", "hi")],
    });
    tick().await;
    c.button("Accept chat with Bob").unwrap().click();
    tick().await;
    assert_eq!(
        c.link.last(),
        Some(ClientMsg::Accept {
            conversation_id: id(2)
        })
    );
    // Grace won: every online agent hears who, and my late accept is refused as not_found.
    c.ctl.receive(ServerMsg::RequestRemoved {
        conversation_id: id(2),
        accepted_by: Some(grace()),
        abandoned: false,
    });
    tick().await;
    assert!(c.button("Accept chat with Bob").is_none(), "left the queue");
    let alert = || get(&c.root, ".alert[role=alert]").text_content().unwrap();
    assert!(
        alert().contains("Grace accepted this chat first"),
        "{}",
        alert()
    );
    c.ctl.receive(ServerMsg::Error {
        code: ErrorCode::NotFound,
        message: "not found".into(),
        client_id: None,
    });
    tick().await;
    assert!(
        alert().contains("Grace accepted this chat first"),
        "{}",
        alert()
    );
    assert!(!alert().contains("not found"));
    // Only that one refusal is expected: a later one is news again.
    c.ctl.receive(ServerMsg::Error {
        code: ErrorCode::NotFound,
        message: "not found".into(),
        client_id: None,
    });
    tick().await;
    assert!(alert().contains("not found"), "{}", alert());
}

#[wasm_bindgen_test]
async fn requests_taken_by_others_that_i_did_not_accept_raise_no_alert() {
    let c = console(true);
    c.welcome();
    c.ctl.receive(ServerMsg::Queue {
        requests: vec![waiting(2, "Bob", "Refund please"), waiting(4, "Eve", "hi")],
    });
    tick().await;
    c.button("Accept chat with Eve").unwrap().click();
    c.ctl.receive(ServerMsg::RequestRemoved {
        conversation_id: id(2),
        accepted_by: Some(grace()),
        abandoned: false,
    });
    // My own win is announced to me too; that is no race lost.
    c.ctl.receive(ServerMsg::RequestRemoved {
        conversation_id: id(4),
        accepted_by: Some(ada()),
        abandoned: false,
    });
    c.ctl.receive(ServerMsg::Accepted {
        conversation: conversation(4, ConversationStatus::Active, "Eve"),
    });
    tick().await;
    assert!(find(&c.root, ".alert").is_none());
    assert!(c.button("Open chat with Eve").is_some());
}

#[wasm_bindgen_test]
async fn an_accepted_chat_opens_replies_and_ends() {
    let c = console(true);
    c.welcome();
    c.ctl.receive(ServerMsg::Queue {
        requests: vec![waiting(3, "<i>Marta</i>", "hello")],
    });
    c.ctl.receive(ServerMsg::Accepted {
        conversation: conversation(3, ConversationStatus::Active, "<i>Marta</i>"),
    });
    c.ctl.receive(ServerMsg::History {
        conversation_id: id(3),
        reset: false,
        more: false,
        messages: vec![
            text(1, 3, 1, visitor(1, "<i>Marta</i>"), "hello"),
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
    assert_eq!(all_text(&log, ".body"), ["hello", "Ada joined the chat"]);

    let reply = get(&c.root, "textarea[aria-label=Reply]");
    type_into(&reply, "Hi, how can I help?");
    key(&reply, "Enter", false);
    tick().await;
    assert!(matches!(
        c.link.last(),
        Some(ClientMsg::Send { conversation_id: Some(ConversationId(3)), ref body, .. }) if body == "Hi, how can I help?"
    ));
    assert_eq!(
        all_text(&log, ".msg.pending .body"),
        ["Hi, how can I help?"]
    );

    get(&c.root, ".conv-head button.danger").click();
    tick().await;
    assert!(
        matches!(c.link.last(), Some(ClientMsg::Send { .. })),
        "End chat first asks for a closing note"
    );
    let form: web_sys::HtmlFormElement =
        get(&c.root, "form[aria-label='End this chat']").unchecked_into();
    form.request_submit().unwrap();
    tick().await;
    assert_eq!(
        c.link.last(),
        Some(ClientMsg::End {
            conversation_id: id(3)
        })
    );
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
        message: text(5, 1, 1, marta(), "anyone?"),
    });
    tick().await;
    let marta = c.button("Open chat with Marta, 1 unread").unwrap();
    assert_eq!(get(&marta, ".badge").text_content().unwrap(), "1");
    marta.click();
    tick().await;
    let marta = c.button("Open chat with Marta").unwrap();
    assert!(find(&marta, ".badge").is_none());
    assert_eq!(
        get(&c.root, "[role=log]")
            .get_attribute("aria-label")
            .as_deref(),
        Some("Conversation with Marta")
    );
}

#[wasm_bindgen_test]
async fn a_frame_for_one_chat_leaves_the_others_and_the_desk_alone() {
    let c = console(true);
    c.welcome();
    for (n, name) in [(1, "Marta"), (2, "Bob")] {
        c.ctl.receive(ServerMsg::Accepted {
            conversation: conversation(n, ConversationStatus::Active, name),
        });
    }
    tick().await;
    let runs = |track: Box<dyn Fn()>| {
        let n = std::rc::Rc::new(std::cell::Cell::new(0));
        let m = n.clone();
        Effect::new(move |_| {
            track();
            m.set(m.get() + 1);
        });
        n
    };
    let marta = c.ctl.store.panes.get(id(1)).unwrap();
    let bob = c.ctl.store.panes.get(id(2)).unwrap();
    let desk = c.ctl.store.desk;
    let list = c.ctl.store.panes.0;
    let marta_runs = runs(Box::new(move || marta.track()));
    let bob_runs = runs(Box::new(move || bob.track()));
    let desk_runs = runs(Box::new(move || desk.track()));
    let list_runs = runs(Box::new(move || list.track()));
    tick().await;
    let before = [&marta_runs, &bob_runs, &desk_runs, &list_runs].map(|r| r.get());
    c.ctl.receive(ServerMsg::Message {
        message: text(5, 2, 1, visitor(1, "Bob"), "still there?"),
    });
    tick().await;
    let after = [&marta_runs, &bob_runs, &desk_runs, &list_runs].map(|r| r.get());
    assert_eq!(
        after,
        [before[0], before[1] + 1, before[2], before[3]],
        "only Bob's chat (marta, bob, desk, list)"
    );
    assert_eq!(
        all_text(&get(&c.root, "[role=log]"), ".body"),
        ["still there?"]
    );
}

#[wasm_bindgen_test]
async fn a_visitor_named_like_a_system_line_is_shown_as_a_visitor() {
    let c = console(true);
    c.welcome();
    let imposter = "Ada joined the chat";
    c.ctl.receive(ServerMsg::Accepted {
        conversation: conversation(4, ConversationStatus::Active, imposter),
    });
    c.ctl.receive(ServerMsg::History {
        conversation_id: id(4),
        reset: false,
        more: false,
        messages: vec![
            text(1, 4, 1, visitor(9, imposter), "hi"),
            system(2, 4, 2, "Ada joined the chat"),
            text(3, 4, 3, grace(), "Grace here too"),
        ],
    });
    tick().await;
    let log = get(&c.root, "[role=log]");
    // The one system line is the server's: a note without an author.
    assert_eq!(all_text(&log, ".msg.system .body"), ["Ada joined the chat"]);
    assert_eq!(all_text(&log, "[role=note] .body"), ["Ada joined the chat"]);
    assert!(find(&log, ".msg.system .author").is_none());
    // The visitor's line has an author line with a visible "Visitor" tag; another agent's
    // line says "Agent".
    assert_eq!(all_text(&log, ".msg.theirs .author"), [imposter, "Grace"]);
    assert_eq!(all_text(&log, ".msg.theirs .role"), ["Visitor", "Agent"]);
    assert!(find(&log, ".msg.theirs[role=note]").is_none());
}

/// Wait until the `role=alert` in `root` says `expected` (a failed fetch takes a moment).
async fn alert_says(root: &Element, expected: &str) {
    // Generous: a failed fetch (no server) can take seconds on a busy machine.
    let mut seen = None;
    for _ in 0..500 {
        seen = find(root, "[role=alert]").and_then(|a| a.text_content());
        if seen.as_deref() == Some(expected) {
            return;
        }
        tick().await;
    }
    panic!("the alert never said {expected:?}; last seen {seen:?}");
}

fn session(id: i64, device: &str, current: bool, connected: bool) -> protocol::SessionInfo {
    protocol::SessionInfo {
        id: protocol::SessionId(id),
        created_at: now_ms() - 3_600_000,
        last_used_at: now_ms() - 330_000,
        expires_at: now_ms() + 3_600_000,
        device: device.into(),
        current,
        connected,
    }
}

const LINUX_CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36";
const MAC_FIREFOX: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.0) Firefox/120.0";
const PHONE: &str = "Mozilla/5.0 (Linux; Android 14) Chrome/120 Mobile Safari/537.36";

#[wasm_bindgen_test]
async fn the_account_panel_lists_sessions_in_words() {
    let c = console(true);
    c.welcome();
    tick().await;
    let account = find(&c.root, "header button[aria-expanded]").expect("an Account button");
    assert_eq!(account.text_content().unwrap(), "Account");
    assert_eq!(
        account.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    account.click();
    tick().await;
    assert_eq!(
        account.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    let pane = get(&c.root, "section[aria-labelledby=account-h]");
    // This test has no server: the list fails to load, and says so.
    alert_says(&pane, "Could not reach the server. Please try again.").await;
    c.ctl.account.sessions.set(Some(vec![
        session(1, LINUX_CHROME, true, true),
        session(2, MAC_FIREFOX, false, true),
        session(3, PHONE, false, false),
    ]));
    tick().await;
    let list = get(&pane, "ul[aria-label=Sessions]");
    assert_eq!(
        all_text(&list, ".who strong"),
        ["Chrome on Linux", "Firefox on macOS", "Chrome on Android"]
    );
    assert_eq!(
        all_text(&list, ".who .small"),
        ["This device", "Active now", "Last active 5 min ago"]
    );
    // one button per other device, none for this one
    assert!(c.button("Sign out Chrome on Linux").is_none());
    assert!(c.button("Sign out Firefox on macOS").is_some());
    assert!(c.button("Sign out Chrome on Android").is_some());
    let all_others = button_named(&pane, "Sign out all other sessions");
    assert!(!all_others.has_attribute("disabled"));
    c.ctl
        .account
        .sessions
        .set(Some(vec![session(1, LINUX_CHROME, true, true)]));
    tick().await;
    assert!(
        all_others.has_attribute("disabled"),
        "nothing else to sign out"
    );
    // "Back to chats" closes it
    button_named(&pane, "Back to chats").click();
    tick().await;
    assert!(find(&c.root, "section[aria-labelledby=account-h]").is_none());
}

/// The button in `root` whose text is `text`.
fn button_named(root: &Element, text: &str) -> HtmlElement {
    let list = root.query_selector_all("button").unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into::<HtmlElement>())
        .find(|b| b.text_content().as_deref() == Some(text))
        .unwrap_or_else(|| panic!("no button {text:?}"))
}

#[wasm_bindgen_test]
async fn a_password_change_is_checked_before_it_is_sent() {
    let c = console(true);
    c.welcome();
    c.ctl.account.open.set(true);
    tick().await;
    let pane = get(&c.root, "section[aria-labelledby=account-h]");
    let labels = all_text(&pane, "form label");
    assert_eq!(
        labels,
        ["Current password", "New password", "Confirm new password"]
    );
    let submit = |current: &str, new: &str, confirm: &str| {
        for (sel, value) in [
            ("#current-password", current),
            ("#new-password", new),
            ("#confirm-password", confirm),
        ] {
            type_into(&get(&pane, sel), value);
        }
        button_named(&pane, "Change password").click();
    };
    for (current, new, confirm, problem) in [
        (
            "",
            "a long new password",
            "a long new password",
            "Enter your current password.",
        ),
        (
            "old",
            "a long new password",
            "a long new passwort",
            "The new passwords do not match.",
        ),
        (
            "old",
            "short",
            "short",
            "The new password must be at least 10 characters.",
        ),
    ] {
        submit(current, new, confirm);
        tick().await;
        assert_eq!(get(&pane, "[role=alert]").text_content().unwrap(), problem);
        // nothing was sent, and the socket stays
        assert_eq!(c.link.connected.borrow().as_deref(), Some("agent-tok"));
    }
    // A valid form goes to the server (none here): the socket is closed for the call and
    // reopened with the token that still holds.
    submit("old secret", "a long new password", "a long new password");
    alert_says(&pane, "Could not reach the server. Please try again.").await;
    assert_eq!(c.link.connected.borrow().as_deref(), Some("agent-tok"));
}

#[wasm_bindgen_test]
async fn the_conversation_header_shows_the_ticket_the_chat_is_about() {
    let c = console(true);
    c.welcome();
    c.ctl.receive(ServerMsg::Accepted {
        conversation: conversation(3, ConversationStatus::Active, "Carla"),
    });
    tick().await;
    assert!(
        find(&c.root, ".conv-head .ticket").is_none(),
        "no ticket yet"
    );
    let ticket = |number: &str| {
        Some(protocol::helpdesk::TicketRef {
            number: number.into(),
            subject: "Printer <b>on fire</b>".into(),
        })
    };
    c.ctl.receive(ServerMsg::TicketLinked {
        conversation_id: id(3),
        ticket: ticket("T-1001"),
    });
    tick().await;
    let shown = get(&c.root, ".conv-head .ticket");
    assert_eq!(label(&shown), "Ticket T-1001");
    assert_eq!(
        shown.text_content().unwrap(),
        "T-1001 Printer <b>on fire</b>"
    );
    assert!(find(&shown, "b").is_none(), "subjects are text");
    // a frame for a conversation I do not have changes nothing
    c.ctl.receive(ServerMsg::TicketLinked {
        conversation_id: id(99),
        ticket: ticket("T-9"),
    });
    c.ctl.receive(ServerMsg::TicketLinked {
        conversation_id: id(3),
        ticket: None,
    });
    tick().await;
    assert!(find(&c.root, ".conv-head .ticket").is_none(), "unlinked");
}

#[wasm_bindgen_test]
async fn a_verified_contact_shows_a_lock_their_details_and_ticket_actions() {
    let c = console(true);
    c.welcome();
    let ticket = |number: &str, subject: &str| protocol::helpdesk::Ticket {
        number: number.into(),
        subject: subject.into(),
        status: protocol::helpdesk::TicketStatus::Open,
        contact: "c-100".into(),
        created_at: 0,
        updated_at: 0,
    };
    // The card is known already (as if fetched), so nothing goes to the (absent) server.
    let card = protocol::helpdesk::VisitorCard {
        name: "Carla".into(),
        contact: Some(protocol::helpdesk::Contact {
            id: "c-100".into(),
            company: "acme".into(),
            name: "Carla".into(),
            email: "carla@acme.test".into(),
            chat_enabled: None,
        }),
        company_name: Some("Acme Cafés".into()),
        open_tickets: vec![ticket("T-1001", "Grinder"), ticket("T-1002", "Invoice")],
        presence: protocol::Presence::Away,
    };
    let visitor_id = match conversation(3, ConversationStatus::Active, "Carla")
        .visitor
        .principal
    {
        protocol::Principal::Visitor(id) => id,
        _ => unreachable!(),
    };
    c.ctl.cards.0.update(|m| {
        m.insert(visitor_id, Some(card));
    });
    c.ctl.receive(ServerMsg::Accepted {
        conversation: conversation(3, ConversationStatus::Active, "Carla"),
    });
    tick().await;
    let head = get(&c.root, ".conv-head");
    let lock = get(&head, "[role=img]");
    assert_eq!(label(&lock), "Verified contact");
    assert_eq!(
        get(&head, "[aria-label='Verified details']")
            .text_content()
            .unwrap(),
        "carla@acme.test · Acme Cafés"
    );
    // whether she is on the site: the word, with a dot that is only decoration
    let presence = get(&head, ".presence");
    assert_eq!(presence.text_content().unwrap(), "Away");
    assert!(presence.class_list().contains("away"));
    assert_eq!(
        get(&presence, ".presence-dot")
            .get_attribute("aria-hidden")
            .as_deref(),
        Some("true")
    );
    let select: web_sys::HtmlSelectElement = get(&head, "select").unchecked_into();
    assert_eq!(
        all_text(&head, "select option"),
        ["No ticket", "T-1001 · Grinder", "T-1002 · Invoice"]
    );
    assert_eq!(select.value(), "", "not linked yet");
    c.ctl.receive(ServerMsg::TicketLinked {
        conversation_id: id(3),
        ticket: Some(protocol::helpdesk::TicketRef {
            number: "T-1002".into(),
            subject: "Invoice".into(),
        }),
    });
    tick().await;
    assert_eq!(select.value(), "T-1002", "follows the linked ticket");
    // choosing another asks the server; with none there, the failure is shown
    select.set_value("T-1001");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    let mut shown = None;
    for _ in 0..500 {
        shown = find(&c.root, ".alert[role=alert] span").and_then(|a| a.text_content());
        if shown.is_some() {
            break;
        }
        tick().await;
    }
    assert_eq!(
        shown.as_deref(),
        Some("Could not reach the server. Please try again.")
    );
    // a chat whose visitor is not a verified contact (no card: the fetch fails here) has
    // neither lock nor ticket actions
    c.ctl.receive(ServerMsg::Accepted {
        conversation: protocol::Conversation {
            visitor: visitor(2, "Guest"),
            ..conversation(4, ConversationStatus::Active, "Guest")
        },
    });
    tick().await;
    let head = get(&c.root, ".conv-head");
    assert_eq!(get(&head, "h2").text_content().unwrap(), "Guest");
    assert!(find(&head, "[role=img]").is_none());
    assert!(find(&head, "select").is_none());
}

#[wasm_bindgen_test]
async fn callbacks_are_listed_with_a_phone_link_and_a_done_button() {
    let c = console(true);
    c.welcome();
    tick().await;
    let region = get(&c.root, "section[aria-labelledby=callbacks-h]");
    assert_eq!(get(&region, ".count").text_content().unwrap(), "0");
    c.ctl.callbacks.set(vec![protocol::helpdesk::Callback {
        id: 5,
        visitor: visitor(1, "Marta"),
        contact: None,
        conversation_id: Some(id(3)),
        ticket: Some("T-1001".into()),
        phone: "+49 (30) 123-4567".into(),
        preferred_time: "after 3 pm".into(),
        note: "about <b>the</b> printer".into(),
        requested_at: now_ms() - 150_000,
        done_at: None,
        done_by: None,
    }]);
    tick().await;
    assert_eq!(get(&region, ".count").text_content().unwrap(), "1");
    let phone = get(&region, "a");
    assert_eq!(
        phone.get_attribute("href").as_deref(),
        Some("tel:+49301234567")
    );
    assert_eq!(phone.text_content().unwrap(), "+49 (30) 123-4567");
    assert_eq!(
        all_text(&region, ".preview"),
        ["Prefers: after 3 pm", "about <b>the</b> printer"]
    );
    assert!(find(&region, "b").is_none(), "notes are text");
    assert_eq!(all_text(&region, ".ticket"), ["Ticket T-1001"]);
    assert_eq!(all_text(&region, ".who .small"), ["2 min"]);
    // "Done" asks the server; with none there, the failure is shown and the request stays
    c.button("Mark callback to Marta done").unwrap().click();
    let mut shown = None;
    for _ in 0..500 {
        shown = find(&c.root, ".alert[role=alert] span").and_then(|a| a.text_content());
        if shown.is_some() {
            break;
        }
        tick().await;
    }
    assert_eq!(
        shown.as_deref(),
        Some("The callback could not be marked done. Please try again.")
    );
    assert_eq!(get(&region, ".count").text_content().unwrap(), "1");
}

#[wasm_bindgen_test]
async fn admins_get_a_settings_screen_with_chat_hours_and_webhook_sections() {
    let c = console(true);
    c.welcome();
    tick().await;
    let settings_button = || {
        let list = c.root.query_selector_all("header button").unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .map(|n| n.unchecked_into::<HtmlElement>())
            .find(|b| b.text_content().as_deref() == Some("Settings"))
    };
    // the admin API did not answer (no server here): not an admin, no Settings
    assert!(settings_button().is_none());
    c.ctl.settings.admin.set(true);
    tick().await;
    settings_button()
        .expect("a Settings button for admins")
        .click();
    c.ctl
        .settings
        .chat
        .set(Some(protocol::helpdesk::ChatSettings::default()));
    c.ctl
        .settings
        .hours
        .set(Some(protocol::helpdesk::OfficeHours {
            enabled: true,
            time_zone: "Europe/Berlin".into(),
            weekly: vec![protocol::helpdesk::OpeningWindow {
                day: "mon".into(),
                open: "08:30".into(),
                close: "16:00".into(),
            }],
            holidays: vec!["2026-12-25".into()],
        }));
    c.ctl
        .settings
        .webhook
        .set(Some(protocol::webhooks::WebhookSettings {
            url: Some("https://hooks.example/x".into()),
            secret: None,
            secret_set: true,
        }));
    tick().await;
    let pane = get(&c.root, "section[aria-labelledby=settings-h]");
    assert_eq!(
        all_text(&pane, "h3"),
        [
            "Chat",
            "Companies and contacts",
            "Office hours",
            "Webhooks",
            "Agents",
            "Sections"
        ]
    );
    let value = |sel: &str| {
        get(&pane, sel)
            .unchecked_into::<web_sys::HtmlInputElement>()
            .value()
    };
    assert_eq!(value("#unanswered-after"), "60");
    assert_eq!(value("#time-zone"), "Europe/Berlin");
    assert_eq!(value("#open-mon"), "08:30");
    assert_eq!(
        get(&pane, "#holidays")
            .unchecked_into::<web_sys::HtmlTextAreaElement>()
            .value(),
        "2026-12-25"
    );
    assert_eq!(value("#webhook-url"), "https://hooks.example/x");
    assert_eq!(
        get(&pane, "#webhook-secret")
            .get_attribute("placeholder")
            .as_deref(),
        Some("A secret is set; leave empty to keep it"),
        "the secret itself is never shown"
    );
    // saving with no server: the failure is shown
    get(&pane, "#chat-settings-h + form button[type=submit]").click();
    alert_says(&pane, "Could not reach the server. Please try again.").await;
}

fn company(
    id: &str,
    name: &str,
    chat: Option<bool>,
    pre: Option<bool>,
) -> protocol::helpdesk::Company {
    protocol::helpdesk::Company {
        section: None,
        id: id.into(),
        name: name.into(),
        chat_enabled: chat,
        pre_ticket: pre,
    }
}

fn contact(id: &str, company: &str, name: &str, chat: Option<bool>) -> protocol::helpdesk::Contact {
    protocol::helpdesk::Contact {
        id: id.into(),
        company: company.into(),
        name: name.into(),
        email: format!("{id}@example.test"),
        chat_enabled: chat,
    }
}

fn select_named(root: &Element, name: &str) -> web_sys::HtmlSelectElement {
    get(root, &format!("select[aria-label='{name}']")).unchecked_into()
}

fn option_texts(select: &web_sys::HtmlSelectElement) -> Vec<String> {
    all_text(select, "option")
}

#[wasm_bindgen_test]
fn override_selects_map_inherit_on_off_to_option_bool_and_back() {
    use super::settings::{choice_value, parse_choice};
    for v in [None, Some(true), Some(false)] {
        assert_eq!(parse_choice(choice_value(v)), Some(v));
    }
    assert_eq!(choice_value(None), "inherit");
    assert_eq!(choice_value(Some(true)), "on");
    assert_eq!(choice_value(Some(false)), "off");
    assert_eq!(parse_choice(""), None, "no option has it: ignored");
    assert_eq!(parse_choice("On"), None);
}

#[wasm_bindgen_test]
fn override_put_bodies_carry_both_settings_and_the_whole_record() {
    use super::settings::{CompanySetting, Override, path_segment, with_company_setting};
    let acme = company("acme", "Acme Cafés", Some(true), None);
    let changed = with_company_setting(&acme, CompanySetting::PreTicket, Some(false));
    assert_eq!(
        serde_json::to_value(changed.input()).unwrap(),
        serde_json::json!({"name": "Acme Cafés", "chat_enabled": true, "pre_ticket": false}),
        "changing pre-ticket chat keeps chat"
    );
    let changed = with_company_setting(&acme, CompanySetting::Chat, None);
    assert_eq!(
        serde_json::to_value(changed.input()).unwrap(),
        serde_json::json!({"name": "Acme Cafés", "chat_enabled": null, "pre_ticket": null}),
        "inherit is sent as null, which the server reads as inherit"
    );
    let carla = contact("c-1", "acme", "Carla", Some(false));
    assert_eq!(
        serde_json::to_value(carla.input()).unwrap(),
        serde_json::json!({
            "company": "acme", "name": "Carla", "email": "c-1@example.test", "chat_enabled": false
        })
    );
    assert_eq!(acme.path(), "/api/admin/companies/acme");
    assert_eq!(
        company("a/b ?#%é", "x", None, None).path(),
        "/api/admin/companies/a%2Fb%20%3F%23%25%C3%A9"
    );
    assert_eq!(carla.path(), "/api/admin/contacts/c-1");
    assert_eq!(path_segment("Az09-._~"), "Az09-._~");
}

#[wasm_bindgen_test]
fn an_override_row_saves_one_put_at_a_time_and_shows_the_servers_value_after_a_failure() {
    use super::settings::Saving;
    let mut row = Saving::new(None::<bool>);
    assert_eq!(
        row.change(Some(true)),
        Some(Some(true)),
        "the first pick is sent"
    );
    assert_eq!(
        row.change(Some(false)),
        None,
        "a pick while one is in flight waits"
    );
    assert_eq!(row.shown, Some(false), "but shows at once");
    row.refreshed(None);
    assert_eq!(
        row.shown,
        Some(false),
        "a refresh does not undo a pending pick"
    );
    assert_eq!(
        row.saved(Some(true)),
        Some(Some(false)),
        "the newest pick goes next"
    );
    assert_eq!(row.saved(Some(false)), None);
    assert!(!row.in_flight);
    assert_eq!(row.confirmed, Some(false));
    assert_eq!(row.change(None), Some(None));
    row.failed();
    assert_eq!(
        row.shown,
        Some(false),
        "a failure shows the server's value again"
    );
    assert!(!row.in_flight);
    row.refreshed(Some(true));
    assert_eq!((row.shown, row.confirmed), (Some(true), Some(true)));
}

#[wasm_bindgen_test]
async fn the_companies_and_contacts_section_offers_inherit_on_off_and_reverts_a_failed_save() {
    use super::settings::{Overrides, inherit_label};
    assert_eq!(inherit_label(true), "Inherit (on)");
    assert_eq!(inherit_label(false), "Inherit (off)");
    let c = console(true);
    c.welcome();
    let s = c.ctl.settings;
    s.admin.set(true);
    s.open.set(true);
    s.chat.set(Some(protocol::helpdesk::ChatSettings {
        chat_enabled: true,
        pre_ticket: false,
        ..Default::default()
    }));
    let mut overrides = Overrides::default();
    overrides.replace(
        vec![
            company("acme", "Acme Cafés", None, Some(true)),
            company("bolt", "Bolt & Co", Some(false), None),
        ],
        vec![
            contact("c-1", "acme", "Carla", Some(false)),
            contact("c-2", "bolt", "Gus", None),
        ],
    );
    s.overrides.set(Some(overrides));
    tick().await;
    let pane = get(&c.root, "section[aria-labelledby=settings-h]");
    assert_eq!(
        all_text(&pane, "h3"),
        ["Chat", "Companies and contacts", "Agents", "Sections"]
    );
    let section = get(&pane, "section[aria-labelledby=overrides-h]");
    assert_eq!(
        get(&section, "table caption").text_content().unwrap(),
        "Chat settings by company and contact"
    );
    assert_eq!(
        all_text(&section, "tbody > tr > th[scope=row]"),
        [
            "Acme Cafés",
            "Carla c-1@example.test",
            "Bolt & Co",
            "Gus c-2@example.test"
        ],
        "each company followed by its contacts"
    );
    let acme_chat = select_named(&section, "Chat for Acme Cafés");
    let acme_pre = select_named(&section, "Pre-ticket chat for Acme Cafés");
    let bolt_chat = select_named(&section, "Chat for Bolt & Co");
    let carla = select_named(&section, "Chat for Carla");
    assert_eq!(option_texts(&acme_chat), ["Inherit (on)", "On", "Off"]);
    assert_eq!(option_texts(&acme_pre), ["Inherit (off)", "On", "Off"]);
    assert_eq!(option_texts(&carla), ["Inherit", "On", "Off"]);
    assert!(find(&section, "select[aria-label='Pre-ticket chat for Carla']").is_none());
    assert_eq!(
        [
            acme_chat.value(),
            acme_pre.value(),
            bolt_chat.value(),
            carla.value()
        ],
        ["inherit", "on", "off", "off"]
    );
    // the inherit option follows the saved global setting
    s.chat.update(|c| {
        if let Some(c) = c {
            c.chat_enabled = false;
            c.pre_ticket = true;
        }
    });
    tick().await;
    assert_eq!(option_texts(&acme_chat)[0], "Inherit (off)");
    assert_eq!(option_texts(&acme_pre)[0], "Inherit (on)");
    // a pick saves at once; with no server it fails, says so, and shows the server's value
    acme_chat.set_value("off");
    acme_chat
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    assert_eq!(
        s.overrides
            .with_untracked(|o| o.as_ref().and_then(|o| o.company("acme")).cloned()),
        Some(company("acme", "Acme Cafés", Some(false), Some(true))),
        "shown at once, pre-ticket chat kept"
    );
    alert_says(
        &section,
        "Acme Cafés was not saved. Could not reach the server. Please try again.",
    )
    .await;
    tick().await;
    assert_eq!(
        acme_chat.value(),
        "inherit",
        "back to what the server holds"
    );
    assert_eq!(acme_pre.value(), "on");
    carla.set_value("inherit");
    carla
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    alert_says(
        &section,
        "Carla was not saved. Could not reach the server. Please try again.",
    )
    .await;
    tick().await;
    assert_eq!(carla.value(), "off");
}

fn online_contact(
    visitor_id: i64,
    id: &str,
    name: &str,
    presence: protocol::Presence,
    tickets: &[&str],
) -> protocol::presence::OnlineContact {
    protocol::presence::OnlineContact {
        visitor_id: protocol::VisitorId(visitor_id),
        contact: protocol::helpdesk::Contact {
            id: id.into(),
            company: "acme".into(),
            name: name.into(),
            email: format!("{id}@acme.test"),
            chat_enabled: None,
        },
        company_name: "Acme Cafés".into(),
        presence,
        open_tickets: tickets
            .iter()
            .map(|n| protocol::helpdesk::Ticket {
                number: (*n).into(),
                subject: format!("{n} subject"),
                status: protocol::helpdesk::TicketStatus::Open,
                contact: id.into(),
                created_at: 0,
                updated_at: 0,
            })
            .collect(),
    }
}

#[wasm_bindgen_test]
fn the_online_list_keeps_picks_for_listed_open_tickets_and_starts_one_chat_at_a_time() {
    use super::presence::OnlineList;
    use protocol::Presence::{Away, Online};
    let mut list = OnlineList::default();
    list.replace(vec![
        online_contact(1, "c-1", "Carla", Online, &["T-1", "T-2"]),
        online_contact(2, "c-2", "Gus", Away, &["T-3"]),
    ]);
    list.pick("c-1", Some("T-2".into()));
    list.pick("c-2", Some("T-3".into()));
    assert_eq!(list.picked("c-1"), Some("T-2"));
    list.pick("c-2", Some(String::new()));
    assert_eq!(list.picked("c-2"), None, "\"No ticket\" is no pick");
    list.pick("c-2", Some("T-3".into()));
    // T-2 was closed since, and Gus left: their picks go, Carla's other ticket stays pickable
    list.replace(vec![online_contact(1, "c-1", "Carla", Online, &["T-1"])]);
    assert_eq!(list.picked("c-1"), None);
    assert_eq!(list.picked("c-2"), None);
    list.pick("c-1", Some("T-1".into()));
    let req = list.start("c-1").expect("a request");
    assert_eq!(
        req,
        protocol::presence::PushChatRequest {
            contact_id: "c-1".into(),
            ticket: Some("T-1".into()),
        }
    );
    assert_eq!(list.start("c-1"), None, "one start at a time");
    list.finished(false);
    assert_eq!(list.picked("c-1"), Some("T-1"), "a refusal keeps the pick");
    assert!(list.start("c-1").is_some());
    list.finished(true);
    assert_eq!(list.picked("c-1"), None, "a started chat forgets it");
    assert_eq!(list.starting, None);
    assert_eq!(list.name("c-1"), "Carla");
    assert_eq!(list.name("c-9"), "This contact");
}

#[wasm_bindgen_test]
fn the_online_list_refreshes_the_presence_on_contacts_cards_only() {
    use protocol::Presence::{Away, Offline, Online};
    use protocol::VisitorId;
    let card = |contact: bool, presence| protocol::helpdesk::VisitorCard {
        name: "N".into(),
        contact: contact.then(|| online_contact(0, "c", "N", Online, &[]).contact),
        company_name: None,
        open_tickets: vec![],
        presence,
    };
    let mut cards = std::collections::HashMap::new();
    cards.insert(VisitorId(1), Some(card(true, Online)));
    cards.insert(VisitorId(2), Some(card(true, Online)));
    cards.insert(VisitorId(3), Some(card(false, Online)));
    cards.insert(VisitorId(4), None);
    super::presence::refresh_presence(&mut cards, &[online_contact(1, "c-1", "Carla", Away, &[])]);
    let presence = |id| cards[&VisitorId(id)].as_ref().map(|c| c.presence);
    assert_eq!(presence(1), Some(Away), "listed: as listed");
    assert_eq!(presence(2), Some(Offline), "a contact not listed has left");
    assert_eq!(
        presence(3),
        Some(Online),
        "anonymous visitors are never listed"
    );
    assert_eq!(presence(4), None, "still being fetched");
}

#[wasm_bindgen_test]
async fn contacts_online_are_listed_with_presence_tickets_and_a_start_chat_button() {
    let c = console(true);
    c.welcome();
    tick().await;
    let region = get(&c.root, "section[aria-labelledby=online-h]");
    assert_eq!(
        get(&region, "h2").text_content().unwrap(),
        "Contacts online (0)"
    );
    assert_eq!(
        all_text(&region, "p.muted"),
        ["No contacts are on the site."]
    );
    c.ctl.online.update(|l| {
        l.replace(vec![
            online_contact(
                1,
                "c-1",
                "Carla <b>Díaz</b>",
                protocol::Presence::Online,
                &["T-1", "T-2"],
            ),
            online_contact(2, "c-2", "Gus", protocol::Presence::Away, &[]),
        ])
    });
    tick().await;
    assert_eq!(get(&region, ".count").text_content().unwrap(), "2");
    assert_eq!(
        all_text(&region, ".who strong"),
        ["Carla <b>Díaz</b>", "Gus"]
    );
    assert!(find(&region, "b").is_none(), "names are text");
    assert_eq!(all_text(&region, ".presence"), ["Online", "Away"]);
    assert_eq!(all_text(&region, ".preview"), ["Acme Cafés", "Acme Cafés"]);
    // Carla has open tickets to pick from; Gus has none, so no select
    assert_eq!(all_text(&region, "label"), ["Ticket for Carla <b>Díaz</b>"]);
    assert_eq!(
        all_text(&region, "select option"),
        ["No ticket", "T-1 · T-1 subject", "T-2 · T-2 subject"]
    );
    let select: web_sys::HtmlSelectElement = get(&region, "select").unchecked_into();
    select.set_value("T-2");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick().await;
    assert_eq!(
        c.ctl
            .online
            .with_untracked(|l| l.picked("c-1").map(str::to_owned)),
        Some("T-2".into())
    );
    assert!(c.button("Start chat with Gus").is_some());
    // starting asks the server; with none there, the failure is shown, the pick stays and
    // the buttons work again
    c.button("Start chat with Carla <b>Díaz</b>")
        .unwrap()
        .click();
    let mut shown = None;
    for _ in 0..500 {
        shown = find(&c.root, ".alert[role=alert] span").and_then(|a| a.text_content());
        if shown.is_some() {
            break;
        }
        tick().await;
    }
    assert_eq!(
        shown.as_deref(),
        Some("Could not reach the server. Please try again.")
    );
    tick().await;
    let start = c.button("Start chat with Carla <b>Díaz</b>").unwrap();
    assert!(
        !start
            .unchecked_ref::<web_sys::HtmlButtonElement>()
            .disabled()
    );
    assert_eq!(
        c.ctl
            .online
            .with_untracked(|l| l.picked("c-1").map(str::to_owned)),
        Some("T-2".into())
    );
}

fn agent_record(
    id: i64,
    name: &str,
    is_admin: bool,
    active: bool,
) -> protocol::agents::AgentRecord {
    protocol::agents::AgentRecord {
        id: protocol::AgentId(id),
        name: name.into(),
        email: format!("{}@example.test", name.to_lowercase()),
        is_admin,
        active,
        created_at: 1_700_000_000_000,
    }
}

fn input_named(root: &Element, name: &str) -> web_sys::HtmlInputElement {
    get(root, &format!("input[aria-label='{name}']")).unchecked_into()
}

/// Clicks a checkbox the way a person does (it flips, then `change` fires).
fn click_box(input: &web_sys::HtmlInputElement) {
    input.click();
}

#[wasm_bindgen_test]
fn agent_put_bodies_carry_only_what_changed() {
    use super::settings::{agent_path, agent_update};
    let grace = agent_record(8, "Grace", false, true);
    let promoted = protocol::agents::AgentRecord {
        is_admin: true,
        ..grace.clone()
    };
    assert_eq!(
        serde_json::to_value(agent_update(&grace, &promoted)).unwrap(),
        serde_json::json!({"is_admin": true}),
        "absent fields stay as they are on the server"
    );
    let gone = protocol::agents::AgentRecord {
        active: false,
        ..grace.clone()
    };
    assert_eq!(
        serde_json::to_value(agent_update(&grace, &gone)).unwrap(),
        serde_json::json!({"active": false})
    );
    assert_eq!(
        agent_update(&grace, &grace),
        protocol::agents::AgentUpdate::default(),
        "nothing to send"
    );
    assert_eq!(agent_path(protocol::AgentId(8)), "/api/admin/agents/8");
}

#[wasm_bindgen_test]
fn the_signed_in_agents_own_row_cannot_lose_admin_or_be_deactivated() {
    use super::settings::{is_me, may_change_agent};
    let me = Some(protocol::AgentId(7));
    let ada = agent_record(7, "Ada", true, true);
    let grace = agent_record(8, "Grace", true, true);
    assert!(is_me(me, ada.id));
    assert!(!is_me(me, grace.id));
    assert!(!is_me(None, ada.id), "nobody is me before the welcome");
    let demoted = |a: &protocol::agents::AgentRecord| protocol::agents::AgentRecord {
        is_admin: false,
        ..a.clone()
    };
    let deactivated = |a: &protocol::agents::AgentRecord| protocol::agents::AgentRecord {
        active: false,
        ..a.clone()
    };
    assert!(!may_change_agent(me, &ada, &demoted(&ada)));
    assert!(!may_change_agent(me, &ada, &deactivated(&ada)));
    assert!(may_change_agent(me, &ada, &ada));
    assert!(may_change_agent(me, &grace, &demoted(&grace)));
    assert!(may_change_agent(me, &grace, &deactivated(&grace)));
}

#[wasm_bindgen_test]
fn new_agents_and_passwords_are_checked_before_they_are_sent() {
    use super::settings::{check_new_password, new_agent_request};
    let short = "x".repeat(protocol::MIN_PASSWORD_CHARS - 1);
    let enough = "x".repeat(protocol::MIN_PASSWORD_CHARS);
    assert_eq!(
        check_new_password(&short),
        Err("The password must be at least 10 characters.".into())
    );
    assert_eq!(
        check_new_password(""),
        Err("The password must not be empty.".into())
    );
    assert_eq!(check_new_password(&enough), Ok(()));
    // the server's reason, as a sentence
    use super::settings::refusal;
    assert_eq!(
        refusal((400, "that e-mail address is already in use".into())),
        "That e-mail address is already in use."
    );
    assert_eq!(refusal((400, "Done.".into())), "Done.");
    assert_eq!(
        refusal((0, "no answer from the chat server".into())),
        "Could not reach the server. Please try again."
    );
    assert_eq!(
        refusal((500, String::new())),
        "The server could not save that. Please try again."
    );
    assert_eq!(
        new_agent_request("  ", "g@example.test", &enough, false),
        Err("Enter the agent's name.".into())
    );
    assert_eq!(
        new_agent_request("Grace", "grace", &enough, false),
        Err("Enter the agent's e-mail address.".into())
    );
    assert_eq!(
        new_agent_request("Grace", "g@example.test", &short, false),
        Err("The password must be at least 10 characters.".into())
    );
    let body = new_agent_request(" Grace ", " g@example.test ", &enough, true).unwrap();
    assert_eq!(
        serde_json::to_value(body).unwrap(),
        serde_json::json!({
            "email": "g@example.test", "name": "Grace", "password": enough, "is_admin": true
        }),
        "trimmed; the password as typed"
    );
}

#[wasm_bindgen_test]
fn a_refreshed_agent_list_keeps_a_pending_save() {
    use super::settings::{AgentRow, merge_agents};
    let mut grace = AgentRow::new(agent_record(8, "Grace", false, true));
    let sent = grace
        .saving
        .change(agent_record(8, "Grace", true, true))
        .expect("sent at once");
    assert!(sent.is_admin);
    let rows = merge_agents(
        vec![grace, AgentRow::new(agent_record(9, "Linus", false, true))],
        vec![
            agent_record(7, "Ada", true, true),
            agent_record(8, "Grace", false, true),
        ],
    );
    assert_eq!(
        rows.iter().map(|r| r.id().0).collect::<Vec<_>>(),
        [7, 8],
        "the server's list and order"
    );
    assert!(rows[1].saving.in_flight);
    assert!(
        rows[1].saving.shown.is_admin,
        "the pending pick still shows"
    );
    assert!(!rows[1].saving.confirmed.is_admin);
}

/// A console with the Settings screen open and these agent rows (Ada, id 7, is signed in).
async fn agents_screen(rows: Vec<protocol::agents::AgentRecord>) -> (Console, HtmlElement) {
    let c = console(true);
    c.welcome();
    let s = c.ctl.settings;
    s.admin.set(true);
    s.open.set(true);
    s.agents.set(Some(
        rows.into_iter()
            .map(super::settings::AgentRow::new)
            .collect(),
    ));
    tick().await;
    let section = get(&c.root, "section[aria-labelledby=agents-h]");
    (c, section)
}

#[wasm_bindgen_test]
async fn the_agents_section_lists_accounts_with_admin_active_and_password_controls() {
    let (c, section) = agents_screen(vec![
        agent_record(7, "Ada", true, true),
        agent_record(8, "Grace", false, true),
        agent_record(9, "Linus", false, false),
    ])
    .await;
    assert_eq!(
        get(&section, "table caption").text_content().unwrap(),
        "Agent accounts"
    );
    assert!(find(&section, "[role=status]").is_some());
    assert_eq!(
        all_text(&section, "tbody td:nth-child(2)"),
        [
            "ada@example.test",
            "grace@example.test",
            "linus@example.test"
        ]
    );
    let checked = |name: &str| input_named(&section, name).checked();
    assert_eq!(
        [
            checked("Admin: Ada"),
            checked("Admin: Grace"),
            checked("Active: Grace"),
            checked("Active: Linus")
        ],
        [true, false, true, false]
    );
    // my own row: both boxes disabled, described by the hint, no reset
    for name in ["Admin: Ada", "Active: Ada"] {
        let own = input_named(&section, name);
        assert!(own.disabled(), "{name}");
        let hint = own.get_attribute("aria-describedby").expect("a hint");
        assert!(
            get(&section, &format!("#{hint}"))
                .text_content()
                .unwrap()
                .contains("another admin can change"),
        );
    }
    assert!(!input_named(&section, "Admin: Grace").disabled());
    assert!(
        input_named(&section, "Admin: Grace")
            .get_attribute("aria-describedby")
            .is_none()
    );
    assert!(c.button("Reset password for Ada").is_none());
    // the reset reveals a field, with Set password and Cancel
    let reset = c
        .button("Reset password for Grace")
        .expect("a reset button");
    assert_eq!(
        reset.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(find(&section, "input[aria-label='New password for Grace']").is_none());
    reset.click();
    tick().await;
    assert_eq!(
        reset.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    let field = input_named(&section, "New password for Grace");
    assert_eq!(field.type_(), "password");
    assert_eq!(
        field.get_attribute("autocomplete").as_deref(),
        Some("new-password")
    );
    let form = field.closest("form").unwrap().unwrap();
    assert_eq!(all_text(&form, "button"), ["Set password", "Cancel"]);
    button_named(&section, "Cancel").click();
    tick().await;
    assert!(find(&section, "input[aria-label='New password for Grace']").is_none());
    // the form to add one
    let add = get(&section, "form[aria-labelledby=add-agent-h]");
    assert_eq!(
        all_text(&add, "label"),
        ["Name", "Email", "Password", "Admin"]
    );
    let password = get(&add, "#agent-password");
    assert_eq!(password.get_attribute("type").as_deref(), Some("password"));
    assert_eq!(
        password.get_attribute("autocomplete").as_deref(),
        Some("new-password")
    );
    assert!(find(&add, "label.check input[type=checkbox]").is_some());
    button_named(&add, "Add agent");
}

#[wasm_bindgen_test]
async fn a_failed_agent_save_says_so_and_shows_the_servers_value() {
    let (c, section) = agents_screen(vec![
        agent_record(7, "Ada", true, true),
        agent_record(8, "Grace", false, true),
    ])
    .await;
    let s = c.ctl.settings;
    let row = |id: i64| {
        s.agents.with_untracked(|rows| {
            rows.as_ref()
                .unwrap()
                .iter()
                .find(|r| r.id().0 == id)
                .cloned()
                .unwrap()
        })
    };
    // my own row is refused even if asked directly (the box is disabled)
    c.ctl.set_agent_active(protocol::AgentId(7), false);
    c.ctl.set_agent_admin(protocol::AgentId(7), false);
    assert_eq!(
        row(7),
        super::settings::AgentRow::new(agent_record(7, "Ada", true, true))
    );
    // Grace's Active box: shown at once, one PUT in flight; no server, so it fails
    let grace_active = input_named(&section, "Active: Grace");
    click_box(&grace_active);
    assert!(!row(8).saving.shown.active, "shown at once");
    assert!(row(8).saving.in_flight);
    alert_says(
        &section,
        "Grace was not saved. Could not reach the server. Please try again.",
    )
    .await;
    tick().await;
    let after = row(8);
    assert!(!after.saving.in_flight);
    assert_eq!(after.saving.shown, after.saving.confirmed);
    assert!(after.saving.shown.active);
    assert!(grace_active.checked(), "back to what the server holds");
    // the table stays after the failed refresh that followed
    assert!(find(&section, "table").is_some());
}

#[wasm_bindgen_test]
async fn adding_an_agent_and_resetting_a_password_check_the_length_first() {
    let (c, section) = agents_screen(vec![
        agent_record(7, "Ada", true, true),
        agent_record(8, "Grace", false, true),
    ])
    .await;
    let add = get(&section, "form[aria-labelledby=add-agent-h]");
    type_into(&get(&add, "#agent-name"), "Linus");
    type_into(&get(&add, "#agent-email"), "linus@example.test");
    type_into(&get(&add, "#agent-password"), "short");
    button_named(&add, "Add agent").click();
    tick().await;
    assert_eq!(
        get(&section, "[role=alert]").text_content().unwrap(),
        "The password must be at least 10 characters."
    );
    assert!(!c.ctl.settings.adding_agent.get_untracked(), "nothing sent");
    type_into(&get(&add, "#agent-password"), "a long first password");
    button_named(&add, "Add agent").click();
    alert_says(
        &section,
        "The agent was not added. Could not reach the server. Please try again.",
    )
    .await;
    let value = |sel: &str| {
        get(&add, sel)
            .unchecked_into::<web_sys::HtmlInputElement>()
            .value()
    };
    assert_eq!(value("#agent-name"), "Linus", "a failed add keeps the form");
    assert_eq!(value("#agent-email"), "linus@example.test");
    // a reset: the same rule first, then the server (none here)
    c.button("Reset password for Grace").unwrap().click();
    tick().await;
    let field: HtmlElement = input_named(&section, "New password for Grace").unchecked_into();
    type_into(&field, "short");
    button_named(&section, "Set password").click();
    tick().await;
    assert_eq!(
        get(&section, "[role=alert]").text_content().unwrap(),
        "The password must be at least 10 characters."
    );
    type_into(&field, "a long new password");
    button_named(&section, "Set password").click();
    alert_says(
        &section,
        "The password for Grace was not set. Could not reach the server. Please try again.",
    )
    .await;
    let resetting = c
        .ctl
        .settings
        .agents
        .with_untracked(|rows| rows.as_ref().unwrap().iter().any(|r| r.resetting));
    assert!(!resetting, "the row is free again");
    assert!(
        find(&section, "input[aria-label='New password for Grace']").is_some(),
        "the field stays for another try"
    );
}

fn canned_reply(
    id: i64,
    shortcut: Option<&str>,
    title: &str,
    body: &str,
) -> protocol::canned::CannedReply {
    protocol::canned::CannedReply {
        id,
        shortcut: shortcut.map(str::to_owned),
        title: title.into(),
        body: body.into(),
        kind: protocol::canned::CannedKind::Reply,
        shared: true,
        auto: false,
        updated_at: 0,
    }
}

/// A console with an open chat with Marta and three canned replies.
async fn chat_with_canned() -> Console {
    let c = console(true);
    c.welcome();
    c.ctl.receive(ServerMsg::Accepted {
        conversation: conversation(3, ConversationStatus::Active, "Marta"),
    });
    c.ctl.canned.replies.set(vec![
        canned_reply(1, Some("bye"), "Farewell", "Bye {visitor}!"),
        canned_reply(
            2,
            Some("hello"),
            "Greeting",
            "Hello {visitor}, {agent} here.",
        ),
        canned_reply(3, None, "Help with billing", "Billing: see {unknown}."),
    ]);
    tick().await;
    c
}

fn option_labels(root: &Element) -> Vec<String> {
    all_text(
        root,
        "[role=listbox][aria-label='Canned replies'] [role=option] .title",
    )
}

fn selected_option(root: &Element) -> String {
    get(root, "[role=option][aria-selected=true] .title")
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn typing_a_slash_shortcut_offers_canned_replies_and_enter_inserts_one() {
    let c = chat_with_canned().await;
    let reply: web_sys::HtmlTextAreaElement =
        get(&c.root, "textarea[aria-label=Reply]").unchecked_into();
    assert!(find(&c.root, "[role=listbox]").is_none(), "closed at first");
    type_into(&reply, "/h");
    tick().await;
    assert_eq!(option_labels(&c.root), ["Greeting", "Help with billing"]);
    assert_eq!(selected_option(&c.root), "Greeting");
    assert_eq!(
        reply.get_attribute("aria-controls"),
        get(&c.root, "[role=listbox]").get_attribute("id")
    );
    assert_eq!(
        reply.get_attribute("aria-expanded"),
        None,
        "not on a textbox"
    );
    key(&reply, "ArrowDown", false);
    tick().await;
    assert_eq!(selected_option(&c.root), "Help with billing");
    key(&reply, "ArrowDown", false);
    tick().await;
    assert_eq!(selected_option(&c.root), "Greeting", "wraps around");
    key(&reply, "Enter", false);
    tick().await;
    assert_eq!(reply.value(), "Hello Marta, Ada here.");
    assert!(
        find(&c.root, "[role=listbox]").is_none(),
        "closed after inserting"
    );
    assert_eq!(
        reply.get_attribute("aria-controls"),
        None,
        "no list to point at"
    );
    assert!(
        !matches!(c.link.last(), Some(ClientMsg::Send { .. })),
        "Enter inserted, not sent"
    );
    // The composer's draft followed: Enter now sends the inserted text.
    key(&reply, "Enter", false);
    tick().await;
    assert!(matches!(
        c.link.last(),
        Some(ClientMsg::Send { ref body, .. }) if body == "Hello Marta, Ada here."
    ));
}

#[wasm_bindgen_test]
async fn tab_inserts_escape_closes_and_no_match_lets_enter_send() {
    let c = chat_with_canned().await;
    let reply: web_sys::HtmlTextAreaElement =
        get(&c.root, "textarea[aria-label=Reply]").unchecked_into();
    type_into(&reply, "/by");
    tick().await;
    assert_eq!(option_labels(&c.root), ["Farewell"]);
    key(&reply, "Escape", false);
    tick().await;
    assert!(find(&c.root, "[role=listbox]").is_none());
    assert_eq!(reply.value(), "/by", "the draft stays");
    type_into(&reply, "/bye");
    tick().await;
    key(&reply, "Tab", false);
    tick().await;
    assert_eq!(reply.value(), "Bye Marta!");
    type_into(&reply, "/zzz");
    tick().await;
    assert!(find(&c.root, "[role=listbox]").is_none(), "nothing matches");
    key(&reply, "Enter", false);
    tick().await;
    assert!(matches!(
        c.link.last(),
        Some(ClientMsg::Send { ref body, .. }) if body == "/zzz"
    ));
}

#[wasm_bindgen_test]
async fn the_canned_replies_button_opens_a_searchable_list() {
    let c = chat_with_canned().await;
    let reply: web_sys::HtmlTextAreaElement =
        get(&c.root, "textarea[aria-label=Reply]").unchecked_into();
    let button = button_named(&c.root, "Canned replies");
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    button.click();
    tick().await;
    assert_eq!(
        button.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert_eq!(
        option_labels(&c.root),
        ["Farewell", "Greeting", "Help with billing"]
    );
    let search = get(&c.root, "input[aria-label='Search canned replies']");
    type_into(&search, "billing");
    tick().await;
    assert_eq!(option_labels(&c.root), ["Help with billing"]);
    type_into(&search, "nothing like it");
    tick().await;
    assert_eq!(option_labels(&c.root), Vec::<String>::new());
    type_into(&search, "marta");
    tick().await;
    assert_eq!(
        option_labels(&c.root),
        Vec::<String>::new(),
        "bodies as written"
    );
    type_into(&search, "visitor");
    tick().await;
    assert_eq!(
        option_labels(&c.root),
        ["Farewell", "Greeting"],
        "bodies are searched"
    );
    get(&c.root, "[role=option]:nth-child(2)").click();
    tick().await;
    assert_eq!(reply.value(), "Hello Marta, Ada here.");
    assert!(find(&c.root, "input[aria-label='Search canned replies']").is_none());
    // Escape in the search box closes it.
    button.click();
    tick().await;
    key(
        &get(&c.root, "input[aria-label='Search canned replies']"),
        "Escape",
        false,
    );
    tick().await;
    assert!(find(&c.root, "[role=listbox]").is_none());
    assert_eq!(reply.value(), "Hello Marta, Ada here.", "the draft is kept");
}

fn history_hit(id: i64, visitor: &str, snippet: Option<&str>) -> protocol::search::HistoryHit {
    protocol::search::HistoryHit {
        conversation_id: ConversationId(id),
        visitor: visitor.into(),
        contact: None,
        company: None,
        agents: vec!["Ada".into(), "Grace".into()],
        created_at: now_ms(),
        ended_at: None,
        ticket: Some(protocol::helpdesk::TicketRef {
            number: "T-7".into(),
            subject: "Refund".into(),
        }),
        snippet: snippet.map(str::to_owned),
    }
}

#[wasm_bindgen_test]
async fn the_history_panel_searches_lists_hits_pages_and_shows_a_chat_read_only() {
    use protocol::search::{ArchivedChat, HistoryResults};
    let c = console(true);
    c.welcome();
    tick().await;
    let toggle = button_named(&c.root, "History");
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    toggle.click();
    tick().await;
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert!(find(&c.root, "section[aria-label=History]").is_some());
    let search = get(&c.root, "section[aria-label=History] input[type=search]");
    assert_eq!(
        search.parent_element().unwrap().text_content().unwrap(),
        "Search chats"
    );
    assert!(
        all_text(&c.root, "section[aria-label=History] label").contains(&"Visitor".to_string())
    );
    // The server cannot be reached here: the search says so.
    type_into(&search, "refund");
    get(&c.root, "form[role=search] button[type=submit]").click();
    alert_says(&c.root, "The search did not work. Please try again.").await;

    c.ctl.history.add_page(HistoryResults {
        hits: vec![
            history_hit(1, "Marta", Some("a [refund] for <b>[late]</b>")),
            history_hit(2, "<i>Ben</i>", None),
        ],
        page: 0,
        more: true,
    });
    tick().await;
    assert!(c.button("Open chat with Marta").is_some());
    assert!(c.button("Open chat with <i>Ben</i>").is_some());
    assert!(
        find(&c.root, ".history-hits i, .history-hits b").is_none(),
        "text, never HTML"
    );
    assert_eq!(all_text(&c.root, ".history-hits mark"), ["refund", "late"]);
    let marta = c.button("Open chat with Marta").unwrap();
    assert_eq!(
        marta.text_content().unwrap(),
        "Marta",
        "its label says what it shows"
    );
    let described = marta.get_attribute("aria-describedby").unwrap();
    let details = get(&c.root, &format!("#{described}"))
        .text_content()
        .unwrap();
    assert!(
        details.contains("Ada, Grace") && details.contains("T-7 Refund"),
        "{details}"
    );
    assert!(details.contains("a refund for <b>late</b>"), "{details}");
    assert!(button_named(&c.root, "More results").is_connected());
    c.ctl.history.add_page(HistoryResults {
        hits: vec![history_hit(3, "Zoë", None)],
        page: 1,
        more: false,
    });
    tick().await;
    assert_eq!(
        all_text(&c.root, ".history-hits .visitor"),
        ["Marta", "<i>Ben</i>", "Zoë"]
    );
    assert!(
        find(&c.root, ".history > button").is_none(),
        "no more pages"
    );

    c.ctl.history.chat.set(Some(ArchivedChat {
        conversation: conversation(1, ConversationStatus::Ended, "Marta"),
        messages: vec![
            text(10, 1, 1, visitor(1, "Marta"), "I want a refund"),
            text(11, 1, 2, ada(), "Sure"),
        ],
        notes: vec![protocol::PrivateNote {
            id: 5,
            conversation_id: ConversationId(1),
            after_seq: 1,
            author: grace(),
            body: "Check the order".into(),
            client_id: "n1".into(),
            sent_at: now_ms(),
        }],
        ended_by: None,
        closing_note: Some("Refunded".into()),
    }));
    tick().await;
    let log = get(
        &c.root,
        "article[aria-label='Archived chat with Marta'] [role=log]",
    );
    assert_eq!(
        all_text(&log, ".body"),
        ["I want a refund", "Check the order", "Sure"]
    );
    assert_eq!(
        get(&log, "[role=note]")
            .get_attribute("aria-label")
            .as_deref(),
        Some("Private note by Grace")
    );
    assert_eq!(
        get(&c.root, "section[aria-label='Closing note'] p")
            .text_content()
            .unwrap(),
        "Refunded"
    );
    assert!(find(&c.root, "article textarea").is_none(), "read-only");
    button_named(&c.root, "Back to results").click();
    tick().await;
    assert!(c.button("Open chat with Marta").is_some());
    // Account closes History, as it does Settings.
    button_named(&c.root, "Account").click();
    tick().await;
    assert!(find(&c.root, "section[aria-label=History]").is_none());
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
}

/// The control inside the `<label>` in `root` that starts with `text` (its accessible name).
fn labelled(root: &Element, text: &str) -> HtmlElement {
    let list = root.query_selector_all("label").unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into::<Element>())
        .find(|l| l.first_child().and_then(|t| t.text_content()).as_deref() == Some(text))
        .and_then(|l| find(&l, "input, select, textarea"))
        .unwrap_or_else(|| panic!("no control labelled {text:?}"))
}

#[wasm_bindgen_test]
async fn history_filters_go_into_the_query_and_clear_filters_resets_them() {
    use protocol::search::{Directory, DirectoryAgent, DirectoryCompany, HistoryResults};
    let c = console(true);
    c.welcome();
    let fake = fake_rest::FakeRest::install(&c.ctl.url(""));
    fake.answer_json(
        "GET",
        "/api/agent/directory",
        200,
        &Directory {
            agents: vec![
                DirectoryAgent {
                    id: protocol::AgentId(1),
                    name: "Ada".into(),
                },
                DirectoryAgent {
                    id: protocol::AgentId(2),
                    name: "Grace".into(),
                },
            ],
            companies: vec![
                DirectoryCompany {
                    id: "acme".into(),
                    name: "Acme Ltd".into(),
                },
                DirectoryCompany {
                    id: "globex".into(),
                    name: "Globex Inc".into(),
                },
            ],
        },
    );
    fake.answer_json(
        "GET",
        "/api/agent/history",
        200,
        &HistoryResults {
            hits: vec![history_hit(1, "Marta", None)],
            page: 0,
            more: false,
        },
    );
    tick().await;
    button_named(&c.root, "History").click();
    // opening the panel asks for the filters' choices once
    let ours = ["/api/agent/directory", "/api/agent/history"];
    assert_eq!(fake.until(&ours, 1).await, ["/api/agent/directory"]);
    tick().await;
    let form = get(&c.root, "form[role=search]");
    let legend = get(&form, "fieldset legend");
    assert_eq!(legend.text_content().unwrap(), "Filters");
    let company: web_sys::HtmlSelectElement = labelled(&form, "Company").unchecked_into();
    let agent: web_sys::HtmlSelectElement = labelled(&form, "Agent").unchecked_into();
    assert_eq!(
        option_texts(&company),
        ["Any company", "Acme Ltd", "Globex Inc"]
    );
    assert_eq!(option_texts(&agent), ["Any agent", "Ada", "Grace"]);
    let clear = button_named(&form, "Clear filters");
    assert!(
        clear.has_attribute("disabled"),
        "nothing to clear yet: {}",
        clear.outer_html()
    );

    let field =
        |name: &str| -> web_sys::HtmlInputElement { labelled(&form, name).unchecked_into() };
    type_into(&get(&form, "input[type=search]"), "refund");
    company.set_value("globex");
    company
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    agent.set_value("2");
    agent
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    type_into(&field("Contact ID"), "c-9");
    type_into(&field("From"), "2025-03-01");
    type_into(&field("To"), "2025-03-31");
    tick().await;
    assert!(!clear.has_attribute("disabled"));
    get(&form, "button[type=submit]").click();
    let asked = fake.until(&ours, 2).await;
    // the local midnights: the first day's, and the one after the last day (included)
    let from = js_sys::Date::new_with_year_month_day(2025, 2, 1).get_time() as i64;
    let to = js_sys::Date::new_with_year_month_day(2025, 3, 1).get_time() as i64;
    assert_eq!(
        asked[1],
        format!(
            "/api/agent/history?q=refund&contact=c-9&company=globex&agent=2&from={from}&to={to}&page=0"
        )
    );
    tick().await;
    assert!(c.button("Open chat with Marta").is_some());

    // Clear filters: every filter back to "any", the text stays, and the search runs again
    clear.click();
    assert_eq!(
        fake.until(&ours, 3).await[2],
        "/api/agent/history?q=refund&page=0"
    );
    tick().await;
    assert_eq!(
        (company.value(), agent.value()),
        (String::new(), String::new())
    );
    assert_eq!((company.selected_index(), agent.selected_index()), (0, 0));
    for name in ["Visitor", "Contact ID", "From", "To"] {
        assert_eq!(field(name).value(), "", "{name}");
    }
    assert_eq!(
        get(&form, "input[type=search]")
            .unchecked_into::<web_sys::HtmlInputElement>()
            .value(),
        "refund"
    );
    assert!(clear.has_attribute("disabled"));

    // a range that ends before it starts is not sent
    type_into(&field("From"), "2025-03-02");
    type_into(&field("To"), "2025-03-01");
    get(&form, "button[type=submit]").click();
    alert_says(&c.root, "The start date is after the end date.").await;
    assert_eq!(fake.requests_to(&ours).len(), 3);
    // the panel, closed and opened again, keeps the form and asks for the directory no more
    button_named(&c.root, "History").click();
    tick().await;
    button_named(&c.root, "History").click();
    tick().await;
    let form = get(&c.root, "form[role=search]");
    let from: web_sys::HtmlInputElement = labelled(&form, "From").unchecked_into();
    assert_eq!(from.value(), "2025-03-02");
    assert_eq!(fake.requests_to(&ours).len(), 3);
}
