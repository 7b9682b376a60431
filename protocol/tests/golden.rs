//! Golden JSON: pins the wire format of every frame and REST body.
//!
//! Each case is serialised and compared byte for byte with `tests/golden/<name>.json`, then the
//! golden file is parsed back and must equal the value. Run with `UPDATE_GOLDEN=1` to rewrite
//! the files after a deliberate format change (and bump `PROTOCOL_VERSION`).

use protocol::*;
use serde::{Serialize, de::DeserializeOwned};
use std::{fmt::Debug, path::PathBuf};

fn visitor() -> Participant {
    Participant::new(Principal::Visitor(VisitorId(7)), "Marta <b>")
}

fn agent() -> Participant {
    Participant::new(Principal::Agent(AgentId(1)), "Ada")
}

fn message() -> Message {
    Message {
        id: MessageId(42),
        conversation_id: ConversationId(3),
        seq: 2,
        kind: MessageKind::Text,
        author: Some(visitor()),
        body: "hello <img src=x onerror=alert(1)>".into(),
        client_id: Some("c-01".into()),
        sent_at: 1_763_900_000_000,
        options: Vec::new(),
    }
}

fn conversation(status: ConversationStatus) -> Conversation {
    Conversation {
        id: ConversationId(3),
        status,
        visitor: visitor(),
        agents: if status == ConversationStatus::Waiting {
            vec![]
        } else {
            vec![agent()]
        },
        created_at: 1_763_899_990_000,
        last_seq: 2,
    }
}

fn check<T: Serialize + DeserializeOwned + PartialEq + Debug>(name: &str, value: &T) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.json"));
    let json = serde_json::to_string_pretty(value).unwrap() + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &json).unwrap();
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    assert_eq!(
        json, golden,
        "{name}: serialised form drifted from the golden file"
    );
    let back: T = serde_json::from_str(&golden).unwrap();
    assert_eq!(
        &back, value,
        "{name}: golden file does not parse back to the same value"
    );
}

#[test]
fn client_frames() {
    check(
        "client_hello",
        &ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            token: "v1.AAAA".into(),
            cursors: vec![Cursor {
                conversation_id: ConversationId(3),
                last_seq: 2,
            }],
        },
    );
    check(
        "client_hello_no_cursors",
        &ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            token: "a1.BBBB".into(),
            cursors: vec![],
        },
    );
    check(
        "client_send_new_chat",
        &ClientMsg::Send {
            client_id: "c-01".into(),
            conversation_id: None,
            body: "hello".into(),
        },
    );
    check(
        "client_send",
        &ClientMsg::Send {
            client_id: "c-02".into(),
            conversation_id: Some(ConversationId(3)),
            body: "thanks".into(),
        },
    );
    check("client_set_online", &ClientMsg::SetOnline { online: true });
    check(
        "client_accept",
        &ClientMsg::Accept {
            conversation_id: ConversationId(3),
        },
    );
    check(
        "client_end",
        &ClientMsg::End {
            conversation_id: ConversationId(3),
        },
    );
    check(
        "client_sync",
        &ClientMsg::Sync {
            conversation_id: ConversationId(3),
            after_seq: 1,
        },
    );
    check(
        "client_typing",
        &ClientMsg::Typing {
            conversation_id: ConversationId(3),
        },
    );
    check(
        "client_set_status",
        &ClientMsg::SetStatus {
            status: protocol::presence::AgentStatus::Busy,
        },
    );
    check(
        "client_note",
        &ClientMsg::Note {
            client_id: "n-1".into(),
            conversation_id: ConversationId(3),
            body: "VIP: offer the discount".into(),
        },
    );
}

#[test]
fn server_frames() {
    check(
        "server_welcome",
        &ServerMsg::Welcome {
            protocol: PROTOCOL_VERSION,
            me: Identity::new(Principal::Visitor(VisitorId(7)), "Marta <b>"),
            conversations: vec![conversation(ConversationStatus::Active)],
        },
    );
    check(
        "server_history",
        &ServerMsg::History {
            conversation_id: ConversationId(3),
            reset: false,
            more: false,
            messages: vec![message()],
        },
    );
    // The optional flags: left out when false (so `server_history` kept its shape), present
    // when the server resets a cursor it cannot honour or cuts a long history into pages.
    check(
        "server_history_reset",
        &ServerMsg::History {
            conversation_id: ConversationId(3),
            messages: vec![message()],
            reset: true,
            more: false,
        },
    );
    check(
        "server_history_more",
        &ServerMsg::History {
            conversation_id: ConversationId(3),
            messages: vec![message()],
            reset: false,
            more: true,
        },
    );
    check("server_message", &ServerMsg::Message { message: message() });
    check(
        "server_message_offer",
        &ServerMsg::Message {
            message: Message {
                author: Some(agent()),
                body: "Which device is it about?".into(),
                options: vec!["Laptop".into(), "Phone".into()],
                ..message()
            },
        },
    );
    check(
        "server_message_system",
        &ServerMsg::Message {
            message: Message {
                kind: MessageKind::System,
                author: None,
                client_id: None,
                body: "Ada joined the chat".into(),
                ..message()
            },
        },
    );
    check(
        "server_ack",
        &ServerMsg::Ack {
            client_id: "c-01".into(),
            message: message(),
        },
    );
    check(
        "server_conversation",
        &ServerMsg::Conversation {
            conversation: conversation(ConversationStatus::Ended),
        },
    );
    let request = ChatRequest {
        conversation_id: ConversationId(3),
        visitor: visitor(),
        preview: "hello".into(),
        created_at: 1_763_899_990_000,
    };
    check(
        "server_queue",
        &ServerMsg::Queue {
            requests: vec![request.clone()],
        },
    );
    check("server_request_added", &ServerMsg::RequestAdded { request });
    check(
        "server_request_removed",
        &ServerMsg::RequestRemoved {
            conversation_id: ConversationId(3),
            accepted_by: Some(agent()),
            abandoned: false,
        },
    );
    check(
        "server_request_abandoned",
        &ServerMsg::RequestRemoved {
            conversation_id: ConversationId(3),
            accepted_by: None,
            abandoned: true,
        },
    );
    let invitation = protocol::workspace::Invitation {
        id: 6,
        conversation_id: ConversationId(3),
        visitor: "Marta".into(),
        from: agent(),
        invitee: protocol::workspace::Invitee::Section(2),
        invitee_name: "Billing".into(),
        transfer: true,
        created_at: 1_763_900_000_000,
    };
    check("server_invitation", &ServerMsg::Invitation { invitation });
    let team_chat = protocol::workspace::TeamChat {
        id: ConversationId(9),
        kind: protocol::workspace::TeamChatKind::Group,
        title: Some("Night shift".into()),
        members: vec![
            agent(),
            Participant::new(Principal::Agent(AgentId(2)), "Grace"),
        ],
        created_at: 1_763_900_000_000,
        last_seq: 4,
    };
    check(
        "server_team_chats",
        &ServerMsg::TeamChats {
            chats: vec![team_chat.clone()],
        },
    );
    check("server_team_chat", &ServerMsg::TeamChat { chat: team_chat });
    check(
        "server_invitation_closed",
        &ServerMsg::InvitationClosed {
            id: 6,
            conversation_id: ConversationId(3),
            outcome: protocol::workspace::InvitationOutcome::Accepted,
            by: Some(agent()),
        },
    );
    check(
        "server_accepted",
        &ServerMsg::Accepted {
            conversation: conversation(ConversationStatus::Active),
        },
    );
    let note = PrivateNote {
        id: 4,
        conversation_id: ConversationId(3),
        after_seq: 2,
        author: agent(),
        body: "VIP: offer the discount".into(),
        client_id: "n-1".into(),
        sent_at: 1_700_000_000_500,
    };
    check("server_note", &ServerMsg::Note { note: note.clone() });
    let presence = protocol::presence::AgentPresence {
        agent: agent(),
        status: protocol::presence::AgentStatus::Away,
    };
    check(
        "server_team",
        &ServerMsg::Team {
            agents: vec![presence.clone()],
            away_after_secs: 300,
        },
    );
    check("server_agent_status", &ServerMsg::AgentStatus { presence });
    check(
        "server_typing",
        &ServerMsg::Typing {
            conversation_id: ConversationId(3),
            name: "Ada".into(),
        },
    );
    check(
        "server_queue_position",
        &ServerMsg::QueuePosition {
            conversation_id: ConversationId(3),
            position: 2,
        },
    );
    check(
        "server_notes",
        &ServerMsg::Notes {
            conversation_id: ConversationId(3),
            notes: vec![note],
        },
    );
    check(
        "server_ticket_linked",
        &ServerMsg::TicketLinked {
            conversation_id: ConversationId(3),
            ticket: Some(protocol::helpdesk::TicketRef {
                number: "T-1001".into(),
                subject: "Printer on fire".into(),
            }),
        },
    );
    check(
        "server_ticket_unlinked",
        &ServerMsg::TicketLinked {
            conversation_id: ConversationId(3),
            ticket: None,
        },
    );
    check(
        "server_error",
        &ServerMsg::Error {
            code: ErrorCode::ConversationEnded,
            message: "this chat has ended".into(),
            client_id: Some("c-03".into()),
        },
    );
}

#[test]
fn rest_bodies() {
    check(
        "rest_visitor_session",
        &VisitorSessionRequest {
            name: "Marta".into(),
        },
    );
    check(
        "rest_login",
        &LoginRequest {
            email: "ada@example.com".into(),
            password: "correct horse".into(),
        },
    );
    check(
        "rest_session_response",
        &SessionResponse {
            token: "a1.CCCC".into(),
            me: Identity::new(Principal::Agent(AgentId(1)), "Ada"),
        },
    );
    check(
        "rest_history_page",
        &HistoryPage {
            conversation_id: ConversationId(3),
            messages: vec![message()],
            more: false,
        },
    );
    check(
        "rest_history_page_more",
        &HistoryPage {
            conversation_id: ConversationId(3),
            messages: vec![message()],
            more: true,
        },
    );
    check(
        "rest_session_list",
        &SessionList {
            sessions: vec![SessionInfo {
                id: SessionId(12),
                created_at: 1_763_899_000_000,
                last_used_at: 1_763_900_000_000,
                expires_at: 1_763_943_200_000,
                device: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0".into(),
                current: true,
                connected: false,
            }],
        },
    );
    check("rest_sessions_ended", &SessionsEnded { ended: 2 });
    check(
        "rest_link_ticket",
        &protocol::helpdesk::LinkTicketRequest {
            ticket: Some("T-1001".into()),
        },
    );
    check(
        "rest_create_ticket",
        &protocol::helpdesk::CreateTicketRequest {
            subject: "The printer is on fire".into(),
            client_key: "k-01".into(),
        },
    );
    check(
        "rest_change_password",
        &ChangePasswordRequest {
            current_password: "old secret".into(),
            new_password: "a longer new secret".into(),
        },
    );
    check(
        "rest_error",
        &ErrorBody {
            code: ErrorCode::RateLimited,
            message: "too many attempts".into(),
        },
    );
    check(
        "webhook_chat_started",
        &protocol::webhooks::WebhookEvent::ChatStarted {
            conversation_id: ConversationId(3),
            visitor: visitor(),
            contact: Some("c-42".into()),
            first_message: "hello".into(),
            at: 1_763_900_000_000,
        },
    );
    check(
        "webhook_chat_ended",
        &protocol::webhooks::WebhookEvent::ChatEnded {
            conversation_id: ConversationId(3),
            ended_by: "Ada".into(),
            ticket: Some("T-1001".into()),
            transcript: "Chat transcript, …\n[21:03] Marta: hello\n".into(),
            at: 1_763_900_100_000,
        },
    );
    check(
        "webhook_ticket_created",
        &protocol::webhooks::WebhookEvent::TicketCreated {
            ticket: protocol::helpdesk::Ticket {
                number: "C-7".into(),
                subject: "Toner order".into(),
                status: protocol::helpdesk::TicketStatus::Open,
                contact: "c-42".into(),
                created_at: 1_763_900_000_000,
                updated_at: 1_763_900_000_000,
            },
            conversation_id: ConversationId(3),
            at: 1_763_900_000_000,
        },
    );
    let callback = protocol::helpdesk::Callback {
        id: 5,
        visitor: visitor(),
        contact: Some("c-42".into()),
        conversation_id: Some(ConversationId(3)),
        ticket: Some("T-1001".into()),
        phone: "+49 30 1234567".into(),
        preferred_time: "after 3 pm".into(),
        note: "about the printer".into(),
        requested_at: 1_763_900_000_000,
        done_at: None,
        done_by: None,
    };
    check("rest_callback", &callback);
    check(
        "rest_callback_request",
        &protocol::helpdesk::CallbackRequest {
            phone: "+49 30 1234567".into(),
            preferred_time: "after 3 pm".into(),
            note: "about the printer".into(),
        },
    );
    check(
        "webhook_callback_requested",
        &protocol::webhooks::WebhookEvent::CallbackRequested {
            callback,
            at: 1_763_900_000_000,
        },
    );
    check(
        "rest_office_hours",
        &protocol::helpdesk::OfficeHours {
            enabled: true,
            time_zone: "Europe/Berlin".into(),
            weekly: vec![protocol::helpdesk::OpeningWindow {
                day: "mon".into(),
                open: "09:00".into(),
                close: "17:00".into(),
            }],
            holidays: vec!["2026-12-25".into()],
        },
    );
    check(
        "rest_availability",
        &protocol::helpdesk::Availability {
            open: false,
            next_open: Some(1_763_971_200_000),
            chat_enabled: true,
            unanswered_after_secs: 60,
            pre_ticket: true,
            sections: vec![
                protocol::workspace::SectionChoice {
                    id: 2,
                    name: "Sales".into(),
                },
                protocol::workspace::SectionChoice {
                    id: 1,
                    name: "Support".into(),
                },
            ],
        },
    );
    check(
        "rest_availability_request",
        &protocol::helpdesk::AvailabilityRequest {
            identity: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjLTEwMCJ9.c2ln".into(),
        },
    );
    check(
        "rest_past_conversations",
        &protocol::helpdesk::PastConversationList {
            conversations: vec![
                protocol::helpdesk::PastConversation {
                    id: ConversationId(12),
                    status: ConversationStatus::Ended,
                    created_at: 1_763_900_000_000,
                    agents: vec!["Ada".into()],
                    ticket: Some(protocol::helpdesk::TicketRef {
                        number: "T-1001".into(),
                        subject: "Grinder makes a noise".into(),
                    }),
                    preview: "Hello, my grinder".into(),
                },
                protocol::helpdesk::PastConversation {
                    id: ConversationId(9),
                    status: ConversationStatus::Ended,
                    created_at: 1_763_800_000_000,
                    agents: vec![],
                    ticket: None,
                    preview: "Anyone there?".into(),
                },
            ],
        },
    );
    check(
        "rest_chat_settings",
        &protocol::helpdesk::ChatSettings {
            chat_enabled: true,
            unanswered_after_secs: 60,
            pre_ticket: true,
            agent_away_after_secs: 300,
            abandon_after_secs: 600,
            default_section: Some(2),
            section_choice: true,
        },
    );
    check(
        "rest_webhook_settings",
        &protocol::webhooks::WebhookSettings {
            url: Some("https://helpdesk.example/hooks/livechat".into()),
            secret: None,
            secret_set: true,
        },
    );
    check(
        "rest_error_limit_reached",
        &ErrorBody {
            code: ErrorCode::LimitReached,
            message: "end one first".into(),
        },
    );
}

#[test]
fn agent_admin_bodies() {
    check(
        "rest_agent_list",
        &protocol::agents::AgentList {
            agents: vec![protocol::agents::AgentRecord {
                id: AgentId(2),
                name: "Bea".into(),
                email: "bea@example.com".into(),
                is_admin: false,
                active: true,
                created_at: 1_763_900_000_000,
            }],
        },
    );
    check(
        "rest_new_agent",
        &protocol::agents::NewAgentRequest {
            email: "bea@example.com".into(),
            name: "Bea".into(),
            password: "a first password".into(),
            is_admin: false,
        },
    );
    check(
        "rest_agent_update",
        &protocol::agents::AgentUpdate {
            name: None,
            is_admin: None,
            active: Some(false),
        },
    );
    check(
        "rest_reset_password",
        &protocol::agents::ResetPasswordRequest {
            password: "a new password".into(),
        },
    );
}

#[test]
fn canned_reply_bodies() {
    check(
        "rest_canned_list",
        &protocol::canned::CannedList {
            replies: vec![protocol::canned::CannedReply {
                id: 1,
                shortcut: Some("hi".into()),
                title: "Hello".into(),
                body: "Hi {visitor}, {agent} here.".into(),
                kind: protocol::canned::CannedKind::Greeting,
                shared: true,
                auto: false,
                updated_at: 1_763_900_000_000,
            }],
        },
    );
    check(
        "rest_canned_input",
        &protocol::canned::CannedInput {
            shortcut: Some("refund".into()),
            title: "Refund policy".into(),
            body: "Refunds take 5 working days.".into(),
            kind: protocol::canned::CannedKind::Reply,
            shared: false,
            auto: false,
        },
    );
}

#[test]
fn history_search_bodies() {
    check(
        "rest_history_results",
        &protocol::search::HistoryResults {
            hits: vec![protocol::search::HistoryHit {
                conversation_id: ConversationId(12),
                visitor: "Marta".into(),
                contact: None,
                company: None,
                agents: vec!["Ada".into()],
                created_at: 1_763_900_000_000,
                ended_at: Some(1_763_900_600_000),
                ticket: None,
                snippet: Some("the [refund] for order 1234".into()),
            }],
            page: 0,
            more: false,
        },
    );
    check(
        "rest_directory",
        &protocol::search::Directory {
            agents: vec![protocol::search::DirectoryAgent {
                id: AgentId(1),
                name: "Ada".into(),
            }],
            companies: vec![protocol::search::DirectoryCompany {
                id: "acme".into(),
                name: "Acme Ltd".into(),
            }],
        },
    );
}

#[test]
fn malformed_client_frames_are_refused() {
    for bad in [
        "",
        "not json",
        "{\"type\":\"send\",\"client_id\":\"c\"", // truncated
        "{\"type\":\"launch_missiles\"}",         // unknown type
        "{\"client_id\":\"c\",\"body\":\"x\"}",   // no tag
        "{\"type\":\"send\",\"client_id\":\"c\"}", // missing body
        "{\"type\":\"accept\",\"conversation_id\":\"3\"}", // wrong field type
        "{\"type\":\"accept\",\"conversation_id\":3,\"as_admin\":true}", // unknown field
        "[1,2,3]",
    ] {
        assert!(
            serde_json::from_str::<ClientMsg>(bad).is_err(),
            "accepted: {bad}"
        );
    }
}

#[test]
fn server_frames_must_lead_with_type() {
    // Our server always writes `type` first (serde's tagged form); the decoder relies on it to
    // read frames without buffering. Anything else is refused, not misread.
    let late_tag = r#"{"conversation_id":3,"accepted_by":null,"type":"request_removed"}"#;
    assert!(serde_json::from_str::<ServerMsg>(late_tag).is_err());
    for bad in [
        "{}",
        "[]",
        r#"{"type":"nope"}"#,
        r#"{"type":"ack","client_id":"c"}"#,
    ] {
        assert!(
            serde_json::from_str::<ServerMsg>(bad).is_err(),
            "accepted: {bad}"
        );
    }
    // Unknown extra members are ignored, as with the derived decoder, so the server may add
    // optional fields without breaking older widgets.
    let extra = r#"{"type":"request_removed","conversation_id":3,"future":1}"#;
    assert_eq!(
        serde_json::from_str::<ServerMsg>(extra).unwrap(),
        ServerMsg::RequestRemoved {
            conversation_id: ConversationId(3),
            accepted_by: None,
            abandoned: false,
        }
    );
}

#[test]
fn each_widget_decoder_reads_its_frames_and_refuses_the_others() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let not_for_anonymous = [
        "server_queue",
        "server_request_added",
        "server_request_removed",
        "server_accepted",
        "server_ticket_linked",
        "server_ticket_unlinked",
        "server_note",
        "server_notes",
        "server_team",
        "server_agent_status",
        "server_request_abandoned",
        "server_invitation",
        "server_invitation_closed",
        "server_team_chats",
        "server_team_chat",
    ];
    let for_contacts = ["server_ticket_linked", "server_ticket_unlinked"];
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        if !name.starts_with("server_") {
            continue;
        }
        seen += 1;
        let json = std::fs::read_to_string(&path).unwrap();
        let full: ServerMsg = serde_json::from_str(&json).unwrap();
        let visitor =
            ServerMsg::deserialize_for_visitor(&mut serde_json::Deserializer::from_str(&json));
        let contact =
            ServerMsg::deserialize_for_contact(&mut serde_json::Deserializer::from_str(&json));
        if not_for_anonymous.contains(&name.as_str()) {
            assert!(
                visitor.is_err(),
                "{name}: the anonymous visitor decoder must refuse it"
            );
        } else {
            assert_eq!(visitor.unwrap(), full, "{name}: both decoders must agree");
        }
        // A verified contact's widget reads the ticket frames too, and no agents-only frame.
        if for_contacts.contains(&name.as_str()) || !not_for_anonymous.contains(&name.as_str()) {
            assert_eq!(
                contact.unwrap(),
                full,
                "{name}: the contact decoder must read it"
            );
        } else {
            assert!(
                contact.is_err(),
                "{name}: the contact decoder must refuse it"
            );
        }
    }
    assert_eq!(seen, 27, "every server golden was checked");
}

#[test]
fn presence_bodies() {
    use protocol::presence::{OnlineContact, OnlineContacts, PresenceReport, PushChatRequest};
    check("rest_presence_report", &PresenceReport { away: true });
    check(
        "rest_push_chat",
        &PushChatRequest {
            contact_id: "c-42".into(),
            ticket: Some("T-1001".into()),
        },
    );
    check(
        "rest_push_chat_no_ticket",
        &PushChatRequest {
            contact_id: "c-42".into(),
            ticket: None,
        },
    );
    check(
        "rest_online_contacts",
        &OnlineContacts {
            contacts: vec![OnlineContact {
                visitor_id: VisitorId(7),
                contact: protocol::helpdesk::Contact {
                    id: "c-42".into(),
                    company: "acme".into(),
                    name: "Carla Díaz".into(),
                    email: "carla@acme.test".into(),
                    chat_enabled: None,
                },
                company_name: "Acme Cafés".into(),
                presence: Presence::Away,
                open_tickets: vec![protocol::helpdesk::Ticket {
                    number: "T-1001".into(),
                    subject: "Grinder".into(),
                    status: protocol::helpdesk::TicketStatus::Open,
                    contact: "c-42".into(),
                    created_at: 1_763_900_000_000,
                    updated_at: 1_763_900_000_000,
                }],
            }],
        },
    );
    check(
        "rest_visitor_card",
        &protocol::helpdesk::VisitorCard {
            name: "Marta".into(),
            contact: None,
            company_name: None,
            open_tickets: vec![],
            presence: Presence::Online,
        },
    );
    // A card from before presence existed reads as offline.
    let old: protocol::helpdesk::VisitorCard = serde_json::from_str(
        r#"{"name":"Marta","contact":null,"company_name":null,"open_tickets":[]}"#,
    )
    .unwrap();
    assert_eq!(old.presence, Presence::Offline);
}

#[test]
fn workspace_bodies() {
    use protocol::workspace::{
        AbandonedChat, AbandonedList, InviteRequest, Invitee, Section, SectionInput, SectionList,
    };
    check(
        "rest_section_input",
        &SectionInput {
            name: "Billing".into(),
            anonymous_chat: false,
            contact_chat: true,
            members: vec![AgentId(7), AgentId(8)],
        },
    );
    check(
        "rest_sections",
        &SectionList {
            sections: vec![Section {
                id: 2,
                name: "Billing".into(),
                anonymous_chat: false,
                contact_chat: true,
                members: vec![AgentId(7)],
            }],
        },
    );
    check(
        "rest_invite_agent",
        &InviteRequest {
            invitee: Invitee::Agent(AgentId(8)),
            transfer: false,
        },
    );
    check(
        "rest_invite_section",
        &InviteRequest {
            invitee: Invitee::Section(2),
            transfer: true,
        },
    );
    check(
        "rest_new_team_chat",
        &protocol::workspace::NewTeamChat {
            members: vec![AgentId(2), AgentId(3)],
            title: Some("Night shift".into()),
        },
    );
    check(
        "rest_rename_team_chat",
        &protocol::workspace::RenameTeamChat {
            title: "Weekend".into(),
        },
    );
    check(
        "rest_add_team_members",
        &protocol::workspace::AddTeamMembers {
            members: vec![AgentId(4)],
        },
    );
    check(
        "rest_offer",
        &protocol::workspace::OfferRequest {
            client_id: "o-1".into(),
            body: "Which device is it about?".into(),
            options: vec!["Laptop".into(), "Phone".into()],
        },
    );
    check(
        "rest_contact_session_response",
        &protocol::helpdesk::ContactSessionResponse {
            token: "v_9f3".into(),
            me: Participant::new(Principal::Visitor(VisitorId(12)), "Carla Díaz"),
            contact: protocol::helpdesk::Contact {
                id: "c-100".into(),
                company: "acme".into(),
                name: "Carla Díaz".into(),
                email: "carla@acme.example".into(),
                chat_enabled: None,
            },
            company_name: "Acme".into(),
            adopted: Some(ConversationId(4)),
        },
    );
    check(
        "rest_ticket_list",
        &protocol::helpdesk::TicketList {
            tickets: vec![
                protocol::helpdesk::Ticket {
                    number: "T-1001".into(),
                    subject: "Grinder \"Pro\" jams".into(),
                    status: protocol::helpdesk::TicketStatus::Open,
                    contact: "c-100".into(),
                    created_at: 1_763_900_000_000,
                    updated_at: 1_763_900_600_000,
                },
                protocol::helpdesk::Ticket {
                    number: "T-998".into(),
                    subject: "Invoice".into(),
                    status: protocol::helpdesk::TicketStatus::Resolved,
                    contact: "c-100".into(),
                    created_at: 1_763_000_000_000,
                    updated_at: 1_763_100_000_000,
                },
            ],
        },
    );
    check(
        "rest_agent_profile",
        &protocol::agents::AgentProfile {
            id: AgentId(2),
            name: "Grace".into(),
            is_admin: false,
        },
    );
    check(
        "rest_answer",
        &protocol::workspace::AnswerRequest {
            client_id: "a-1".into(),
            seq: 7,
            choice: "Phone".into(),
        },
    );
    check(
        "rest_section_pick",
        &protocol::workspace::SectionPick { section: Some(2) },
    );
    check(
        "rest_abandoned",
        &AbandonedList {
            chats: vec![AbandonedChat {
                conversation_id: ConversationId(3),
                visitor: Participant::new(Principal::Visitor(VisitorId(5)), "Marta"),
                last_line: "Anyone there?".into(),
                messages: 2,
                created_at: 1_763_900_000_000,
                abandoned_at: 1_763_900_600_000,
            }],
        },
    );
}
