//! Agents' own chats ("team chats": a direct chat with one colleague, or a group): their rules
//! as plain data and the REST calls that start and change them.
//!
//! A team chat is held as an ordinary [`Pane`] (messages, unread count, typing, the composer
//! all the live chat's own), carrying a [`TeamInfo`] that says it is one and what it is called.
//! [`apply_chat`] is the reducer's arm for `team_chats`/`team_chat`: it makes or updates the
//! pane, and removes it when the chat no longer lists me (I left). On a (re)connect the list
//! becomes what the server sends ([`reconnected`], [`apply_list`], [`snapshot_done`]): chats
//! I left or was removed from meanwhile go. [`Picker`] is the agent
//! picker's state (new group, add people). The components are in `ui/team_chats.rs`.

use leptos::prelude::*;
use protocol::presence::{AgentPresence, AgentStatus};
use protocol::search::DirectoryAgent;
use protocol::workspace::{
    AddTeamMembers, MAX_TEAM_CHATS_ON_CONNECT, MAX_TEAM_TITLE_CHARS, NewTeamChat, RenameTeamChat,
    TeamChat, TeamChatKind,
};
use protocol::{
    AgentId, ClientMsg, Conversation, ConversationId, ConversationStatus, Participant, Principal,
};

use crate::Ctl;
use crate::state::{self, Desk, Pane, Panes};
use livechat_client::rest;

/// What a team chat's pane knows beyond its messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamInfo {
    pub chat: TeamChat,
    /// What lists and headers call it: the colleague (direct), else the group's title or
    /// the others' names.
    pub name: String,
}

impl TeamInfo {
    pub fn is_group(&self) -> bool {
        self.chat.kind == TeamChatKind::Group
    }

    /// The members other than `me`, in the order they joined.
    pub fn others(&self, me: Option<Principal>) -> impl Iterator<Item = &Participant> {
        self.chat
            .members
            .iter()
            .filter(move |m| Some(m.principal) != me)
    }
}

/// The name a chat goes by for `me`: a direct chat the colleague's name; a group its title, or
/// when it has none the others' names ("Grace, Hal").
pub fn chat_name(chat: &TeamChat, me: Option<Principal>) -> String {
    let others = || {
        chat.members
            .iter()
            .filter(|m| Some(m.principal) != me)
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
    };
    let title = chat.title.as_deref().map(str::trim).unwrap_or_default();
    match chat.kind {
        TeamChatKind::Group if !title.is_empty() => title.to_owned(),
        _ => match others().join(", ") {
            names if names.is_empty() => "Only you".to_owned(),
            names => names,
        },
    }
}

/// The pane's conversation, made from the team chat: the fields the chat log, the lists and the
/// sync cursor read (id, start, last `seq`), the members as its agents. There is no visitor:
/// nothing reads that slot for a team chat (`Pane::visitor_name` gives the chat's name).
fn conversation(chat: &TeamChat) -> Conversation {
    Conversation {
        id: chat.id,
        status: ConversationStatus::Active,
        visitor: Participant::new(Principal::Agent(AgentId(0)), String::new()),
        agents: chat.members.clone(),
        created_at: chat.created_at,
        last_seq: chat.last_seq,
    }
}

/// Whether `me` is in `chat` (before the welcome, when I am not known, everyone is).
fn has_me(chat: &TeamChat, me: Option<Principal>) -> bool {
    me.is_none_or(|me| chat.members.iter().any(|m| m.principal == me))
}

/// A `team_chat` (or one of `team_chats`, or a REST answer): the chat's pane made or brought up
/// to date; if I am no longer in it, the pane is gone (and closed, if it was open). Whether the
/// desk changed.
pub fn apply_chat(desk: &mut Desk, panes: &mut impl Panes, chat: TeamChat) -> bool {
    let me = desk.me.as_ref().map(|m| m.principal);
    let id = chat.id;
    if !has_me(&chat, me) {
        return forget(desk, panes, id);
    }
    let info = TeamInfo {
        name: chat_name(&chat, me),
        chat,
    };
    let mut info = Some(info);
    panes.edit(id, |p| {
        let info = info.take().expect("edit runs f once");
        let mut conversation = conversation(&info.chat);
        // The frame may be older than a message already here.
        conversation.last_seq = conversation.last_seq.max(p.conversation.last_seq);
        let changed = p.team.as_ref() != Some(&info) || p.conversation != conversation;
        p.conversation = conversation;
        p.team = Some(info);
        changed
    });
    if let Some(info) = info {
        let mut pane = Pane::new(conversation(&info.chat));
        pane.team = Some(info);
        panes.add(pane);
    }
    false
}

/// The socket (re)connected: every team chat held now waits for the server to say I am still
/// in it (one I left or was removed from while the console was away would otherwise stay
/// listed until a reload). The connect snapshot says so: [`apply_list`], or, for an agent in
/// no team chat (who gets no `team_chats`), [`snapshot_done`].
pub fn reconnected(desk: &mut Desk, panes: &mut impl Panes) {
    let mut held = Vec::new();
    for id in panes.ids() {
        panes.edit(id, |p| {
            if p.team.is_some() {
                held.push(id);
            }
            false
        });
    }
    desk.unconfirmed_team = held;
}

/// `team_chats`, the connect snapshot's list of my team chats: each shown, and those I held
/// that it leaves out are gone (closed, if open), as after a reload. A full list (at
/// [`MAX_TEAM_CHATS_ON_CONNECT`]) is only the most recent: a chat it leaves out may be an
/// older one I am still in, so those stay. Whether the desk changed.
pub fn apply_list(desk: &mut Desk, panes: &mut impl Panes, chats: Vec<TeamChat>) -> bool {
    let complete = chats.len() < MAX_TEAM_CHATS_ON_CONNECT;
    let mut changed = false;
    for chat in chats {
        desk.unconfirmed_team.retain(|&id| id != chat.id);
        changed |= apply_chat(desk, panes, chat);
    }
    let left_out = std::mem::take(&mut desk.unconfirmed_team);
    if complete {
        for id in left_out {
            changed |= forget(desk, panes, id);
        }
    }
    changed
}

/// The connect snapshot is over (`team`, its last frame for an agent). A `team_chats` would
/// have come before it and settled every chat held; if any still waits, none came: I am in no
/// team chat now.
pub fn snapshot_done(desk: &mut Desk, panes: &mut impl Panes) {
    for id in std::mem::take(&mut desk.unconfirmed_team) {
        forget(desk, panes, id);
    }
}

/// Chat `id` is no longer mine: its pane goes, closed if it was open. Whether the desk changed.
pub fn forget(desk: &mut Desk, panes: &mut impl Panes, id: ConversationId) -> bool {
    panes.remove(id);
    let was_open = desk.selected == Some(id);
    if was_open {
        desk.selected = None;
    }
    was_open
}

/// A colleague's status as the team list has it; not there (no console open): offline.
pub fn status_of(team: &[AgentPresence], who: Principal) -> AgentStatus {
    team.iter()
        .find(|p| p.agent.principal == who)
        .map_or(AgentStatus::Offline, |p| p.status)
}

/// The agent picker (new group chat, add people): what is typed into its search, and who is
/// ticked, in the order they were ticked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    pub query: String,
    pub chosen: Vec<AgentId>,
}

impl Picker {
    /// The agents to offer: not `exclude`d (me, who is in the chat already), and matching the
    /// search (any part of the name, case-insensitive). Ticked ones stay listed whatever the
    /// search says, so a tick is never hidden.
    pub fn shown<'a>(
        &self,
        agents: &'a [DirectoryAgent],
        exclude: &[AgentId],
    ) -> Vec<&'a DirectoryAgent> {
        let query = self.query.trim().to_lowercase();
        agents
            .iter()
            .filter(|a| !exclude.contains(&a.id))
            .filter(|a| self.chosen.contains(&a.id) || a.name.to_lowercase().contains(&query))
            .collect()
    }

    pub fn toggle(&mut self, id: AgentId, on: bool) {
        self.chosen.retain(|&c| c != id);
        if on {
            self.chosen.push(id);
        }
    }
}

/// A title as typed: trimmed; empty is none; too long is refused with the reason.
pub fn title_of(typed: &str) -> Result<Option<String>, String> {
    let title = typed.trim();
    if title.chars().count() > MAX_TEAM_TITLE_CHARS {
        return Err(format!(
            "The title is too long (at most {MAX_TEAM_TITLE_CHARS} characters)."
        ));
    }
    Ok((!title.is_empty()).then(|| title.to_owned()))
}

/// What the agent reads when a call failed: `status` 0 is no answer; the server's reason if
/// it gave one.
pub fn failed_text(what: &str, status: u16, reason: &str) -> String {
    match (status, reason.trim()) {
        (0, _) => "Could not reach the server. Please try again.".to_owned(),
        (_, "") => format!("{what}. Please try again."),
        (_, reason) => format!("{what}: {reason}"),
    }
}

/// Refused before asking: no session.
const SIGNED_OUT: &str = "You are signed out.";

impl Ctl {
    fn team_chats_url(self, rest_of: &str) -> String {
        self.url(&format!("/api/agent/team-chats{rest_of}"))
    }

    /// A chat the server answered with: shown (like its frame, which may come before or after
    /// the answer) and, if `open`, opened. A chat whose history this console never got (older
    /// than those sent on connect) asks for it.
    fn took_team_chat(self, chat: TeamChat, open: bool) {
        let id = chat.id;
        let last_seq = chat.last_seq;
        self.store.with_both(|desk, panes| {
            apply_chat(desk, panes, chat);
            if open {
                state::select(desk, panes, id);
            }
        });
        let unseen = self
            .store
            .panes
            .get(id)
            .is_some_and(|p| p.with_untracked(|p| p.chat.is_empty()));
        if unseen && last_seq > 0 {
            self.link.with(|l| {
                l.send(ClientMsg::Sync {
                    conversation_id: id,
                    after_seq: 0,
                })
            });
        }
    }

    /// Start a chat with `members` (one colleague and no title: our direct chat, the existing
    /// one if there is one; otherwise a group) and open it.
    pub async fn start_team_chat(
        self,
        members: Vec<AgentId>,
        title: Option<String>,
    ) -> Result<(), String> {
        let token = self.token().ok_or(SIGNED_OUT)?;
        let body = NewTeamChat { members, title };
        let chat =
            rest::post_json_explained::<_, TeamChat>(&self.team_chats_url(""), &body, Some(&token))
                .await
                .map_err(|(status, why)| {
                    failed_text("The chat could not be started", status, &why)
                })?;
        self.took_team_chat(chat, true);
        Ok(())
    }

    /// "Chat with Grace": our direct chat, opened; a refusal shows in the alert.
    pub async fn chat_with(self, colleague: AgentId) {
        if let Err(text) = self.start_team_chat(vec![colleague], None).await {
            self.store.desk.update(|d| d.alert = Some(text));
        }
    }

    /// A group's new title (empty: none). The server tells everyone in it, this console too.
    pub async fn rename_team_chat(self, id: ConversationId, title: String) -> Result<(), String> {
        let token = self.token().ok_or(SIGNED_OUT)?;
        let url = self.team_chats_url(&format!("/{}", id.0));
        rest::put_json(&url, &RenameTeamChat { title }, &token)
            .await
            .map_err(|e| match e {
                rest::ApiError::Server { status } => {
                    failed_text("The group was not renamed", status, "")
                }
                rest::ApiError::Network => failed_text("", 0, ""),
            })
    }

    /// Colleagues added to a group.
    pub async fn add_team_members(
        self,
        id: ConversationId,
        members: Vec<AgentId>,
    ) -> Result<(), String> {
        let token = self.token().ok_or(SIGNED_OUT)?;
        let url = self.team_chats_url(&format!("/{}/members", id.0));
        let chat = rest::post_json_explained::<_, TeamChat>(
            &url,
            &AddTeamMembers { members },
            Some(&token),
        )
        .await
        .map_err(|(status, why)| failed_text("Nobody was added", status, &why))?;
        self.took_team_chat(chat, false);
        Ok(())
    }

    /// I leave a group: its pane goes at once (the server's `team_chat` without me follows).
    pub async fn leave_team_chat(self, id: ConversationId) -> Result<(), String> {
        let token = self.token().ok_or(SIGNED_OUT)?;
        let url = self.team_chats_url(&format!("/{}/leave", id.0));
        // The answer is a 204 with no body, which cannot decode: any 2xx is the success, and a
        // refusal still brings the server's reason.
        match rest::post_json_explained::<_, serde_json::Value>(&url, &(), Some(&token)).await {
            Err((status, why)) if !(200..300).contains(&status) => {
                Err(failed_text("You did not leave the group", status, &why))
            }
            _ => {
                self.store.with_both(|desk, panes| forget(desk, panes, id));
                Ok(())
            }
        }
    }

    /// Everyone in the directory (fetched once, shared with the History panel's filters).
    pub fn want_directory(self) {
        if self.history.directory.with_untracked(Option::is_none) {
            leptos::task::spawn_local(self.load_directory());
        }
    }
}
