//! Getting an agent's attention while the console is in a background tab: a short tone and a
//! browser notification for a new request (only while the page is hidden; a visible console
//! shows the queue), and a confirmation before closing the tab while chats are still open.
//! The same tone for a new message in a chat that is not open ([`Chime`]), repeated while
//! anything is unread if the agent asked for that.
//!
//! Browsers allow sound and ask for notification permission only after a gesture, so both are
//! prepared on the agent's first click or key press in the console ([`prepare`]).

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{AudioContext, Notification, NotificationOptions, NotificationPermission};

thread_local! {
    static AUDIO: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

/// On a user gesture: create (or resume) the audio context and ask for notification
/// permission once.
pub fn prepare() {
    AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        match &*a {
            Some(ctx) => {
                let _ = ctx.resume();
            }
            None => *a = AudioContext::new().ok(),
        }
    });
    if Notification::permission() == NotificationPermission::Default {
        let _ = Notification::request_permission();
    }
}

/// Whether the console's tab is in the background.
pub fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// A new request while the agent looks elsewhere: a two-note tone and, if allowed, a
/// notification that brings the console forward when clicked.
pub fn new_request(visitor: &str, preview: &str) {
    tone();
    if Notification::permission() != NotificationPermission::Granted {
        return;
    }
    let options = NotificationOptions::new();
    options.set_body(preview);
    // One notification per request tag: a second for the same visitor replaces the first.
    options.set_tag(&format!("request-{visitor}"));
    if let Ok(n) = Notification::new_with_options(&format!("{visitor} is waiting"), &options) {
        let focus = Closure::<dyn Fn()>::new(|| {
            if let Some(w) = web_sys::window() {
                let _ = w.focus();
            }
        });
        n.set_onclick(Some(focus.as_ref().unchecked_ref()));
        focus.forget();
    }
}

/// The new-message tone: once per message in a chat that is not open and, when
/// [`Chime::repeat_while`]'s condition holds, again every `every_ms`.
#[derive(Clone, Copy)]
pub struct Chime {
    /// Tones asked for so far, played or not (before the first gesture the browser stays
    /// silent): what the tests observe.
    pub rung: StoredValue<u32>,
    /// The pause between repeats.
    pub every_ms: StoredValue<u32>,
}

impl Default for Chime {
    fn default() -> Self {
        Chime {
            rung: StoredValue::new(0),
            every_ms: StoredValue::new(10_000),
        }
    }
}

impl Chime {
    pub fn ring(self) {
        self.rung.update_value(|n| *n += 1);
        tone();
    }

    /// Ring every `every_ms` for as long as `due()` holds (a reactive condition), and not a
    /// moment longer: the timer is cleared as soon as it turns false. Call inside a component.
    pub fn repeat_while(self, due: impl Fn() -> bool + 'static) {
        Effect::new(move |_| {
            if !due() {
                return;
            }
            let every = std::time::Duration::from_millis(self.every_ms.get_value().into());
            if let Ok(timer) = set_interval_with_handle(move || self.ring(), every) {
                on_cleanup(move || timer.clear());
            }
        });
    }
}

fn tone() {
    AUDIO.with(|a| {
        if let Some(ctx) = &*a.borrow() {
            let _ = play(ctx);
        }
    });
}

fn play(ctx: &AudioContext) -> Result<(), wasm_bindgen::JsValue> {
    let t = ctx.current_time();
    for (i, freq) in [660.0, 880.0].into_iter().enumerate() {
        let start = t + i as f64 * 0.16;
        let osc = ctx.create_oscillator()?;
        let gain = ctx.create_gain()?;
        osc.frequency().set_value_at_time(freq, start)?;
        gain.gain().set_value_at_time(0.0001, start)?;
        gain.gain()
            .exponential_ramp_to_value_at_time(0.1, start + 0.02)?;
        gain.gain()
            .exponential_ramp_to_value_at_time(0.0001, start + 0.15)?;
        osc.connect_with_audio_node(&gain)?;
        gain.connect_with_audio_node(&ctx.destination())?;
        osc.start_with_when(start)?;
        osc.stop_with_when(start + 0.16)?;
    }
    Ok(())
}

/// Ask before the tab closes while `open_chats()` says chats are still going: a visitor would
/// be left waiting for an answer that never comes.
pub fn confirm_leaving(open_chats: impl Fn() -> bool + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let handler = Closure::<dyn Fn(web_sys::BeforeUnloadEvent)>::new(
        move |ev: web_sys::BeforeUnloadEvent| {
            if open_chats() {
                ev.prevent_default();
                // Older browsers want a return value; the text itself is never shown.
                ev.set_return_value("");
            }
        },
    );
    let _ =
        window.add_event_listener_with_callback("beforeunload", handler.as_ref().unchecked_ref());
    handler.forget();
}

/// A conversation as plain text, one line per message ("[10:02] Marta: hello"), for the
/// clipboard. Choices offered with a message follow it on its line ("[10:03] Ada: Which model
/// is it? [choices: Laptop Pro / Laptop Air]"): without them the visitor's one-click answer
/// reads as out of nowhere.
pub fn transcript(lines: &[livechat_client::chat::Line]) -> String {
    lines
        .iter()
        .filter(|l| l.id.is_some())
        .map(|l| {
            let time = livechat_client::clock::format_time(l.sent_at);
            let choices = match l.options.as_slice() {
                [] => String::new(),
                options => format!(" [choices: {}]", options.join(" / ")),
            };
            match &l.author {
                Some(a) => format!("[{time}] {}: {}{choices}", a.name, l.body),
                None => format!("[{time}] {}{choices}", l.body),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Put `text` on the clipboard; whether the browser took it.
pub async fn copy(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
