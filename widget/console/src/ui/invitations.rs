//! "Invitations": colleagues asking me into their chats, oldest first, each "Ada invites you to
//! the chat with Marta" (and "(transfer)" when they mean to leave it to me) with Accept and
//! Decline. A polite live region says each new one; `invitation_closed` takes it away (the
//! reducer keeps them, `state::Desk::invitations`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::workspace::Invitation;

use super::list_section::ListSection;
use crate::Ctl;
use crate::state::invitation_text;

#[component]
pub fn Invitations() -> impl IntoView {
    let ctl = expect_context::<Ctl>();
    let desk = ctl.store.desk;
    let list = Memo::new(move |_| desk.with(|d| d.incoming_invitations()));
    let announcement = Memo::new(move |_| desk.with(|d| d.announcement.clone()));
    view! {
        // Outside the list, so it is in the page before anything is said in it.
        <div class="sr-only invitation-news" aria-live="polite" aria-atomic="true">
            {move || announcement.get()}
        </div>
        <ListSection
            heading_id="invitations-h"
            title="Invitations"
            count=Signal::derive(move || list.with(Vec::len))
            empty="No invitations."
        >
            <ul class="list">
                <For
                    each=move || list.get()
                    key=|i: &Invitation| i.id
                    children=move |i: Invitation| {
                        let id = i.id;
                        let text = invitation_text(&i);
                        view! {
                            <li class="request invitation">
                                <p>{text.clone()}</p>
                                <div class="row">
                                    <button
                                        type="button"
                                        class="primary small"
                                        aria-label=format!("Accept: {text}")
                                        on:click=move |_| spawn_local(ctl.answer_invitation(id, true))
                                    >
                                        "Accept"
                                    </button>
                                    <button
                                        type="button"
                                        class="ghost small"
                                        aria-label=format!("Decline: {text}")
                                        on:click=move |_| spawn_local(ctl.answer_invitation(id, false))
                                    >
                                        "Decline"
                                    </button>
                                </div>
                            </li>
                        }
                    }
                />
            </ul>
        </ListSection>
    }
}
