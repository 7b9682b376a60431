//! "When nobody answers": the panel offered outside office hours or once a request has waited
//! past the site's unanswered time. "Call me back" (a form: phone, when, note → `POST
//! /api/callbacks`), for a verified contact "Leave a message" (the chat becomes a ticket, or a
//! note on its ticket, and ends), and "End chat" (`POST /api/conversations/{id}/end`; the
//! server allows it exactly then).

use leptos::prelude::*;
use leptos::task::spawn_local;
use livechat_client::i18n::{tr, tr_with};
use livechat_client::rest;
use protocol::helpdesk::{CallbackRequest, CreateTicketRequest};
use protocol::{HistoryPage, MessageKind, Role};

use crate::rules::{self, Situation, callback_error};

/// Which part of the panel shows.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Choose,
    CallMe,
    Leave,
    Done(String),
}

#[component]
pub fn Help(situation: Situation) -> impl IntoView {
    let situation = StoredValue::new(situation);
    let step = RwSignal::new(Step::Choose);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let contact = situation.with_value(|s| s.contact);
    let has_chat = situation.with_value(|s| s.conversation.is_some());
    let go = move |to: Step| {
        error.set(None);
        step.set(to);
    };

    let end_chat = move |_| {
        busy.set(true);
        spawn_local(async move {
            let result = situation.with_value(Situation::clone).end().await;
            busy.set(false);
            if let Err(e) = result {
                error.set(Some(e));
            }
        });
    };

    // Every text is a plain `tr(key)`: the panel is drawn again when the language changes (its
    // state lives outside, so only a half-typed form is lost).
    crate::localised(move |lang, dir| {
        view! {
            <section class="lc-help" aria-labelledby="lc-help-title" style=PANEL_STYLE lang=lang dir=dir>
                <style>{CSS}</style>
                <h3 id="lc-help-title">{situation.with_value(Situation::heading)}</h3>
                <p class="lc-help-text">{situation.with_value(Situation::explanation)}</p>
                {move || match step.get() {
                    Step::Choose => view! {
                        <div class="lc-help-actions">
                            <button type="button" class="lc-secondary" on:click=move |_| go(Step::CallMe)>
                                {tr("call_me_back")}
                            </button>
                            {(contact && has_chat).then(|| view! {
                                <button type="button" class="lc-secondary" on:click=move |_| go(Step::Leave)>
                                    {tr("leave_message")}
                                </button>
                            })}
                            {has_chat.then(|| view! {
                                <button type="button" class="lc-secondary" disabled=move || busy.get() on:click=end_chat>
                                    {tr("end_chat")}
                                </button>
                            })}
                        </div>
                    }.into_any(),
                    Step::CallMe => view! { <CallbackForm situation=situation step=step error=error /> }.into_any(),
                    Step::Leave => view! { <LeaveMessage situation=situation step=step error=error /> }.into_any(),
                    Step::Done(text) => view! { <p class="lc-help-done" role="status">{text}</p> }.into_any(),
                }}
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </section>
        }
    })
}

#[component]
fn CallbackForm(
    situation: StoredValue<Situation>,
    step: RwSignal<Step>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let phone = RwSignal::new(String::new());
    let when = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let request = CallbackRequest {
            phone: phone.get_untracked().trim().to_owned(),
            preferred_time: when.get_untracked().trim().to_owned(),
            note: note.get_untracked().trim().to_owned(),
        };
        if let Err(e) = rules::check_phone(&request.phone) {
            error.set(Some(e));
            return;
        }
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            let result = situation
                .with_value(Situation::clone)
                .call_me(&request)
                .await;
            busy.set(false);
            match result {
                Ok(()) => step.set(Step::Done(if request.preferred_time.is_empty() {
                    tr_with("callback_thanks", &[("phone", &request.phone)])
                } else {
                    tr_with(
                        "callback_thanks_when",
                        &[("phone", &request.phone), ("when", &request.preferred_time)],
                    )
                })),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let field =
        |id: &'static str, label: &str, value: RwSignal<String>, kind: &'static str, hint: &str| {
            view! {
                <label for=id>{tr(label)}</label>
                <input
                    id=id
                    type=kind
                    placeholder=tr(hint)
                    autocomplete=if kind == "tel" { "tel" } else { "off" }
                    prop:value=move || value.get()
                    on:input=move |ev| {
                        value.set(event_target_value(&ev));
                        error.set(None);
                    }
                />
            }
        };
    view! {
        <form class="lc-help-form" novalidate on:submit=submit>
            {field("lc-cb-phone", "phone_number", phone, "tel", "phone_example")}
            {field("lc-cb-when", "callback_when", when, "text", "callback_when_example")}
            <label for="lc-cb-note">{tr("callback_note")}</label>
            <textarea
                id="lc-cb-note"
                rows="2"
                prop:value=move || note.get()
                on:input=move |ev| note.set(event_target_value(&ev))
            ></textarea>
            <div class="lc-help-actions">
                <button type="submit" class="lc-primary" disabled=move || busy.get()>
                    {move || tr(if busy.get() { "sending" } else { "request_call" })}
                </button>
                <button type="button" class="lc-secondary" on:click=move |_| {
                    error.set(None);
                    step.set(Step::Choose);
                }>
                    {tr("back")}
                </button>
            </div>
        </form>
    }
}

#[component]
fn LeaveMessage(
    situation: StoredValue<Situation>,
    step: RwSignal<Step>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let text = situation.with_value(|s| match &s.ticket {
        Some(number) => tr_with("leave_to_ticket", &[("number", number)]),
        None => tr("leave_new_ticket"),
    });
    let file = move |_| {
        busy.set(true);
        spawn_local(async move {
            let result = situation.with_value(Situation::clone).leave_message().await;
            busy.set(false);
            match result {
                Ok(number) => step.set(Step::Done(tr_with(
                    "left_as_ticket",
                    &[("number", &number)],
                ))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <p class="lc-help-text">{text}</p>
        <div class="lc-help-actions">
            <button type="button" class="lc-primary" disabled=move || busy.get() on:click=file>
                {tr("leave_as_ticket")}
            </button>
            <button type="button" class="lc-secondary" on:click=move |_| {
                error.set(None);
                step.set(Step::Choose);
            }>
                {tr("back")}
            </button>
        </div>
    }
}

/// The panel sits between the messages and the composer; its own rules only, so the widget's
/// stylesheet (and budget) carries nothing for it.
/// Bounded and scrolling, so the messages and the composer stay in view beside the form.
const PANEL_STYLE: &str = "padding:12px 16px;border-top:1px solid var(--lc-line);background:var(--lc-bg);\
                           font-size:14px;max-height:230px;overflow-y:auto";
const CSS: &str = ".lc-help h3{margin:0 0 4px;font-size:15px}\
.lc-help-text{margin:0 0 8px;color:var(--lc-muted)}\
.lc-help-actions{display:flex;flex-wrap:wrap;gap:8px}\
.lc-help-actions .lc-primary{margin-top:0}\
.lc-secondary{padding:9px 14px;border:1px solid var(--lc-field);border-radius:10px;background:var(--lc-bg);color:var(--lc-text);font-weight:600}\
.lc-secondary:hover:not(:disabled){border-color:var(--lc-accent);color:var(--lc-accent)}\
.lc-help-form{display:flex;flex-direction:column;gap:4px}\
.lc-help-form label{font-weight:600;font-size:13px}\
.lc-help-form input,.lc-help-form textarea{font:inherit;padding:8px 10px;border:1px solid var(--lc-field);border-radius:8px;margin-bottom:6px;background:var(--lc-bg);color:var(--lc-text)}\
.lc-help-form .lc-help-actions{margin-top:4px}\
.lc-help-done{margin:0;font-weight:600}";

/// Of the ticket the chat was filed as (`protocol::helpdesk::Ticket`), only its number: the
/// rest of the answer is skipped unread, which keeps the chunk from carrying a full reader for
/// it. The callback's and the end's answers are not read at all (success is the status).
#[derive(serde::Deserialize)]
struct Filed {
    number: String,
}

impl Situation {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server)
    }

    async fn call_me(&self, request: &CallbackRequest) -> Result<(), String> {
        let url = self.url("/api/callbacks");
        rest::post_for_text_explained(&url, request, Some(&self.token))
            .await
            .map(drop)
            .map_err(|(status, reason)| callback_error(status, &reason))
    }

    async fn end(&self) -> Result<(), String> {
        let id = self.conversation.ok_or_else(|| tr("no_chat_to_end"))?;
        let url = self.url(&format!("/api/conversations/{id}/end"));
        rest::post_for_text_explained(&url, &(), Some(&self.token))
            .await
            .map(drop)
            .or_else(|(status, reason)| match status {
                200..=299 => Ok(()),
                _ => Err(rules::end_error(status, &reason)),
            })
    }

    /// File the chat as a ticket (a new one unless it has one), then end it: its transcript
    /// lands on the ticket as a note. The ticket's number.
    async fn leave_message(&self) -> Result<String, String> {
        let id = self.conversation.ok_or_else(|| tr("no_chat_to_leave"))?;
        let number = match &self.ticket {
            Some(number) => number.clone(),
            None => {
                let subject = self.first_line().await;
                let url = self.url(&format!("/api/conversations/{id}/tickets"));
                let body = CreateTicketRequest {
                    subject,
                    // One ticket per chat however often this is retried.
                    client_key: format!("leave-{id}"),
                };
                rest::post_json_explained::<_, Filed>(&url, &body, Some(&self.token))
                    .await
                    .map_err(|(status, reason)| rules::end_error(status, &reason))?
                    .number
            }
        };
        self.end().await?;
        Ok(number)
    }

    /// The ticket's subject: the first line the visitor wrote, or a plain one.
    async fn first_line(&self) -> String {
        let Some(id) = self.conversation else {
            return protocol::helpdesk::ticket_subject(None);
        };
        let url = self.url(&format!("/api/conversations/{id}/messages?limit=20"));
        let first = rest::get_json::<HistoryPage>(&url, &self.token)
            .await
            .ok()
            .and_then(|page| {
                page.messages.into_iter().find(|m| {
                    m.kind == MessageKind::Text
                        && m.author.as_ref().is_some_and(|a| a.role() == Role::Visitor)
                })
            })
            .map(|m| m.body);
        protocol::helpdesk::ticket_subject(first.as_deref())
    }
}
