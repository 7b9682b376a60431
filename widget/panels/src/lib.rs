//! The widget's on-demand panels: code only some visitors need, in a chunk the loader fetches
//! the first time one of them is needed, so the anonymous visitor's first open (and the contact
//! build) do not pay for it.
//!
//! - [`help`]: "when nobody answers" (outside office hours, or once a request has waited past
//!   the site's unanswered time): call me back, leave a message, end the chat.
//! - [`history`]: a verified contact's past chats, read-only, newest first.
//! - [`choices`]: an agent's offered choices as buttons, and the visitor's pick of a section
//!   before their first message.
//!
//! The loader mounts a panel into an element the widget keeps for it inside its shadow root
//! (so the widget's stylesheet applies) and removes it again. Panels act over REST with the
//! visitor's token; what follows reaches the widget over its own socket as usual (the chat
//! ends, a ticket's system line), so the chunk and the widget share no state. Not even the
//! language: the loader hands the panels the widget's catalogue too ([`set_words`]).

pub mod choices;
pub mod help;
pub mod history;
pub mod rules;

#[cfg(test)]
mod tests;

use std::cell::RefCell;

use leptos::mount::UnmountHandle;
use leptos::prelude::*;
use leptos::tachys::view::any_view::AnyViewState;
use wasm_bindgen::prelude::*;

pub use choices::{Choices, SectionPicker, Visitor};
pub use help::Help;
pub use history::History;
pub use rules::{Situation, callback_error};

thread_local! {
    /// The mounted panels: a new mount replaces its kind's, an unmount removes it.
    static HELP: RefCell<Option<UnmountHandle<AnyViewState>>> = const { RefCell::new(None) };
    static HISTORY: RefCell<Option<UnmountHandle<AnyViewState>>> = const { RefCell::new(None) };
    static CHOICES: RefCell<Option<UnmountHandle<AnyViewState>>> = const { RefCell::new(None) };
    /// Bumped by every change of the choices shown, so an offer whose options arrive after
    /// it was replaced or removed stays away.
    static CHOICES_GEN: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// The visitor's language: a catalogue file's text (`widget/locales/<code>.json`), the same the
/// loader hands the widget's `set_words`. Panels shown are drawn again in it; English until set.
#[wasm_bindgen]
pub fn set_words(catalogue: String) {
    if let Some(words) = livechat_client::i18n::Catalogue::parse(&catalogue) {
        livechat_client::i18n::use_words().set(words);
    }
}

/// A panel, drawn by `draw` with the catalogue's `lang` and `dir` for its root element (an
/// Arabic panel mirrors) and drawn again when the language changes. Every text inside is a
/// plain `tr(key)`, as in the widget: a reactive closure per text costs far more.
fn localised<V: IntoView + 'static>(
    draw: impl Fn(String, &'static str) -> V + Send + Sync + 'static,
) -> impl IntoView {
    let words = livechat_client::i18n::use_words();
    move || {
        let (lang, rtl) = words.with(|c| (c.lang.clone(), c.rtl));
        draw(lang, if rtl { "rtl" } else { "ltr" })
    }
}

/// Show the "when nobody answers" panel in `el`. `conversation` is the waiting request's id (0:
/// none yet, outside office hours); `next_open` when office hours start again (ms since the
/// epoch, 0: unknown); `contact` for a verified contact (who may leave the chat as a ticket);
/// `ticket` the number of the ticket the chat is linked to ("" for none).
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)] // a flat call from the loader's plain JS
pub fn mount_help(
    el: web_sys::HtmlElement,
    server: String,
    token: String,
    conversation: f64,
    closed: bool,
    next_open: f64,
    contact: bool,
    ticket: String,
) {
    let situation = Situation {
        server: livechat_client::server_url::normalize_server(&server),
        token,
        conversation: (conversation >= 1.0).then_some(conversation as i64),
        closed,
        next_open: (next_open > 0.0).then_some(next_open as i64),
        contact,
        ticket: (!ticket.is_empty()).then_some(ticket),
    };
    let handle = leptos::mount::mount_to(el, move || {
        view! { <Help situation=situation /> }.into_any()
    });
    HELP.with(|m| *m.borrow_mut() = Some(handle));
}

/// Remove the "when nobody answers" panel (the request was answered or ended).
#[wasm_bindgen]
pub fn unmount_help() {
    HELP.with(|m| drop(m.borrow_mut().take()));
}

/// Show a verified contact's past chats in `el`, over the chat; `me` is the visitor id they
/// chat as (their own lines show as theirs). Its "Back to chat" removes it.
#[wasm_bindgen]
pub fn mount_history(el: web_sys::HtmlElement, server: String, token: String, me: f64) {
    let server = livechat_client::server_url::normalize_server(&server);
    let me = protocol::Principal::Visitor(protocol::VisitorId(me as i64));
    let handle = leptos::mount::mount_to(el, move || {
        view! { <History server=server token=token me=me on_close=Callback::new(|()| unmount_history()) /> }
            .into_any()
    });
    HISTORY.with(|m| *m.borrow_mut() = Some(handle));
}

/// Remove the past chats.
#[wasm_bindgen]
pub fn unmount_history() {
    // Deferred: "Back to chat" calls this from inside the view it removes.
    leptos::task::spawn_local(async {
        HISTORY.with(|m| drop(m.borrow_mut().take()));
    });
}

fn visitor(server: &str, token: String) -> Visitor {
    Visitor {
        server: livechat_client::server_url::normalize_server(server),
        token,
    }
}

/// Show the choices an agent offered with message `seq` of `conversation` in `el` (read from
/// the chat's history; nothing shows when it offers none). Replaces any choices shown.
#[wasm_bindgen]
pub fn mount_offer(
    el: web_sys::HtmlElement,
    server: String,
    token: String,
    conversation: f64,
    seq: f64,
) {
    let visitor = visitor(&server, token);
    let (conversation, seq) = (protocol::ConversationId(conversation as i64), seq as i64);
    let generation = unmount_choices_now();
    leptos::task::spawn_local(async move {
        let options = visitor.offered(conversation, seq).await;
        if options.is_empty() || CHOICES_GEN.get() != generation {
            return;
        }
        let handle = leptos::mount::mount_to(el, move || {
            view! { <Choices visitor=visitor conversation=conversation seq=seq options=options /> }
                .into_any()
        });
        CHOICES.with(|m| *m.borrow_mut() = Some(handle));
    });
}

/// Show which sections the visitor may pick (`sections`: `Availability::sections` as JSON) in
/// `el`, before their first message. Replaces any choices shown.
#[wasm_bindgen]
pub fn mount_sections(el: web_sys::HtmlElement, server: String, token: String, sections: String) {
    let visitor = visitor(&server, token);
    let sections: Vec<protocol::workspace::SectionChoice> =
        serde_json::from_str(&sections).unwrap_or_default();
    unmount_choices_now();
    let handle = leptos::mount::mount_to(el, move || {
        view! { <SectionPicker visitor=visitor sections=sections /> }.into_any()
    });
    CHOICES.with(|m| *m.borrow_mut() = Some(handle));
}

/// Remove the choices or the section picker (answered, the chat moved on, or it started).
#[wasm_bindgen]
pub fn unmount_choices() {
    unmount_choices_now();
}

/// Removes what is shown; the new generation.
fn unmount_choices_now() -> u32 {
    CHOICES.with(|m| drop(m.borrow_mut().take()));
    let generation = CHOICES_GEN.get().wrapping_add(1);
    CHOICES_GEN.set(generation);
    generation
}
