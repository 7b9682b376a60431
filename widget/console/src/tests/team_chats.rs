//! Agents' own chats in the console: `team_chats` and their histories fill the "Team chats"
//! list and the log; a team chat's composer sends like a live chat's; "Chat with Grace", a
//! new group, rename, add people and leave make the right requests (the shared fake `fetch`
//! records method, path and body, and answers as the server does); a chat that no longer
//! lists me goes, and so does one the server leaves out of its list on a reconnect; a team
//! chat's row is a live chat's row with its own words; the compact view shows team chats as
//! bubbles in their kind's colour. Elements are found by role and accessible name.

use leptos::prelude::*;
use livechat_client::testing::*;
use protocol::presence::{AgentPresence, AgentStatus};
use protocol::search::{Directory, DirectoryAgent};
use protocol::workspace::{TeamChat, TeamChatKind};
use protocol::{AgentId, ClientMsg, ConversationId, ConversationStatus, Participant, ServerMsg};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

use super::fake_rest::FakeRest;
use super::workspace::{all_by_role, button_names, by_role, name_of, role, until};
use super::{Console, console, id};

fn hal() -> Participant {
    agent(9, "Hal")
}

fn ivo() -> Participant {
    agent(10, "Ivo")
}

fn team_chat(
    n: i64,
    kind: TeamChatKind,
    title: Option<&str>,
    members: Vec<Participant>,
) -> TeamChat {
    TeamChat {
        id: id(n),
        kind,
        title: title.map(str::to_owned),
        members,
        created_at: 1_700_000_000_000,
        last_seq: 0,
    }
}

/// Ada's direct chat with Grace.
fn with_grace(n: i64) -> TeamChat {
    team_chat(n, TeamChatKind::Direct, None, vec![ada(), grace()])
}

/// "Night shift": Ada, Grace and Hal.
fn night_shift(n: i64) -> TeamChat {
    team_chat(
        n,
        TeamChatKind::Group,
        Some("Night shift"),
        vec![ada(), grace(), hal()],
    )
}

/// Grace online, Hal away (Ada herself too, as the server lists her).
fn team_online(c: &Console) {
    let presence = |agent, status| AgentPresence { agent, status };
    c.ctl.receive(ServerMsg::Team {
        agents: vec![
            presence(ada(), AgentStatus::Online),
            presence(grace(), AgentStatus::Online),
            presence(hal(), AgentStatus::Away),
        ],
        away_after_secs: 300,
    });
}

/// Signed in, the team online, and `chats` as the server sends them after the welcome.
fn with_team_chats(chats: Vec<TeamChat>) -> Console {
    let c = console(true);
    c.welcome();
    team_online(&c);
    c.ctl.receive(ServerMsg::TeamChats { chats });
    c
}

fn history(conv: i64, messages: Vec<protocol::Message>) -> ServerMsg {
    ServerMsg::History {
        conversation_id: id(conv),
        messages,
        reset: false,
        more: false,
    }
}

/// The team chats' REST calls over the shared fake (`fake_rest.rs`): `routes` are (method,
/// path after `/api/agent/`, status, JSON body); calls read back as (method, that path, body).
struct Api(FakeRest);

impl Api {
    /// The calls these tests make (the console's background polls are left out).
    const OURS: &[&str] = &["/api/agent/team-chats", "/api/agent/directory"];

    fn new(c: &Console, routes: &[(&str, &str, u16, String)]) -> Api {
        let fake = FakeRest::install(&c.ctl.url(""));
        for (method, path, status, body) in routes {
            fake.answer(method, &format!("/api/agent/{path}"), *status, body);
        }
        Api(fake)
    }

    /// The calls so far: (method, path, body).
    fn calls(&self) -> Vec<(String, String, String)> {
        self.0
            .requests_to(Self::OURS)
            .into_iter()
            .map(|r| {
                let path = r.path.trim_start_matches("/api/agent/").to_owned();
                (r.method, path, r.body.unwrap_or_default())
            })
            .collect()
    }

    /// Waits until `n` calls were made, and gives the `n`th.
    async fn call(&self, n: usize) -> (String, String, String) {
        self.0.until(Self::OURS, n).await;
        self.calls()[n - 1].clone()
    }
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap()
}

fn directory() -> String {
    let agent = |id, name: &str| DirectoryAgent {
        id: AgentId(id),
        name: name.into(),
    };
    json(&Directory {
        agents: vec![
            agent(7, "Ada"),
            agent(8, "Grace"),
            agent(9, "Hal"),
            agent(10, "Ivo"),
        ],
        companies: vec![],
    })
}

/// The text box named `name` inside `root` (a wrapping `<label>` or `aria-label`).
fn textbox(root: &Element, name: &str) -> HtmlElement {
    let list = root.query_selector_all("input, textarea").unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into::<HtmlElement>())
        .find(|e| name_of(root, e) == name)
        .unwrap_or_else(|| panic!("no text box named {name:?}"))
}

fn value(el: &HtmlElement) -> String {
    el.unchecked_ref::<web_sys::HtmlInputElement>().value()
}

/// The checkboxes' names inside `root`.
fn checkbox_names(root: &Element) -> Vec<String> {
    all_by_role(root, "checkbox")
        .iter()
        .map(|b| name_of(root, b))
        .collect()
}

/// The names of the list items inside `list`.
fn items(root: &Element, list: &Element) -> Vec<String> {
    let found = list.query_selector_all("li").unwrap();
    (0..found.length())
        .filter_map(|i| found.item(i))
        .map(|n| name_of(root, n.unchecked_ref()))
        .collect()
}

/// The form named `name` inside `within` (a named form is a `form` landmark).
fn form_named(root: &Element, within: &Element, name: &str) -> Option<HtmlElement> {
    let found = within.query_selector_all("form").unwrap();
    (0..found.length())
        .filter_map(|i| found.item(i))
        .map(|n| n.unchecked_into::<HtmlElement>())
        .find(|f| name_of(root, f) == name)
}

fn submit(form: &HtmlElement) {
    form.unchecked_ref::<web_sys::HtmlFormElement>()
        .request_submit()
        .unwrap();
}

fn selected(c: &Console) -> Option<ConversationId> {
    c.ctl.store.desk.with_untracked(|d| d.selected)
}

#[wasm_bindgen_test]
async fn team_chats_and_their_history_fill_the_list_and_the_log_and_send_like_a_live_chat() {
    let c = with_team_chats(vec![with_grace(50), night_shift(51)]);
    c.ctl.receive(history(
        50,
        vec![
            system(5001, 50, 1, "Ada started a chat with Grace"),
            text(5002, 50, 2, grace(), "Can you take the next German chat?"),
        ],
    ));
    c.ctl
        .receive(history(51, vec![text(5101, 51, 5, hal(), "Coffee at 3?")]));
    tick().await;
    let list = role(&c.root, "region", "Team chats (2)");
    // Most recently active first: the group's line is the newer one.
    assert_eq!(
        button_names(&c.root, &list),
        [
            "Open group chat Night shift",
            "Open chat with Grace (Online)"
        ]
    );
    assert_eq!(
        all_text(&list, ".last"),
        ["Coffee at 3?", "Can you take the next German chat?"]
    );
    assert!(
        by_role(&c.root, "region", "My chats (0)").is_some(),
        "not a live chat"
    );

    // Grace writes again: her chat is unread and comes first.
    c.ctl.receive(ServerMsg::Message {
        message: text(5003, 50, 7, grace(), "Thanks!"),
    });
    tick().await;
    assert_eq!(
        button_names(&c.root, &list),
        [
            "Open chat with Grace (Online), 1 unread",
            "Open group chat Night shift"
        ]
    );

    role(&list, "button", "Open chat with Grace (Online), 1 unread").click();
    tick().await;
    let pane = role(&c.root, "region", "Chat with Grace");
    let log = role(&pane, "log", "Conversation with Grace");
    assert_eq!(
        all_text(&log, ".body"),
        [
            "Ada started a chat with Grace",
            "Can you take the next German chat?",
            "Thanks!"
        ]
    );
    assert_eq!(
        role(&list, "button", "Open chat with Grace (Online)")
            .get_attribute("aria-current")
            .as_deref(),
        Some("true")
    );
    // None of a live chat's visitor controls.
    let buttons = button_names(&c.root, &pane);
    for absent in ["End chat", "Canned replies", "Create ticket"] {
        assert!(
            !buttons.iter().any(|b| b == absent),
            "{absent}: {buttons:?}"
        );
    }
    assert!(
        all_by_role(&pane, "checkbox").is_empty(),
        "no private note switch"
    );

    let message = textbox(&pane, "Message");
    type_into(&message, "Sure, I'll take it");
    key(&message, "Enter", false);
    tick().await;
    let sent = c.link.sent.borrow().clone();
    assert!(sent.contains(&ClientMsg::Typing {
        conversation_id: id(50)
    }));
    assert!(matches!(
        sent.last(),
        Some(ClientMsg::Send { conversation_id: Some(conv), body, .. })
            if *conv == id(50) && body == "Sure, I'll take it"
    ));
    assert_eq!(all_text(&log, ".msg.pending .body"), ["Sure, I'll take it"]);

    // A group's header: the others and their status.
    role(&list, "button", "Open group chat Night shift").click();
    tick().await;
    let pane = role(&c.root, "region", "Group chat Night shift");
    let people = role(&pane, "list", "Participants");
    assert_eq!(items(&c.root, &people), ["Grace: Online", "Hal: Away"]);
}

#[wasm_bindgen_test]
async fn chat_with_grace_posts_her_id_and_opens_the_chat_from_the_answer() {
    let c = with_team_chats(vec![]);
    let api = Api::new(&c, &[("POST", "team-chats", 201, json(&with_grace(60)))]);
    tick().await;
    let team = role(&c.root, "region", "Team");
    assert!(
        by_role(&team, "button", "Chat with Ada").is_none(),
        "not with myself"
    );
    role(&team, "button", "Chat with Grace").click();
    let (method, path, body) = api.call(1).await;
    assert_eq!(
        (method.as_str(), path.as_str(), body.as_str()),
        ("POST", "team-chats", r#"{"members":[8]}"#)
    );
    assert!(
        until(|| selected(&c) == Some(id(60)), 3_000).await,
        "opened"
    );
    tick().await;
    assert!(by_role(&c.root, "region", "Chat with Grace").is_some());
    let list = role(&c.root, "region", "Team chats (1)");
    assert_eq!(
        button_names(&c.root, &list),
        ["Open chat with Grace (Online)"]
    );
}

#[wasm_bindgen_test]
async fn a_new_group_chat_posts_the_picked_colleagues_and_its_title() {
    let c = with_team_chats(vec![]);
    let api = Api::new(
        &c,
        &[
            ("GET", "directory", 200, directory()),
            ("POST", "team-chats", 201, json(&night_shift(61))),
        ],
    );
    tick().await;
    let opener = role(&c.root, "button", "New group chat");
    opener.click();
    tick().await;
    let dialog = role(&c.root, "dialog", "New group chat");
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    assert!(
        until(|| !checkbox_names(&dialog).is_empty(), 3_000).await,
        "the directory came"
    );
    assert_eq!(api.calls()[0].1, "directory");
    assert_eq!(checkbox_names(&dialog), ["Grace", "Hal", "Ivo"], "not me");

    // Escape closes it, and focus goes back to the button.
    key(&textbox(&dialog, "Find colleagues"), "Escape", false);
    tick().await;
    assert!(by_role(&c.root, "dialog", "New group chat").is_none());
    let active = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element();
    assert_eq!(active.as_ref(), Some(opener.unchecked_ref::<Element>()));

    opener.click();
    tick().await;
    let dialog = role(&c.root, "dialog", "New group chat");
    let search = textbox(&dialog, "Find colleagues");
    type_into(&search, "HA");
    tick().await;
    assert_eq!(
        checkbox_names(&dialog),
        ["Hal"],
        "the search narrows the list"
    );
    role(&dialog, "checkbox", "Hal").click();
    type_into(&search, "");
    tick().await;
    role(&dialog, "checkbox", "Grace").click();
    type_into(&textbox(&dialog, "Title (optional)"), "  Night shift ");
    tick().await;
    assert_eq!(all_text(&dialog, "[role=status]"), ["2 selected"]);
    role(&dialog, "button", "Start group chat").click();
    let (method, path, body) = api.call(2).await;
    assert_eq!(
        (method.as_str(), path.as_str(), body.as_str()),
        (
            "POST",
            "team-chats",
            r#"{"members":[9,8],"title":"Night shift"}"#
        )
    );
    assert!(
        until(|| selected(&c) == Some(id(61)), 3_000).await,
        "opened"
    );
    tick().await;
    assert!(
        by_role(&c.root, "dialog", "New group chat").is_none(),
        "closed"
    );
    assert!(by_role(&c.root, "region", "Group chat Night shift").is_some());
}

#[wasm_bindgen_test]
async fn rename_add_people_and_leave_make_their_requests() {
    let c = with_team_chats(vec![night_shift(51)]);
    let mut weekend = night_shift(51);
    weekend.title = Some("Weekend".into());
    let with_ivo = TeamChat {
        members: vec![ada(), grace(), hal(), ivo()],
        ..weekend.clone()
    };
    let answer = json(&with_ivo);
    let api = Api::new(
        &c,
        &[
            ("GET", "directory", 200, directory()),
            ("POST", "team-chats/51/leave", 204, String::new()),
            ("PUT", "team-chats/51", 200, answer.clone()),
            ("POST", "team-chats/51/members", 200, answer),
        ],
    );
    c.ctl.select(id(51));
    tick().await;
    let pane = role(&c.root, "region", "Group chat Night shift");

    // Rename: an inline form with the title in it.
    role(&pane, "button", "Rename").click();
    tick().await;
    let form = form_named(&c.root, &pane, "Rename Night shift").expect("the rename form");
    let field = textbox(&form, "Group name");
    assert_eq!(value(&field), "Night shift");
    type_into(&field, "Weekend");
    submit(&form);
    let (method, path, body) = api.call(1).await;
    assert_eq!(
        (method.as_str(), path.as_str(), body.as_str()),
        ("PUT", "team-chats/51", r#"{"title":"Weekend"}"#)
    );
    assert!(
        until(
            || form_named(&c.root, &pane, "Rename Night shift").is_none(),
            3_000
        )
        .await
    );
    // Everyone hears of it, this console too.
    c.ctl.receive(ServerMsg::TeamChat {
        chat: weekend.clone(),
    });
    tick().await;
    assert_eq!(get(&pane, "h2").text_content().unwrap(), "Weekend");

    // Add people: the picker without those already in it.
    role(&pane, "button", "Add people").click();
    tick().await;
    let dialog = role(&c.root, "dialog", "Add people");
    assert!(until(|| !checkbox_names(&dialog).is_empty(), 3_000).await);
    assert_eq!(checkbox_names(&dialog), ["Ivo"]);
    role(&dialog, "checkbox", "Ivo").click();
    role(&dialog, "button", "Add to group").click();
    let (method, path, body) = api.call(3).await;
    assert_eq!(api.calls()[1].1, "directory");
    assert_eq!(
        (method.as_str(), path.as_str(), body.as_str()),
        ("POST", "team-chats/51/members", r#"{"members":[10]}"#)
    );
    assert!(until(|| by_role(&c.root, "dialog", "Add people").is_none(), 3_000).await);
    let people = role(&pane, "list", "Participants");
    assert_eq!(
        items(&c.root, &people),
        ["Grace: Online", "Hal: Away", "Ivo: Offline"],
        "Ivo is in (from the answer), offline: no console open"
    );

    // Leave: the chat goes.
    role(&pane, "button", "Leave group").click();
    let (method, path, _) = api.call(4).await;
    assert_eq!(
        (method.as_str(), path.as_str()),
        ("POST", "team-chats/51/leave")
    );
    assert!(until(|| selected(&c).is_none(), 3_000).await, "closed");
    tick().await;
    assert!(by_role(&c.root, "region", "Team chats (0)").is_some());
    assert!(by_role(&c.root, "region", "Group chat Weekend").is_none());
}

#[wasm_bindgen_test]
async fn a_team_chat_that_no_longer_lists_me_is_closed_and_gone() {
    let c = with_team_chats(vec![with_grace(50), night_shift(51)]);
    c.ctl.select(id(51));
    tick().await;
    assert!(by_role(&c.root, "region", "Group chat Night shift").is_some());
    // I left (from another tab): the server tells me, and I am no longer among its members.
    c.ctl.receive(ServerMsg::TeamChat {
        chat: TeamChat {
            members: vec![grace(), hal()],
            ..night_shift(51)
        },
    });
    tick().await;
    assert_eq!(selected(&c), None);
    assert!(by_role(&c.root, "region", "Group chat Night shift").is_none());
    let list = role(&c.root, "region", "Team chats (1)");
    assert_eq!(
        button_names(&c.root, &list),
        ["Open chat with Grace (Online)"]
    );
}

#[wasm_bindgen_test]
async fn a_live_chats_row_and_a_team_chats_row_are_the_same_row_but_for_their_words() {
    let c = console(true);
    c.ctl.receive(ServerMsg::Welcome {
        protocol: protocol::PROTOCOL_VERSION,
        me: ada(),
        conversations: vec![conversation(1, ConversationStatus::Active, "Marta")],
    });
    team_online(&c);
    c.ctl.receive(ServerMsg::TeamChats {
        chats: vec![with_grace(50)],
    });
    c.ctl.receive(ServerMsg::Message {
        message: text(11, 1, 1, marta(), "Hello"),
    });
    c.ctl.receive(ServerMsg::Message {
        message: text(5001, 50, 1, grace(), "Lunch?"),
    });
    tick().await;
    let live = role(&c.root, "button", "Open chat with Marta, 1 unread");
    let team = role(&c.root, "button", "Open chat with Grace (Online), 1 unread");
    // Row, button, name, badge, and the last line outside the button as its description.
    let parts = |b: &HtmlElement| {
        let described = b.get_attribute("aria-describedby").unwrap();
        (
            b.parent_element().unwrap().class_name(),
            b.class_name(),
            all_text(b, ".name"),
            all_text(b, ".badge"),
            get(&c.root, &format!("#{described}")).text_content(),
            b.contains(Some(&get(&c.root, &format!("#{described}")))),
        )
    };
    let row = |name: &str, last: &str| {
        let shown = |t: &str| vec![t.to_owned()];
        let last = Some(last.to_owned());
        (
            "chat-row".into(),
            "chat-link".into(),
            shown(name),
            shown("1"),
            last,
            false,
        )
    };
    assert_eq!(parts(&live), row("Marta", "Hello"));
    assert_eq!(parts(&team), row("Grace", "Lunch?"));
    // The team chat's row alone says its kind beside the button.
    assert!(find(&live.parent_element().unwrap(), ".row-kind").is_none());
    assert_eq!(
        all_text(&team.parent_element().unwrap(), ".row-kind"),
        ["Online"]
    );
    // Whichever is open is the current one, and only it.
    let current = |b: &HtmlElement| {
        (
            b.get_attribute("aria-current"),
            b.class_list().contains("selected"),
        )
    };
    team.click();
    tick().await;
    assert_eq!(current(&team), (Some("true".into()), true));
    assert_eq!(current(&live), (None, false));
    live.click();
    tick().await;
    assert_eq!(current(&live), (Some("true".into()), true));
    assert_eq!(current(&team), (None, false));
    assert_eq!(
        (name_of(&c.root, &live), name_of(&c.root, &team)),
        (
            "Open chat with Marta".into(),
            "Open chat with Grace (Online)".into()
        )
    );
}

/// The socket came back: what the server sends on connect, in its order (`welcome`, then
/// `team_chats` when I am in any, and `team` last).
fn reconnect(c: &Console, chats: Vec<TeamChat>) {
    c.welcome();
    if !chats.is_empty() {
        c.ctl.receive(ServerMsg::TeamChats { chats });
    }
    team_online(c);
}

#[wasm_bindgen_test]
async fn a_team_chat_left_while_disconnected_is_gone_after_the_reconnect() {
    let c = with_team_chats(vec![with_grace(50), night_shift(51)]);
    c.ctl
        .receive(history(50, vec![text(5001, 50, 1, grace(), "Lunch?")]));
    c.ctl.select(id(51));
    tick().await;
    assert!(by_role(&c.root, "region", "Team chats (2)").is_some());
    // Away, I was taken out of "Night shift" (or left it in another tab): the server's list
    // on the reconnect has only Grace's chat.
    reconnect(&c, vec![with_grace(50)]);
    tick().await;
    let list = role(&c.root, "region", "Team chats (1)");
    assert_eq!(
        button_names(&c.root, &list),
        ["Open chat with Grace (Online)"]
    );
    // Its open pane closed, as when I leave it here.
    assert_eq!(selected(&c), None);
    assert!(by_role(&c.root, "region", "Group chat Night shift").is_none());
    // The chat still mine kept what it had.
    assert_eq!(
        list.query_selector("#team-last-50")
            .unwrap()
            .and_then(|e| e.text_content()),
        Some("Lunch?".into())
    );
}

#[wasm_bindgen_test]
async fn after_a_reconnect_into_no_team_chat_the_list_is_empty() {
    let c = with_team_chats(vec![with_grace(50)]);
    c.ctl.select(id(50));
    tick().await;
    // The server sends no `team_chats` to an agent in none: `team`, the snapshot's end, says so.
    reconnect(&c, vec![]);
    tick().await;
    assert!(by_role(&c.root, "region", "Team chats (0)").is_some());
    assert_eq!(selected(&c), None);
}

#[wasm_bindgen_test]
async fn a_full_team_chats_list_on_reconnect_leaves_older_chats_alone() {
    use protocol::workspace::MAX_TEAM_CHATS_ON_CONNECT;
    let c = with_team_chats(vec![with_grace(50)]);
    c.ctl.select(id(50));
    tick().await;
    // As many as are sent on connect: older ones (Grace's chat here) may still be mine.
    let recent: Vec<TeamChat> = (0..MAX_TEAM_CHATS_ON_CONNECT as i64)
        .map(|n| night_shift(100 + n))
        .collect();
    reconnect(&c, recent);
    tick().await;
    let n = MAX_TEAM_CHATS_ON_CONNECT + 1;
    assert!(by_role(&c.root, "region", &format!("Team chats ({n})")).is_some());
    assert_eq!(selected(&c), Some(id(50)));
}

#[wasm_bindgen_test]
async fn the_compact_view_shows_team_chats_as_bubbles_in_their_kinds_colour() {
    use crate::state::ChatKind;
    let c = with_team_chats(vec![with_grace(50), night_shift(51)]);
    c.ctl
        .receive(history(51, vec![text(5101, 51, 5, hal(), "Coffee at 3?")]));
    role(&c.root, "button", "Compact view").click();
    tick().await;
    assert!(
        by_role(&c.root, "region", "Team chats (2)").is_none(),
        "the bubbles are the list"
    );
    let stack = get(&c.root, "nav[aria-label='My chats']");
    assert_eq!(
        button_names(&c.root, &stack),
        [
            "Chat with Night shift, 0 unread",
            "Chat with Grace, 0 unread"
        ]
    );
    let group = role(&stack, "button", "Chat with Night shift, 0 unread");
    let colour = |b: &HtmlElement| b.get_attribute("style").unwrap_or_default();
    assert_eq!(
        colour(&group),
        format!("--kind: {}", ChatKind::Group.colour())
    );
    assert_eq!(
        group.get_attribute("title").as_deref(),
        Some("Night shift · Group chat")
    );
    let direct = role(&stack, "button", "Chat with Grace, 0 unread");
    assert_eq!(
        colour(&direct),
        format!("--kind: {}", ChatKind::Agent.colour())
    );

    // It opens in the floating window, as a team chat.
    group.click();
    tick().await;
    let window = role(&c.root, "dialog", "Chat window: Night shift");
    assert!(by_role(&window, "region", "Group chat Night shift").is_some());
    assert!(by_role(&window, "button", "End chat").is_none());
}

#[wasm_bindgen_test]
async fn a_refused_group_says_why_in_the_dialog_which_stays_open() {
    let c = with_team_chats(vec![]);
    let refusal = json(&protocol::ErrorBody {
        code: protocol::ErrorCode::InvalidInput,
        message: "a title over 80 characters".into(),
    });
    let api = Api::new(
        &c,
        &[
            ("GET", "directory", 200, directory()),
            ("POST", "team-chats", 400, refusal),
        ],
    );
    tick().await;
    role(&c.root, "button", "New group chat").click();
    tick().await;
    let dialog = role(&c.root, "dialog", "New group chat");
    // Nobody picked: refused here, nothing sent.
    role(&dialog, "button", "Start group chat").click();
    tick().await;
    assert_eq!(
        all_text(&dialog, "[role=alert]"),
        ["Pick at least one colleague."]
    );
    assert!(until(|| !checkbox_names(&dialog).is_empty(), 3_000).await);
    role(&dialog, "checkbox", "Ivo").click();
    role(&dialog, "button", "Start group chat").click();
    api.call(2).await;
    assert!(
        until(
            || all_text(&dialog, "[role=alert]")
                == ["The chat could not be started: a title over 80 characters"],
            3_000
        )
        .await,
        "{:?}",
        all_text(&dialog, "[role=alert]")
    );
    assert!(by_role(&c.root, "dialog", "New group chat").is_some());
    assert_eq!(selected(&c), None);
}

#[wasm_bindgen_test]
async fn a_direct_chats_row_follows_the_colleagues_status_and_an_untitled_group_names_its_members()
{
    let c = with_team_chats(vec![
        with_grace(50),
        team_chat(52, TeamChatKind::Group, None, vec![ada(), grace(), hal()]),
    ]);
    tick().await;
    let list = role(&c.root, "region", "Team chats (2)");
    assert!(by_role(&list, "button", "Open group chat Grace, Hal").is_some());
    assert!(by_role(&list, "button", "Open chat with Grace (Online)").is_some());
    c.ctl.receive(ServerMsg::AgentStatus {
        presence: AgentPresence {
            agent: grace(),
            status: AgentStatus::Busy,
        },
    });
    tick().await;
    let row = role(&list, "button", "Open chat with Grace (Busy)");
    // in words too, beside the button (its visible text must be in its name)
    let beside = row.parent_element().unwrap().text_content().unwrap();
    assert!(beside.contains("Busy"), "in words too: {beside}");
}

/// The rules on plain data: names, the picker, titles, and frames that come late.
#[wasm_bindgen_test]
fn team_chat_rules() {
    use crate::state::{Desk, Pane, Panes};
    use crate::team_chats::{Picker, apply_chat, chat_name, title_of};
    let me = Some(ada().principal);
    assert_eq!(chat_name(&with_grace(1), me), "Grace");
    assert_eq!(chat_name(&night_shift(1), me), "Night shift");
    let untitled = team_chat(
        1,
        TeamChatKind::Group,
        Some("  "),
        vec![ada(), grace(), hal()],
    );
    assert_eq!(chat_name(&untitled, me), "Grace, Hal");
    let alone = team_chat(1, TeamChatKind::Group, None, vec![ada()]);
    assert_eq!(chat_name(&alone, me), "Only you");

    assert_eq!(title_of("  Night shift "), Ok(Some("Night shift".into())));
    assert_eq!(title_of("   "), Ok(None));
    assert!(title_of(&"x".repeat(81)).is_err());

    let agents: Vec<DirectoryAgent> = [(7, "Ada"), (8, "Grace"), (9, "Hal")]
        .map(|(id, name)| DirectoryAgent {
            id: AgentId(id),
            name: name.into(),
        })
        .into();
    let mut picker = Picker::default();
    picker.toggle(AgentId(8), true);
    picker.query = "HA".into();
    let shown = |p: &Picker| {
        p.shown(&agents, &[AgentId(7)])
            .iter()
            .map(|a| a.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(shown(&picker), ["Grace", "Hal"], "a tick is never hidden");
    picker.toggle(AgentId(8), false);
    assert_eq!(shown(&picker), ["Hal"]);

    // A frame older than a message already here does not move the chat's last seq back.
    let mut desk = Desk {
        me: Some(ada()),
        ..Desk::default()
    };
    let mut panes: Vec<Pane> = Vec::new();
    apply_chat(&mut desk, &mut panes, with_grace(50));
    panes.edit(id(50), |p| {
        p.conversation.last_seq = 9;
        true
    });
    let changed = apply_chat(&mut desk, &mut panes, with_grace(50));
    assert!(!changed, "the desk is not touched");
    assert_eq!(panes[0].conversation.last_seq, 9);
    assert_eq!(panes[0].kind(), crate::state::ChatKind::Agent);
}
