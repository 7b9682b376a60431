//! The agent console: sign in, go online, take (or reject) waiting chats, talk, end them; work
//! together (join, invite, transfer, leave, follow up abandoned requests); offer the visitor
//! choices to click; manage one's sessions and password. Its own bundle
//! (`dist/console/pkg/console.js` + `console_bg.wasm`), with no byte budget.
//!
//! The `start` function mounts it to `<body>`; its server is the page's own origin. [`Ctl`] is
//! the shared handle in context ([`store::Store`], [`Link`], and the actions that reach the
//! outside world); [`state`] holds the rules, [`store`] the fine-grained signals, `ui/` renders
//! them. What it shares with the visitor widget is `livechat-client`.

pub mod account;
pub mod alerts;
pub mod callbacks;
pub mod canned;
pub mod contact;
pub mod history;
pub mod offers;
pub mod prefs;
pub mod presence;
pub mod settings;
pub mod state;
pub mod store;
pub mod team_chats;
pub mod teamwork;
pub mod ui;

#[cfg(test)]
mod tests;

use std::rc::Rc;

use gloo_storage::Storage;
use leptos::prelude::*;
use protocol::{ClientMsg, ConversationId, LoginRequest, ServerMsg, SessionResponse};
use wasm_bindgen::prelude::*;

use livechat_client::transport::{ConnState, Link, LinkSlot, Transport};
use livechat_client::{client_id::client_id, clock::now_ms, rest, server_url};
use protocol::presence::AgentStatus;
use state::{AgentSession, Desk, Panes};
use store::Store;

#[wasm_bindgen(start)]
pub fn start() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(doc) = window.document() else {
        return;
    };
    let Ok(server) = window.location().origin() else {
        return;
    };
    if let (Ok(style), Some(head)) = (doc.create_element("style"), doc.head()) {
        style.set_text_content(Some(include_str!(concat!(env!("OUT_DIR"), "/console.css"))));
        let _ = head.append_child(&style);
    }
    let Some(body) = doc.body() else {
        return;
    };
    leptos::mount::mount_to(body, move || {
        let ctl = Ctl::new(&server);
        let transport = Transport::new(&server, None, ctl.conn.write_only(), decode, move |msg| {
            ctl.receive(msg)
        });
        ctl.install(Rc::new(transport));
        ctl.watch_activity();
        alerts::confirm_leaving(move || ctl.store.has_open_chats());
        view! { <ui::App ctl=ctl /> }
    })
    .forget();
}

/// Agents get every kind of frame.
fn decode(text: &str) -> Option<ServerMsg> {
    serde_json::from_str(text).ok()
}

/// The console's shared handle: copied into every component through context.
#[derive(Clone, Copy)]
pub struct Ctl {
    pub store: Store,
    pub conn: RwSignal<ConnState>,
    /// When "typing" was last sent.
    typed_at: StoredValue<f64>,
    pub login_error: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
    /// The account panel: sessions and password.
    pub account: account::Account,
    /// Visitors' cards (verified contacts, their open tickets).
    pub cards: contact::Cards,
    /// The admin's Settings screen.
    pub settings: settings::Settings,
    /// Open callback requests, oldest first.
    pub callbacks: RwSignal<Vec<protocol::helpdesk::Callback>>,
    /// Contacts on the site now, and starting chats with them.
    pub online: RwSignal<presence::OnlineList>,
    /// Canned replies for the reply box.
    pub canned: canned::Canned,
    /// The History panel (past chats).
    pub history: history::History,
    /// This browser's view and sound choices.
    pub prefs: prefs::Prefs,
    /// The new-message tone.
    pub chime: alerts::Chime,
    /// Abandoned requests and the sections to invite.
    pub teamwork: teamwork::Teamwork,
    server: StoredValue<String>,
    link: LinkSlot,
}

impl Ctl {
    pub fn new(server: &str) -> Self {
        let session: Option<AgentSession> =
            gloo_storage::LocalStorage::get(server_url::storage_key(server, "agent")).ok();
        Ctl {
            store: Store::new(Desk {
                session,
                ..Desk::default()
            }),
            conn: RwSignal::new(ConnState::Offline),
            typed_at: StoredValue::new(0.0),
            login_error: RwSignal::new(None),
            busy: RwSignal::new(false),
            account: account::Account::new(),
            cards: contact::Cards::new(),
            callbacks: RwSignal::new(Vec::new()),
            online: RwSignal::new(presence::OnlineList::default()),
            canned: canned::Canned::new(),
            history: history::History::new(),
            settings: settings::Settings::new(),
            prefs: prefs::Prefs::load(server),
            chime: alerts::Chime::default(),
            teamwork: teamwork::Teamwork::new(),
            server: StoredValue::new(server_url::normalize_server(server)),
            link: LinkSlot::new(),
        }
    }

    /// Attaches the link and, with a stored session, connects.
    pub fn install(self, link: Rc<dyn Link>) {
        self.link.install(link);
        if let Some(s) = self.store.desk.with_untracked(|d| d.session.clone()) {
            self.link.with(|l| l.connect(s.token));
        }
    }

    fn url(self, path: &str) -> String {
        format!("{}{path}", self.server.get_value())
    }

    fn session_key(self) -> String {
        self.server
            .with_value(|s| server_url::storage_key(s, "agent"))
    }

    /// Every frame from the server comes through here.
    pub fn receive(self, msg: ServerMsg) {
        let welcome = matches!(msg, ServerMsg::Welcome { .. });
        // The Abandoned list changes without a frame of its own: a request just abandoned,
        // or one I followed up (gone from the list at once, then fetched again).
        let abandoned_changed = match &msg {
            ServerMsg::RequestRemoved { abandoned, .. } => *abandoned,
            ServerMsg::Accepted { conversation } => {
                let id = conversation.id;
                let listed = self
                    .teamwork
                    .abandoned
                    .with_untracked(|l| l.iter().any(|a| a.conversation_id == id));
                if listed {
                    self.teamwork
                        .abandoned
                        .update(|l| l.retain(|a| a.conversation_id != id));
                }
                listed
            }
            _ => false,
        };
        if abandoned_changed || welcome {
            leptos::task::spawn_local(self.load_abandoned());
        }
        // "Typing" shows for a few seconds unless a newer signal or the message comes.
        if let ServerMsg::Typing {
            conversation_id, ..
        } = &msg
        {
            let id = *conversation_id;
            gloo_timers::callback::Timeout::new(4_000, move || {
                let mut panes = self.store.panes;
                let n = panes
                    .get(id)
                    .and_then(|p| p.with_untracked(|p| p.typing.as_ref().map(|t| t.1)));
                panes.edit(id, |p| {
                    let stale = p.typing.as_ref().map(|t| t.1) == n;
                    if stale {
                        p.typing = None;
                    }
                    stale
                });
            })
            .forget();
        }
        // A new request while the console is in a background tab: sound and notification.
        if let ServerMsg::RequestAdded { request } = &msg
            && alerts::page_hidden()
        {
            alerts::new_request(&request.visitor.name, &request.preview);
        }
        let applied = self.store.apply(msg);
        // News in a chat the agent is not looking at.
        if applied.unread {
            self.chime.ring();
        }
        if applied.lost_session {
            gloo_storage::LocalStorage::delete(self.session_key());
            self.link.with(|l| l.disconnect());
            self.account.open.set(false);
            self.login_error
                .set(Some("Your session has ended. Please sign in again.".into()));
        }
        if welcome {
            // Presence is not remembered by the server across sockets: re-state it.
            let status = self.store.desk.with_untracked(|d| d.status);
            self.link.with(|l| l.send(ClientMsg::SetStatus { status }));
            // Is this agent an admin (the Settings screen)? Asked once per sign-in.
            if !self.settings.admin.get_untracked() {
                leptos::task::spawn_local(self.load_settings());
            }
            // Canned replies: once per sign-in (and again when opened empty).
            if self.canned.replies.with_untracked(Vec::is_empty) {
                leptos::task::spawn_local(self.load_canned());
            }
        }
    }

    pub async fn login(self, email: String, password: String) {
        if email.trim().is_empty() || password.is_empty() {
            self.login_error
                .set(Some("Enter your email and password.".into()));
            return;
        }
        self.busy.set(true);
        self.login_error.set(None);
        let body = LoginRequest {
            email: email.trim().to_string(),
            password,
        };
        let res: Result<SessionResponse, _> =
            rest::post_json(&self.url("/api/agent/login"), &body, None).await;
        self.busy.set(false);
        match res {
            Ok(r) => {
                let session = AgentSession {
                    token: r.token.clone(),
                    name: r.me.name.clone(),
                };
                let _ = gloo_storage::LocalStorage::set(self.session_key(), &session);
                self.store.reset(Desk {
                    session: Some(session),
                    me: Some(r.me),
                    ..Desk::default()
                });
                self.link.with(|l| l.connect(r.token));
            }
            Err(rest::ApiError::Server { status: 401 }) => {
                self.login_error.set(Some("Wrong email or password".into()))
            }
            Err(rest::ApiError::Server { status: 429 }) => self.login_error.set(Some(
                "Too many sign-in attempts. Please slow down and try again in a minute.".into(),
            )),
            Err(_) => self
                .login_error
                .set(Some("Could not reach the server. Please try again.".into())),
        }
    }

    pub fn logout(self) {
        let token = self
            .store
            .desk
            .with_untracked(|d| d.session.as_ref().map(|s| s.token.clone()));
        self.link.with(|l| l.disconnect());
        gloo_storage::LocalStorage::delete(self.session_key());
        self.store.reset(Desk::default());
        self.account.open.set(false);
        self.settings.open.set(false);
        self.settings.admin.set(false);
        // The next agent on this browser may not be an admin.
        self.settings.overrides.set(None);
        self.settings.agents.set(None);
        self.settings.sections.set(None);
        self.online.set(presence::OnlineList::default());
        self.canned.replies.set(Vec::new());
        self.history.open.set(false);
        self.history.hits.set(None);
        self.history.chat.set(None);
        self.teamwork.abandoned.set(Vec::new());
        self.teamwork.sections.set(Vec::new());
        if let Some(token) = token {
            let url = self.url("/api/agent/logout");
            leptos::task::spawn_local(async move { rest::post_empty(&url, &token).await });
        }
    }

    pub fn set_online(self, online: bool) {
        self.store.desk.update(|d| d.set_online(online));
        self.link.with(|l| l.send(ClientMsg::SetOnline { online }));
        self.back_online(online);
    }

    /// Going online: what was abandoned meanwhile is worth a look.
    fn back_online(self, online: bool) {
        if online {
            leptos::task::spawn_local(self.load_abandoned());
        }
    }

    /// Toggle `panel`, one of the main area's panels (Settings, Account, History), closing the
    /// others: one is shown at a time. Whether it is now open.
    pub(crate) fn toggle_panel(self, panel: RwSignal<bool>) -> bool {
        let open = !panel.get_untracked();
        for other in [self.settings.open, self.account.open, self.history.open] {
            if other != panel && other.get_untracked() {
                other.set(false);
            }
        }
        panel.set(open);
        open
    }

    /// I choose what colleagues see (and whether I am offered requests: online only).
    pub fn set_status(self, status: AgentStatus) {
        self.store.desk.update(|d| d.set_status(status));
        self.link.with(|l| l.send(ClientMsg::SetStatus { status }));
        self.back_online(status == AgentStatus::Online);
    }

    /// Away after a while without activity, back on the next: every input in the page counts
    /// as activity; a check every 15 s compares the quiet time with the team's setting.
    fn watch_activity(self) {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let last = std::rc::Rc::new(std::cell::Cell::new(js_sys::Date::now()));
        let seen = last.clone();
        let active = Closure::<dyn Fn()>::new(move || {
            seen.set(js_sys::Date::now());
            // A gesture: the moment browsers allow sound and the notification question.
            alerts::prepare();
            if self
                .store
                .desk
                .try_update(|d| d.comes_back())
                .unwrap_or(false)
            {
                self.link.with(|l| {
                    l.send(ClientMsg::SetStatus {
                        status: AgentStatus::Online,
                    })
                });
            }
        });
        for event in ["pointerdown", "keydown", "wheel"] {
            let _ = doc.add_event_listener_with_callback(event, active.as_ref().unchecked_ref());
        }
        active.forget();
        gloo_timers::callback::Interval::new(15_000, move || {
            let idle = js_sys::Date::now() - last.get();
            if self
                .store
                .desk
                .try_update(|d| d.goes_away(idle))
                .unwrap_or(false)
            {
                self.link.with(|l| {
                    l.send(ClientMsg::SetStatus {
                        status: AgentStatus::Away,
                    })
                });
            }
        })
        .forget();
    }

    pub fn accept(self, conversation_id: ConversationId) {
        self.store.desk.update(|d| d.start_accept(conversation_id));
        self.link
            .with(|l| l.send(ClientMsg::Accept { conversation_id }));
    }

    pub fn end(self, conversation_id: ConversationId) {
        self.link
            .with(|l| l.send(ClientMsg::End { conversation_id }));
    }

    pub fn select(self, conversation_id: ConversationId) {
        self.store
            .with_both(|desk, panes| state::select(desk, panes, conversation_id));
    }

    /// No conversation open (the compact view's window closed): new messages count as unread.
    pub fn close_chat(self) {
        self.store.desk.update(|d| d.selected = None);
    }

    pub fn send(self, conversation_id: ConversationId, body: &str) -> Result<(), String> {
        let body = protocol::validate_body(body).map_err(livechat_client::composer::body_error)?;
        if self.link.queue_full() {
            return Err(livechat_client::composer::queue_full());
        }
        let client_id = client_id();
        let me = self.store.desk.with_untracked(|d| d.me.clone());
        let mut panes = self.store.panes;
        panes.edit(conversation_id, |p| {
            p.chat
                .add_pending(client_id.clone(), body.to_string(), me, now_ms());
            true
        });
        self.link.with(|l| {
            l.send(ClientMsg::Send {
                client_id,
                conversation_id: Some(conversation_id),
                body: body.to_string(),
            })
        });
        Ok(())
    }

    /// I am typing a reply in `conversation_id`: tell its members, at most every 3 s (never
    /// for a private note).
    pub fn typed(self, conversation_id: ConversationId) {
        let now = js_sys::Date::now();
        if now - self.typed_at.get_value() < 3_000.0 {
            return;
        }
        self.typed_at.set_value(now);
        self.link
            .with(|l| l.send(ClientMsg::Typing { conversation_id }));
    }

    /// Validates and sends a private note (only agents see it); it shows at once as pending.
    /// Not kept in the outbox like a reply: offline, it is refused here rather than queued.
    pub fn send_note(self, conversation_id: ConversationId, body: &str) -> Result<(), String> {
        let body = protocol::validate_body(body).map_err(livechat_client::composer::body_error)?;
        if self.conn.get_untracked() != ConnState::Online {
            return Err("You're offline: the note was not sent.".into());
        }
        let client_id = client_id();
        let mut panes = self.store.panes;
        panes.edit(conversation_id, |p| {
            p.add_pending_note(client_id.clone(), body.to_string());
            true
        });
        self.link.with(|l| {
            l.send(ClientMsg::Note {
                client_id,
                conversation_id,
                body: body.to_string(),
            })
        });
        Ok(())
    }
}
