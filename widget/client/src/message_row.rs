//! One message as both apps show it: author and time, the body, and for my own sends their
//! delivery state ("Sending…", "Not sent: …"). Text only: bodies and names go through Leptos'
//! escaping, never `inner_html`.
//!
//! Names are chosen by visitors, so a name alone must never pass for an agent or for the
//! server: every other person's name carries a visible role tag (`span.role`, "Agent" or
//! "Visitor"), and system lines ("Ada joined the chat") have no author line at all and the
//! `note` role, so a visitor named "Ada joined the chat" still reads as a visitor.
//!
//! One shape for every kind (parts left out rather than a second view type) keeps the visitor
//! bundle small. Classes: `msg` plus `system`, `mine`/`theirs`, `pending`, `failed`; each app's
//! stylesheet styles them.

use leptos::prelude::*;
use protocol::{MessageKind, Principal, Role};

use crate::chat::{Delivery, Line};
use crate::clock::format_time;
use crate::i18n::{tr, tr_with};

/// `me` is who is looking: their own messages say "You" and sit on the right.
#[component]
pub fn MessageRow(line: Line, me: Option<Principal>) -> impl IntoView {
    let system = line.kind == MessageKind::System;
    // Unconfirmed lines are always mine; confirmed ones are mine if I wrote them.
    let mine = match (&line.author, line.id) {
        (_, None) => true,
        (Some(a), _) => me == Some(a.principal),
        (None, _) => false,
    };
    let class = match &line.delivery {
        _ if system => "msg system",
        Delivery::Sent if mine => "msg mine",
        Delivery::Sent => "msg theirs",
        Delivery::Pending => "msg mine pending",
        Delivery::Failed(_) => "msg mine failed",
    };
    let meta = (!system).then(|| {
        // The tag is always in the DOM (empty for my own lines, hidden by CSS): one fixed
        // shape costs the visitor bundle less than an optional view.
        let (who, tag) = match line.author {
            _ if mine => (tr("you"), String::new()),
            Some(a) => {
                let tag = tr(match a.role() {
                    Role::Agent => "agent",
                    Role::Visitor => "visitor",
                });
                (a.name, tag)
            }
            None => (String::new(), String::new()),
        };
        view! {
            <div class="meta">
                <span class="author">{who}</span>
                <span class="role">{tag}</span>
                <time>{format_time(line.sent_at)}</time>
            </div>
        }
    });
    let state = match line.delivery {
        Delivery::Sent => None,
        Delivery::Pending => Some(tr("sending")),
        Delivery::Failed(why) => Some(tr_with("not_sent", &[("why", &why)])),
    };
    view! {
        <div class=class role=system.then_some("note")>
            {meta}
            <p class="body">{line.body}</p>
            {state.map(|s| view! { <p class="delivery">{s}</p> })}
        </div>
    }
}
