//! What a visitor picks with one click: an agent's offered choices (buttons under the chat;
//! the pick goes back as the visitor's reply, `POST /api/conversations/{id}/answer`) and, before
//! the first message, which section should answer (radio buttons, `PUT /api/visitor/section`).
//!
//! The widget only says that the chat's last line carries choices (conversation and `seq`);
//! the panel reads them from the message's history, so the anonymous widget's bundle neither
//! decodes nor draws them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use livechat_client::i18n::tr;
use livechat_client::rest;
use protocol::workspace::{AnswerRequest, SectionChoice, SectionPick};
use protocol::{ConversationId, HistoryPage, Seq};

/// Where the panel's requests go, as the visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    /// The chat server's origin (no trailing slash).
    pub server: String,
    /// The visitor's bearer token.
    pub token: String,
}

impl Visitor {
    /// The choices offered with message `seq` of `conversation` (none when it offers none).
    pub async fn offered(&self, conversation: ConversationId, seq: Seq) -> Vec<String> {
        let url = format!(
            "{}/api/conversations/{}/messages?after_seq={}&limit=1",
            self.server,
            conversation.0,
            seq - 1
        );
        rest::get_json::<HistoryPage>(&url, &self.token)
            .await
            .ok()
            .and_then(|page| page.messages.into_iter().find(|m| m.seq == seq))
            .map(|m| m.options)
            .unwrap_or_default()
    }
}

/// An agent's choices for the message `seq`: one button each in a labelled group. A click
/// sends that choice as the visitor's reply; the widget then sees the reply arrive and the
/// loader takes the buttons away. While it is on its way every button waits.
#[component]
pub fn Choices(
    visitor: Visitor,
    conversation: ConversationId,
    seq: Seq,
    options: Vec<String>,
) -> impl IntoView {
    let visitor = StoredValue::new(visitor);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let pick = move |choice: String| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let url = visitor.with_value(|v| {
                format!("{}/api/conversations/{}/answer", v.server, conversation.0)
            });
            let request = AnswerRequest {
                client_id: livechat_client::client_id::client_id(),
                seq,
                choice,
            };
            let token = visitor.with_value(|v| v.token.clone());
            let sent = rest::post_for_text_explained(&url, &request, Some(&token)).await;
            busy.set(false);
            if let Err((status, _)) = sent {
                error.set(Some(pick_error(status)));
            }
        });
    };
    let options = StoredValue::new(options);
    crate::localised(move |lang, dir| {
        view! {
            <div class="lc-choices" role="group" aria-label=tr("choose_answer") style=STYLE lang=lang dir=dir>
                <style>{CSS}</style>
                {options
                    .get_value()
                    .into_iter()
                    .map(|choice| {
                        let label = choice.clone();
                        view! {
                            <button
                                type="button"
                                class="lc-choice"
                                disabled=move || busy.get()
                                on:click=move |_| pick(choice.clone())
                            >
                                {label}
                            </button>
                        }
                    })
                    .collect_view()}
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </div>
        }
    })
}

/// A pick that did not go through, in the visitor's words (`status` 0: no answer).
pub fn pick_error(status: u16) -> String {
    tr(match status {
        401 => "session_ended",
        429 => "too_many_messages",
        400 | 404 | 409 => "choice_closed",
        _ => "choice_failed",
    })
}

/// Before the first message: which section should answer. Native radio buttons in a fieldset
/// (arrow keys move between them, a screen reader names the group); each change is saved at
/// once, and a failed save clears the choice and says so.
#[component]
pub fn SectionPicker(visitor: Visitor, sections: Vec<SectionChoice>) -> impl IntoView {
    let visitor = StoredValue::new(visitor);
    let chosen = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<String>);
    let choose = move |id: i64| {
        chosen.set(Some(id));
        error.set(None);
        spawn_local(async move {
            let (url, token) = visitor
                .with_value(|v| (format!("{}/api/visitor/section", v.server), v.token.clone()));
            let saved = rest::put_json(&url, &SectionPick { section: Some(id) }, &token).await;
            if saved.is_err() && chosen.get_untracked() == Some(id) {
                chosen.set(None);
                error.set(Some(tr("section_failed")));
            }
        });
    };
    let sections = StoredValue::new(sections);
    crate::localised(move |lang, dir| {
        view! {
            <fieldset class="lc-sections" style=STYLE lang=lang dir=dir>
                <style>{CSS}</style>
                <legend>{tr("who_to_talk_to")}</legend>
                {sections
                    .get_value()
                    .into_iter()
                    .map(|s| {
                        let id = s.id;
                        view! {
                            <label class="lc-section">
                                <input
                                    type="radio"
                                    name="lc-section"
                                    prop:checked=move || chosen.get() == Some(id)
                                    on:change=move |_| choose(id)
                                />
                                {s.name}
                            </label>
                        }
                    })
                    .collect_view()}
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </fieldset>
        }
    })
}

/// Between the messages and the composer, like the help panel; its own rules only, so the
/// widget's stylesheet (and budget) carries nothing for it.
const STYLE: &str = "margin:0;padding:10px 16px;border:0;border-top:1px solid var(--lc-line);\
                     background:var(--lc-bg);font-size:14px;display:flex;flex-wrap:wrap;gap:8px";
const CSS: &str = ".lc-choice{padding:8px 14px;border:1px solid var(--lc-accent);border-radius:18px;\
background:var(--lc-bg);color:var(--lc-accent);font:inherit;font-weight:600;cursor:pointer}\
.lc-choice:hover:not(:disabled){background:var(--lc-accent);color:#fff}\
.lc-choice:disabled{opacity:.6;cursor:default}\
.lc-sections legend{float:inline-start;width:100%;padding:0;margin:0 0 2px;font-weight:600}\
.lc-section{display:flex;align-items:center;gap:6px;padding:6px 12px;border:1px solid var(--lc-field);\
border-radius:18px;cursor:pointer}\
.lc-section:has(:checked){border-color:var(--lc-accent);color:var(--lc-accent);font-weight:600}\
.lc-section input{margin:0;accent-color:var(--lc-accent)}\
.lc-choices .error,.lc-sections .error{flex-basis:100%;margin:0}";
