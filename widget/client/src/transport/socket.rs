//! The browser shell around [`Core`]: the only code in the browser that touches the WebSocket.
//!
//! It owns what the core must not: the `WebSocket` and its handlers, the retry timer, the
//! `online`/`offline` listeners, `localStorage`, randomness, and decoding frames with the
//! decoder the app passes in (the visitor's refuses agent-only frames, so their decoding code
//! stays out of its bundle). Every event goes to the core; the core's actions are carried out
//! here, then a decoded frame goes to the app.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_storage::Storage;
use gloo_timers::callback::Timeout;
use leptos::prelude::{Set, WriteSignal};
use protocol::{ClientMsg, Millis, ServerMsg};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{MessageEvent, WebSocket};

use super::{Action, ConnState, Core, Link, Queued};

/// Turns a text frame into a [`ServerMsg`]; each app passes the one it needs.
pub type Decoder = fn(&str) -> Option<ServerMsg>;

/// The real [`Link`]: a clonable handle to one reconnecting socket.
#[derive(Clone)]
pub struct Transport(Rc<Inner>);

struct Inner {
    url: String,
    /// Where the outbox is persisted; `None` keeps it in memory only (the console).
    outbox_key: Option<String>,
    status: WriteSignal<ConnState>,
    /// When the next attempt to reconnect is due (ms since the epoch; 0: none), for an app
    /// that shows it ([`Transport::tell_retries`]).
    retry_at: std::cell::Cell<Option<WriteSignal<Millis>>>,
    decode: Decoder,
    on_msg: Box<dyn Fn(ServerMsg)>,
    st: RefCell<Shell>,
}

struct Shell {
    core: Core,
    live: Option<Live>,
    /// Bumped for every socket, so late events of an old socket are ignored.
    generation: u32,
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
        decode: Decoder,
        on_msg: impl Fn(ServerMsg) + 'static,
    ) -> Self {
        let saved: Vec<Queued> = outbox_key
            .as_deref()
            // Read with the small reader (serde's would cost the visitor's bundle; see
            // `reader`); an unreadable outbox is an empty one.
            .and_then(|k| gloo_storage::LocalStorage::raw().get_item(k).ok().flatten())
            .and_then(|text| crate::reader::read_outbox(&text))
            .unwrap_or_default();
        let inner = Rc::new(Inner {
            url: crate::server_url::ws_url(server),
            outbox_key,
            status,
            retry_at: std::cell::Cell::new(None),
            decode,
            on_msg: Box::new(on_msg),
            st: RefCell::new(Shell {
                core: Core::new(saved),
                live: None,
                generation: 0,
                retry: None,
            }),
        });
        watch_network(Rc::downgrade(&inner));
        Transport(inner)
    }

    /// Keep `at` set to when the next attempt to reconnect is due (0 while none is waiting):
    /// the visitor widget counts down to it.
    pub fn tell_retries(&self, at: WriteSignal<Millis>) {
        self.0.retry_at.set(Some(at));
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
            Inner::run(&inner, Core::network_online);
        }
    });
    let offline = Closure::<dyn FnMut()>::new(move || {
        if let Some(inner) = weak.upgrade() {
            Inner::run(&inner, |c| c.closed(js_sys::Math::random()));
        }
    });
    let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
    online.forget();
    offline.forget();
}

impl Link for Transport {
    fn connect(&self, token: String) {
        Inner::run(&self.0, |c| c.connect(token));
    }

    fn disconnect(&self) {
        Inner::run(&self.0, Core::disconnect);
    }

    fn send(&self, msg: ClientMsg) {
        Inner::run(&self.0, |c| c.send(msg));
    }

    fn queued(&self) -> Vec<Queued> {
        self.0.st.borrow().core.queued().to_vec()
    }
}

impl Inner {
    /// Feeds one event to the core and carries out what it answers, in order. The core's
    /// borrow ends before any action runs, so actions may re-enter (a status signal's effects
    /// may send).
    fn run(this: &Rc<Inner>, event: impl FnOnce(&mut Core) -> Vec<Action>) {
        let actions = event(&mut this.st.borrow_mut().core);
        Inner::perform(this, actions);
    }

    /// Never inlined: one copy of the action loop rather than one per event in the visitor's
    /// byte budget.
    #[inline(never)]
    fn perform(this: &Rc<Inner>, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Open => Inner::open(this),
                Action::Close => this.drop_socket(),
                Action::Write(msg) => this.write(&msg),
                Action::SaveOutbox => this.persist(),
                Action::Status(s) => {
                    if s != ConnState::Offline
                        && let Some(at) = this.retry_at.get()
                    {
                        at.set(0);
                    }
                    this.status.set(s);
                }
                Action::RetryIn(ms) => {
                    if let Some(at) = this.retry_at.get() {
                        // With the browser offline there is nothing to count down to: its
                        // `online` event reconnects at once.
                        let online = web_sys::window().is_none_or(|w| w.navigator().on_line());
                        at.set(if online {
                            crate::clock::now_ms() + Millis::from(ms)
                        } else {
                            0
                        });
                    }
                    let weak = Rc::downgrade(this);
                    this.st.borrow_mut().retry = Some(Timeout::new(ms, move || {
                        if let Some(inner) = weak.upgrade() {
                            Inner::run(&inner, Core::retry_due);
                        }
                    }));
                }
            }
        }
    }

    /// Handles a socket event only if it comes from the current socket.
    fn current(this: &Rc<Inner>, generation: u32) -> bool {
        this.st.borrow().generation == generation
    }

    fn drop_socket(&self) {
        let live = {
            let mut st = self.st.borrow_mut();
            st.generation = st.generation.wrapping_add(1);
            st.retry = None;
            st.live.take()
        };
        if let Some(live) = live {
            live.close();
        }
    }

    fn open(this: &Rc<Inner>) {
        this.drop_socket();
        let generation = this.st.borrow().generation;
        let Ok(ws) = WebSocket::new(&this.url) else {
            return Inner::run(this, |c| c.closed(js_sys::Math::random()));
        };
        let handler = |f: fn(&Rc<Inner>, wasm_bindgen::JsValue)| {
            let weak = Rc::downgrade(this);
            Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(move |ev| {
                if let Some(inner) = weak.upgrade()
                    && Inner::current(&inner, generation)
                {
                    f(&inner, ev);
                }
            })
        };
        let on_open = handler(|i, _| Inner::run(i, Core::opened));
        let on_message = handler(|i, ev| {
            if let Some(text) = ev.unchecked_into::<MessageEvent>().data().as_string() {
                Inner::on_frame(i, &text);
            }
        });
        // A failed socket fires `error` then `close`; the core handles the first one only.
        let on_close = handler(|i, _| Inner::run(i, |c| c.closed(js_sys::Math::random())));
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_close.as_ref().unchecked_ref()));
        this.st.borrow_mut().live = Some(Live {
            ws,
            _handlers: vec![on_open, on_message, on_close],
        });
    }

    fn on_frame(this: &Rc<Inner>, text: &str) {
        let Some(msg) = (this.decode)(text) else {
            // No error detail: formatting serde's errors costs kilobytes of bundle.
            web_sys::console::warn_1(&"livechat: ignored an undecodable frame".into());
            return;
        };
        Inner::run(this, |c| c.received(&msg));
        (this.on_msg)(msg);
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
            let _ = gloo_storage::LocalStorage::set(key, st.core.queued());
        }
    }
}
