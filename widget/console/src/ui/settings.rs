//! The Settings screen (admins only): chat, companies and contacts (their overrides of chat and
//! pre-ticket chat, their section), office hours, webhooks, agent accounts, sections. Each section saves on its own, the
//! overrides and the agents' checkboxes at each click; outcomes in `role=status`, failures in
//! `role=alert`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::helpdesk::{ChatSettings, OfficeHours, OpeningWindow};
use protocol::webhooks::WebhookSettings;

use super::Check;
use crate::Ctl;
use crate::settings::{CompanySetting, choice_value, inherit_label, is_me, parse_choice};
use protocol::AgentId;

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
            <AgentsSection />
            <SectionsSection />
        </section>
    }
}

#[component]
fn ChatSection(initial: ChatSettings) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let enabled = RwSignal::new(initial.chat_enabled);
    let wait = RwSignal::new(initial.unanswered_after_secs.to_string());
    let pre_ticket = RwSignal::new(initial.pre_ticket);
    // Shown in minutes; the setting is seconds.
    let away = RwSignal::new((initial.agent_away_after_secs / 60).to_string());
    let abandon = RwSignal::new((initial.abandon_after_secs / 60).to_string());
    let default_section = RwSignal::new(initial.default_section);
    let section_choice = RwSignal::new(initial.section_choice);
    let sections = expect_context::<Ctl>().settings.sections;
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
                        agent_away_after_secs: away
                            .get_untracked()
                            .trim()
                            .parse::<u32>()
                            .map_or(initial.agent_away_after_secs, |m| m.saturating_mul(60)),
                        abandon_after_secs: abandon
                            .get_untracked()
                            .trim()
                            .parse::<u32>()
                            .map_or(initial.abandon_after_secs, |m| m.saturating_mul(60)),
                        default_section: default_section.get_untracked(),
                        section_choice: section_choice.get_untracked(),
                    };
                    spawn_local(ctl.save_setting("/api/admin/settings", body, "Chat settings"));
                }
            >
                <Check value=enabled label="Chat on this site (companies and contacts may override it for verified contacts)" />
                <Check value=pre_ticket label="Pre-ticket chat: a contact's new chat without a ticket opens one from its first line (companies may override it)" />
                <label for="agent-away-after">"Minutes without activity before an agent shows as away"</label>
                <input
                    id="agent-away-after"
                    type="number"
                    min="1"
                    prop:value=move || away.get()
                    on:input=move |ev| away.set(event_target_value(&ev))
                />
                <label for="unanswered-after">"Seconds a request waits before the visitor may ask for a callback"</label>
                <input
                    id="unanswered-after"
                    type="number"
                    min="0"
                    prop:value=move || wait.get()
                    on:input=move |ev| wait.set(event_target_value(&ev))
                />
                <label for="abandon-after">"Abandon unanswered requests after (minutes, 0 = never)"</label>
                <input
                    id="abandon-after"
                    type="number"
                    min="0"
                    prop:value=move || abandon.get()
                    on:input=move |ev| abandon.set(event_target_value(&ev))
                />
                <label for="default-section">"Default section for the website"</label>
                <SectionPick
                    id="default-section"
                    label=None
                    none="None: every section that takes the visitor"
                    value=Signal::derive(move || default_section.get())
                    sections=sections
                    pick=move |v| default_section.set(v)
                />
                <Check
                    value=section_choice
                    label="Visitors choose their section in the chat widget"
                    hint=(
                        "section-choice-hint",
                        "When more than one section takes them; a company's own section still wins.",
                    )
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
                <Check value=enabled label="Use office hours (otherwise chats are always answered)" />
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
                                    <th scope="col">"Section"</th>
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
    let (chat_id, pre_id, section_id) = (id.clone(), id.clone(), id);
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
                <td>
                    <SectionPick
                        id=""
                        label=Some(Signal::derive(move || format!("Section for {}", name())))
                        none="Site default"
                        value=Signal::derive(move || company.with(|c| c.as_ref().and_then(|c| c.section)))
                        sections=s.sections
                        pick=move |v| ctl.set_company_section(&section_id, v)
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
            // Pre-ticket chat and the section are set per company only.
            <td></td>
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

/// A select of "none" and the sections; each option's `selected` follows `value` (a failed
/// save puts the server's value back on screen too).
#[component]
fn SectionPick(
    /// The select's id, for a `<label for>` beside it ("" for none).
    id: &'static str,
    /// Its accessible name when no `<label for>` names it.
    label: Option<Signal<String>>,
    none: &'static str,
    value: Signal<Option<i64>>,
    sections: RwSignal<Option<Vec<protocol::workspace::Section>>>,
    pick: impl Fn(Option<i64>) + 'static,
) -> impl IntoView {
    view! {
        <select
            id=(!id.is_empty()).then_some(id)
            aria-label=move || label.map(|l| l.get())
            on:change=move |ev| pick(event_target_value(&ev).parse().ok())
        >
            <option value="" prop:selected=move || value.get().is_none()>{none}</option>
            {move || {
                sections
                    .get()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|sec| {
                        let sid = sec.id;
                        view! {
                            <option value=sid.to_string() prop:selected=move || value.get() == Some(sid)>
                                {sec.name}
                            </option>
                        }
                    })
                    .collect_view()
            }}
        </select>
    }
}

/// The agent accounts: a table (admin role, active, a new password) and a form to add one.
#[component]
fn AgentsSection() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let s = ctl.settings;
    // Only the list of ids redraws the table; a click changes one row's cells in place.
    let ids = Memo::new(move |_| {
        s.agents.with(|rows| {
            rows.as_ref()
                .map(|rows| rows.iter().map(|r| r.id()).collect::<Vec<_>>())
        })
    });
    view! {
        <section class="panel" aria-labelledby="agents-h">
            <h3 id="agents-h">"Agents"</h3>
            {move || s.agents_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <p class="notice" role="status">{move || s.agents_notice.get()}</p>
            {move || match ids.get() {
                // A failed first load is said in the alert above.
                None if s.agents_error.with(Option::is_some) => ().into_any(),
                None => view! { <p class="muted small">"Loading agents…"</p> }.into_any(),
                Some(ids) => {
                    view! {
                        <table class="agents">
                            <caption class="sr-only">"Agent accounts"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Email"</th>
                                    <th scope="col">"Admin"</th>
                                    <th scope="col">"Active"</th>
                                    <th scope="col">"Password"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {ids.into_iter().map(|id| view! { <AgentRow id=id /> }).collect_view()}
                            </tbody>
                        </table>
                    }
                        .into_any()
                }
            }}
            <AddAgent />
        </section>
    }
}

#[component]
fn AgentRow(id: AgentId) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let s = ctl.settings;
    let row = Memo::new(move |_| {
        s.agents.with(|rows| {
            rows.as_ref()
                .and_then(|rows| rows.iter().find(|r| r.id() == id))
                .map(|r| (r.saving.shown.clone(), r.resetting))
        })
    });
    let me = Memo::new(move |_| {
        let me = ctl
            .store
            .desk
            .with(|d| d.me.as_ref().and_then(|m| m.principal.agent()));
        is_me(me, id)
    });
    let name = move || row.with(|r| r.as_ref().map(|(a, _)| a.name.clone()).unwrap_or_default());
    let email = move || row.with(|r| r.as_ref().map(|(a, _)| a.email.clone()).unwrap_or_default());
    let is_admin = move || row.with(|r| r.as_ref().is_some_and(|(a, _)| a.is_admin));
    let active = move || row.with(|r| r.as_ref().is_some_and(|(a, _)| a.active));
    let hint_id = format!("agent-{id}-self");
    let described = {
        let hint_id = hint_id.clone();
        move || me.get().then(|| hint_id.clone())
    };
    view! {
        <tr class:inactive=move || !active()>
            <th scope="row">
                {name}
                {move || {
                    me.get()
                        .then(|| {
                            view! {
                                " "
                                <span class="muted small" id=hint_id.clone()>
                                    "(you: another admin can change your role or access)"
                                </span>
                            }
                        })
                }}
            </th>
            <td>{email}</td>
            <td>
                <input
                    type="checkbox"
                    aria-label=move || format!("Admin: {}", name())
                    aria-describedby=described.clone()
                    prop:checked=is_admin
                    disabled=move || me.get()
                    on:change=move |ev| ctl.set_agent_admin(id, event_target_checked(&ev))
                />
            </td>
            <td>
                <input
                    type="checkbox"
                    aria-label=move || format!("Active: {}", name())
                    aria-describedby=described
                    prop:checked=active
                    disabled=move || me.get()
                    on:change=move |ev| ctl.set_agent_active(id, event_target_checked(&ev))
                />
            </td>
            <td>
                {move || {
                    if me.get() {
                        view! { <span class="muted small">"Yours: under Account"</span> }.into_any()
                    } else {
                        let resetting = Signal::derive(move || {
                            row.with(|r| r.as_ref().is_some_and(|(_, busy)| *busy))
                        });
                        view! { <ResetPassword id=id name=Signal::derive(name) resetting=resetting /> }
                            .into_any()
                    }
                }}
            </td>
        </tr>
    }
}

/// "Reset password for <name>", revealing a new-password field with "Set password" and
/// "Cancel". Not offered on one's own row: it would end this very session (the account panel
/// changes one's own password and keeps it).
#[component]
fn ResetPassword(id: AgentId, name: Signal<String>, resetting: Signal<bool>) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let open = RwSignal::new(false);
    let password = RwSignal::new(String::new());
    let toggle = NodeRef::<leptos::html::Button>::new();
    let field = NodeRef::<leptos::html::Input>::new();
    // The field takes the focus when it appears.
    Effect::new(move |_| {
        if let Some(input) = field.get() {
            let _ = input.focus();
        }
    });
    let close = move || {
        open.set(false);
        password.set(String::new());
        if let Some(button) = toggle.get_untracked() {
            let _ = button.focus();
        }
    };
    view! {
        <div class="reset-password">
            <button
                type="button"
                class="ghost small"
                node_ref=toggle
                aria-label=move || format!("Reset password for {}", name.get())
                aria-expanded=move || open.get().to_string()
                on:click=move |_| {
                    if open.get_untracked() {
                        close();
                    } else {
                        open.set(true);
                    }
                }
            >
                "Reset password"
            </button>
            <Show when=move || open.get()>
                <form
                    class="new-password"
                    novalidate
                    on:submit=move |ev| {
                        ev.prevent_default();
                        if resetting.get_untracked() {
                            return;
                        }
                        let new = password.get_untracked();
                        spawn_local(async move {
                            if ctl.reset_agent_password(id, new).await {
                                close();
                            }
                        });
                    }
                >
                    <input
                        type="password"
                        autocomplete="new-password"
                        node_ref=field
                        aria-label=move || format!("New password for {}", name.get())
                        prop:value=move || password.get()
                        on:input=move |ev| password.set(event_target_value(&ev))
                    />
                    <button type="submit" class="primary small" disabled=move || resetting.get()>
                        "Set password"
                    </button>
                    <button type="button" class="ghost small" on:click=move |_| close()>
                        "Cancel"
                    </button>
                </form>
            </Show>
        </div>
    }
}

#[component]
fn AddAgent() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let s = ctl.settings;
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let is_admin = RwSignal::new(false);
    view! {
        <h4 id="add-agent-h">"Add agent"</h4>
        <form
            class="stack"
            aria-labelledby="add-agent-h"
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                if s.adding_agent.get_untracked() {
                    return;
                }
                spawn_local(async move {
                    let added = ctl
                        .add_agent(
                            name.get_untracked(),
                            email.get_untracked(),
                            password.get_untracked(),
                            is_admin.get_untracked(),
                        )
                        .await;
                    if added {
                        for field in [name, email, password] {
                            field.set(String::new());
                        }
                        is_admin.set(false);
                    }
                });
            }
        >
            <label for="agent-name">"Name"</label>
            <input
                id="agent-name"
                autocomplete="off"
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <label for="agent-email">"Email"</label>
            <input
                id="agent-email"
                type="email"
                autocomplete="off"
                prop:value=move || email.get()
                on:input=move |ev| email.set(event_target_value(&ev))
            />
            <label for="agent-password">"Password"</label>
            <input
                id="agent-password"
                type="password"
                autocomplete="new-password"
                aria-describedby="agent-password-hint"
                prop:value=move || password.get()
                on:input=move |ev| password.set(event_target_value(&ev))
            />
            <p class="muted small" id="agent-password-hint">
                {format!(
                    "At least {} characters. They can change it under Account.",
                    protocol::MIN_PASSWORD_CHARS,
                )}
            </p>
            <Check value=is_admin label="Admin" />
            <button type="submit" class="primary" disabled=move || s.adding_agent.get()>
                "Add agent"
            </button>
        </form>
    }
}

/// The sections: whom each takes live chat from and who is in it, each saved whole with its
/// own button, deleted after a confirmation; and a form to add one. A request goes to the
/// online members of its section (README, "Sections and routing").
#[component]
fn SectionsSection() -> impl IntoView {
    let s = expect_context::<Ctl>().settings;
    view! {
        <section class="panel" aria-labelledby="sections-h">
            <h3 id="sections-h">"Sections"</h3>
            <p class="muted small">
                "Requests go to the online members of their section: a company's, else the site's default, else every section that takes that kind of visitor. With no sections, every agent gets every request."
            </p>
            {move || s.sections_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <p class="notice" role="status">{move || s.sections_notice.get()}</p>
            {move || match s.sections.get() {
                None if s.sections_error.with(Option::is_some) => ().into_any(),
                None => view! { <p class="muted small">"Loading sections…"</p> }.into_any(),
                Some(list) if list.is_empty() => {
                    view! { <p class="muted small">"No sections yet."</p> }.into_any()
                }
                Some(_) => {
                    view! {
                        <ul class="list sections">
                            <For
                                each=move || s.sections.get().unwrap_or_default()
                                // A saved change rebuilds that row's form with the server's values.
                                key=|section| format!("{section:?}")
                                children=|section| view! { <li><SectionForm initial=Some(section) /></li> }
                            />
                        </ul>
                    }
                        .into_any()
                }
            }}
            <h4 id="add-section-h">"Add section"</h4>
            <SectionForm initial=None />
        </section>
    }
}

/// One section's form (or, with no `initial`, the form that adds one).
#[component]
fn SectionForm(initial: Option<protocol::workspace::Section>) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let s = ctl.settings;
    let id = initial.as_ref().map(|sec| sec.id);
    let old_name = initial.as_ref().map(|sec| sec.name.clone());
    let name = RwSignal::new(old_name.clone().unwrap_or_default());
    let anonymous = RwSignal::new(initial.as_ref().is_none_or(|sec| sec.anonymous_chat));
    let contacts = RwSignal::new(initial.as_ref().is_none_or(|sec| sec.contact_chat));
    let members = RwSignal::new(initial.map(|sec| sec.members).unwrap_or_default());
    let confirming = RwSignal::new(false);
    let key = id.map_or_else(|| "new".to_owned(), |id| id.to_string());
    let name_id = format!("section-name-{key}");
    let form_label = old_name
        .clone()
        .map_or_else(|| "Add section".to_owned(), |n| format!("Section {n}"));
    let agents = Memo::new(move |_| {
        s.agents.with(|rows| {
            rows.iter()
                .flatten()
                .map(|r| {
                    let a = &r.saving.shown;
                    let label = if a.active {
                        a.name.clone()
                    } else {
                        format!("{} (inactive)", a.name)
                    };
                    (a.id, label)
                })
                .collect::<Vec<_>>()
        })
    });
    let input = move || {
        crate::settings::section_input(
            &name.get_untracked(),
            anonymous.get_untracked(),
            contacts.get_untracked(),
            members.get_untracked(),
        )
    };
    let delete_name = old_name.clone().unwrap_or_default();
    let label_for = old_name.unwrap_or_default();
    view! {
        <form
            class="stack section-form"
            aria-label=form_label
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                spawn_local(async move {
                    match id {
                        Some(id) => {
                            ctl.save_section(id, input()).await;
                        }
                        None => {
                            if ctl.add_section(input()).await {
                                name.set(String::new());
                                anonymous.set(true);
                                contacts.set(true);
                                members.set(Vec::new());
                            }
                        }
                    }
                });
            }
        >
            <label for=name_id.clone()>"Name"</label>
            <input
                id=name_id
                autocomplete="off"
                maxlength=protocol::workspace::MAX_SECTION_NAME_CHARS.to_string()
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <Check value=anonymous label="Anonymous visitors" />
            <Check value=contacts label="Portal contacts" />
            <fieldset>
                <legend>"Members"</legend>
                {move || {
                    agents
                        .get()
                        .into_iter()
                        .map(|(agent, label)| {
                            view! {
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        prop:checked=move || members.with(|m| m.contains(&agent))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            members.update(|m| {
                                                m.retain(|a| *a != agent);
                                                if on {
                                                    m.push(agent);
                                                }
                                            });
                                        }
                                    />
                                    {label}
                                </label>
                            }
                        })
                        .collect_view()
                }}
            </fieldset>
            <div class="row">
                {match id {
                    Some(_) => {
                        view! {
                            <button type="submit" class="primary" aria-label=format!("Save section {label_for}")>
                                "Save"
                            </button>
                            <button
                                type="button"
                                class="danger"
                                aria-label=format!("Delete section {label_for}")
                                aria-expanded=move || confirming.get().to_string()
                                on:click=move |_| confirming.set(true)
                            >
                                "Delete"
                            </button>
                        }
                            .into_any()
                    }
                    None => view! { <button type="submit" class="primary">"Add section"</button> }.into_any(),
                }}
            </div>
            <Show when=move || confirming.get()>
                <div class="confirm" role="group" aria-label="Confirm deleting">
                    <p>
                        {format!(
                            "Delete {delete_name}? Its waiting requests go to every other section that takes them.",
                        )}
                    </p>
                    <button
                        type="button"
                        class="danger"
                        on:click={
                            let delete_name = delete_name.clone();
                            move |_| {
                                confirming.set(false);
                                if let Some(id) = id {
                                    spawn_local(ctl.delete_section(id, delete_name.clone()));
                                }
                            }
                        }
                    >
                        "Delete section"
                    </button>
                    <button type="button" class="ghost" on:click=move |_| confirming.set(false)>
                        "Keep it"
                    </button>
                </div>
            </Show>
        </form>
    }
}
