//! The identified-contact build (feature `contact`, bundle `dist/widget/contact/`): the loader
//! picks it when the page's script tag carries `data-identity`, the signed statement a portal's
//! backend makes about its logged-in contact. [`mount_contact`] mounts the same widget, decodes
//! every frame (contacts get `ticket_linked`), and signs the contact in with the statement:
//! the stored session is kept when it is already this contact's (a reload, another page),
//! otherwise the statement is exchanged at `POST /api/contact/session`, handing over the
//! anonymous visitor's open chat. A refused statement leaves the visitor anonymous and tells
//! the site's developer why in the browser console.
//!
//! Also the contact's own features: the ticket picker's choice ([`chat_about`] from a portal's
//! "Chat about this ticket"), pre-ticket chat (the first line of a new chat becomes a ticket),
//! "Past chats" (the loader mounts the on-demand history panel), and presence (the tab reports itself away after 5 minutes
//! without activity, so agents know whom they can start a chat with).

use gloo_storage::Storage;
use leptos::prelude::*;
use protocol::helpdesk::{ContactSessionRequest, CreateTicketRequest, LinkTicketRequest, Ticket};
use protocol::presence::PresenceReport;
use protocol::{ConversationId, ServerMsg};
use wasm_bindgen::prelude::*;

use crate::Ctl;
use crate::state::Session;
use livechat_client::{reader, rest, server_url};

/// What only the contact build keeps, beside the visitor's state.
#[derive(Clone, Copy)]
pub struct ContactState {
    /// Their open tickets, for the picker.
    pub tickets: RwSignal<Vec<Ticket>>,
    /// A ticket chosen before the chat existed: linked as soon as the first message opens it.
    pub wanted: RwSignal<Option<String>>,
    /// Pre-ticket chat applies to this contact (the loader asked the server).
    pub pre_ticket: RwSignal<bool>,
    /// The tab reported itself away.
    away: StoredValue<bool>,
    /// When the visitor last did something in this tab (ms).
    last_active: StoredValue<f64>,
}

impl ContactState {
    pub fn new() -> Self {
        ContactState {
            tickets: RwSignal::new(Vec::new()),
            wanted: RwSignal::new(None),
            pre_ticket: RwSignal::new(false),
            away: StoredValue::new(false),
            last_active: StoredValue::new(js_sys::Date::now()),
        }
    }
}

impl Default for ContactState {
    fn default() -> Self {
        Self::new()
    }
}

/// After this long without activity in the tab the contact shows as away to agents.
pub const AWAY_AFTER_MS: f64 = 5.0 * 60.0 * 1000.0;

/// Called by `loader.js` instead of `mount` when the page identifies a contact; `pre_ticket`
/// is what the server answered the loader for this contact.
#[wasm_bindgen]
pub fn mount_contact(
    root: web_sys::ShadowRoot,
    server_url: String,
    open: bool,
    identity: String,
    pre_ticket: bool,
) {
    crate::mount_with(root, server_url, open, decode_all, move |ctl| {
        ctl.contact.pre_ticket.set(pre_ticket);
        ctl.take_identity(identity);
        ctl.watch_activity();
    });
}

/// Called by `loader.js` for a portal's "Chat about this ticket": open the chat about ticket
/// `number`. An open chat is linked to it (everyone sees a system line); otherwise the next
/// chat starts with it.
#[wasm_bindgen]
pub fn chat_about(number: String) {
    let Some(ctl) = crate::mounted() else { return };
    ctl.set_open(true);
    let open_chat = ctl
        .state
        .with_untracked(|s| s.conversation.is_some() && !s.ended());
    if open_chat {
        leptos::task::spawn_local(ctl.pick_ticket(Some(number)));
    } else {
        if ctl.state.with_untracked(|s| s.ended()) {
            ctl.start_over();
        }
        ctl.contact.wanted.set(Some(number));
    }
}

/// Called by `loader.js` when it shows the help panel: the ticket the chat is linked to ("" for
/// none), so "Leave a message" adds to it instead of making another.
#[wasm_bindgen]
pub fn help_ticket() -> String {
    crate::mounted()
        .and_then(|ctl| {
            ctl.state
                .with_untracked(|s| s.ticket.as_ref().map(|t| t.number.clone()))
        })
        .unwrap_or_default()
}

/// Contacts may get every visitor frame and the ticket frame; agents-only frames are refused.
/// Read with the widget's small reader, as the anonymous build reads its frames.
fn decode_all(text: &str) -> Option<ServerMsg> {
    livechat_client::reader::decode_contact_frame(text)
}

/// The `sub` claim of a signed statement. Not verified here (the server does that): the
/// widget only uses it to tell whether the session it holds is this contact's.
pub fn subject(identity: &str) -> Option<String> {
    let payload = identity.split('.').nth(1)?;
    let b64: String = payload
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let padded = format!("{b64}{}", "=".repeat((4 - b64.len() % 4) % 4));
    let json = web_sys::window()?.atob(&padded).ok()?;
    reader::string_members(&json, ["sub"]).map(|[sub]| sub)
}

impl Ctl {
    fn contact_key(self) -> String {
        self.server
            .with_value(|s| server_url::storage_key(s, "contact"))
    }

    /// Before the widget connects: keep the stored session when it is this contact's,
    /// otherwise sign the contact in (and do not connect with someone else's session).
    fn take_identity(self, identity: String) {
        let held = gloo_storage::LocalStorage::raw()
            .get_item(&self.contact_key())
            .ok()
            .flatten()
            .and_then(|text| reader::json_string(&text));
        let session = self.state.with_untracked(|s| s.session.clone());
        if session.is_some() && held.is_some() && held == subject(&identity) {
            leptos::task::spawn_local(self.load_tickets());
            return;
        }
        // An anonymous visitor's token comes along so the contact keeps their open chat;
        // another contact's never does.
        let anonymous = session.filter(|_| held.is_none());
        self.state.update(|s| s.session = None);
        self.busy.set(true);
        leptos::task::spawn_local(self.identify(identity, anonymous));
    }

    async fn identify(self, identity: String, anonymous: Option<Session>) {
        let url = format!("{}/api/contact/session", self.server.get_value());
        let answer = rest::post_for_text_explained(
            &url,
            &ContactSessionRequest { identity },
            anonymous.as_ref().map(|s| s.token.as_str()),
        )
        .await
        .and_then(|(status, text)| {
            reader::read_contact_session(&text).ok_or((status, "an unreadable answer".into()))
        });
        self.busy.set(false);
        let session = match answer {
            Ok((token, me, contact)) => {
                let _ = gloo_storage::LocalStorage::set(self.contact_key(), &contact);
                let session = Session {
                    token,
                    name: me.name.clone(),
                };
                let _ = gloo_storage::LocalStorage::set(self.session_key(), &session);
                self.state.update(|s| s.me = Some(me));
                Some(session)
            }
            Err((status, reason)) => {
                web_sys::console::error_1(&JsValue::from_str(&format!(
                    "[livechat] the page's signed identity was refused (HTTP {status}: {reason}); \
                     continuing as an anonymous visitor"
                )));
                anonymous
            }
        };
        if let Some(session) = session {
            let token = session.token.clone();
            self.state.update(|s| s.session = Some(session));
            self.link.with(|l| l.connect(token));
            self.load_tickets().await;
        }
    }

    fn token(self) -> Option<String> {
        self.state
            .with_untracked(|s| s.session.as_ref().map(|s| s.token.clone()))
    }

    /// The contact's open tickets, for the picker (none for an anonymous visitor).
    pub async fn load_tickets(self) {
        let Some(token) = self.token() else { return };
        let url = format!("{}/api/contact/tickets", self.server.get_value());
        if let Some(tickets) = rest::get_text(&url, Some(&token))
            .await
            .ok()
            .and_then(|text| reader::read_tickets(&text))
        {
            let open = tickets.into_iter().filter(|t| t.status.is_open());
            self.contact.tickets.set(open.collect());
        }
    }

    /// "Past chats": the loader mounts the on-demand history panel over the chat.
    pub fn show_history(self) {
        let me = self
            .state
            .with_untracked(|s| match s.me.as_ref().map(|m| m.principal) {
                Some(protocol::Principal::Visitor(id)) => id.0,
                _ => 0,
            });
        let _ = crate::loader_hook(crate::HOOK_HISTORY, me as f64, 0.0);
    }

    /// Pre-ticket chat: the chat this tab just opened without a ticket gets a new one, named
    /// after its first line. The key makes a retry (or a second call) find the same ticket.
    pub async fn open_ticket_for(self, id: ConversationId, first_message: String) {
        let Some(token) = self.token() else { return };
        let url = format!(
            "{}/api/conversations/{}/tickets",
            self.server.get_value(),
            id.0
        );
        let body = CreateTicketRequest {
            subject: protocol::helpdesk::ticket_subject(Some(&first_message)),
            client_key: format!("pre-{}", id.0),
        };
        match rest::post_for_text(&url, &body, Some(&token)).await {
            Ok(_) => self.load_tickets().await,
            Err(_) => web_sys::console::error_1(&JsValue::from_str(
                "[livechat] no ticket could be opened for this chat",
            )),
        }
    }

    /// Presence: note the visitor's activity in this tab, and every 30 s tell the server when
    /// the tab went quiet for [`AWAY_AFTER_MS`] or hidden (away), or came back (online).
    fn watch_activity(self) {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let active = Closure::<dyn Fn()>::new(move || {
            self.contact.last_active.set_value(js_sys::Date::now());
            self.report_presence();
        });
        for event in ["pointerdown", "keydown", "scroll", "visibilitychange"] {
            let _ = doc.add_event_listener_with_callback(event, active.as_ref().unchecked_ref());
        }
        active.forget();
        gloo_timers::callback::Interval::new(30_000, move || self.report_presence()).forget();
    }

    fn report_presence(self) {
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden());
        let quiet = js_sys::Date::now() - self.contact.last_active.get_value() > AWAY_AFTER_MS;
        let away = hidden || quiet;
        if away == self.contact.away.get_value() {
            return;
        }
        let Some(token) = self.token() else { return };
        self.contact.away.set_value(away);
        let url = format!("{}/api/contact/presence", self.server.get_value());
        leptos::task::spawn_local(async move {
            let _ = rest::post_for_text(&url, &PresenceReport { away }, Some(&token)).await;
        });
    }

    /// Point the current chat at ticket `number` (`None`: none). Everyone in the chat sees it
    /// as a system line; the widget's own picker follows the `ticket_linked` that comes back.
    pub async fn pick_ticket(self, number: Option<String>) {
        let (Some(token), Some(id)) = (
            self.token(),
            self.state
                .with_untracked(|s| s.conversation.as_ref().map(|c| c.id)),
        ) else {
            return;
        };
        let url = format!(
            "{}/api/conversations/{}/ticket",
            self.server.get_value(),
            id.0
        );
        let body = LinkTicketRequest { ticket: number };
        if rest::put_json(&url, &body, &token).await.is_err() {
            web_sys::console::error_1(&JsValue::from_str(
                "[livechat] the chat could not be linked to that ticket",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    //! The contact build's decisions, on a handle with a recorder as its link (no server here:
    //! every sign-in is refused as "no answer").

    use std::rc::Rc;

    use gloo_storage::Storage;
    use livechat_client::server_url::storage_key;
    use livechat_client::testing::*;
    use wasm_bindgen_test::*;

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    /// A statement about `sub` as a portal makes one (the signature is not checked here).
    fn statement(sub: &str) -> String {
        let json = format!("{{\"sub\":\"{sub}\",\"name\":\"Carla Díaz\",\"exp\":1}}");
        // base64url of the UTF-8 bytes, as a JWT carries its payload
        let latin1: String = json.bytes().map(char::from).collect();
        let b64 = web_sys::window().unwrap().btoa(&latin1).unwrap();
        let url: String = b64
            .trim_end_matches('=')
            .chars()
            .map(|c| match c {
                '+' => '-',
                '/' => '_',
                c => c,
            })
            .collect();
        format!("eyJhbGciOiJIUzI1NiJ9.{url}.c2ln")
    }

    fn stored(server: &str, token: &str, contact: Option<&str>) {
        let session = Session {
            token: token.into(),
            name: "Carla".into(),
        };
        gloo_storage::LocalStorage::set(storage_key(server, "session"), &session).unwrap();
        if let Some(contact) = contact {
            gloo_storage::LocalStorage::set(storage_key(server, "contact"), contact).unwrap();
        }
    }

    /// Start the contact build's handle on `server` with `identity`; its recorder.
    fn started(server: &str, identity: &str) -> (Ctl, Rc<Recorder>) {
        // Mounting is what sets up Leptos' task executor; these tests need no view.
        leptos::mount::mount_to(container(), || ()).forget();
        let ctl = Ctl::new(server);
        ctl.take_identity(identity.to_owned());
        let link = Rc::new(Recorder::default());
        ctl.install(link.clone());
        (ctl, link)
    }

    async fn settled(ctl: Ctl) {
        for _ in 0..500 {
            if !ctl.busy.get_untracked() {
                return;
            }
            tick().await;
        }
        panic!("the sign-in never finished");
    }

    #[wasm_bindgen_test]
    fn the_subject_is_read_from_the_statement() {
        assert_eq!(subject(&statement("c-100")).as_deref(), Some("c-100"));
        assert_eq!(subject("not a statement"), None);
        assert_eq!(subject("a.%%%.c"), None);
    }

    #[wasm_bindgen_test]
    async fn the_same_contact_resumes_their_session_without_signing_in_again() {
        let server = fake_server();
        stored(&server, "v_carla", Some("c-100"));
        let (ctl, link) = started(&server, &statement("c-100"));
        assert!(!ctl.busy.get_untracked(), "no sign-in");
        assert_eq!(link.connected.borrow().as_deref(), Some("v_carla"));
    }

    #[wasm_bindgen_test]
    async fn another_contact_never_uses_the_stored_contacts_session() {
        let server = fake_server();
        stored(&server, "v_carla", Some("c-100"));
        let (ctl, link) = started(&server, &statement("c-200"));
        assert!(ctl.busy.get_untracked(), "signing in");
        assert_eq!(link.connected.borrow().as_deref(), None);
        settled(ctl).await;
        // refused (no server): nothing to fall back to, since Carla's session is a contact's
        assert_eq!(link.connected.borrow().as_deref(), None);
        assert!(ctl.state.with_untracked(|s| s.session.is_none()));
    }

    #[wasm_bindgen_test]
    async fn a_refused_statement_leaves_an_anonymous_visitor_as_they_were() {
        let server = fake_server();
        stored(&server, "v_anon", None);
        let (ctl, link) = started(&server, &statement("c-100"));
        assert_eq!(
            link.connected.borrow().as_deref(),
            None,
            "waits for the sign-in"
        );
        settled(ctl).await;
        assert_eq!(link.connected.borrow().as_deref(), Some("v_anon"));
    }

    #[wasm_bindgen_test]
    fn a_chat_an_agent_starts_opens_the_widget_but_the_contacts_own_does_not() {
        use crate::state::VisitorState;
        use protocol::ConversationStatus;

        let mut s = VisitorState::default();
        s.apply(ServerMsg::Welcome {
            protocol: protocol::PROTOCOL_VERSION,
            me: marta(),
            conversations: vec![conversation(3, ConversationStatus::Ended, "Marta")],
        });
        // her own request, then an agent answering it: stays minimised, as she left it
        s.apply(ServerMsg::Conversation {
            conversation: conversation(4, ConversationStatus::Waiting, "Marta"),
        });
        s.apply(ServerMsg::Conversation {
            conversation: conversation(4, ConversationStatus::Active, "Marta"),
        });
        assert!(!s.open);
        // an agent starts a new one with her (push chat): it opens, with the chime
        let fx = s.apply(ServerMsg::Conversation {
            conversation: conversation(5, ConversationStatus::Active, "Marta"),
        });
        assert!(s.open && fx.notify);
        assert_eq!(s.conversation.as_ref().map(|c| c.id.0), Some(5));
    }

    #[wasm_bindgen_test]
    fn only_the_tab_whose_message_opened_the_chat_may_make_its_ticket() {
        use crate::state::VisitorState;
        use protocol::ConversationStatus;

        let mut s = VisitorState::default();
        s.apply(ServerMsg::Welcome {
            protocol: protocol::PROTOCOL_VERSION,
            me: marta(),
            conversations: vec![],
        });
        s.apply(ServerMsg::Conversation {
            conversation: conversation(6, ConversationStatus::Waiting, "Marta"),
        });
        // another tab's first message arrives as a message, not an ack
        let mut s2 = s.clone();
        s2.apply(ServerMsg::Message {
            message: text(1, 6, 1, marta(), "The printer jams"),
        });
        assert_eq!(s2.opened_here, None);
        s.apply(ServerMsg::Ack {
            client_id: "c1".into(),
            message: text(1, 6, 1, marta(), "The printer jams"),
        });
        assert_eq!(
            s.opened_here,
            Some((protocol::ConversationId(6), "The printer jams".into()))
        );
        // a later message of the same chat opens nothing
        s.opened_here = None;
        s.apply(ServerMsg::Ack {
            client_id: "c2".into(),
            message: text(2, 6, 2, marta(), "on page two"),
        });
        assert_eq!(s.opened_here, None);
    }

    #[wasm_bindgen_test]
    fn the_chat_follows_the_ticket_it_is_linked_to() {
        use crate::state::VisitorState;
        use protocol::ConversationStatus;
        use protocol::helpdesk::TicketRef;

        let mut s = VisitorState::default();
        let linked = |conversation: i64, number: Option<&str>| ServerMsg::TicketLinked {
            conversation_id: protocol::ConversationId(conversation),
            ticket: number.map(|n| TicketRef {
                number: n.into(),
                subject: "Grinder".into(),
            }),
        };
        s.apply(ServerMsg::Welcome {
            protocol: protocol::PROTOCOL_VERSION,
            me: marta(),
            conversations: vec![conversation(3, ConversationStatus::Active, "Marta")],
        });
        s.apply(linked(3, Some("T-1001")));
        assert_eq!(s.ticket.as_ref().map(|t| t.number.as_str()), Some("T-1001"));
        s.apply(linked(9, Some("T-9")));
        assert_eq!(
            s.ticket.as_ref().map(|t| t.number.as_str()),
            Some("T-1001"),
            "another conversation's ticket changes nothing"
        );
        s.apply(linked(3, None));
        assert_eq!(s.ticket, None);
        s.apply(linked(3, Some("T-1001")));
        s.start_over();
        assert_eq!(s.ticket, None, "a new chat starts without a ticket");
    }
}
