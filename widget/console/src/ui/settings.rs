//! The Settings screen (admins only): chat, companies and contacts (their overrides of chat and
//! pre-ticket chat), office hours, webhooks. Each section saves on its own, the overrides at
//! each pick; outcomes in `role=status`, failures in `role=alert`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::helpdesk::{ChatSettings, OfficeHours, OpeningWindow};
use protocol::webhooks::WebhookSettings;

use crate::Ctl;
use crate::settings::{CompanySetting, choice_value, inherit_label, parse_choice};

const DAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

#[component]
pub fn SettingsPane() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let s = ctl.settings;
    view! {
        <section class="account settings" aria-labelledby="settings-h">
            <div class="pane-head">
                <h2 id="settings-h">"Settings"</h2>
                <button type="button" class="ghost" on:click=move |_| ctl.toggle_settings()>
                    "Back to chats"
                </button>
            </div>
            {move || s.error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <p class="notice" role="status">{move || s.notice.get()}</p>
            {move || s.chat.get().map(|c| view! { <ChatSection initial=c /> })}
            <OverridesSection />
            {move || s.hours.get().map(|h| view! { <HoursSection initial=h /> })}
            {move || s.webhook.get().map(|w| view! { <WebhookSection initial=w /> })}
        </section>
    }
}

#[component]
fn ChatSection(initial: ChatSettings) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let enabled = RwSignal::new(initial.chat_enabled);
    let wait = RwSignal::new(initial.unanswered_after_secs.to_string());
    let pre_ticket = RwSignal::new(initial.pre_ticket);
    view! {
        <section class="panel" aria-labelledby="chat-settings-h">
            <h3 id="chat-settings-h">"Chat"</h3>
            <form
                class="stack"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let body = ChatSettings {
                        chat_enabled: enabled.get_untracked(),
                        unanswered_after_secs: wait.get_untracked().trim().parse().unwrap_or(60),
                        pre_ticket: pre_ticket.get_untracked(),
                    };
                    spawn_local(ctl.save_setting("/api/admin/settings", body, "Chat settings"));
                }
            >
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || enabled.get()
                        on:change=move |ev| enabled.set(event_target_checked(&ev))
                    />
                    "Chat on this site (companies and contacts may override it for verified contacts)"
                </label>
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || pre_ticket.get()
                        on:change=move |ev| pre_ticket.set(event_target_checked(&ev))
                    />
                    "Pre-ticket chat: a contact's new chat without a ticket opens one from its first line (companies may override it)"
                </label>
                <label for="unanswered-after">"Seconds a request waits before the visitor may ask for a callback"</label>
                <input
                    id="unanswered-after"
                    type="number"
                    min="0"
                    prop:value=move || wait.get()
                    on:input=move |ev| wait.set(event_target_value(&ev))
                />
                <button type="submit" class="primary">"Save chat settings"</button>
            </form>
        </section>
    }
}

#[component]
fn HoursSection(initial: OfficeHours) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let enabled = RwSignal::new(initial.enabled);
    let zone = RwSignal::new(initial.time_zone.clone());
    let holidays = RwSignal::new(initial.holidays.join("\n"));
    // One window per day in this screen (the API takes several).
    let days: Vec<_> = DAYS
        .iter()
        .map(|(key, _)| {
            let w = initial.weekly.iter().find(|w| w.day == *key);
            (
                RwSignal::new(w.is_some()),
                RwSignal::new(w.map_or("09:00".to_owned(), |w| w.open.clone())),
                RwSignal::new(w.map_or("17:00".to_owned(), |w| w.close.clone())),
            )
        })
        .collect();
    let rows = DAYS
        .iter()
        .zip(days.clone())
        .map(|((key, name), (on, open, close))| {
            view! {
                <tr>
                    <th scope="row">
                        <label class="check">
                            <input
                                type="checkbox"
                                prop:checked=move || on.get()
                                on:change=move |ev| on.set(event_target_checked(&ev))
                            />
                            {*name}
                        </label>
                    </th>
                    <td>
                        <input
                            type="time"
                            aria-label=format!("{name} opens")
                            id=format!("open-{key}")
                            prop:value=move || open.get()
                            on:input=move |ev| open.set(event_target_value(&ev))
                        />
                    </td>
                    <td>
                        <input
                            type="time"
                            aria-label=format!("{name} closes")
                            prop:value=move || close.get()
                            on:input=move |ev| close.set(event_target_value(&ev))
                        />
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby="hours-h">
            <h3 id="hours-h">"Office hours"</h3>
            <form
                class="stack"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let weekly = DAYS
                        .iter()
                        .zip(days.iter())
                        .filter(|(_, (on, _, _))| on.get_untracked())
                        .map(|((key, _), (_, open, close))| OpeningWindow {
                            day: (*key).to_owned(),
                            open: open.get_untracked(),
                            close: close.get_untracked(),
                        })
                        .collect();
                    let body = OfficeHours {
                        enabled: enabled.get_untracked(),
                        time_zone: zone.get_untracked().trim().to_owned(),
                        weekly,
                        holidays: holidays
                            .get_untracked()
                            .lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty())
                            .map(str::to_owned)
                            .collect(),
                    };
                    spawn_local(ctl.save_setting("/api/admin/office-hours", body, "Office hours"));
                }
            >
                <label class="check">
                    <input
                        type="checkbox"
                        prop:checked=move || enabled.get()
                        on:change=move |ev| enabled.set(event_target_checked(&ev))
                    />
                    "Use office hours (otherwise chats are always answered)"
                </label>
                <label for="time-zone">"Time zone"</label>
                <input
                    id="time-zone"
                    placeholder="Europe/Berlin"
                    prop:value=move || zone.get()
                    on:input=move |ev| zone.set(event_target_value(&ev))
                />
                <table class="hours">
                    <caption class="sr-only">"Opening hours by day"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Day"</th>
                            <th scope="col">"Opens"</th>
                            <th scope="col">"Closes"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
                <label for="holidays">"Holidays (one date per line, like 2026-12-25)"</label>
                <textarea
                    id="holidays"
                    rows="3"
                    prop:value=move || holidays.get()
                    on:input=move |ev| holidays.set(event_target_value(&ev))
                ></textarea>
                <button type="submit" class="primary">"Save office hours"</button>
            </form>
        </section>
    }
}

#[component]
fn WebhookSection(initial: WebhookSettings) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let url = RwSignal::new(initial.url.clone().unwrap_or_default());
    let secret = RwSignal::new(String::new());
    let secret_hint = if initial.secret_set {
        "A secret is set; leave empty to keep it"
    } else {
        "At least 32 characters"
    };
    view! {
        <section class="panel" aria-labelledby="webhook-h">
            <h3 id="webhook-h">"Webhooks"</h3>
            <form
                class="stack"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let u = url.get_untracked().trim().to_owned();
                    let s = secret.get_untracked();
                    let body = WebhookSettings {
                        url: (!u.is_empty()).then_some(u),
                        secret: (!s.is_empty()).then_some(s),
                        secret_set: false,
                    };
                    secret.set(String::new());
                    spawn_local(ctl.save_setting("/api/admin/webhook", body, "Webhook"));
                }
            >
                <label for="webhook-url">"Webhook URL (empty: off)"</label>
                <input
                    id="webhook-url"
                    type="url"
                    placeholder="https://helpdesk.example/hooks/livechat"
                    prop:value=move || url.get()
                    on:input=move |ev| url.set(event_target_value(&ev))
                />
                <label for="webhook-secret">"Signing secret"</label>
                <input
                    id="webhook-secret"
                    type="password"
                    autocomplete="off"
                    placeholder=secret_hint
                    prop:value=move || secret.get()
                    on:input=move |ev| secret.set(event_target_value(&ev))
                />
                <button type="submit" class="primary">"Save webhook"</button>
            </form>
        </section>
    }
}

/// Companies, each followed by its contacts, in one table: a `tbody` per company keeps a
/// contact next to the company whose setting it inherits.
#[component]
fn OverridesSection() -> impl IntoView {
    let s = expect_context::<Ctl>().settings;
    // What inheriting gives: the saved global settings, not the Chat form's unsaved edits.
    let global = Memo::new(move |_| {
        s.chat.with(|c| {
            c.as_ref()
                .map_or((false, false), |c| (c.chat_enabled, c.pre_ticket))
        })
    });
    // Only the list of ids redraws the table; a pick changes one row's cells in place, so
    // the focused select stays.
    let ids = Memo::new(move |_| {
        s.overrides.with(|o| {
            o.as_ref().map(|o| {
                o.companies
                    .iter()
                    .map(|r| r.shown.id.clone())
                    .collect::<Vec<_>>()
            })
        })
    });
    view! {
        <section class="panel" aria-labelledby="overrides-h">
            <h3 id="overrides-h">"Companies and contacts"</h3>
            <p class="muted small">
                "Chat for verified contacts: a contact's own setting overrides their company's, which overrides the Chat settings above. Inherit follows the next level."
            </p>
            {move || s.overrides_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <p class="notice" role="status">{move || s.overrides_notice.get()}</p>
            {move || match ids.get() {
                // A failed first load is said in the alert above.
                None if s.overrides_error.with(Option::is_some) => ().into_any(),
                None => view! { <p class="muted small">"Loading companies…"</p> }.into_any(),
                Some(ids) if ids.is_empty() => {
                    view! {
                        <p class="muted small">
                            "No companies yet: your helpdesk adds them through the admin API."
                        </p>
                    }
                        .into_any()
                }
                Some(ids) => {
                    view! {
                        <table class="overrides">
                            <caption class="sr-only">"Chat settings by company and contact"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Company or contact"</th>
                                    <th scope="col">"Chat"</th>
                                    <th scope="col">"Pre-ticket chat"</th>
                                </tr>
                            </thead>
                            {ids
                                .into_iter()
                                .map(|id| view! { <CompanyRows id=id global=global /> })
                                .collect_view()}
                        </table>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn CompanyRows(id: String, global: Memo<(bool, bool)>) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let s = ctl.settings;
    let company = {
        let id = id.clone();
        Memo::new(move |_| {
            s.overrides
                .with(|o| o.as_ref().and_then(|o| o.company(&id)).cloned())
        })
    };
    let name = move || company.with(|c| c.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let contacts = {
        let id = id.clone();
        Memo::new(move |_| {
            s.overrides
                .with(|o| o.as_ref().map(|o| o.contacts_of(&id)).unwrap_or_default())
        })
    };
    let (chat_id, pre_id) = (id.clone(), id);
    view! {
        <tbody>
            <tr class="company-row">
                <th scope="row">{name}</th>
                <td>
                    <Choice
                        label=Signal::derive(move || format!("Chat for {}", name()))
                        value=Signal::derive(move || company.with(|c| c.as_ref().and_then(|c| c.chat_enabled)))
                        inherit=Signal::derive(move || inherit_label(global.get().0))
                        pick=move |v| ctl.set_company(&chat_id, CompanySetting::Chat, v)
                    />
                </td>
                <td>
                    <Choice
                        label=Signal::derive(move || format!("Pre-ticket chat for {}", name()))
                        value=Signal::derive(move || company.with(|c| c.as_ref().and_then(|c| c.pre_ticket)))
                        inherit=Signal::derive(move || inherit_label(global.get().1))
                        pick=move |v| ctl.set_company(&pre_id, CompanySetting::PreTicket, v)
                    />
                </td>
            </tr>
            {move || {
                contacts
                    .get()
                    .into_iter()
                    .map(|id| view! { <ContactRow id=id /> })
                    .collect_view()
            }}
        </tbody>
    }
}

#[component]
fn ContactRow(id: String) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let s = ctl.settings;
    let contact = {
        let id = id.clone();
        Memo::new(move |_| {
            s.overrides
                .with(|o| o.as_ref().and_then(|o| o.contact(&id)).cloned())
        })
    };
    let name = move || contact.with(|c| c.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let email = move || contact.with(|c| c.as_ref().map(|c| c.email.clone()).unwrap_or_default());
    view! {
        <tr class="contact-row">
            <th scope="row">
                {name} " " <span class="muted small">{email}</span>
            </th>
            <td>
                <Choice
                    label=Signal::derive(move || format!("Chat for {}", name()))
                    value=Signal::derive(move || contact.with(|c| c.as_ref().and_then(|c| c.chat_enabled)))
                    inherit=Signal::derive(|| "Inherit")
                    pick=move |v| ctl.set_contact(&id, v)
                />
            </td>
            // Pre-ticket chat is set per company only.
            <td></td>
        </tr>
    }
}

/// A select of Inherit / On / Off. Each option's `selected` follows `value`, so a failed save
/// that puts the server's value back also puts it back on screen.
#[component]
fn Choice(
    label: Signal<String>,
    value: Signal<Option<bool>>,
    inherit: Signal<&'static str>,
    pick: impl Fn(Option<bool>) + 'static,
) -> impl IntoView {
    let is = move |v: Option<bool>| move || value.get() == v;
    view! {
        <select
            aria-label=move || label.get()
            on:change=move |ev| {
                if let Some(v) = parse_choice(&event_target_value(&ev)) {
                    pick(v);
                }
            }
        >
            <option value=choice_value(None) prop:selected=is(None)>
                {move || inherit.get()}
            </option>
            <option value=choice_value(Some(true)) prop:selected=is(Some(true))>
                "On"
            </option>
            <option value=choice_value(Some(false)) prop:selected=is(Some(false))>
                "Off"
            </option>
        </select>
    }
}
