//! Working together, as one agent does it over REST: rejecting a waiting request, joining a
//! chat a colleague won, leaving a chat others stay in, inviting a colleague or a section
//! (and withdrawing it), answering an invitation, and the Abandoned list
//! (`GET /api/agent/abandoned`, fetched on sign-in, on going online, when a request is
//! abandoned, after following one up, and every 30 s like the callbacks).
//!
//! What these calls change arrives over the socket (`request_removed`, `accepted`,
//! `conversation`, `invitation`, `invitation_closed`) and goes through `state::apply`; here are
//! only the calls and how their refusals read. Rendered by `ui/teamwork.rs` (in a chat),
//! `ui/invitations.rs` and `ui/abandoned.rs` (the sidebar).

use leptos::prelude::*;
use protocol::ConversationId;
use protocol::workspace::{AbandonedChat, AbandonedList, InviteRequest, Section, SectionList};

use crate::Ctl;
use crate::settings::refusal;
use livechat_client::rest;

/// How often the Abandoned list is fetched again.
pub const REFRESH_SECS: u64 = 30;

/// The invite form's error while an invitation is already pending in the chat.
pub const ALREADY_PENDING: &str = "An invitation is already pending";

/// What the console holds for working together beyond the reducer's desk.
#[derive(Clone, Copy)]
pub struct Teamwork {
    /// Abandoned requests of my sections, newest first.
    pub abandoned: RwSignal<Vec<AbandonedChat>>,
    /// The sections, for "any available agent of section X" (fetched when the form opens).
    pub sections: RwSignal<Vec<Section>>,
}

impl Teamwork {
    pub fn new() -> Self {
        Teamwork {
            abandoned: RwSignal::new(Vec::new()),
            sections: RwSignal::new(Vec::new()),
        }
    }
}

impl Default for Teamwork {
    fn default() -> Self {
        Self::new()
    }
}

/// "abandoned 3 min ago", "abandoned just now".
pub fn abandoned_text(at: protocol::Millis, now: protocol::Millis) -> String {
    let ago = livechat_client::clock::format_wait(at, now);
    if now - at < 60_000 {
        format!("abandoned {ago}")
    } else {
        format!("abandoned {ago} ago")
    }
}

/// How a refused invitation reads in the form.
pub fn invite_refusal((status, message): (u16, String)) -> String {
    match status {
        409 => ALREADY_PENDING.to_owned(),
        _ => refusal((status, message)),
    }
}

/// How a refused leave reads.
pub fn leave_refusal((status, message): (u16, String)) -> String {
    match status {
        403 => "You are the only agent in this chat: end it, or invite a colleague with transfer."
            .to_owned(),
        _ => format!("You did not leave the chat. {}", refusal((status, message))),
    }
}

/// The refusal for a call made after signing out (the settings' generic 401 text speaks of
/// admins).
fn signed_out() -> (u16, String) {
    (401, "you are signed out".to_owned())
}

impl Ctl {
    /// `POST path` for an action whose answer has no body to read: any 2xx is done; a refusal
    /// carries the server's reason.
    async fn act(self, path: &str) -> Result<(), (u16, String)> {
        let Some(token) = self.token() else {
            return Err(signed_out());
        };
        let url = self.url(path);
        match rest::post_json_explained::<_, serde::de::IgnoredAny>(&url, &(), Some(&token)).await {
            // 204 has no body to decode.
            Ok(_) | Err((200..=299, _)) => Ok(()),
            Err(refused) => Err(refused),
        }
    }

    fn alert(self, text: String) {
        self.store.desk.update(|d| d.show_alert(text));
    }

    /// Not for me: the request leaves my queue when the server's `request_removed` comes, and
    /// stays with my colleagues.
    pub async fn reject(self, id: ConversationId) {
        if let Err(refused) = self
            .act(&format!("/api/agent/conversations/{}/reject", id.0))
            .await
        {
            self.alert(format!("The chat was not rejected. {}", refusal(refused)));
        }
    }

    /// Join the chat a colleague accepted first (the alert's offer): the server then sends
    /// `accepted`, its history and notes, and the chat opens.
    pub async fn join(self, id: ConversationId) {
        self.store.desk.update(|d| d.dismiss_alert());
        if let Err(refused) = self
            .act(&format!("/api/agent/conversations/{}/join", id.0))
            .await
        {
            self.alert(format!("You could not join the chat. {}", refusal(refused)));
        }
    }

    /// Leave a chat colleagues stay in: the server's `conversation` without me makes it
    /// read-only here.
    pub async fn leave(self, id: ConversationId) {
        if let Err(refused) = self
            .act(&format!("/api/agent/conversations/{}/leave", id.0))
            .await
        {
            self.alert(leave_refusal(refused));
        }
    }

    /// Invite a colleague or a section into chat `id`. `Err` is what the form says.
    pub async fn invite(self, id: ConversationId, request: InviteRequest) -> Result<(), String> {
        let Some(token) = self.token() else {
            return Err(refusal(signed_out()));
        };
        let url = self.url(&format!("/api/agent/conversations/{}/invitations", id.0));
        // The pending line follows the `invitation` frame the server sends my sockets too.
        rest::post_json_explained::<_, serde::de::IgnoredAny>(&url, &request, Some(&token))
            .await
            .map(|_| ())
            .map_err(invite_refusal)
    }

    /// Withdraw my invitation `id`.
    pub async fn withdraw_invitation(self, id: i64) {
        let Some(token) = self.token() else { return };
        let url = self.url(&format!("/api/agent/invitations/{id}"));
        if rest::delete(&url, &token).await.is_err() {
            self.alert("The invitation was not withdrawn. Please try again.".to_owned());
        }
    }

    /// Accept (join the chat) or decline invitation `id`. One no longer pending is dropped.
    pub async fn answer_invitation(self, id: i64, accept: bool) {
        let verb = if accept { "accept" } else { "decline" };
        match self
            .act(&format!("/api/agent/invitations/{id}/{verb}"))
            .await
        {
            Ok(()) => {}
            Err((404, _)) => self.store.desk.update(|d| {
                d.invitations.remove(&id);
                d.show_alert("This invitation is no longer open.");
            }),
            Err(refused) => self.alert(format!(
                "The invitation was not answered. {}",
                refusal(refused)
            )),
        }
    }

    /// Fetch the sections (for inviting one).
    pub async fn load_sections(self) {
        let Some(token) = self.token() else { return };
        let url = self.url("/api/agent/sections");
        if let Ok(list) = rest::get_json::<SectionList>(&url, &token).await {
            self.teamwork.sections.set(list.sections);
        }
    }

    /// Fetch the abandoned requests of my sections.
    pub async fn load_abandoned(self) {
        let Some(token) = self.token() else { return };
        let url = self.url("/api/agent/abandoned");
        if let Ok(list) = rest::get_json::<AbandonedList>(&url, &token).await {
            self.teamwork.abandoned.set(list.chats);
        }
    }
}
