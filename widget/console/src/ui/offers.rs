//! Choices offered in a live chat, as the console shows them: the "Offer choices" button
//! beside the canned replies and its inline form (a question, two to six choices, "Send
//! choices"), and below any message that carries choices the list of them, as plain chips
//! (only the visitor picks one, in the widget). The rules and the call are in `offers.rs`.
//!
//! The chips are drawn here, around the shared `MessageRow`, not inside it: the visitor
//! widget shares that row and its bundle has no room for them.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::workspace::{MAX_OFFER_OPTION_CHARS, MAX_OFFER_OPTIONS, OfferRequest};
use protocol::{ConversationId, Principal};

use crate::Ctl;
use crate::offers::{self, Field, MIN_OFFER_OPTIONS};
use livechat_client::chat::Line;
use livechat_client::message_row::MessageRow;

/// A line of a live chat's log: the message, and the choices offered with it.
#[component]
pub fn LineRow(line: Line, me: Option<Principal>) -> impl IntoView {
    let options = line.options.clone();
    // On the same side as the message it belongs to (the row's own rule: mine unless
    // someone else wrote it).
    let mine = match (&line.author, line.id) {
        (_, None) => true,
        (Some(a), _) => me == Some(a.principal),
        (None, _) => false,
    };
    view! {
        <MessageRow line=line me=me />
        {(!options.is_empty()).then(|| view! { <OfferedChoices options=options mine=mine /> })}
    }
}

/// The choices offered with a message: a list of chips, not buttons (agents do not answer).
#[component]
fn OfferedChoices(options: Vec<String>, mine: bool) -> impl IntoView {
    view! {
        <ul class="offered" class:mine=mine aria-label="Choices offered">
            {options.into_iter().map(|o| view! { <li class="chip">{o}</li> }).collect_view()}
        </ul>
    }
}

/// Focus the element `id` once the view has drawn it (a field just added, say).
fn focus_later(id: String) {
    request_animation_frame(move || {
        if let Some(el) = document().get_element_by_id(&id) {
            use wasm_bindgen::JsCast;
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
}

/// "Offer choices" and its form, while `available` (an active live chat I am in). Sending
/// closes the form and gives the reply box (`composer`) the focus back; Escape and Cancel
/// close it and give it to the button.
#[component]
pub fn OfferChoices(
    id: ConversationId,
    available: Memo<bool>,
    composer: NodeRef<html::Textarea>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let form_id = format!("offer-{}", id.0);
    let cancel = move || {
        open.set(false);
        if let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };
    let sent = move || {
        let _ = open.try_set(false);
        if let Some(t) = composer.try_get_untracked().flatten() {
            let _ = t.focus();
        }
    };
    view! {
        <Show when=move || available.get()>
            <button
                type="button"
                class="ghost small"
                node_ref=button
                aria-expanded=move || open.get().to_string()
                aria-controls={
                    let form_id = form_id.clone();
                    move || open.get().then(|| form_id.clone())
                }
                on:click=move |_| {
                    if open.get_untracked() { cancel() } else { open.set(true) }
                }
            >
                "Offer choices"
            </button>
        </Show>
        <Show when=move || open.get() && available.get()>
            <OfferForm id=id cancel=cancel sent=sent />
        </Show>
    }
}

/// The form: its draft lives as long as it is open (Cancel discards it).
#[component]
fn OfferForm(
    id: ConversationId,
    cancel: impl Fn() + Copy + Send + Sync + 'static,
    sent: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let question = RwSignal::new(String::new());
    let choices = RwSignal::new(vec![String::new(); MIN_OFFER_OPTIONS]);
    let count = Memo::new(move |_| choices.with(Vec::len));
    // What is wrong (the field it is about, if one) and what the server said.
    let error = RwSignal::new(None::<(Option<Field>, String)>);
    let sending = RwSignal::new(false);
    // The last request sent from this form, so resending it unchanged reuses its client_id.
    let last = StoredValue::new(None::<OfferRequest>);
    let n = id.0;
    let heading = format!("offer-h-{n}");
    let heading_ref = heading.clone();
    let error_id = format!("offer-error-{n}");
    let question_id = format!("offer-{n}-question");
    let choice_id = move |i: usize| format!("offer-{n}-choice-{i}");
    let field_id = {
        let question_id = question_id.clone();
        move |f: Field| match f {
            Field::Question => question_id.clone(),
            Field::Choice(i) => choice_id(i.min(MAX_OFFER_OPTIONS - 1)),
        }
    };
    let invalid = move |f: Field| error.with(|e| e.as_ref().and_then(|e| e.0) == Some(f));
    let described = move |f: Field| invalid(f).then(|| format!("offer-error-{n}"));
    // Opening the form starts at its first field.
    focus_later(question_id.clone());
    let submit = {
        let field_id = field_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if sending.get_untracked() {
                return;
            }
            let checked = choices.with_untracked(|c| offers::check(&question.get_untracked(), c));
            let (body, options) = match checked {
                Ok(ok) => ok,
                Err(why) => {
                    focus_later(field_id(why.field));
                    error.set(Some((Some(why.field), why.text)));
                    return;
                }
            };
            let request = last.with_value(|l| offers::request(body, options, l.as_ref()));
            last.set_value(Some(request.clone()));
            error.set(None);
            sending.set(true);
            spawn_local(async move {
                let done = ctl.offer(id, request).await;
                // The chat may have ended meanwhile and taken the form with it.
                let _ = sending.try_set(false);
                match done {
                    Ok(()) => sent(),
                    Err(why) => {
                        let _ = error.try_set(Some((None, why)));
                    }
                }
            });
        }
    };
    let remove = move |i: usize| {
        choices.update(|c| {
            if c.len() > MIN_OFFER_OPTIONS && i < c.len() {
                c.remove(i);
            }
        });
        error.set(None);
        // The field that took its place, or the one before when it was the last.
        focus_later(choice_id(i.min(count.get_untracked() - 1)));
    };
    let fields = move || {
        (0..count.get())
            .map(|i| {
                let label = format!("Choice {}", i + 1);
                let input_id = choice_id(i);
                let removable = i >= MIN_OFFER_OPTIONS;
                view! {
                    <div class="choice">
                        <label for=input_id.clone()>{label}</label>
                        <input
                            id=input_id
                            type="text"
                            maxlength=MAX_OFFER_OPTION_CHARS.to_string()
                            autocomplete="off"
                            aria-invalid=move || invalid(Field::Choice(i)).to_string()
                            aria-describedby=move || described(Field::Choice(i))
                            prop:value=move || choices.with(|c| c.get(i).cloned().unwrap_or_default())
                            on:input=move |ev| {
                                let value = event_target_value(&ev);
                                choices.update(|c| {
                                    if let Some(slot) = c.get_mut(i) {
                                        *slot = value;
                                    }
                                });
                            }
                        />
                        {removable.then(|| view! {
                            <button
                                type="button"
                                class="link small"
                                aria-label=format!("Remove choice {}", i + 1)
                                on:click=move |_| remove(i)
                            >
                                "Remove"
                            </button>
                        })}
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        <form
            id=format!("offer-{n}")
            class="offer-form"
            aria-labelledby=heading_ref
            novalidate
            on:submit=submit
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    // Used here: the compact view's window leaves a used Escape alone.
                    ev.prevent_default();
                    cancel();
                }
            }
        >
            <h3 id=heading>"Offer choices"</h3>
            <p class="muted small">
                {format!(
                    "The visitor answers with one click. {MIN_OFFER_OPTIONS} to {MAX_OFFER_OPTIONS} choices, up to {MAX_OFFER_OPTION_CHARS} characters each."
                )}
            </p>
            <label for=question_id.clone()>"Question"</label>
            <input
                id=question_id
                type="text"
                required
                autocomplete="off"
                aria-invalid=move || invalid(Field::Question).to_string()
                aria-describedby=move || described(Field::Question)
                prop:value=move || question.get()
                on:input=move |ev| question.set(event_target_value(&ev))
            />
            <div class="choices">{fields}</div>
            <Show when=move || { count.get() < MAX_OFFER_OPTIONS }>
                <button
                    type="button"
                    class="ghost small add-choice"
                    on:click=move |_| {
                        choices.update(|c| c.push(String::new()));
                        error.set(None);
                        focus_later(choice_id(count.get_untracked() - 1));
                    }
                >
                    "Add choice"
                </button>
            </Show>
            {move || {
                error.get().map(|(_, text)| view! { <p class="error" role="alert" id=error_id.clone()>{text}</p> })
            }}
            <div class="row">
                <button type="submit" class="primary small" disabled=move || sending.get()>
                    "Send choices"
                </button>
                <button type="button" class="ghost small" on:click=move |_| cancel()>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
