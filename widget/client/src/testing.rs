//! Helpers for the apps' in-browser component tests: a [`Recorder`] standing in for the
//! transport, DOM pokes (type, key), a tick to let Leptos render, and (re-exported) the sample
//! protocol values of [`crate::fixtures`]. Built only with the `testing` feature, which only
//! the apps' dev-dependencies enable.

use std::cell::RefCell;

use protocol::ClientMsg;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

pub use crate::fixtures::*;
use crate::transport::{Link, Queued};

/// A [`Link`] that only remembers what the UI asked of it.
#[derive(Default)]
pub struct Recorder {
    pub sent: RefCell<Vec<ClientMsg>>,
    pub connected: RefCell<Option<String>>,
    pub queued: Vec<Queued>,
}

impl Link for Recorder {
    fn connect(&self, token: String) {
        *self.connected.borrow_mut() = Some(token);
    }
    fn disconnect(&self) {
        *self.connected.borrow_mut() = None;
    }
    fn send(&self, msg: ClientMsg) {
        self.sent.borrow_mut().push(msg);
    }
    fn queued(&self) -> Vec<Queued> {
        self.queued.clone()
    }
}

impl Recorder {
    pub fn last(&self) -> Option<ClientMsg> {
        self.sent.borrow().last().cloned()
    }
}

/// Leptos renders asynchronously; give it (and deferred focus moves) a moment.
pub async fn tick() {
    gloo_timers::future::TimeoutFuture::new(20).await;
}

/// A fresh element attached to the page to mount an app into.
pub fn container() -> HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
    let div: HtmlElement = doc.create_element("div").unwrap().unchecked_into();
    doc.body().unwrap().append_child(&div).unwrap();
    div
}

/// A unique fake server per test so `localStorage` keys never collide.
pub fn fake_server() -> String {
    format!("http://t{}.invalid", crate::client_id::client_id())
}

pub fn find(root: &Element, selector: &str) -> Option<HtmlElement> {
    root.query_selector(selector)
        .unwrap()
        .map(|e| e.unchecked_into())
}

pub fn get(root: &Element, selector: &str) -> HtmlElement {
    find(root, selector).unwrap_or_else(|| panic!("no element matches {selector}"))
}

pub fn all_text(root: &Element, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.text_content().unwrap_or_default())
        .collect()
}

pub fn label(el: &HtmlElement) -> String {
    el.get_attribute("aria-label").unwrap_or_default()
}

/// Sets an input's or textarea's value the way typing does, firing `input`.
pub fn type_into(el: &HtmlElement, value: &str) {
    js_sys::Reflect::set(el, &"value".into(), &value.into()).unwrap();
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}

pub fn key(el: &HtmlElement, key: &str, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    el.dispatch_event(&ev).unwrap();
}
