//! Working together inside an open chat: who is in it (each agent with a presence dot and the
//! status in words), "Invite" (a dialog: a colleague from the team's presence, not me and not
//! already in it, or any available agent of a section; optionally as a transfer), my pending
//! invitation with "Withdraw", and "Leave chat" while a colleague stays. The calls are in
//! `teamwork.rs`; what they change comes back as frames.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::workspace::{InviteRequest, Invitee};
use protocol::{ConversationId, Participant};

use super::Check;
use super::topbar::status_class;
use crate::Ctl;
use crate::state::invitee_text;

/// The chat's agents, each with their presence as the team panel shows it.
#[component]
pub fn Participants(agents: Memo<Vec<Participant>>) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let desk = ctl.store.desk;
    let rows = Memo::new(move |_| {
        let me = desk.with(|d| d.me.as_ref().map(|m| m.principal));
        agents.with(|agents| {
            agents
                .iter()
                .map(|a| {
                    let status = desk.with(|d| {
                        d.team
                            .iter()
                            .find(|p| p.agent.principal == a.principal)
                            .map(|p| p.status)
                    });
                    let name = if Some(a.principal) == me {
                        format!("{} (you)", a.name)
                    } else {
                        a.name.clone()
                    };
                    (name, status)
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <ul class="participants" aria-label="Agents in this chat">
            {move || {
                rows.get()
                    .into_iter()
                    .map(|(name, status)| {
                        let words = status.map_or("Offline", |s| s.label());
                        let class = format!("dot {}", status.map_or("offline", status_class));
                        let label = format!("{name}: {words}");
                        view! {
                            <li aria-label=label>
                                <span class=class aria-hidden="true"></span>
                                <span class="name">{name}</span>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// "Invitation to Grace pending…" and "Withdraw", while I have one pending in this chat.
#[component]
pub fn PendingInvitation(id: ConversationId) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let mine = Memo::new(move |_| ctl.store.desk.with(|d| d.my_invitation(id)));
    move || {
        mine.get().map(|inv| {
            let who = invitee_text(&inv);
            let transfer = if inv.transfer { " (transfer)" } else { "" };
            let invitation = inv.id;
            view! {
                <p class="pending-invitation" role="status">
                    <span>{format!("Invitation to {who} pending…{transfer}")}</span>
                    " "
                    <button
                        type="button"
                        class="link"
                        aria-label=format!("Withdraw invitation to {who}")
                        on:click=move |_| spawn_local(ctl.withdraw_invitation(invitation))
                    >
                        "Withdraw"
                    </button>
                </p>
            }
        })
    }
}

/// "Invite" and its dialog, and "Leave chat" while someone else is in the chat too.
#[component]
pub fn TeamActions(
    id: ConversationId,
    agents: Memo<Vec<Participant>>,
    closed: Memo<bool>,
) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let open = RwSignal::new(false);
    let button = NodeRef::<leptos::html::Button>::new();
    let close = move || {
        open.set(false);
        if let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };
    view! {
        <Show when=move || !closed.get()>
            <button
                type="button"
                class="ghost"
                node_ref=button
                aria-haspopup="dialog"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| {
                    let now = !open.get_untracked();
                    open.set(now);
                    if now {
                        spawn_local(ctl.load_sections());
                    }
                }
            >
                "Invite"
            </button>
            <Show when=move || agents.with(|a| a.len() > 1)>
                <button
                    type="button"
                    class="ghost"
                    on:click=move |_| spawn_local(ctl.leave(id))
                >
                    "Leave chat"
                </button>
            </Show>
        </Show>
        <Show when=move || open.get() && !closed.get()>
            <InviteDialog id=id agents=agents close=close />
        </Show>
    }
}

/// The invite form: whom (a colleague, or any available agent of a section), and whether I
/// leave when they join. Refusals are said in the form; Escape and Cancel close it.
#[component]
fn InviteDialog(
    id: ConversationId,
    agents: Memo<Vec<Participant>>,
    close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let desk = ctl.store.desk;
    let choice = RwSignal::new(None::<Invitee>);
    let transfer = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let sending = RwSignal::new(false);
    // Colleagues with a console open, neither me nor already in the chat.
    let colleagues = Memo::new(move |_| {
        desk.with(|d| {
            let me = d.me.as_ref().map(|m| m.principal);
            agents.with(|agents| {
                d.team
                    .iter()
                    .filter(|p| Some(p.agent.principal) != me)
                    .filter(|p| !agents.iter().any(|a| a.principal == p.agent.principal))
                    .filter_map(|p| {
                        let agent = p.agent.principal.agent()?;
                        Some((agent, format!("{} ({})", p.agent.name, p.status.label())))
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let sections = ctl.teamwork.sections;
    let heading = format!("invite-h-{}", id.0);
    let heading_ref = heading.clone();
    // Opening the dialog moves focus into it, to its heading (closing brings it back to Invite).
    let title = NodeRef::<leptos::html::H3>::new();
    Effect::new(move |_| {
        if let Some(h) = title.get() {
            let _ = h.focus();
        }
    });
    let group = format!("invitee-{}", id.0);
    let option = move |invitee: Invitee, label: String| {
        let group = group.clone();
        view! {
            <label class="check">
                <input
                    type="radio"
                    name=group
                    prop:checked=move || choice.get() == Some(invitee)
                    on:change=move |_| {
                        choice.set(Some(invitee));
                        error.set(None);
                    }
                />
                {label}
            </label>
        }
    };
    let option_for_sections = option.clone();
    view! {
        <div
            class="invite-dialog end-form"
            role="dialog"
            aria-labelledby=heading_ref
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    close();
                }
            }
        >
            <h3 id=heading tabindex="-1" node_ref=title>
                "Invite a colleague"
            </h3>
            <form on:submit=move |ev| {
                ev.prevent_default();
                let Some(invitee) = choice.get_untracked() else {
                    error.set(Some("Choose a colleague or a section.".into()));
                    return;
                };
                if sending.get_untracked() {
                    return;
                }
                sending.set(true);
                let request = InviteRequest { invitee, transfer: transfer.get_untracked() };
                spawn_local(async move {
                    let sent = ctl.invite(id, request).await;
                    sending.set(false);
                    match sent {
                        Ok(()) => close(),
                        Err(why) => error.set(Some(why)),
                    }
                });
            }>
                <fieldset>
                    <legend>"Whom to invite"</legend>
                    {move || {
                        let list = colleagues.get();
                        if list.is_empty() {
                            view! { <p class="muted small">"No other colleague is signed in."</p> }.into_any()
                        } else {
                            list.into_iter()
                                .map(|(agent, label)| option(Invitee::Agent(agent), label))
                                .collect_view()
                                .into_any()
                        }
                    }}
                    {move || {
                        sections
                            .get()
                            .into_iter()
                            .map(|s| {
                                option_for_sections(
                                    Invitee::Section(s.id),
                                    format!("Any available agent of {}", s.name),
                                )
                            })
                            .collect_view()
                    }}
                </fieldset>
                <Check value=transfer label="Leave the chat when they join (transfer)" />
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <div class="row">
                    <button type="submit" class="primary" disabled=move || sending.get()>
                        "Send invitation"
                    </button>
                    <button type="button" class="ghost" on:click=move |_| close()>
                        "Cancel"
                    </button>
                </div>
            </form>
        </div>
    }
}
