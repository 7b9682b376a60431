//! Agents' own chats on screen: the sidebar's "Team chats (N)" list (direct chats named after
//! the colleague with their status, groups by title or members; unread count, last line, most
//! recently active first); an open team chat ([`TeamChatPane`]: the live chat's log and
//! composer, with none of its visitor controls, and for a group its participants, "Rename",
//! "Add people" and "Leave group"); "Chat with <name>" ([`ChatWith`]) wherever a colleague is
//! named; and "New group chat" with the agent picker dialog it shares with "Add people". The
//! rules are in `crate::team_chats`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::presence::AgentStatus;
use protocol::{AgentId, ConversationId, Participant, Principal};
use wasm_bindgen::JsCast;

use super::chat_row::{ChatRow, unread_words};
use super::list_section::ListSection;
use super::topbar::status_class;
use crate::Ctl;
use crate::store::Lists;
use crate::team_chats::{Picker, TeamInfo, status_of, title_of};
use livechat_client::chat::{Line, keep_scrolled_to_bottom};
use livechat_client::composer::Composer;
use livechat_client::message_row::MessageRow;

/// Me, as the desk knows me.
fn me(ctl: Ctl) -> Memo<Option<Principal>> {
    Memo::new(move |_| ctl.store.desk.with(|d| d.me.as_ref().map(|m| m.principal)))
}

/// A colleague's status: a dot in its colour (decoration) and the word.
#[component]
fn StatusWord(#[prop(into)] status: Signal<AgentStatus>) -> impl IntoView {
    view! {
        <span class="agent-status">
            <span class=move || format!("dot {}", status_class(status.get())) aria-hidden="true"></span>
            <span class="muted small">{move || status.get().label()}</span>
        </span>
    }
}

/// "Team chats (N)" in the sidebar.
#[component]
pub fn TeamChats() -> impl IntoView {
    let lists = expect_context::<Lists>();
    let ids = lists.team;
    view! {
        <ListSection
            heading_id="team-chats-h"
            title="Team chats"
            count=Signal::derive(move || ids.with(Vec::len))
            empty="No team chats yet."
        >
            <ul class="list">
                <For each=move || ids.get() key=|id| *id children=|id| view! { <TeamChatRow id=id /> } />
            </ul>
        </ListSection>
    }
}

/// A team chat's row: a direct chat named with the colleague's status ("Open chat with Grace
/// (Online)"), which also shows beside the button; a group as one ("Open group chat Night
/// shift").
#[component]
fn TeamChatRow(id: ConversationId) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let Some(sig) = ctl.store.panes.get(id) else {
        return ().into_any();
    };
    let me = me(ctl);
    // A direct chat's colleague (whose status the row shows); `None` for a group.
    let colleague = Memo::new(move |_| {
        sig.with(|p| {
            p.team
                .as_ref()
                .filter(|t| !t.is_group())
                .and_then(|t| t.others(me.get()).next().map(|m| m.principal))
        })
    });
    let status = Memo::new(move |_| {
        colleague
            .get()
            .map(|c| ctl.store.desk.with(|d| status_of(&d.team, c)))
    });
    let label = Callback::new(move |(name, unread): (String, u32)| match status.get() {
        Some(s) => format!(
            "Open chat with {name} ({}){}",
            s.label(),
            unread_words(unread)
        ),
        None => format!("Open group chat {name}{}", unread_words(unread)),
    });
    view! {
        <ChatRow id=id label=label preview_prefix="team-last">
            // The status (or "Group") beside the button: the name already says it.
            <span class="row-kind">
                {move || match status.get() {
                    Some(s) => view! { <StatusWord status=s /> }.into_any(),
                    None => view! { <span class="muted small">"Group"</span> }.into_any(),
                }}
            </span>
        </ChatRow>
    }
    .into_any()
}

/// "Chat with Grace": opens our direct chat (started if there is none yet).
#[component]
pub fn ChatWith(agent: Participant) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let Some(colleague) = agent.principal.agent() else {
        return ().into_any();
    };
    // One direct chat per pair, whoever asks and however often: a double click is harmless.
    view! {
        <button
            type="button"
            class="ghost small"
            aria-label=format!("Chat with {}", agent.name)
            on:click=move |_| spawn_local(ctl.chat_with(colleague))
        >
            "Chat"
        </button>
    }
    .into_any()
}

/// An open team chat: header, log, typing, composer. [`super::ConversationPane`] hands team
/// chats here, so the main area and the compact view's window both show this.
#[component]
pub fn TeamChatPane(id: ConversationId) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let Some(pane) = ctl.store.panes.get(id) else {
        return view! { <p class="empty">"This chat is not available."</p> }.into_any();
    };
    let me = me(ctl);
    let info = Memo::new({
        let pane = pane.clone();
        move |_| pane.with(|p| p.team.clone())
    });
    let name = Memo::new(move |_| {
        info.with(|i| i.as_ref().map(|i| i.name.clone()))
            .unwrap_or_default()
    });
    // A chat's kind never changes.
    let group = info.with_untracked(|i| i.as_ref().is_some_and(TeamInfo::is_group));
    // The others in it, each with their status.
    let others = Memo::new(move |_| {
        let me = me.get();
        let members = info.with(|i| {
            i.as_ref()
                .map(|i| i.others(me).cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        });
        ctl.store.desk.with(|d| {
            members
                .into_iter()
                .map(|m| {
                    let s = status_of(&d.team, m.principal);
                    (m, s)
                })
                .collect::<Vec<_>>()
        })
    });
    let typing = Memo::new({
        let pane = pane.clone();
        move |_| pane.with(|p| p.typing.as_ref().map(|t| format!("{} is typing…", t.0)))
    });
    let log = NodeRef::<leptos::html::Div>::new();
    keep_scrolled_to_bottom(log, {
        let pane = pane.clone();
        move || pane.track()
    });
    let section_label = move || {
        if group {
            format!("Group chat {}", name.get())
        } else {
            format!("Chat with {}", name.get())
        }
    };
    view! {
        <section class="conversation team-chat" aria-label=section_label>
            <header class="conv-head">
                <div class="conv-title">
                    <h2>{move || name.get()}</h2>
                    {move || {
                        if group {
                            view! { <Participants others=others /> }.into_any()
                        } else {
                            let status = Signal::derive(move || {
                                others.with(|o| o.first().map_or(AgentStatus::Offline, |(_, s)| *s))
                            });
                            view! { <StatusWord status=status /> }.into_any()
                        }
                    }}
                </div>
                {group.then(|| view! { <GroupActions id=id name=name /> })}
            </header>
            <div
                class="log"
                role="log"
                aria-live="polite"
                aria-label=move || format!("Conversation with {}", name.get())
                node_ref=log
            >
                <For each=move || pane.with(|p| p.chat.lines.clone()) key=Line::key let:line>
                    <MessageRow line=line me=me.get_untracked() />
                </For>
            </div>
            {move || {
                typing.get().map(|t| view! { <p class="typing muted small" aria-live="polite">{t}</p> })
            }}
            <Composer
                label="Message".to_string()
                placeholder="Write a message…".to_string()
                disabled=Signal::derive(|| false)
                on_send=Callback::new(move |body: String| ctl.send(id, &body))
                on:input=move |_| ctl.typed(id)
            />
        </section>
    }
    .into_any()
}

/// A group's participants (but me), each with their status and "Chat with".
#[component]
fn Participants(others: Memo<Vec<(Participant, AgentStatus)>>) -> impl IntoView {
    view! {
        <ul class="participants" aria-label="Participants">
            {move || {
                others
                    .get()
                    .into_iter()
                    .map(|(who, status)| {
                        let label = format!("{}: {}", who.name, status.label());
                        view! {
                            <li aria-label=label>
                                <span class="name">{who.name.clone()}</span>
                                <StatusWord status=status />
                                <ChatWith agent=who />
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// "Rename" (an inline form), "Add people" (the picker dialog), "Leave group".
#[component]
fn GroupActions(id: ConversationId, name: Memo<String>) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let renaming = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let rename_error = RwSignal::new(None::<String>);
    let adding = RwSignal::new(false);
    let add_button = NodeRef::<leptos::html::Button>::new();
    let field = NodeRef::<leptos::html::Input>::new();
    let rename_button = NodeRef::<leptos::html::Button>::new();
    let close_rename = move || {
        renaming.set(false);
        rename_error.set(None);
        focus(rename_button);
    };
    let info = ctl.store.panes.get(id);
    // What the field starts with: the title (not the members' names an untitled group shows).
    let title = move || {
        info.as_ref()
            .and_then(|p| p.with_untracked(|p| p.team.as_ref().and_then(|t| t.chat.title.clone())))
            .unwrap_or_default()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let title = match title_of(&draft.get_untracked()) {
            Ok(t) => t.unwrap_or_default(),
            Err(why) => return rename_error.set(Some(why)),
        };
        spawn_local(async move {
            match ctl.rename_team_chat(id, title).await {
                Ok(()) => close_rename(),
                Err(why) => rename_error.set(Some(why)),
            }
        });
    };
    let leave = move |_| {
        spawn_local(async move {
            if let Err(why) = ctl.leave_team_chat(id).await {
                ctl.store.desk.update(|d| d.alert = Some(why));
            }
        })
    };
    view! {
        <div class="conv-actions">
            <button
                type="button"
                class="ghost"
                node_ref=rename_button
                aria-expanded=move || renaming.get().to_string()
                on:click=move |_| {
                    draft.set(title());
                    renaming.update(|r| *r = !*r);
                    // Into the field it just showed (after it is rendered).
                    request_animation_frame(move || {
                        if let Some(f) = field.get_untracked() {
                            let _ = f.focus();
                        }
                    });
                }
            >
                "Rename"
            </button>
            <button
                type="button"
                class="ghost"
                aria-haspopup="dialog"
                node_ref=add_button
                on:click=move |_| {
                    ctl.want_directory();
                    adding.set(true);
                }
            >
                "Add people"
            </button>
            <button type="button" class="danger" on:click=leave>
                "Leave group"
            </button>
        </div>
        <Show when=move || renaming.get()>
            <form
                class="rename-form"
                aria-label=move || format!("Rename {}", name.get())
                on:submit=submit
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        close_rename();
                    }
                }
            >
                <label>
                    "Group name"
                    <input
                        maxlength=protocol::workspace::MAX_TEAM_TITLE_CHARS.to_string()
                        node_ref=field
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                    />
                </label>
                <button type="submit" class="primary small">"Save name"</button>
                <button type="button" class="ghost small" on:click=move |_| close_rename()>
                    "Cancel"
                </button>
                {move || rename_error.get().map(|t| view! { <p class="error" role="alert">{t}</p> })}
            </form>
        </Show>
        <Show when=move || adding.get()>
            <PickerDialog
                add_to=Some(id)
                on_close=Callback::new(move |()| {
                    adding.set(false);
                    focus(add_button);
                })
            />
        </Show>
    }
}

/// "New group chat": a button and the dialog it opens.
#[component]
pub fn NewGroupChat() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let open = RwSignal::new(false);
    let opener = NodeRef::<leptos::html::Button>::new();
    view! {
        <button
            type="button"
            class="ghost small"
            aria-haspopup="dialog"
            node_ref=opener
            on:click=move |_| {
                ctl.want_directory();
                open.set(true);
            }
        >
            "New group chat"
        </button>
        <Show when=move || open.get()>
            <PickerDialog
                add_to=None
                on_close=Callback::new(move |()| {
                    open.set(false);
                    focus(opener);
                })
            />
        </Show>
    }
}

/// The agent picker, in a modal dialog: a new group (`add_to` none: with a title field) or
/// people added to group `add_to`. Colleagues come from the directory, me and whoever is in
/// the group already left out; a search narrows the checkboxes. Focus starts in the dialog and
/// stays there (Tab wraps) until Escape, Cancel or success closes it (`on_close` puts it back).
#[component]
fn PickerDialog(add_to: Option<ConversationId>, on_close: Callback<()>) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let picker = RwSignal::new(Picker::default());
    let title = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let me = me(ctl);
    let group = add_to.and_then(|id| ctl.store.panes.get(id));
    let exclude = Memo::new(move |_| {
        let mut out: Vec<AgentId> = me.get().and_then(Principal::agent).into_iter().collect();
        if let Some(g) = &group {
            g.with(|p| {
                let members = p.team.iter().flat_map(|t| &t.chat.members);
                out.extend(members.filter_map(|m| m.principal.agent()));
            });
        }
        out
    });
    let directory = ctl.history.directory;
    let shown = Memo::new(move |_| {
        directory.with(|d| {
            d.as_ref().map(|d| {
                picker.with(|p| {
                    exclude.with(|ex| {
                        p.shown(&d.agents, ex)
                            .into_iter()
                            .cloned()
                            .collect::<Vec<_>>()
                    })
                })
            })
        })
    });
    let (heading, submit_label) = match add_to {
        None => ("New group chat", "Start group chat"),
        Some(_) => ("Add people", "Add to group"),
    };
    let heading_id = match add_to {
        None => "new-group-h".to_owned(),
        Some(id) => format!("add-people-{}-h", id.0),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = picker.with_untracked(|p| p.chosen.clone());
        if chosen.is_empty() {
            return error.set(Some("Pick at least one colleague.".into()));
        }
        let title = match title_of(&title.get_untracked()) {
            Ok(t) => t,
            Err(why) => return error.set(Some(why)),
        };
        busy.set(true);
        spawn_local(async move {
            let done = match add_to {
                None => ctl.start_team_chat(chosen, title).await,
                Some(id) => ctl.add_team_members(id, chosen).await,
            };
            busy.set(false);
            match done {
                Ok(()) => on_close.run(()),
                Err(why) => error.set(Some(why)),
            }
        });
    };
    let labelled_by = heading_id.clone();
    let dialog = NodeRef::<leptos::html::Div>::new();
    dialog.on_load(move |d| {
        request_animation_frame(move || {
            if let Some(first) = focusables(&d).first() {
                let _ = first.focus();
            }
        })
    });
    view! {
        <div class="modal-backdrop">
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby=labelled_by
                node_ref=dialog
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        ev.prevent_default();
                        on_close.run(());
                    } else if ev.key() == "Tab"
                        && let Some(d) = dialog.get_untracked()
                    {
                        keep_focus_in(&d, &ev);
                    }
                }
            >
                <h2 id=heading_id>{heading}</h2>
                <form on:submit=submit>
                    {add_to
                        .is_none()
                        .then(|| {
                            view! {
                                <label class="field">
                                    "Title (optional)"
                                    <input
                                        maxlength=protocol::workspace::MAX_TEAM_TITLE_CHARS.to_string()
                                        prop:value=move || title.get()
                                        on:input=move |ev| title.set(event_target_value(&ev))
                                    />
                                </label>
                            }
                        })}
                    <fieldset class="picker">
                        <legend>"Colleagues"</legend>
                        <input
                            type="search"
                            aria-label="Find colleagues"
                            placeholder="Find colleagues"
                            prop:value=move || picker.with(|p| p.query.clone())
                            on:input=move |ev| picker.update(|p| p.query = event_target_value(&ev))
                        />
                        {move || match shown.get() {
                            None => view! { <p class="muted small">"Loading colleagues…"</p> }.into_any(),
                            Some(list) if list.is_empty() => {
                                view! { <p class="muted small">"No colleague matches."</p> }.into_any()
                            }
                            Some(list) => {
                                view! {
                                    <ul class="picker-list">
                                        {list
                                            .into_iter()
                                            .map(|a| {
                                                let id = a.id;
                                                view! {
                                                    <li>
                                                        <label>
                                                            <input
                                                                type="checkbox"
                                                                prop:checked=move || picker.with(|p| p.chosen.contains(&id))
                                                                on:change=move |ev| {
                                                                    picker.update(|p| p.toggle(id, event_target_checked(&ev)))
                                                                }
                                                            />
                                                            {a.name}
                                                        </label>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                        }}
                        <p class="muted small" role="status">
                            {move || format!("{} selected", picker.with(|p| p.chosen.len()))}
                        </p>
                    </fieldset>
                    {move || error.get().map(|t| view! { <p class="error" role="alert">{t}</p> })}
                    <div class="row">
                        <button type="submit" class="primary" disabled=move || busy.get()>
                            {submit_label}
                        </button>
                        <button type="button" class="ghost" on:click=move |_| on_close.run(())>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </div>
        </div>
    }
}

fn focus(el: NodeRef<leptos::html::Button>) {
    if let Some(el) = el.get_untracked() {
        let _ = el.focus();
    }
}

/// The controls inside `root` that Tab reaches, in order.
fn focusables(root: &web_sys::HtmlElement) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = root.query_selector_all("input:not([disabled]), button:not([disabled])") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into().ok())
        .collect()
}

/// Tab from the last control goes to the first, Shift+Tab from the first to the last: the
/// modal keeps focus until it closes.
fn keep_focus_in(root: &web_sys::HtmlElement, ev: &web_sys::KeyboardEvent) {
    let all = focusables(root);
    let (Some(first), Some(last)) = (all.first(), all.last()) else {
        return;
    };
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let at = |el: &web_sys::HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    };
    let wrap_to = match ev.shift_key() {
        true if at(first) => last,
        false if at(last) => first,
        _ => return,
    };
    ev.prevent_default();
    let _ = wrap_to.focus();
}
