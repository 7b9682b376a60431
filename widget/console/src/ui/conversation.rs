//! The open conversation: its header (visitor, whether they are on the site, the ticket it is
//! about, the agents in it; inviting, leaving: `ui/teamwork.rs`), log (messages, and private notes among them where they were written), Reply box
//! with its "Private note" switch, canned replies (`ui/canned.rs`) and "Offer choices"
//! (`ui/offers.rs`, which also draws the choices offered under their message), and End chat.
//! It follows that conversation's own signal, so frames for other conversations leave it
//! alone. A chat that ended, or that I left, is read-only.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::helpdesk::{Ticket, TicketRef};
use protocol::{ConversationId, ConversationStatus, Principal, VisitorId};

use super::PresenceBadge;
use super::canned::CannedReplyBox;
use super::offers::{LineRow, OfferChoices};
use super::teamwork::{Participants, PendingInvitation, TeamActions};
use crate::Ctl;
use crate::state::{NoteLine, Pane};
use livechat_client::chat::{Line, keep_scrolled_to_bottom};
use livechat_client::clock::format_time;
use livechat_client::composer::Composer;

#[component]
pub fn ConversationPane(id: ConversationId) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    // Selecting happens after the pane exists (accepted, or clicked in "My chats").
    let Some(pane) = ctl.store.panes.get(id) else {
        return view! { <p class="empty">"This chat is not available."</p> }.into_any();
    };
    // Colleagues' chats have none of a live chat's visitor controls.
    if pane.with_untracked(|p| p.team.is_some()) {
        return view! { <super::team_chats::TeamChatPane id=id /> }.into_any();
    }
    let name = Memo::new({
        let pane = pane.clone();
        move |_| pane.with(|p| p.visitor_name().to_string())
    });
    let ended = Memo::new({
        let pane = pane.clone();
        move |_| pane.with(|p| p.ended())
    });
    // Ended, or I left it: nothing more to write here.
    let closed = Memo::new({
        let pane = pane.clone();
        move |_| pane.with(|p| p.closed())
    });
    let left = Memo::new({
        let pane = pane.clone();
        move |_| pane.with(|p| p.left && !p.ended())
    });
    // Choices are offered only in an active chat I am still in.
    let me = Memo::new(move |_| ctl.store.desk.with(|d| d.me.as_ref().map(|m| m.principal)));
    let can_offer = Memo::new({
        let pane = pane.clone();
        move |_| {
            let me = me.get();
            pane.with(|p| {
                p.conversation.status == ConversationStatus::Active
                    && !p.left
                    && p.conversation
                        .agents
                        .iter()
                        .any(|a| Some(a.principal) == me)
            })
        }
    });
    let agents = Memo::new({
        let pane = pane.clone();
        move |_| pane.with(|p| p.conversation.agents.clone())
    });
    let ticket = Memo::new({
        let pane = pane.clone();
        move |_| pane.with(|p| p.ticket.clone())
    });
    let visitor = pane.with_untracked(|p| match p.conversation.visitor.principal {
        Principal::Visitor(id) => Some(id),
        Principal::Agent(_) => None,
    });
    let card = Memo::new(move |_| visitor.and_then(|v| ctl.card(v)));
    // The composer writes private notes while this is on.
    let private = RwSignal::new(false);
    let typing = Memo::new({
        let pane = pane.clone();
        move |_| pane.with(|p| p.typing.as_ref().map(|t| format!("{} is typing…", t.0)))
    });
    // What "Copy chat log" did.
    let copied = RwSignal::new(None::<&'static str>);
    // Ending: the form is open; the closing note; one to save once the chat has ended; I am
    // the agent who ended it (only they write its note); what saving it did.
    let ending = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let note_to_save = RwSignal::new(None::<String>);
    let closer = RwSignal::new(false);
    let note_saved = RwSignal::new(None::<&'static str>);
    Effect::new(move |_| {
        if ended.get()
            && let Some(text) = note_to_save.get()
        {
            note_to_save.set(None);
            if text.trim().is_empty() && note_saved.get_untracked().is_none() {
                return;
            }
            spawn_local(async move {
                let ok = ctl.save_closing_note(id, text).await;
                note_saved.set(Some(if ok {
                    "Closing note saved"
                } else {
                    "The closing note was not saved"
                }));
            });
        }
    });
    let log = NodeRef::<leptos::html::Div>::new();
    // The composer's textarea: canned replies go in through it.
    let reply = NodeRef::<leptos::html::Textarea>::new();
    keep_scrolled_to_bottom(log, {
        let pane = pane.clone();
        move || pane.track()
    });
    view! {
        <section class="conversation" aria-label=move || format!("Chat with {}", name.get())>
            <header class="conv-head">
                <div class="conv-title">
                    <h2>
                        {move || name.get()}
                        {move || {
                            card.with(|c| c.as_ref().is_some_and(|c| c.contact.is_some()))
                                .then(|| view! { <VerifiedMark /> })
                        }}
                    </h2>
                    {move || {
                        card.with(|c| c.as_ref().map(|c| c.presence))
                            .map(|presence| view! { <PresenceBadge presence=presence /> })
                    }}
                    {move || {
                        card.get()
                            .and_then(|c| {
                                let company = c.company_name.unwrap_or_default();
                                c.contact
                                    .map(|contact| {
                                        view! {
                                            <p class="contact" aria-label="Verified details">
                                                {contact.email}
                                                " · "
                                                {company}
                                            </p>
                                        }
                                    })
                            })
                    }}
                    {move || {
                        ticket
                            .get()
                            .map(|t| {
                                view! {
                                    <p class="ticket" aria-label=format!("Ticket {}", t.number)>
                                        <span class="number">{t.number.clone()}</span>
                                        " "
                                        <span class="subject">{t.subject}</span>
                                    </p>
                                }
                            })
                    }}
                    <Participants agents=agents />
                </div>
                <div class="conv-actions">
                    {move || {
                        let open = card
                            .get()
                            .filter(|c| c.contact.is_some() && !closed.get())?
                            .open_tickets;
                        Some(view! { <TicketActions id=id visitor=visitor? open=open current=ticket /> })
                    }}
                    <button
                        type="button"
                        class="ghost"
                        on:click={
                            let pane = pane.clone();
                            move |_| {
                                let text = pane.with_untracked(|p| crate::alerts::transcript(&p.chat.lines));
                                spawn_local(async move {
                                    let done = crate::alerts::copy(&text).await;
                                    copied.set(Some(if done { "Chat log copied" } else { "The browser did not allow copying" }));
                                });
                            }
                        }
                    >
                        "Copy chat log"
                    </button>
                    {move || copied.get().map(|t| view! { <span class="muted small" role="status">{t}</span> })}
                    <TeamActions id=id agents=agents closed=closed />
                    <button
                        type="button"
                        class="danger"
                        disabled=move || closed.get()
                        aria-expanded=move || ending.get().to_string()
                        on:click=move |_| ending.set(true)
                    >
                        "End chat"
                    </button>
                </div>
            </header>
            <PendingInvitation id=id />
            <div
                class="log"
                role="log"
                aria-live="polite"
                aria-label=move || format!("Conversation with {}", name.get())
                node_ref=log
            >
                <For each=move || pane.with(timeline) key=Entry::key let:entry>
                    {match entry {
                        Entry::Line(line) => view! { <LineRow line=line me=me.get_untracked() /> }.into_any(),
                        Entry::Note(note) => view! { <NoteRow note=note /> }.into_any(),
                    }}
                </For>
            </div>
            {move || {
                typing.get().map(|t| view! { <p class="typing muted small" aria-live="polite">{t}</p> })
            }}
            <Show when=move || ending.get() && !closed.get()>
                <form
                    class="end-form"
                    aria-label="End this chat"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        ending.set(false);
                        // Saved once the server has ended it: only then is the note the closer's.
                        note_to_save.set(Some(note.get_untracked()));
                        closer.set(true);
                        ctl.end(id);
                    }
                >
                    <ClosingNoteField
                        id=format!("closing-{}", id.0)
                        label="Closing note (optional, only agents see it)"
                        note=note
                    />
                    <div class="row">
                        <button type="submit" class="danger">"End chat now"</button>
                        <button type="button" class="ghost" on:click=move |_| ending.set(false)>"Cancel"</button>
                    </div>
                </form>
            </Show>
            <Show when=move || ended.get()>
                <p class="ended" role="status">"Chat ended"</p>
                {move || closer.get().then(|| view! {
                    <form
                        class="end-form"
                        aria-label="Closing note"
                        on:submit=move |ev| {
                            ev.prevent_default();
                            note_to_save.set(Some(note.get_untracked()));
                        }
                    >
                        <ClosingNoteField
                            id=format!("closing-after-{}", id.0)
                            label="Closing note (only agents see it)"
                            note=note
                        />
                        <div class="row">
                            <button type="submit" class="ghost">"Save closing note"</button>
                            {move || note_saved.get().map(|t| view! { <span class="muted small" role="status">{t}</span> })}
                        </div>
                    </form>
                })}
            </Show>
            <Show when=move || left.get()>
                <p class="ended" role="status">"You left this chat"</p>
            </Show>
            <label class="check note-switch" class:on=move || private.get()>
                <input
                    type="checkbox"
                    prop:checked=move || private.get()
                    disabled=move || closed.get()
                    on:change=move |ev| private.set(event_target_checked(&ev))
                />
                "Private note (only agents see it)"
            </label>
            <CannedReplyBox
                id=id
                textarea=reply
                visitor=name
                disabled=closed
                tools=move || view! { <OfferChoices id=id available=can_offer composer=reply /> }
            >
            <Composer
                label="Reply".to_string()
                placeholder="Write a reply…".to_string()
                disabled=Signal::derive(move || closed.get())
                on_send=Callback::new(move |body: String| {
                    if private.get_untracked() { ctl.send_note(id, &body) } else { ctl.send(id, &body) }
                })
                node_ref=reply
                on:input=move |_| {
                    if !private.get_untracked() {
                        ctl.typed(id);
                    }
                }
            />
            </CannedReplyBox>
        </section>
    }
    .into_any()
}

/// One row of the log: a message, or a private note.
#[derive(Clone)]
pub(super) enum Entry {
    Line(Line),
    Note(NoteLine),
}

impl Entry {
    pub(super) fn key(&self) -> String {
        match self {
            Entry::Line(l) => format!("m{}", l.key()),
            Entry::Note(n) => {
                let (id, stored, failed) = n.key();
                format!("n{id}:{stored}:{failed}")
            }
        }
    }
}

/// The pane's messages in order with each private note after the message it followed when it
/// was written (notes older than every message first, the newest last).
fn timeline(p: &Pane) -> Vec<Entry> {
    merge(&p.chat.lines, &p.notes)
}

/// [`timeline`] over plain lines and notes (the History panel's archived chats too).
pub(super) fn merge(lines: &[Line], notes: &[NoteLine]) -> Vec<Entry> {
    let mut notes = notes.to_vec();
    notes.sort_by_key(|n| n.after_seq);
    let mut notes = notes.into_iter().peekable();
    let mut out = Vec::with_capacity(lines.len() + notes.len());
    for line in lines {
        if line.id.is_some() {
            while let Some(n) = notes.next_if(|n| n.after_seq < line.seq) {
                out.push(Entry::Note(n));
            }
        }
        out.push(Entry::Line(line.clone()));
    }
    out.extend(notes.map(Entry::Note));
    out
}

/// A private note: marked with an eye and its own colour, and said in words, so no agent takes
/// it for something the visitor saw.
#[component]
pub(super) fn NoteRow(note: NoteLine) -> impl IntoView {
    let author = note
        .stored
        .as_ref()
        .map_or_else(|| "You".to_owned(), |s| s.author.name.clone());
    let time = note.stored.as_ref().map(|s| format_time(s.sent_at));
    let class = match (&note.stored, &note.failed) {
        (_, Some(_)) => "msg note failed",
        (None, None) => "msg note pending",
        (Some(_), None) => "msg note",
    };
    let label = format!("Private note by {author}");
    view! {
        <div class=class role="note" aria-label=label>
            <p class="meta">
                <svg class="eye" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                    <path
                        fill="currentColor"
                        d="M8 3C4.4 3 1.6 5.4.5 8c1.1 2.6 3.9 5 7.5 5s6.4-2.4 7.5-5C14.4 5.4 11.6 3 8 3Zm0 8.2A3.2 3.2 0 1 1 8 4.8a3.2 3.2 0 0 1 0 6.4Zm0-5A1.8 1.8 0 1 0 8 9.8 1.8 1.8 0 0 0 8 6.2Z"
                    />
                </svg>
                <span class="author">{author}</span>
                <span class="role">"Private note · only agents see this"</span>
                {time.map(|t| view! { <time>{t}</time> })}
            </p>
            <p class="body">{note.body}</p>
            {note.failed.map(|why| view! { <p class="delivery" role="alert">{format!("Not sent: {why}")}</p> })}
        </div>
    }
}

/// The closing note's box, while ending the chat and after it: one `note` signal for both.
#[component]
fn ClosingNoteField(id: String, label: &'static str, note: RwSignal<String>) -> impl IntoView {
    view! {
        <label for=id.clone()>{label}</label>
        <textarea
            id=id
            rows="2"
            prop:value=move || note.get()
            on:input=move |ev| note.set(event_target_value(&ev))
        ></textarea>
    }
}

/// The lock beside a verified contact's name.
#[component]
fn VerifiedMark() -> impl IntoView {
    view! {
        <span class="verified" role="img" aria-label="Verified contact" title="Verified contact">
            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                <path
                    fill="currentColor"
                    d="M8 1a3.5 3.5 0 0 0-3.5 3.5V7H4a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1V8a1 1 0 0 0-1-1h-.5V4.5A3.5 3.5 0 0 0 8 1Zm-2 6V4.5a2 2 0 1 1 4 0V7H6Z"
                />
            </svg>
        </span>
    }
}

/// A verified contact's chat: which of their open tickets it is about, or a new one.
#[component]
fn TicketActions(
    id: ConversationId,
    visitor: VisitorId,
    open: Vec<Ticket>,
    current: Memo<Option<TicketRef>>,
) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let subject = RwSignal::new(String::new());
    let select_id = format!("ticket-for-{}", id.0);
    let subject_id = format!("new-ticket-{}", id.0);
    let options = open
        .into_iter()
        .map(|t| {
            let number = t.number.clone();
            let selected = {
                let number = number.clone();
                move || current.with(|c| c.as_ref().is_some_and(|c| c.number == number))
            };
            view! {
                <option value=number.clone() selected=selected>
                    {format!("{} · {}", t.number, t.subject)}
                </option>
            }
        })
        .collect_view();
    view! {
        <div class="ticket-actions">
            <label for=select_id.clone()>"Ticket"</label>
            <select
                id=select_id
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    let number = (!value.is_empty()).then_some(value);
                    spawn_local(ctl.link_ticket(id, number));
                }
            >
                <option value="" selected=move || current.with(Option::is_none)>
                    "No ticket"
                </option>
                {options}
            </select>
            <form
                class="new-ticket"
                on:submit=move |ev| {
                    ev.prevent_default();
                    let text = subject.get_untracked();
                    if !text.trim().is_empty() {
                        subject.set(String::new());
                        spawn_local(ctl.create_ticket(id, visitor, text));
                    }
                }
            >
                <label for=subject_id.clone() class="sr-only">"New ticket subject"</label>
                <input
                    id=subject_id
                    placeholder="New ticket subject"
                    maxlength="200"
                    prop:value=move || subject.get()
                    on:input=move |ev| subject.set(event_target_value(&ev))
                />
                <button type="submit" class="ghost small">"Create ticket"</button>
            </form>
        </div>
    }
}
