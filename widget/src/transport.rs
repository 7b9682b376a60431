//! The only code in the browser that touches the WebSocket.
//!
//! It owns the connection's life: open `<server>/ws`, say `hello` with the token and the last
//! `seq` seen per conversation, reconnect with capped exponential backoff and jitter after a
//! close or error (at once when the browser reports it is back `online`), and an outbox of
//! sends not yet acknowledged, re-sent in order after every (re)connect. Re-sending is safe
//! because the server de-duplicates by `client_id`. The visitor's outbox survives reloads in
//! `localStorage`.
//!
//! It does not own chat state: every decoded [`ServerMsg`] goes to the app's callback, and the
//! connection state goes to a signal. The UI talks to it through the small [`Link`] trait so
//! component tests can put a recorder in its place.
//!
//! The bookkeeping ([`Cursors`], [`Outbox`], [`Backoff`]) is plain data, tested on its own.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_storage::Storage;
use gloo_timers::callback::Timeout;
use leptos::prelude::{LocalStorage, Set, SetValue, StoredValue, WithValue, WriteSignal};
use protocol::{ClientMsg, ConversationId, Cursor, ErrorCode, PROTOCOL_VERSION, Seq, ServerMsg};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{MessageEvent, WebSocket};

/// The console reads every frame; the visitor widget uses the decoder that refuses the
/// agents-only ones, which keeps their decoding out of the visitor bundle.
#[cfg(feature = "console")]
fn decode(text: &str) -> serde_json::Result<ServerMsg> {
    serde_json::from_str(text)
}

#[cfg(not(feature = "console"))]
fn decode(text: &str) -> serde_json::Result<ServerMsg> {
    let mut de = serde_json::Deserializer::from_str(text);
    let msg = ServerMsg::deserialize_for_visitor(&mut de)?;
    de.end()?;
    Ok(msg)
}

/// What the UI may ask of the connection. The real app uses [`Transport`]; tests record calls.
pub trait Link {
    /// Start (or restart) talking to the server with this credential.
    fn connect(&self, token: String);
    /// Stop for good (sign out, lost credential): close, forget the token and the outbox.
    fn disconnect(&self);
    /// Send a frame. `send` frames are queued until acknowledged; others go out only while
    /// connected (the apps re-state what matters, like `set_online`, after each `welcome`).
    fn send(&self, msg: ClientMsg);
    /// Sends still waiting for an ack (e.g. restored after a reload), oldest first.
    fn queued(&self) -> Vec<Queued>;
}

/// Where an app's shared handle keeps its [`Link`]: empty until the app installs one (the real
/// transport, or a recorder in tests). `Copy`, so it lives in the handle that goes into context.
#[derive(Clone, Copy)]
pub struct LinkSlot(StoredValue<Option<Rc<dyn Link>>, LocalStorage>);

impl LinkSlot {
    pub fn new() -> Self {
        LinkSlot(StoredValue::new_local(None))
    }

    pub fn install(self, link: Rc<dyn Link>) {
        self.0.set_value(Some(link));
    }

    /// Runs `f` with the link; does nothing before one is installed.
    pub fn with(self, f: impl FnOnce(&dyn Link)) {
        self.0.with_value(|l| {
            if let Some(l) = l {
                f(l.as_ref());
            }
        });
    }
}

impl Default for LinkSlot {
    fn default() -> Self {
        Self::new()
    }
}

/// Shown to users; `Connecting` also covers "waiting for `welcome`".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConnState {
    Connecting,
    Online,
    #[default]
    Offline,
}

protocol::wire_objects! {
    /// One unacknowledged `send`, as persisted.
    pub struct Queued {
        pub client_id: String,
        #[serde(default)]
        pub conversation_id: Option<ConversationId>,
        pub body: String,
    }
}

impl Queued {
    fn to_msg(&self) -> ClientMsg {
        ClientMsg::Send {
            client_id: self.client_id.clone(),
            conversation_id: self.conversation_id,
            body: self.body.clone(),
        }
    }
}

/// Sends awaiting their ack, in the order the user wrote them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outbox {
    items: Vec<Queued>,
}

impl Outbox {
    pub fn new(items: Vec<Queued>) -> Self {
        Outbox { items }
    }

    /// Queues a send; a `client_id` already queued is not queued twice.
    pub fn push(&mut self, q: Queued) {
        if !self.items.iter().any(|i| i.client_id == q.client_id) {
            self.items.push(q);
        }
    }

    /// Drops the entry (acked or refused). Returns whether it was there.
    pub fn remove(&mut self, client_id: &str) -> bool {
        let before = self.items.len();
        self.items.retain(|i| i.client_id != client_id);
        self.items.len() != before
    }

    pub fn items(&self) -> &[Queued] {
        &self.items
    }
}

/// The highest `seq` held per conversation, for `hello` and gap detection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursors {
    known: Vec<Cursor>,
}

impl Cursors {
    /// Records that `seq` of `conversation_id` arrived. Returns `Some(after_seq)` when a live
    /// message skipped ahead (a gap to repair with `sync`); `None` otherwise.
    pub fn observe(&mut self, conversation_id: ConversationId, seq: Seq) -> Option<Seq> {
        match self
            .known
            .iter_mut()
            .find(|c| c.conversation_id == conversation_id)
        {
            Some(c) => {
                let gap = (seq > c.last_seq + 1).then_some(c.last_seq);
                c.last_seq = c.last_seq.max(seq);
                gap
            }
            None => {
                self.known.push(Cursor {
                    conversation_id,
                    last_seq: seq,
                });
                None
            }
        }
    }

    pub fn list(&self) -> Vec<Cursor> {
        self.known.clone()
    }
}

/// Reconnect delays: 0.5 s doubling to a 30 s cap, each randomised down to half ("equal
/// jitter") so a server restart is not met by every client in the same millisecond.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backoff {
    attempt: u32,
}

impl Backoff {
    pub const BASE_MS: u32 = 500;
    pub const CAP_MS: u32 = 30_000;

    /// The delay for the next attempt; `rand` is in `[0, 1)`.
    pub fn next_delay(&mut self, rand: f64) -> u32 {
        let ceiling = Self::CAP_MS.min(Self::BASE_MS.saturating_mul(1 << self.attempt.min(16)));
        self.attempt = self.attempt.saturating_add(1);
        let half = ceiling / 2;
        half + (f64::from(half) * rand.clamp(0.0, 1.0)) as u32
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// The real [`Link`]: a clonable handle to one reconnecting socket.
#[derive(Clone)]
pub struct Transport(Rc<Inner>);

struct Inner {
    url: String,
    /// Where the outbox is persisted; `None` keeps it in memory only (the console).
    outbox_key: Option<String>,
    status: WriteSignal<ConnState>,
    on_msg: Box<dyn Fn(ServerMsg)>,
    st: RefCell<State>,
}

#[derive(Default)]
struct State {
    token: Option<String>,
    live: Option<Live>,
    /// `welcome` received on the current socket: only then are queued sends flushed.
    ready: bool,
    /// Bumped for every socket, so late events of an old socket are ignored.
    generation: u32,
    cursors: Cursors,
    outbox: Outbox,
    backoff: Backoff,
    retry: Option<Timeout>,
}

struct Live {
    ws: WebSocket,
    /// Kept alive as long as the socket may call them.
    _handlers: Vec<Closure<dyn FnMut(wasm_bindgen::JsValue)>>,
}

impl Live {
    fn close(self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
    }
}

impl Transport {
    /// `server` is the chat server's http(s) origin. Nothing connects until [`Link::connect`].
    pub fn new(
        server: &str,
        outbox_key: Option<String>,
        status: WriteSignal<ConnState>,
        on_msg: impl Fn(ServerMsg) + 'static,
    ) -> Self {
        let saved: Vec<Queued> = outbox_key
            .as_deref()
            .and_then(|k| gloo_storage::LocalStorage::get(k).ok())
            .unwrap_or_default();
        let inner = Rc::new(Inner {
            url: crate::util::ws_url(server),
            outbox_key,
            status,
            on_msg: Box::new(on_msg),
            st: RefCell::new(State {
                outbox: Outbox::new(saved),
                ..State::default()
            }),
        });
        watch_network(Rc::downgrade(&inner));
        Transport(inner)
    }
}

/// The browser knows before the socket does: reconnect at once when `online`, and drop a socket
/// that would otherwise hang for a long time when `offline`. Listeners live as long as the page.
fn watch_network(weak: Weak<Inner>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let w = weak.clone();
    let online = Closure::<dyn FnMut()>::new(move || {
        if let Some(inner) = w.upgrade() {
            inner.reconnect_now();
        }
    });
    let offline = Closure::<dyn FnMut()>::new(move || {
        if let Some(inner) = weak.upgrade() {
            inner.drop_socket();
        }
    });
    let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
    online.forget();
    offline.forget();
}

impl Link for Transport {
    fn connect(&self, token: String) {
        {
            let mut st = self.0.st.borrow_mut();
            st.token = Some(token);
            st.backoff.reset();
        }
        Inner::open(&self.0);
    }

    fn disconnect(&self) {
        let live = {
            let mut st = self.0.st.borrow_mut();
            st.token = None;
            st.ready = false;
            st.generation += 1;
            st.retry = None;
            st.outbox = Outbox::default();
            st.cursors = Cursors::default();
            st.live.take()
        };
        if let Some(live) = live {
            live.close();
        }
        self.0.persist();
        self.0.status.set(ConnState::Offline);
    }

    fn send(&self, msg: ClientMsg) {
        let ready = {
            let mut st = self.0.st.borrow_mut();
            if let ClientMsg::Send {
                client_id,
                conversation_id,
                body,
            } = &msg
            {
                st.outbox.push(Queued {
                    client_id: client_id.clone(),
                    conversation_id: *conversation_id,
                    body: body.clone(),
                });
            }
            st.ready
        };
        if matches!(msg, ClientMsg::Send { .. }) {
            self.0.persist();
        }
        if ready {
            self.0.write(&msg);
        }
    }

    fn queued(&self) -> Vec<Queued> {
        self.0.st.borrow().outbox.items().to_vec()
    }
}

impl Inner {
    fn open(this: &Rc<Inner>) {
        let (generation, old) = {
            let mut st = this.st.borrow_mut();
            if st.token.is_none() {
                return;
            }
            st.retry = None;
            st.ready = false;
            st.generation += 1;
            (st.generation, st.live.take())
        };
        if let Some(old) = old {
            old.close();
        }
        this.status.set(ConnState::Connecting);
        let ws = match WebSocket::new(&this.url) {
            Ok(ws) => ws,
            Err(_) => return Inner::schedule_retry(this, generation),
        };
        let handler = |f: fn(&Rc<Inner>, u32, wasm_bindgen::JsValue)| {
            let weak = Rc::downgrade(this);
            Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(move |ev| {
                if let Some(inner) = weak.upgrade() {
                    f(&inner, generation, ev);
                }
            })
        };
        let on_open = handler(|i, g, _| i.on_open(g));
        let on_message = handler(|i, g, ev| {
            if let Some(text) = ev.unchecked_into::<MessageEvent>().data().as_string() {
                Inner::on_frame(i, g, &text);
            }
        });
        // A failed socket fires `error` then `close`; either one schedules the retry once.
        let on_close = handler(|i, g, _| Inner::on_closed(i, g));
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_close.as_ref().unchecked_ref()));
        this.st.borrow_mut().live = Some(Live {
            ws,
            _handlers: vec![on_open, on_message, on_close],
        });
    }

    fn on_open(&self, generation: u32) {
        let hello = {
            let st = self.st.borrow();
            if st.generation != generation {
                return;
            }
            ClientMsg::Hello {
                protocol: PROTOCOL_VERSION,
                token: st.token.clone().unwrap_or_default(),
                cursors: st.cursors.list(),
            }
        };
        self.write(&hello);
    }

    fn on_frame(this: &Rc<Inner>, generation: u32, text: &str) {
        let Ok(msg) = decode(text) else {
            // No error detail: formatting serde's errors costs kilobytes of bundle.
            web_sys::console::warn_1(&"livechat: ignored an undecodable frame".into());
            return;
        };
        let mut gap = None;
        let mut stop = false;
        let mut flush = Vec::new();
        {
            let mut st = this.st.borrow_mut();
            if st.generation != generation {
                return;
            }
            match &msg {
                ServerMsg::Welcome { .. } => {
                    st.ready = true;
                    st.backoff.reset();
                    flush = st.outbox.items().iter().map(Queued::to_msg).collect();
                }
                ServerMsg::History {
                    conversation_id,
                    messages,
                } => {
                    for m in messages {
                        st.cursors.observe(*conversation_id, m.seq);
                    }
                }
                ServerMsg::Message { message } => {
                    gap = st
                        .cursors
                        .observe(message.conversation_id, message.seq)
                        .map(|after_seq| (message.conversation_id, after_seq));
                }
                ServerMsg::Ack { client_id, message } => {
                    st.outbox.remove(client_id);
                    gap = st
                        .cursors
                        .observe(message.conversation_id, message.seq)
                        .map(|after_seq| (message.conversation_id, after_seq));
                }
                ServerMsg::Error {
                    code,
                    client_id: Some(client_id),
                    ..
                } if *code != ErrorCode::Internal => {
                    // Refused for good; an internal error stays queued for the next connect.
                    st.outbox.remove(client_id);
                }
                ServerMsg::Error {
                    code: ErrorCode::Unauthorized | ErrorCode::UnsupportedVersion,
                    client_id: None,
                    ..
                } => stop = true,
                _ => {}
            }
        }
        if matches!(
            msg,
            ServerMsg::Ack { .. }
                | ServerMsg::Error {
                    client_id: Some(_),
                    ..
                }
        ) {
            this.persist();
        }
        if stop {
            // Retrying a rejected credential would only hammer the server; the app decides.
            let live = {
                let mut st = this.st.borrow_mut();
                st.token = None;
                st.ready = false;
                st.live.take()
            };
            if let Some(live) = live {
                live.close();
            }
            this.status.set(ConnState::Offline);
        }
        if matches!(msg, ServerMsg::Welcome { .. }) {
            this.status.set(ConnState::Online);
        }
        (this.on_msg)(msg);
        for m in &flush {
            this.write(m);
        }
        if let Some((conversation_id, after_seq)) = gap {
            this.write(&ClientMsg::Sync {
                conversation_id,
                after_seq,
            });
        }
    }

    fn on_closed(this: &Rc<Inner>, generation: u32) {
        let live = {
            let mut st = this.st.borrow_mut();
            if st.generation != generation || st.live.is_none() {
                return;
            }
            st.ready = false;
            st.live.take()
        };
        if let Some(live) = live {
            live.close();
        }
        this.status.set(ConnState::Offline);
        Inner::schedule_retry(this, generation);
    }

    fn schedule_retry(this: &Rc<Inner>, generation: u32) {
        let mut st = this.st.borrow_mut();
        if st.token.is_none() || st.generation != generation {
            return;
        }
        let delay = st.backoff.next_delay(js_sys::Math::random());
        let weak = Rc::downgrade(this);
        st.retry = Some(Timeout::new(delay, move || {
            if let Some(inner) = weak.upgrade() {
                Inner::open(&inner);
            }
        }));
    }

    fn reconnect_now(self: Rc<Self>) {
        let idle = {
            let mut st = self.st.borrow_mut();
            st.backoff.reset();
            st.token.is_some() && !st.ready
        };
        if idle {
            Inner::open(&self);
        }
    }

    fn drop_socket(self: Rc<Self>) {
        let generation = self.st.borrow().generation;
        Inner::on_closed(&self, generation);
    }

    fn write(&self, msg: &ClientMsg) {
        let st = self.st.borrow();
        if let (Some(live), Ok(text)) = (&st.live, serde_json::to_string(msg)) {
            let _ = live.ws.send_with_str(&text);
        }
    }

    fn persist(&self) {
        if let Some(key) = &self.outbox_key {
            let st = self.st.borrow();
            let _ = gloo_storage::LocalStorage::set(key, st.outbox.items());
        }
    }
}
