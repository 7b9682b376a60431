//! The message box both apps use: a textarea where Enter sends and Shift+Enter starts a new
//! line, a Send button, and the validation error of the last attempt.
//!
//! It owns only the draft text; what sending means is the caller's `on_send`, which returns
//! the error to show (the draft is kept so nothing typed is lost).

use leptos::html;
use leptos::prelude::*;

use crate::i18n::{tr, tr_with};

#[component]
pub fn Composer(
    /// Accessible name of the textbox ("Message" or "Reply"), in the app's language.
    #[prop(into)]
    label: String,
    #[prop(into)] placeholder: String,
    disabled: Signal<bool>,
    /// Returns `Err(text)` to refuse the draft with a visible reason.
    on_send: Callback<String, Result<(), String>>,
    #[prop(optional)] node_ref: NodeRef<html::Textarea>,
) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move || {
        if disabled.get_untracked() {
            return;
        }
        match on_send.run(draft.get_untracked()) {
            Ok(()) => {
                draft.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        <form
            class="composer"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <textarea
                node_ref=node_ref
                rows="1"
                aria-label=label
                placeholder=placeholder
                aria-invalid=move || error.with(|e| e.is_some()).to_string()
                prop:value=move || draft.get()
                disabled=move || disabled.get()
                on:input=move |ev| {
                    draft.set(event_target_value(&ev));
                    error.set(None);
                }
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        submit();
                    }
                }
            ></textarea>
            <button type="submit" class="send" aria-label=tr("send") disabled=move || disabled.get()>
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
                    <path fill="currentColor" d="M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z"></path>
                </svg>
            </button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </form>
    }
}

/// Why a send is refused while [`crate::transport::MAX_QUEUED`] messages still wait.
pub fn queue_full() -> String {
    tr("queue_full")
}

/// The user-facing reason for a refused draft.
pub fn body_error(e: protocol::InputError) -> String {
    match e {
        protocol::InputError::TooLong { max_chars } => {
            tr_with("message_too_long", &[("n", &max_chars.to_string())])
        }
        // Bodies are only ever refused as empty or too long (the rest is for names).
        _ => tr("message_empty"),
    }
}
