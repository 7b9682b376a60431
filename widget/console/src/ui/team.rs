//! "Team": colleagues with a console open and their status, each a coloured dot with the
//! status in words (never colour alone), and "Chat with" them; "New group chat" (team chats:
//! `ui/team_chats.rs`). Live from the server's `team` and `agent_status`.

use leptos::prelude::*;

use super::team_chats::{ChatWith, NewGroupChat};
use super::topbar::status_class;
use crate::Ctl;

#[component]
pub fn Team() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let colleagues = Memo::new(move |_| {
        ctl.store.desk.with(|d| {
            let me = d.me.as_ref().map(|m| m.principal);
            d.team
                .iter()
                .filter(|p| Some(p.agent.principal) != me)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        <section class="panel" aria-labelledby="team-h">
            <h2 id="team-h">"Team"</h2>
            <NewGroupChat />
            {move || {
                let list = colleagues.get();
                if list.is_empty() {
                    view! { <p class="muted small">"No colleague is signed in."</p> }.into_any()
                } else {
                    view! {
                        <ul class="list team">
                            {list
                                .into_iter()
                                .map(|p| {
                                    view! {
                                        <li aria-label=format!("{}: {}", p.agent.name, p.status.label())>
                                            <span class=format!("dot {}", status_class(p.status)) aria-hidden="true"></span>
                                            <span class="name">{p.agent.name.clone()}</span>
                                            <span class="muted small">{p.status.label()}</span>
                                            <ChatWith agent=p.agent.clone() />
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}
