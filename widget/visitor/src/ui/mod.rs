//! The visitor widget's components, one per file. [`App`] wires the shared handles into
//! context and owns the one effect that syncs with the outside world: moving focus.

mod chat_view;
mod icons;
mod launcher;
mod name_step;
#[cfg(feature = "contact")]
mod ticket_picker;
mod window;

use leptos::html;
use leptos::prelude::*;

use crate::Ctl;

pub use chat_view::ChatView;
pub use launcher::Launcher;
pub use name_step::NameStep;
pub use window::ChatWindow;

/// The time for texts that age (a countdown, a wait): reading [`Clock::now`] in a view and
/// calling [`Clock::tick_in`] draws it again later. One tick pending at a time however often
/// the view is drawn, and a tick that finds the view gone does nothing.
#[derive(Clone, Copy)]
pub struct Clock {
    now: RwSignal<protocol::Millis>,
    pending: StoredValue<bool>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            now: RwSignal::new(livechat_client::clock::now_ms()),
            pending: StoredValue::new(false),
        }
    }
}

impl Clock {
    /// Now (tracked).
    pub fn now(self) -> protocol::Millis {
        self.now.get()
    }

    pub fn tick_in(self, ms: u32) {
        if self.pending.try_get_value() != Some(false) {
            return;
        }
        self.pending.set_value(true);
        gloo_timers::callback::Timeout::new(ms, move || {
            self.pending.try_set_value(false);
            self.now.try_set(livechat_client::clock::now_ms());
        })
        .forget();
    }
}

/// Elements focus moves between (opening, minimising, after the name step).
#[derive(Clone, Copy)]
pub struct Focus {
    pub launcher: NodeRef<html::Button>,
    pub name: NodeRef<html::Input>,
    pub message: NodeRef<html::Textarea>,
}

#[component]
pub fn App(ctl: Ctl) -> impl IntoView {
    let focus = Focus {
        launcher: NodeRef::new(),
        name: NodeRef::new(),
        message: NodeRef::new(),
    };
    provide_context(ctl);
    provide_context(focus);

    let open = Memo::new(move |_| ctl.state.with(|s| s.open));
    let unread = Memo::new(move |_| ctl.state.with(|s| s.unread));
    let has_session = Memo::new(move |_| ctl.state.with(|s| s.has_session()));

    // Focus follows the window: into it when it opens (or the name step gives way to the
    // chat), back to the launcher when it is minimised. Deferred a tick so the elements exist.
    Effect::new(move |prev: Option<(bool, bool)>| {
        let now = (open.get(), has_session.get());
        let (is_open, session) = now;
        let was_open = prev.is_some_and(|p| p.0);
        if prev != Some(now) && (is_open || was_open) {
            gloo_timers::callback::Timeout::new(0, move || {
                let el: Option<web_sys::HtmlElement> = if !is_open {
                    focus.launcher.get_untracked().map(Into::into)
                } else if session {
                    focus.message.get_untracked().map(Into::into)
                } else {
                    focus.name.get_untracked().map(Into::into)
                };
                if let Some(el) = el {
                    let _ = el.focus();
                }
            })
            .forget();
        }
        now
    });

    // Every text inside is a plain `tr(key)`: the whole view is drawn again when the language
    // changes (rare: right after loading, or when the site asks), which costs far less than a
    // reactive closure per text. State lives in `Ctl`, so nothing is lost but a draft.
    let words = livechat_client::i18n::use_words();
    view! {
        <div class="lc-app">
            {move || {
                words.track();
                view! {
                    <ChatWindow open=open.into() has_session=has_session.into() />
                    <Launcher open=open.into() unread=unread.into() />
                }
            }}
        </div>
    }
}
