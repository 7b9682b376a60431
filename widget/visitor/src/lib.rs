//! The visitor widget: what a shop's visitor sees inside the loader's shadow root. Its own
//! bundle (`dist/widget/pkg/widget.js` + `widget_bg.wasm`), held to the byte budget.
//!
//! [`mount`] is the wasm entry point the loader calls. [`Ctl`] is the shared handle in context:
//! the state signal plus the [`Link`] to the server, and the few actions that touch the outside
//! world (REST, storage, the loader's hooks). [`state`] holds the rules; `ui/` renders them.
//! What it shares with the console (transport, chat list, composer, message row) is
//! `livechat-client`.
//!
//! What only JavaScript does well or only some visitors need lives in `loader.js`, reached
//! through one hook ([`loader_hook`]): the new-message chime (Web Audio's bindings cost this
//! bundle ~1 KB) and the on-demand panels the loader fetches when needed: "when nobody
//! answers", picking a section before the first message, an agent's offered choices.

#[cfg(feature = "contact")]
pub mod contact;
pub mod state;
pub mod ui;

#[cfg(test)]
mod tests;

use std::rc::Rc;

use gloo_storage::Storage;
use leptos::prelude::*;
use protocol::{ClientMsg, InputError, ServerMsg, VisitorSessionRequest};
use wasm_bindgen::prelude::*;

use livechat_client::i18n::{tr, tr_with};
use livechat_client::transport::{ConnState, Link, LinkSlot, Transport};
use livechat_client::{client_id::client_id, clock::now_ms, i18n, reader, rest, server_url};
use state::{Session, VisitorState};

/// Called by `loader.js`: replaces the placeholder bubble in `root` with the widget.
/// `open` means the visitor already clicked the placeholder, so the window opens at once.
#[wasm_bindgen]
pub fn mount(root: web_sys::ShadowRoot, server_url: String, open: bool) {
    mount_with(root, server_url, open, decode, |_| {});
}

/// Mount the widget with `decode` for frames, then run `started` with its handle (the contact
/// build signs the contact in there). Always inlined: as a call it costs the anonymous bundle
/// ~70 B (measured); inlined, ~30 B.
#[inline(always)]
fn mount_with(
    root: web_sys::ShadowRoot,
    server_url: String,
    open: bool,
    decode: fn(&str) -> Option<ServerMsg>,
    started: impl FnOnce(Ctl) + 'static,
) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    while let Some(child) = root.first_child() {
        let _ = root.remove_child(&child);
    }
    // A constructed stylesheet rather than a `<style>` element: a page whose CSP `style-src`
    // lacks 'unsafe-inline' refuses the element, never this (it is not markup). It also
    // replaces the loader's placeholder sheet.
    let Ok(sheet) = web_sys::CssStyleSheet::new() else {
        return;
    };
    let _ = sheet.replace_sync(include_str!(concat!(env!("OUT_DIR"), "/widget.css")));
    root.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    let Ok(container) = doc.create_element("div") else {
        return;
    };
    container.set_class_name("lc-root");
    let _ = root.append_child(&container);

    let server = server_url::normalize_server(&server_url);
    let container: web_sys::HtmlElement = container.unchecked_into();
    leptos::mount::mount_to(container, move || {
        let ctl = Ctl::new(&server);
        let transport = Transport::new(
            &server,
            Some(server_url::storage_key(&server, "outbox")),
            ctl.conn.write_only(),
            decode,
            move |msg| ctl.receive(msg),
        );
        transport.tell_retries(ctl.retry_at.write_only());
        started(ctl);
        ctl.install(Rc::new(transport));
        if open {
            ctl.set_open(true);
        }
        MOUNTED.set(Some(ctl));
        // The page's `LiveChat.on('open'|'close'|'unread')` and the launcher the loader may
        // hide learn the window's state from here; the loader ignores repeats.
        Effect::new(move |_| {
            let (open, unread) = ctl.state.with(|s| (s.open, s.unread));
            let _ = loader_hook(HOOK_WINDOW, open as u8 as f64, unread as f64);
        });
        view! { <ui::App ctl=ctl /> }
    })
    .forget();
}

thread_local! {
    /// The mounted widget's handle, for [`unmount`] and the contact build's exports.
    static MOUNTED: std::cell::Cell<Option<Ctl>> = const { std::cell::Cell::new(None) };
}

/// Called by `loader.js` before another build takes this one's place (the page identified a
/// contact, or the portal signed out): close the socket and let go of the session, so nothing
/// of this widget acts again. The loader replaces its DOM. (Its reactive graph is not torn
/// down: keeping the view's unmount handle costs this bundle bytes it does not have, and what
/// is left holds no socket, timer or session.)
#[wasm_bindgen]
pub fn unmount() {
    if let Some(ctl) = MOUNTED.take() {
        ctl.link.with(|l| l.disconnect());
        ctl.state.update(|s| s.session = None);
    }
}

/// Called by `loader.js` (the site's `data-locale`, `LiveChat.setLocale`, else the browser's
/// language): speak `code`'s language (`de`, `fr-CA` as `fr`). English is built in; another
/// language's catalogue comes from the chat server (`/widget/locales/<language>.json`), so a
/// visitor downloads only theirs. A language it has no catalogue for leaves the words as they
/// are; the latest call wins.
#[wasm_bindgen]
pub fn set_locale(code: String) {
    let language = code
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    // Two or three letters: nothing else goes into the URL.
    if !(2..=3).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_lowercase()) {
        return;
    }
    let asked = LOCALE_ASKED.get().wrapping_add(1);
    LOCALE_ASKED.set(asked);
    if language == "en" {
        set_words(i18n::ENGLISH.into());
        return;
    }
    let Some(ctl) = MOUNTED.get() else { return };
    let url = format!("{}/widget/locales/{language}.json", ctl.server.get_value());
    leptos::task::spawn_local(async move {
        if let Ok(text) = rest::get_text(&url, None).await
            && LOCALE_ASKED.get() == asked
        {
            set_words(text);
        }
    });
}

/// Speak the language of `catalogue` (a locale file's text); text that is not one changes
/// nothing. The site's greeting, if it set one, stays.
#[wasm_bindgen]
pub fn set_words(catalogue: String) {
    if let Some(mut words) = i18n::Catalogue::parse(&catalogue) {
        if let Some(greeting) = GREETING.with_borrow(Clone::clone) {
            words.set("greeting", greeting);
        }
        i18n::use_words().set(words);
        WORDS_TEXT.set(catalogue);
    }
}

/// The current catalogue's text, for the loader to hand to the on-demand panels (their
/// `set_words`): they speak the widget's language without fetching it again.
#[wasm_bindgen]
pub fn words() -> String {
    WORDS_TEXT.with_borrow(|t| {
        if t.is_empty() {
            i18n::ENGLISH.into()
        } else {
            t.clone()
        }
    })
}

/// Called by `loader.js` with the site's own greeting: it replaces the name step's greeting in
/// every language.
#[wasm_bindgen]
pub fn set_greeting(text: String) {
    i18n::use_words().update(|c| c.set("greeting", text.clone()));
    GREETING.set(Some(text));
}

thread_local! {
    /// The site's own greeting (see [`set_greeting`]), kept across a change of language.
    static GREETING: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// The text of the catalogue in use ("": the built-in English), for [`words`].
    static WORDS_TEXT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    /// Bumped by every language asked for: a catalogue that arrives after a later request is
    /// dropped.
    static LOCALE_ASKED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Called by `loader.js` (`LiveChat.open()`/`close()`/`toggle()`): opens or minimises the
/// window without the page clicking anything of ours.
#[wasm_bindgen]
pub fn set_open(open: bool) {
    if let Some(ctl) = MOUNTED.get() {
        ctl.set_open(open);
    }
}

/// The mounted widget's handle (the contact build's exports act on it).
#[cfg(feature = "contact")]
pub(crate) fn mounted() -> Option<Ctl> {
    MOUNTED.get()
}

/// Reads only the frames a visitor can get, with the small hand-written reader (serde's
/// derived visitors for them cost this bundle far more); every other frame is refused.
fn decode(text: &str) -> Option<ServerMsg> {
    livechat_client::reader::decode_visitor_frame(text)
}

#[wasm_bindgen]
extern "C" {
    /// `loader.js`'s hook (`window.__livechatHook`): [`HOOK_CHIME`] says a message from
    /// someone else arrived (and whether to chime); [`HOOK_WINDOW`] reports the window's state;
    /// [`HOOK_HELP`] says the chat waits for an agent (`a`: the waiting request's id, 0
    /// before there is one, -1 for not waiting; `b`: when it started), for the "when nobody
    /// answers" panel or the sections to pick; [`HOOK_OFFER`] says the last line offers
    /// choices; [`HOOK_HISTORY`] shows a contact's past chats (`a`: their visitor id). Absent
    /// (a page without the loader, a component test): the call fails and nothing happens.
    #[wasm_bindgen(js_namespace = window, js_name = __livechatHook, catch)]
    pub(crate) fn loader_hook(kind: u32, a: f64, b: f64) -> Result<(), JsValue>;
}

/// [`loader_hook`]: a new message from someone else arrived (`a`: 1 to chime, as the window is
/// minimised; `b`: the unread count). The loader plays the chime (audio unlocked on the
/// visitor's first gesture, unless the page or the visitor turned sound off) and tells the
/// page (`LiveChat.on('message')`).
pub const HOOK_CHIME: u32 = 0;
/// [`loader_hook`]: the waiting request changed (or there is none to wait for).
pub const HOOK_HELP: u32 = 1;
/// [`loader_hook`]: show the contact's past chats.
pub const HOOK_HISTORY: u32 = 2;
/// [`loader_hook`]: the choices offered with the last line changed (`a`: the conversation,
/// -1 for none; `b`: the offering message's `seq`).
pub const HOOK_OFFER: u32 = 3;
/// [`loader_hook`]: the window opened or closed or the unread count changed (`a`: 1 when
/// open; `b`: unread messages).
pub const HOOK_WINDOW: u32 = 4;

/// The widget's shared handle: copied into every component through context.
#[derive(Clone, Copy)]
pub struct Ctl {
    pub state: RwSignal<VisitorState>,
    pub conn: RwSignal<ConnState>,
    /// Error of the name step, shown under the field.
    pub name_error: RwSignal<Option<String>>,
    /// A session request is in flight.
    pub busy: RwSignal<bool>,
    /// The larger window (desktop): kept here so a redraw (a change of language) keeps it.
    pub expanded: RwSignal<bool>,
    /// When the transport tries to reconnect next (ms since the epoch; 0: not waiting to).
    pub retry_at: RwSignal<protocol::Millis>,
    pub(crate) server: StoredValue<String>,
    pub(crate) link: LinkSlot,
    /// When "typing" was last sent.
    typed_at: StoredValue<f64>,
    /// Contacts: what only the contact build keeps (tickets, history, pre-ticket chat).
    #[cfg(feature = "contact")]
    pub contact: contact::ContactState,
}

impl Ctl {
    /// Reads the stored session (if any) for this server; nothing connects yet.
    pub fn new(server: &str) -> Self {
        // Read with the small reader, like everything this widget receives (see
        // `livechat_client::reader`).
        let session = gloo_storage::LocalStorage::raw()
            .get_item(&server_url::storage_key(server, "session"))
            .ok()
            .flatten()
            .and_then(|text| reader::string_members(&text, ["token", "name"]))
            .map(|[token, name]| Session { token, name });
        Ctl {
            state: RwSignal::new(VisitorState {
                session,
                ..VisitorState::default()
            }),
            conn: RwSignal::new(ConnState::Offline),
            name_error: RwSignal::new(None),
            busy: RwSignal::new(false),
            expanded: RwSignal::new(false),
            retry_at: RwSignal::new(0),
            server: StoredValue::new(server.to_string()),
            link: LinkSlot::new(),
            typed_at: StoredValue::new(0.0),
            #[cfg(feature = "contact")]
            contact: contact::ContactState::new(),
        }
    }

    /// Attaches the link and, with a stored session, connects and shows the queued sends.
    pub fn install(self, link: Rc<dyn Link>) {
        let queued = link.queued();
        self.link.install(link);
        if let Some(token) = self
            .state
            .with_untracked(|s| s.session.clone())
            .map(|s| s.token)
        {
            self.state.update(|s| {
                for q in queued {
                    s.chat.add_pending(q.client_id, q.body, None, now_ms());
                }
            });
            self.link.with(|l| l.connect(token));
        }
    }

    pub(crate) fn session_key(self) -> String {
        self.server
            .with_value(|s| server_url::storage_key(s, "session"))
    }

    /// Every frame from the server comes through here.
    pub fn receive(self, msg: ServerMsg) {
        let typing = matches!(msg, ServerMsg::Typing { .. });
        let fx = self.state.try_update(|s| s.apply(msg)).unwrap_or_default();
        if typing {
            // Shown for a few seconds unless a newer signal (or their message) came meanwhile.
            let n = self
                .state
                .with_untracked(|s| s.typing.as_ref().map(|t| t.1));
            gloo_timers::callback::Timeout::new(4_000, move || {
                self.state.update(|s| {
                    if s.typing.as_ref().map(|t| t.1) == n {
                        s.typing = None;
                    }
                })
            })
            .forget();
        }
        if fx.message {
            let unread = self.state.with_untracked(|s| s.unread);
            let _ = loader_hook(HOOK_CHIME, fx.notify as u8 as f64, unread as f64);
        }
        // Which on-demand panel the chat needs now, in one call (they never coincide: help
        // before an agent answers, choices after): the loader takes down the other one and
        // ignores a repeat of what it was told last.
        let (kind, a, b) = self
            .state
            .with_untracked(|s| match (s.help_request(), s.offer()) {
                (Some((id, at)), _) => (HOOK_HELP, id, at),
                (None, Some((id, seq))) => (HOOK_OFFER, id, seq),
                _ => (HOOK_HELP, -1, 0),
            });
        let _ = loader_hook(kind, a as f64, b as f64);
        if fx.lost_session {
            gloo_storage::LocalStorage::delete(self.session_key());
            self.link.with(|l| l.disconnect());
        }
    }

    /// The visitor is typing: tell the others, at most every 3 s (only in a conversation).
    pub fn typed(self) {
        let now = now_ms() as f64;
        if now - self.typed_at.get_value() < 3_000.0 {
            return;
        }
        if let Some(id) = self
            .state
            .with_untracked(|s| s.conversation.as_ref().map(|c| c.id))
        {
            self.typed_at.set_value(now);
            self.link.with(|l| {
                l.send(ClientMsg::Typing {
                    conversation_id: id,
                })
            });
        }
    }

    pub fn set_open(self, open: bool) {
        self.state.update(|s| s.set_open(open));
    }

    /// The name step: validate, ask the server for a visitor session, remember it, connect.
    pub async fn start_chat(self, name: String) {
        let name = match protocol::validate_name(&name) {
            Ok(n) => n.to_string(),
            Err(InputError::Empty) => {
                self.name_error.set(Some(tr("name_empty")));
                return;
            }
            Err(InputError::TooLong { max_chars }) => {
                self.name_error.set(Some(tr_with(
                    "name_too_long",
                    &[("n", &max_chars.to_string())],
                )));
                return;
            }
            // Control characters or nothing visible: one message keeps the bundle small.
            Err(_) => {
                self.name_error.set(Some(tr("name_invalid")));
                return;
            }
        };
        self.name_error.set(None);
        self.busy.set(true);
        let url = format!("{}/api/visitor/session", self.server.get_value());
        let res = rest::post_for_text(&url, &VisitorSessionRequest { name: name.clone() }, None)
            .await
            .and_then(|text| reader::read_session_response(&text).ok_or(rest::ApiError::Network));
        self.busy.set(false);
        match res {
            Ok(r) => {
                let session = Session {
                    token: r.token.clone(),
                    name,
                };
                let _ = gloo_storage::LocalStorage::set(self.session_key(), &session);
                self.state.update(|s| {
                    s.session = Some(session);
                    s.me = Some(r.me);
                });
                self.link.with(|l| l.connect(r.token));
            }
            Err(rest::ApiError::Server { status: 429 }) => {
                self.name_error.set(Some(tr("too_many_attempts")))
            }
            Err(_) => self.name_error.set(Some(tr("could_not_start"))),
        }
    }

    /// Validates and sends a message; it shows at once as pending.
    pub fn send(self, body: &str) -> Result<(), String> {
        let body = protocol::validate_body(body).map_err(livechat_client::composer::body_error)?;
        if self.link.queue_full() {
            return Err(livechat_client::composer::queue_full());
        }
        let client_id = client_id();
        self.state.update(|s| {
            let me = s.me.clone();
            s.chat
                .add_pending(client_id.clone(), body.to_string(), me, now_ms());
        });
        // No conversation id: "my open conversation, or a new request if I have none".
        self.link.with(|l| {
            l.send(ClientMsg::Send {
                client_id,
                conversation_id: None,
                body: body.to_string(),
            })
        });
        Ok(())
    }

    pub fn start_over(self) {
        self.state.update(VisitorState::start_over);
    }
}
