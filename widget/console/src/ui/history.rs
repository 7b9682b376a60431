//! The History panel: search past chats ("Search chats", filtered by visitor, contact,
//! company, agent and a range of days; "Clear filters" sets them back to any), each hit a
//! button that opens the chat read-only (its messages, private notes marked, the closing
//! note); "More results" fetches the next page. Snippets are text, their `[match]` marks
//! shown as `<mark>`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::search::{ArchivedChat, HistoryHit};

use super::conversation::{Entry, NoteRow, merge};
use super::offers::LineRow;
use crate::Ctl;
use crate::history::{Filters, format_date, snippet_runs};
use crate::state::NoteLine;
use livechat_client::chat::Chat;

#[component]
pub fn HistoryPane() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let h = ctl.history;
    // One field of the form: its value, and what typing (or choosing) into it does.
    let field = move |get: fn(&Filters) -> &String, set: fn(&mut Filters, String)| {
        (
            move || h.filters.with(|f| get(f).clone()),
            move |ev: leptos::ev::Event| h.filters.update(|f| set(f, event_target_value(&ev))),
        )
    };
    let (text, on_text) = field(|f| &f.text, |f, v| f.text = v);
    let (visitor, on_visitor) = field(|f| &f.visitor, |f, v| f.visitor = v);
    let (contact, on_contact) = field(|f| &f.contact, |f, v| f.contact = v);
    let (_, on_company) = field(|f| &f.company, |f, v| f.company = v);
    let (_, on_agent) = field(|f| &f.agent, |f, v| f.agent = v);
    let (from, on_from) = field(|f| &f.from, |f, v| f.from = v);
    let (to, on_to) = field(|f| &f.to, |f, v| f.to = v);
    // A select's options, "any" first; each option knows whether it is the chosen one (the
    // options arrive after the form may hold a choice, so the select's value alone would not).
    let options =
        move |any: &'static str, chosen: fn(&Filters) -> &String, list: Vec<(String, String)>| {
            std::iter::once((String::new(), any.to_string()))
                .chain(list)
                .map(|(value, name)| {
                    let selected = {
                        let value = value.clone();
                        move || h.filters.with(|f| *chosen(f) == value)
                    };
                    view! { <option value=value prop:selected=selected>{name}</option> }
                })
                .collect_view()
        };
    let companies = move || {
        let list = h.directory.with(|d| {
            d.iter()
                .flat_map(|d| &d.companies)
                .map(|c| (c.id.clone(), c.name.clone()))
                .collect()
        });
        options("Any company", |f| &f.company, list)
    };
    let agents = move || {
        let list = h.directory.with(|d| {
            d.iter()
                .flat_map(|d| &d.agents)
                .map(|a| (a.id.0.to_string(), a.name.clone()))
                .collect()
        });
        options("Any agent", |f| &f.agent, list)
    };
    view! {
        <section class="history" aria-label="History">
            <h2>"History"</h2>
            <form
                class="history-search"
                role="search"
                on:submit=move |ev| {
                    ev.prevent_default();
                    spawn_local(ctl.search_history());
                }
            >
                <div class="row">
                    <label>
                        "Search chats"
                        <input type="search" maxlength="200" prop:value=text on:input=on_text />
                    </label>
                    <label>
                        "Visitor"
                        <input type="text" maxlength="200" prop:value=visitor on:input=on_visitor />
                    </label>
                    <button type="submit" class="primary" disabled=move || h.busy.get()>
                        "Search"
                    </button>
                </div>
                <fieldset class="history-filters">
                    <legend>"Filters"</legend>
                    <label>
                        "Company"
                        <select on:change=on_company>{companies}</select>
                    </label>
                    <label>
                        "Contact ID"
                        <input type="text" maxlength="64" prop:value=contact on:input=on_contact />
                    </label>
                    <label>
                        "Agent"
                        <select on:change=on_agent>{agents}</select>
                    </label>
                    <label>
                        "From"
                        <input type="date" prop:value=from on:input=on_from on:change=on_from />
                    </label>
                    <label>
                        "To"
                        <input type="date" prop:value=to on:input=on_to on:change=on_to />
                    </label>
                    <button
                        type="button"
                        class="ghost"
                        disabled=move || !h.filters.with(Filters::any)
                        on:click=move |_| spawn_local(ctl.clear_history_filters())
                    >
                        "Clear filters"
                    </button>
                </fieldset>
            </form>
            {move || h.error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || match h.chat.get() {
                Some(chat) => view! { <ArchivedView chat=chat /> }.into_any(),
                None => view! { <Results /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Results() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let h = ctl.history;
    view! {
        {move || {
            h.hits
                .get()
                .map(|hits| {
                    if hits.is_empty() {
                        return view! { <p class="muted" role="status">"No chats found."</p> }.into_any();
                    }
                    view! {
                        <ul class="history-hits">
                            {hits.into_iter().map(|hit| view! { <li><HitButton hit=hit /></li> }).collect_view()}
                        </ul>
                    }
                        .into_any()
                })
        }}
        {move || {
            h.more
                .get()
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="ghost"
                            disabled=move || h.busy.get()
                            on:click=move |_| spawn_local(ctl.more_history())
                        >
                            "More results"
                        </button>
                    }
                })
        }}
    }
}

#[component]
fn HitButton(hit: HistoryHit) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let id = hit.conversation_id;
    let snippet = hit.snippet.as_deref().map(|s| {
        snippet_runs(s)
            .into_iter()
            .map(|(t, marked)| {
                if marked {
                    view! { <mark>{t}</mark> }.into_any()
                } else {
                    view! { <span>{t}</span> }.into_any()
                }
            })
            .collect_view()
    });
    // The button says the visitor's name, which its label contains (what it says is what
    // voice control users say); the details follow it, outside, as its description, and the
    // whole card still opens the chat (the button's ::after covers it).
    view! {
        <div class="history-hit">
            <button
                type="button"
                class="visitor"
                aria-label=format!("Open chat with {}", hit.visitor)
                aria-describedby=format!("hit-{}", id.0)
                on:click=move |_| spawn_local(ctl.open_archived(id))
            >
                {hit.visitor.clone()}
            </button>
            " "
            <span class="details" id=format!("hit-{}", id.0)>
                {hit.company.map(|c| view! { <span class="company">{c}</span> " " })}
                <time class="date">{format_date(hit.created_at)}</time>
                " "
                <span class="agents">{hit.agents.join(", ")}</span>
                {hit.ticket.map(|t| view! { " " <span class="ticket">{format!("{} {}", t.number, t.subject)}</span> })}
                {snippet.map(|s| view! { " " <span class="snippet">{s}</span> })}
            </span>
        </div>
    }
}

#[component]
fn ArchivedView(chat: ArchivedChat) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let me = ctl
        .store
        .desk
        .with_untracked(|d| d.me.as_ref().map(|m| m.principal));
    let name = chat.conversation.visitor.name.clone();
    let mut log = Chat::default();
    for m in chat.messages {
        log.insert(m);
    }
    let notes: Vec<NoteLine> = chat
        .notes
        .into_iter()
        .map(|n| NoteLine {
            client_id: n.client_id.clone(),
            body: n.body.clone(),
            after_seq: n.after_seq,
            failed: None,
            stored: Some(n),
        })
        .collect();
    let entries = merge(&log.lines, &notes);
    view! {
        <article class="archived" aria-label=format!("Archived chat with {name}")>
            <div class="row">
                <button type="button" class="ghost" on:click=move |_| ctl.history.chat.set(None)>
                    "Back to results"
                </button>
            </div>
            <h3>{format!("Chat with {name}")}</h3>
            <div class="log" role="log" aria-label=format!("Conversation with {name}")>
                {entries
                    .into_iter()
                    .map(|entry| match entry {
                        Entry::Line(line) => view! { <LineRow line=line me=me /> }.into_any(),
                        Entry::Note(note) => view! { <NoteRow note=note /> }.into_any(),
                    })
                    .collect_view()}
            </div>
            {chat
                .closing_note
                .map(|n| {
                    view! {
                        <section class="closing-note" aria-label="Closing note">
                            <h4>"Closing note"</h4>
                            <p>{n}</p>
                        </section>
                    }
                })}
        </article>
    }
}
