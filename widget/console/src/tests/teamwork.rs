//! Working together, through the console as an agent uses it: rejecting a request, joining a
//! chat a colleague accepted first, the Abandoned list, inviting (a colleague or a section,
//! with transfer) and withdrawing, answering invitations, leaving a chat, and the admins'
//! sections (and whether visitors pick theirs). REST goes to a [`FakeRest`] that records what
//! was sent; the tests play the server's frames. Elements are found by role and accessible
//! name.

use leptos::prelude::*;
use livechat_client::clock::now_ms;
use livechat_client::testing::*;
use protocol::presence::{AgentPresence, AgentStatus};
use protocol::workspace::{
    AbandonedChat, AbandonedList, Invitation, InvitationOutcome, Invitee, Section, SectionList,
};
use protocol::{AgentId, ClientMsg, ConversationStatus, ErrorCode, Participant, ServerMsg};
use serde_json::{Value, json};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

use super::fake_rest::FakeRest;
use super::workspace::{by_role, role, until};
use super::{Console, agent_record, console, console_with_clock, id, waiting};
use crate::ui::Clock;

fn hal() -> Participant {
    agent(9, "Hal")
}

/// A signed-in console (Ada) whose REST calls reach a fake.
fn desk() -> (Console, FakeRest) {
    let c = console(true);
    let rest = FakeRest::install(&c.server);
    c.welcome();
    (c, rest)
}

fn json_of(body: Option<String>) -> Value {
    serde_json::from_str(&body.unwrap_or_default()).expect("a JSON body")
}

fn alert_text(c: &Console) -> Option<String> {
    find(&c.root, ".alert[role=alert] span").and_then(|a| a.text_content())
}

fn present(agent: Participant, status: AgentStatus) -> AgentPresence {
    AgentPresence { agent, status }
}

fn chat_with(n: i64, visitor: &str, agents: Vec<Participant>) -> protocol::Conversation {
    protocol::Conversation {
        agents,
        ..conversation(n, ConversationStatus::Active, visitor)
    }
}

fn invitation(
    n: i64,
    conv: i64,
    from: Participant,
    invitee: Invitee,
    transfer: bool,
) -> Invitation {
    Invitation {
        id: n,
        conversation_id: id(conv),
        visitor: "Marta".into(),
        from,
        invitee,
        invitee_name: match invitee {
            Invitee::Agent(AgentId(8)) => "Grace".into(),
            Invitee::Agent(_) => "Ada".into(),
            Invitee::Section(_) => "Sales".into(),
        },
        transfer,
        created_at: now_ms(),
    }
}

fn sales() -> Section {
    Section {
        id: 2,
        name: "Sales".into(),
        anonymous_chat: true,
        contact_chat: false,
        members: vec![AgentId(7)],
    }
}

#[wasm_bindgen_test]
async fn reject_sends_the_request_and_the_row_goes_on_request_removed() {
    let (c, rest) = desk();
    rest.answer("POST", "/api/agent/conversations/1/reject", 204, "");
    c.ctl.receive(ServerMsg::Queue {
        requests: vec![waiting(1, "Marta", "Where is my order?")],
    });
    tick().await;
    role(&c.root, "button", "Reject chat with Marta").click();
    rest.first("POST", "/api/agent/conversations/1/reject")
        .await;
    tick().await;
    assert!(
        by_role(&c.root, "button", "Accept chat with Marta").is_some(),
        "the row stays until the server says"
    );
    assert_eq!(alert_text(&c), None, "a 204 is no failure");
    c.ctl.receive(ServerMsg::RequestRemoved {
        conversation_id: id(1),
        accepted_by: None,
        abandoned: false,
    });
    tick().await;
    assert!(by_role(&c.root, "button", "Reject chat with Marta").is_none());
    role(&c.root, "region", "Waiting chats (0)");
    assert_eq!(alert_text(&c), None, "not a race I lost");
}

#[wasm_bindgen_test]
async fn a_late_accept_offers_to_join_as_second_agent_and_join_posts() {
    let (c, rest) = desk();
    rest.answer("POST", "/api/agent/conversations/2/join", 204, "");
    rest.answer("POST", "/api/agent/conversations/4/join", 204, "");
    c.ctl.receive(ServerMsg::Queue {
        requests: vec![waiting(2, "Bob", "Refund please"), waiting(4, "Eve", "hi")],
    });
    tick().await;
    // Refused with the winner's name and no request_removed before it: the offer is for the
    // accept the refusal answers.
    role(&c.root, "button", "Accept chat with Bob").click();
    c.ctl.receive(ServerMsg::Error {
        code: ErrorCode::AlreadyAccepted,
        message: "Grace already accepted this chat".into(),
        client_id: None,
    });
    tick().await;
    assert_eq!(
        alert_text(&c).as_deref(),
        Some("Grace already accepted this chat")
    );
    role(&c.root, "button", "Join as second agent").click();
    rest.first("POST", "/api/agent/conversations/2/join").await;
    c.ctl.receive(ServerMsg::Accepted {
        conversation: chat_with(2, "Bob", vec![grace(), ada()]),
    });
    tick().await;
    role(&c.root, "region", "Chat with Bob");
    assert_eq!(alert_text(&c), None, "the offer is done");

    // The usual race: everyone hears who won, then my accept is refused; one offer, for Eve's.
    role(&c.root, "button", "Accept chat with Eve").click();
    c.ctl.receive(ServerMsg::RequestRemoved {
        conversation_id: id(4),
        accepted_by: Some(grace()),
        abandoned: false,
    });
    c.ctl.receive(ServerMsg::Error {
        code: ErrorCode::AlreadyAccepted,
        message: "Grace already accepted this chat".into(),
        client_id: None,
    });
    tick().await;
    assert_eq!(
        alert_text(&c).as_deref(),
        Some("Grace already accepted this chat")
    );
    role(&c.root, "button", "Join as second agent").click();
    rest.first("POST", "/api/agent/conversations/4/join").await;
    // Dismissing another alert leaves no offer behind.
    c.ctl.store.desk.update(|d| d.show_alert("Something else"));
    tick().await;
    assert!(by_role(&c.root, "button", "Join as second agent").is_none());
}

#[wasm_bindgen_test]
async fn the_abandoned_list_comes_from_rest_and_refetches_when_a_request_is_abandoned() {
    let t0 = now_ms();
    let c = console_with_clock(true, Some(Clock(RwSignal::new(t0))));
    let rest = FakeRest::install(&c.server);
    let chat = |n: i64, name: &str, last: &str, messages: u32, ago: i64| AbandonedChat {
        conversation_id: id(n),
        visitor: visitor(n * 10, name),
        last_line: last.into(),
        messages,
        created_at: t0 - ago - 600_000,
        abandoned_at: t0 - ago,
    };
    let marta = chat(5, "Marta", "Please call me about my order 1234", 2, 180_000);
    rest.answer_json(
        "GET",
        "/api/agent/abandoned",
        200,
        &AbandonedList {
            chats: vec![marta.clone()],
        },
    );
    c.welcome();
    rest.first("GET", "/api/agent/abandoned").await;
    assert!(
        until(
            || by_role(&c.root, "region", "Abandoned (1)").is_some(),
            3_000
        )
        .await
    );
    let region = role(&c.root, "region", "Abandoned (1)");
    assert_eq!(all_text(&region, "strong"), ["Marta"]);
    assert_eq!(
        all_text(&region, ".muted.small"),
        ["abandoned 3 min ago", "2 messages"]
    );
    assert_eq!(
        all_text(&region, ".preview"),
        ["Please call me about my order 1234"]
    );

    // Another one is abandoned: the list is fetched again; a plain removal fetches nothing.
    rest.answer_json(
        "GET",
        "/api/agent/abandoned",
        200,
        &AbandonedList {
            chats: vec![chat(6, "Bob", "hello?", 1, 0), marta],
        },
    );
    c.ctl.receive(ServerMsg::RequestRemoved {
        conversation_id: id(3),
        accepted_by: None,
        abandoned: false,
    });
    tick().await;
    assert_eq!(rest.count("GET", "/api/agent/abandoned"), 1);
    c.ctl.receive(ServerMsg::RequestRemoved {
        conversation_id: id(6),
        accepted_by: None,
        abandoned: true,
    });
    rest.nth("GET", "/api/agent/abandoned", 2).await;
    assert!(
        until(
            || by_role(&c.root, "region", "Abandoned (2)").is_some(),
            3_000
        )
        .await
    );
    let region = role(&c.root, "region", "Abandoned (2)");
    assert_eq!(
        all_text(&region, "strong"),
        ["Bob", "Marta"],
        "newest first"
    );
    assert!(all_text(&region, ".muted.small").contains(&"abandoned just now".to_string()));

    // Following one up accepts it; once accepted it leaves the list and the list is fetched.
    role(&c.root, "button", "Follow up chat with Marta").click();
    assert_eq!(
        c.link.last(),
        Some(ClientMsg::Accept {
            conversation_id: id(5)
        })
    );
    rest.answer_json(
        "GET",
        "/api/agent/abandoned",
        200,
        &AbandonedList {
            chats: vec![chat(6, "Bob", "hello?", 1, 0)],
        },
    );
    c.ctl.receive(ServerMsg::Accepted {
        conversation: conversation(5, ConversationStatus::Active, "Marta"),
    });
    tick().await;
    role(&c.root, "region", "Abandoned (1)");
    rest.nth("GET", "/api/agent/abandoned", 3).await;
}

/// Ada in chat 3 with Marta; Grace (online) and Hal (away) have consoles open.
async fn in_a_chat() -> (Console, FakeRest) {
    let (c, rest) = desk();
    c.ctl.receive(ServerMsg::Team {
        agents: vec![
            present(ada(), AgentStatus::Online),
            present(grace(), AgentStatus::Online),
            present(hal(), AgentStatus::Away),
        ],
        away_after_secs: 300,
    });
    rest.answer_json(
        "GET",
        "/api/agent/sections",
        200,
        &SectionList {
            sections: vec![sales()],
        },
    );
    c.ctl.receive(ServerMsg::Accepted {
        conversation: chat_with(3, "Marta", vec![ada()]),
    });
    tick().await;
    (c, rest)
}

fn dialog(c: &Console) -> Option<HtmlElement> {
    by_role(&c.root, "dialog", "Invite a colleague")
}

#[wasm_bindgen_test]
async fn the_invite_dialog_posts_a_colleague_or_a_section_with_transfer() {
    let (c, rest) = in_a_chat().await;
    let path = "/api/agent/conversations/3/invitations";
    let to_grace = invitation(11, 3, ada(), Invitee::Agent(AgentId(8)), false);
    rest.answer_json("POST", path, 201, &to_grace);
    rest.answer("DELETE", "/api/agent/invitations/11", 204, "");
    let chat = role(&c.root, "region", "Chat with Marta");
    let participants = get(&chat, "ul[aria-label='Agents in this chat']");
    assert_eq!(
        all_text(&participants, "li .name"),
        ["Ada (you)"],
        "the agents, with their presence"
    );
    assert!(find(&participants, ".dot.online").is_some());
    assert!(
        by_role(&chat, "button", "Leave chat").is_none(),
        "the only agent cannot leave"
    );
    let invite = role(&chat, "button", "Invite");
    invite.click();
    tick().await;
    let form = dialog(&c).expect("the invite dialog");
    let focused = || {
        web_sys::window()
            .unwrap()
            .document()
            .unwrap()
            .active_element()
            .unwrap()
    };
    assert!(
        form.contains(Some(&focused())),
        "focus moves into the dialog"
    );
    // colleagues with their presence, not me; the section once fetched
    assert!(
        until(
            || by_role(&form, "radio", "Any available agent of Sales").is_some(),
            3_000
        )
        .await
    );
    assert!(by_role(&form, "radio", "Ada (Online)").is_none());
    assert!(by_role(&form, "radio", "Hal (Away)").is_some());
    role(&form, "radio", "Grace (Online)").click();
    role(&form, "button", "Send invitation").click();
    let body = json_of(rest.first("POST", path).await);
    assert_eq!(body, json!({"invitee": {"agent": 8}, "transfer": false}));
    assert!(
        until(|| dialog(&c).is_none(), 3_000).await,
        "closed once sent"
    );
    // the server tells my sockets: the pending line, and withdrawing it
    c.ctl.receive(ServerMsg::Invitation {
        invitation: to_grace,
    });
    tick().await;
    let pending = get(&chat, ".pending-invitation");
    assert!(
        pending
            .text_content()
            .unwrap()
            .starts_with("Invitation to Grace pending…"),
        "{:?}",
        pending.text_content()
    );
    assert!(
        by_role(&c.root, "region", "Invitations (0)").is_some(),
        "my own invitation is not one to answer"
    );
    role(&chat, "button", "Withdraw invitation to Grace").click();
    rest.first("DELETE", "/api/agent/invitations/11").await;
    // Grace declined before the withdrawal arrived
    c.ctl.receive(ServerMsg::InvitationClosed {
        id: 11,
        conversation_id: id(3),
        outcome: InvitationOutcome::Declined,
        by: Some(grace()),
    });
    tick().await;
    assert!(find(&chat, ".pending-invitation").is_none());
    assert_eq!(
        alert_text(&c).as_deref(),
        Some("Grace declined your invitation")
    );

    // any agent of Sales, as a transfer
    invite.click();
    tick().await;
    let form = dialog(&c).unwrap();
    assert!(
        until(
            || by_role(&form, "radio", "Any available agent of Sales").is_some(),
            3_000
        )
        .await
    );
    role(&form, "radio", "Any available agent of Sales").click();
    role(
        &form,
        "checkbox",
        "Leave the chat when they join (transfer)",
    )
    .click();
    role(&form, "button", "Send invitation").click();
    let body = json_of(rest.nth("POST", path, 2).await);
    assert_eq!(body, json!({"invitee": {"section": 2}, "transfer": true}));

    // one pending at a time: the refusal is said in the form, which stays open
    rest.answer(
        "POST",
        path,
        409,
        r#"{"code":"limit_reached","message":"an invitation is pending"}"#,
    );
    assert!(until(|| dialog(&c).is_none(), 3_000).await);
    invite.click();
    tick().await;
    let form = dialog(&c).unwrap();
    role(&form, "radio", "Grace (Online)").click();
    role(&form, "button", "Send invitation").click();
    rest.nth("POST", path, 3).await;
    assert!(
        until(
            || find(&form, "[role=alert]").and_then(|a| a.text_content())
                == Some("An invitation is already pending".into()),
            3_000
        )
        .await
    );
    assert!(dialog(&c).is_some());
    // Escape closes it, focus back on Invite
    key(&form, "Escape", false);
    tick().await;
    assert!(dialog(&c).is_none());
    assert_eq!(focused(), invite.clone().unchecked_into::<Element>());
    // a colleague already in the chat is not offered
    c.ctl.receive(ServerMsg::Conversation {
        conversation: chat_with(3, "Marta", vec![ada(), grace()]),
    });
    invite.click();
    tick().await;
    let form = dialog(&c).unwrap();
    assert!(by_role(&form, "radio", "Grace (Online)").is_none());
    assert!(by_role(&form, "radio", "Hal (Away)").is_some());
}

#[wasm_bindgen_test]
async fn incoming_invitations_are_announced_answered_and_closed_everywhere() {
    let (c, rest) = desk();
    rest.answer("POST", "/api/agent/invitations/21/accept", 204, "");
    rest.answer("POST", "/api/agent/invitations/22/decline", 204, "");
    c.ctl.receive(ServerMsg::Invitation {
        invitation: invitation(21, 5, grace(), Invitee::Agent(AgentId(7)), true),
    });
    tick().await;
    let region = role(&c.root, "region", "Invitations (1)");
    let text = "Grace invites you to the chat with Marta (transfer)";
    assert_eq!(all_text(&region, "li p"), [text]);
    let live = get(&c.root, ".sr-only[aria-live=polite]");
    assert_eq!(live.text_content().as_deref(), Some(text), "said politely");
    role(&region, "button", &format!("Accept: {text}")).click();
    rest.first("POST", "/api/agent/invitations/21/accept").await;
    c.ctl.receive(ServerMsg::InvitationClosed {
        id: 21,
        conversation_id: id(5),
        outcome: InvitationOutcome::Accepted,
        by: Some(ada()),
    });
    tick().await;
    role(&c.root, "region", "Invitations (0)");

    // a section's invitation, declined; closed for everyone once someone answered
    c.ctl.receive(ServerMsg::Invitation {
        invitation: invitation(22, 6, grace(), Invitee::Section(2), false),
    });
    c.ctl.receive(ServerMsg::Invitation {
        invitation: invitation(23, 7, hal(), Invitee::Section(2), false),
    });
    tick().await;
    let region = role(&c.root, "region", "Invitations (2)");
    let text = "Grace invites you to the chat with Marta";
    role(&region, "button", &format!("Decline: {text}")).click();
    rest.first("POST", "/api/agent/invitations/22/decline")
        .await;
    for n in [22, 23] {
        c.ctl.receive(ServerMsg::InvitationClosed {
            id: n,
            conversation_id: id(n - 16),
            outcome: if n == 22 {
                InvitationOutcome::Declined
            } else {
                InvitationOutcome::Accepted
            },
            by: Some(grace()),
        });
    }
    tick().await;
    role(&c.root, "region", "Invitations (0)");
    assert_eq!(alert_text(&c), None, "not my invitation that was declined");
}

#[wasm_bindgen_test]
async fn leaving_a_chat_makes_it_read_only() {
    let (c, rest) = desk();
    rest.answer("POST", "/api/agent/conversations/4/leave", 204, "");
    c.ctl.receive(ServerMsg::Team {
        agents: vec![
            present(ada(), AgentStatus::Online),
            present(grace(), AgentStatus::Busy),
        ],
        away_after_secs: 300,
    });
    c.ctl.receive(ServerMsg::Accepted {
        conversation: chat_with(4, "Marta", vec![ada(), grace()]),
    });
    tick().await;
    let chat = role(&c.root, "region", "Chat with Marta");
    let participants = get(&chat, "ul[aria-label='Agents in this chat']");
    let names: Vec<_> = {
        let list = participants.query_selector_all("li").unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i))
            .map(|n| {
                n.unchecked_into::<Element>()
                    .get_attribute("aria-label")
                    .unwrap()
            })
            .collect()
    };
    assert_eq!(names, ["Ada (you): Online", "Grace: Busy"]);
    assert!(find(&participants, ".dot.busy").is_some());
    role(&chat, "button", "Leave chat").click();
    rest.first("POST", "/api/agent/conversations/4/leave").await;
    // the server's new state of the chat, without me
    c.ctl.receive(ServerMsg::Conversation {
        conversation: chat_with(4, "Marta", vec![grace()]),
    });
    tick().await;
    let chat = role(&c.root, "region", "Chat with Marta");
    assert_eq!(
        all_text(&chat, "[role=status].ended"),
        ["You left this chat"]
    );
    let reply = get(&chat, "textarea");
    assert!(reply.has_attribute("disabled"), "nothing more to write");
    let end = role(&chat, "button", "End chat");
    assert!(end.has_attribute("disabled"));
    assert!(by_role(&chat, "button", "Invite").is_none());
    assert!(by_role(&chat, "button", "Leave chat").is_none());
    role(&c.root, "region", "My chats (0)");
    role(&c.root, "region", "Closed (1)");
    assert!(
        !c.ctl.store.has_open_chats(),
        "closing the tab need not ask"
    );
}

#[wasm_bindgen_test]
async fn admins_add_edit_and_delete_sections_and_pick_default_ones() {
    let (c, rest) = desk();
    signed_in_as_admin(&rest);
    rest.answer_json(
        "GET",
        "/api/admin/sections",
        200,
        &SectionList {
            sections: vec![sales()],
        },
    );
    rest.answer_json(
        "GET",
        "/api/admin/agents",
        200,
        &protocol::agents::AgentList {
            agents: vec![
                agent_record(7, "Ada", true, true),
                agent_record(8, "Grace", false, true),
            ],
        },
    );
    rest.answer("GET", "/api/admin/companies", 200, "[]");
    rest.answer("GET", "/api/admin/contacts", 200, "[]");
    rest.answer("PUT", "/api/admin/sections/2", 200, "{}");
    rest.answer("PUT", "/api/admin/settings", 200, "{}");
    rest.answer("DELETE", "/api/admin/sections/2", 204, "");
    rest.answer_json(
        "POST",
        "/api/admin/sections",
        201,
        &Section {
            id: 3,
            name: "Support".into(),
            anonymous_chat: false,
            contact_chat: true,
            members: vec![AgentId(8)],
        },
    );
    c.ctl.settings.admin.set(true);
    c.ctl.toggle_settings();
    let pane = || get(&c.root, "section[aria-labelledby=settings-h]");
    assert!(
        until(
            || by_role(&c.root, "form", "Section Sales").is_some()
                && find(&c.root, "#abandon-after").is_some(),
            5_000
        )
        .await,
        "the sections and chat settings load"
    );
    let sections = role(&pane(), "region", "Sections");
    let row = role(&sections, "form", "Section Sales");
    let boxes = |form: &HtmlElement, name: &str| -> web_sys::HtmlInputElement {
        role(form, "checkbox", name).unchecked_into()
    };
    assert!(boxes(&row, "Anonymous visitors").checked());
    assert!(!boxes(&row, "Portal contacts").checked());
    assert!(boxes(&row, "Ada").checked(), "a member");
    assert!(!boxes(&row, "Grace").checked());
    // rename, take contacts, add Grace; saved whole
    type_into(&role(&row, "textbox", "Name"), "Sales EU");
    boxes(&row, "Portal contacts").click();
    boxes(&row, "Grace").click();
    role(&row, "button", "Save section Sales").click();
    let body = json_of(rest.first("PUT", "/api/admin/sections/2").await);
    assert_eq!(
        body,
        json!({"name": "Sales EU", "anonymous_chat": true, "contact_chat": true, "members": [7, 8]})
    );
    // add one: contacts only, Grace
    let add = role(&sections, "form", "Add section");
    type_into(&role(&add, "textbox", "Name"), "Support");
    boxes(&add, "Anonymous visitors").click();
    boxes(&add, "Grace").click();
    role(&add, "button", "Add section").click();
    let body = json_of(rest.first("POST", "/api/admin/sections").await);
    assert_eq!(
        body,
        json!({"name": "Support", "anonymous_chat": false, "contact_chat": true, "members": [8]})
    );
    assert!(
        until(
            || find(&sections, "[role=status]").and_then(|s| s.text_content())
                == Some("Section Support added.".into()),
            3_000
        )
        .await
    );
    // an empty name is refused here, before any request
    role(&add, "button", "Add section").click();
    assert!(
        until(
            || find(&sections, "[role=alert]").and_then(|s| s.text_content())
                == Some("Give the section a name.".into()),
            3_000
        )
        .await
    );
    assert_eq!(rest.count("POST", "/api/admin/sections"), 1);
    // delete, after confirming
    let row = role(&sections, "form", "Section Sales");
    role(&row, "button", "Delete section Sales").click();
    tick().await;
    assert_eq!(
        rest.count("DELETE", "/api/admin/sections/2"),
        0,
        "asks first"
    );
    role(&row, "button", "Delete section").click();
    rest.first("DELETE", "/api/admin/sections/2").await;

    // chat settings: abandon after (minutes) and the website's default section
    let abandon = role(
        &pane(),
        "spinbutton",
        "Abandon unanswered requests after (minutes, 0 = never)",
    );
    assert_eq!(
        abandon
            .clone()
            .unchecked_into::<web_sys::HtmlInputElement>()
            .value(),
        "10"
    );
    type_into(&abandon, "0");
    let default: web_sys::HtmlSelectElement =
        role(&pane(), "combobox", "Default section for the website").unchecked_into();
    assert_eq!(
        all_text(&default, "option"),
        ["None: every section that takes the visitor", "Sales"]
    );
    default.set_value("2");
    default
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    role(&pane(), "button", "Save chat settings").click();
    let body = json_of(rest.first("PUT", "/api/admin/settings").await);
    assert_eq!(body["abandon_after_secs"], json!(0));
    assert_eq!(body["default_section"], json!(2));
}

#[wasm_bindgen_test]
async fn a_companys_section_is_picked_in_its_row() {
    let (c, rest) = desk();
    signed_in_as_admin(&rest);
    rest.answer_json(
        "GET",
        "/api/admin/sections",
        200,
        &SectionList {
            sections: vec![sales()],
        },
    );
    rest.answer_json(
        "GET",
        "/api/admin/companies",
        200,
        &vec![super::company("acme", "Acme", None, None)],
    );
    rest.answer("GET", "/api/admin/contacts", 200, "[]");
    rest.answer("PUT", "/api/admin/companies/acme", 200, "{}");
    c.ctl.settings.admin.set(true);
    c.ctl.toggle_settings();
    assert!(
        until(
            || find(
                &c.root,
                "select[aria-label='Section for Acme'] option[value='2']"
            )
            .is_some(),
            5_000
        )
        .await
    );
    let pick = super::select_named(&c.root, "Section for Acme");
    assert_eq!(super::option_texts(&pick), ["Site default", "Sales"]);
    pick.set_value("2");
    pick.dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    let body = json_of(rest.first("PUT", "/api/admin/companies/acme").await);
    assert_eq!(body["section"], json!(2));
}

#[wasm_bindgen_test]
async fn the_chat_settings_send_whether_visitors_choose_their_section() {
    let (c, rest) = desk();
    signed_in_as_admin(&rest);
    rest.answer("PUT", "/api/admin/settings", 200, "{}");
    c.ctl.settings.admin.set(true);
    c.ctl.toggle_settings();
    let name = "Visitors choose their section in the chat widget";
    assert!(
        until(|| by_role(&c.root, "checkbox", name).is_some(), 5_000).await,
        "the chat settings load"
    );
    let check: web_sys::HtmlInputElement = role(&c.root, "checkbox", name).unchecked_into();
    assert!(!check.checked(), "off unless the admin turns it on");
    let hint = check.get_attribute("aria-describedby").expect("a hint");
    assert_eq!(
        get(&c.root, &format!("#{hint}")).text_content().as_deref(),
        Some("When more than one section takes them; a company's own section still wins.")
    );
    check.click();
    role(&c.root, "button", "Save chat settings").click();
    let body = json_of(rest.first("PUT", "/api/admin/settings").await);
    assert_eq!(body["section_choice"], json!(true));
    assert_eq!(body["chat_enabled"], json!(true), "saved with the rest");
}

/// The console's sign-in reads for an admin: who they are, and the default chat settings.
fn signed_in_as_admin(rest: &FakeRest) {
    rest.answer_json("GET", "/api/agent/me", 200, &an_admin());
    rest.answer_json(
        "GET",
        "/api/admin/settings",
        200,
        &protocol::helpdesk::ChatSettings::default(),
    );
}

/// `GET /api/agent/me` for an admin: the console loads the Settings screen only for one.
fn an_admin() -> protocol::agents::AgentProfile {
    protocol::agents::AgentProfile {
        id: protocol::AgentId(7),
        name: "Ada".into(),
        is_admin: true,
    }
}

#[wasm_bindgen_test]
async fn a_non_admins_console_never_calls_the_admin_api() {
    let (c, rest) = desk();
    let grace = protocol::agents::AgentProfile {
        is_admin: false,
        ..an_admin()
    };
    rest.answer_json("GET", "/api/agent/me", 200, &grace);
    c.ctl.load_settings().await;
    rest.until(&["/api/agent/me"], 1).await;
    assert!(!c.ctl.settings.admin.get_untracked(), "no Settings screen");
    assert!(rest.requests_to(&["/api/admin/"]).is_empty());
    // an admin's does
    signed_in_as_admin(&rest);
    c.ctl.load_settings().await;
    assert!(c.ctl.settings.admin.get_untracked());
    assert!(!rest.requests_to(&["/api/admin/settings"]).is_empty());
}
