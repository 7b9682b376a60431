//! The console's rules as plain data: what a server frame does to the desk (session, online
//! switch, waiting queue, which chat is open, the alert and the chat it offers to join,
//! invitations to and from me) and to each of my conversations (including one I left).
//!
//! State is split so that the reactive layer can be fine-grained: [`Desk`] is one value, and
//! every conversation is its own [`Pane`] reached through the [`Panes`] trait. [`apply`] is
//! the whole reducer; it reports whether the desk changed, and changes panes only through
//! [`Panes::edit`], so a frame for one conversation touches that pane alone. Tests drive it
//! with a plain `Vec<Pane>`; the app with signals (see `store`). No DOM, storage or socket.

use protocol::helpdesk::TicketRef;
use std::collections::BTreeMap;

use protocol::presence::{AgentPresence, AgentStatus};
use protocol::workspace::{Invitation, InvitationOutcome, Invitee};
use protocol::{
    ChatRequest, Conversation, ConversationId, ConversationStatus, ErrorCode, Identity,
    MessageKind, Millis, PrivateNote, ServerMsg,
};
use serde::{Deserialize, Serialize};

use crate::team_chats::{self, TeamInfo};
use livechat_client::chat::Chat;
use protocol::workspace::TeamChatKind;

#[cfg(test)]
mod tests;

/// What `localStorage` keeps between page loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSession {
    pub token: String,
    pub name: String,
}

/// One of my conversations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pane {
    pub conversation: Conversation,
    pub chat: Chat,
    /// Messages (and colleagues' notes) that arrived while this conversation was not open.
    pub unread: u32,
    /// The ticket the chat is about.
    pub ticket: Option<TicketRef>,
    /// Private notes (only agents see them), oldest first, and mine still on their way.
    pub notes: Vec<NoteLine>,
    /// Who is typing here, and which signal that was (cleared a few seconds later unless a
    /// newer one came, or at once by their message).
    pub typing: Option<(String, u32)>,
    /// I left this chat (it goes on with colleagues): read-only here, listed as closed.
    pub left: bool,
    /// A team chat (direct or group, see `team_chats`); `None`: a visitor's live chat.
    pub team: Option<TeamInfo>,
}

/// A private note as the console shows it: stored, or mine still on its way (or refused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteLine {
    pub client_id: String,
    /// `None` until the server has stored it.
    pub stored: Option<PrivateNote>,
    pub body: String,
    /// Where it shows: after the message with this `seq`.
    pub after_seq: i64,
    /// Why it was refused.
    pub failed: Option<String>,
}

impl NoteLine {
    pub fn key(&self) -> (String, bool, bool) {
        (
            self.client_id.clone(),
            self.stored.is_some(),
            self.failed.is_some(),
        )
    }
}

impl Pane {
    pub fn new(conversation: Conversation) -> Self {
        Pane {
            conversation,
            chat: Chat::default(),
            unread: 0,
            ticket: None,
            notes: Vec::new(),
            typing: None,
            left: false,
            team: None,
        }
    }

    /// A note of mine, shown at once (after the last message) until the server has it.
    pub fn add_pending_note(&mut self, client_id: String, body: String) {
        let seen = self
            .chat
            .lines
            .iter()
            .filter(|l| l.id.is_some())
            .map(|l| l.seq);
        let after_seq = seen.max().unwrap_or(0).max(self.conversation.last_seq);
        self.notes.push(NoteLine {
            client_id,
            stored: None,
            body,
            after_seq,
            failed: None,
        });
    }

    /// A stored note (live, or in the `notes` snapshot): replaces my pending one, once.
    pub fn insert_note(&mut self, note: PrivateNote) -> bool {
        let line = NoteLine {
            client_id: note.client_id.clone(),
            body: note.body.clone(),
            after_seq: note.after_seq,
            failed: None,
            stored: Some(note),
        };
        match self.notes.iter_mut().find(|n| {
            n.client_id == line.client_id
                && n.stored
                    .as_ref()
                    .is_none_or(|s| Some(s.id) == line.stored.as_ref().map(|l| l.id))
        }) {
            Some(existing) if *existing == line => false,
            Some(existing) => {
                *existing = line;
                true
            }
            None => {
                self.notes.push(line);
                true
            }
        }
    }

    /// My note `client_id` was refused.
    pub fn fail_note(&mut self, client_id: &str, why: String) -> bool {
        match self
            .notes
            .iter_mut()
            .find(|n| n.client_id == client_id && n.stored.is_none())
        {
            Some(n) => {
                n.failed = Some(why);
                true
            }
            None => false,
        }
    }

    /// Who the chat is with, as lists and headers name it: the visitor, or for a team chat
    /// the colleague or the group.
    pub fn visitor_name(&self) -> &str {
        match &self.team {
            Some(team) => &team.name,
            None => &self.conversation.visitor.name,
        }
    }

    pub fn ended(&self) -> bool {
        self.conversation.status == ConversationStatus::Ended
    }

    /// Nothing more to write here: the chat ended, or I left it. Listed under "Closed".
    pub fn closed(&self) -> bool {
        self.ended() || self.left
    }

    /// When anything last happened here: the newest line (mine still on its way included),
    /// or the conversation's start. The lists put the most recent first.
    pub fn updated_at(&self) -> Millis {
        let newest = self.chat.lines.iter().map(|l| l.sent_at).max();
        newest.unwrap_or(0).max(self.conversation.created_at)
    }

    /// The last thing said (system lines only when nothing was), cut to [`PREVIEW_CHARS`].
    pub fn preview(&self) -> String {
        let lines = &self.chat.lines;
        let last = lines
            .iter()
            .rev()
            .find(|l| l.kind != MessageKind::System)
            .or(lines.last());
        last.map_or_else(String::new, |l| truncate(&l.body, PREVIEW_CHARS))
    }

    /// What kind of chat this is (its bubble's colour in the compact view).
    pub fn kind(&self) -> ChatKind {
        match self.team.as_ref().map(|t| t.chat.kind) {
            None => ChatKind::Live,
            Some(TeamChatKind::Direct) => ChatKind::Agent,
            Some(TeamChatKind::Group) => ChatKind::Group,
        }
    }
}

/// How many characters of the last message a list shows.
pub const PREVIEW_CHARS: usize = 60;

/// `text` on one line, at most `max` characters, cut between words with "…" marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(max) {
        Some((at, _)) => {
            let head = &flat[..at];
            format!("{}…", head.rsplit_once(' ').map_or(head, |(h, _)| h))
        }
        None => flat,
    }
}

/// The kinds of conversation the console shows, each with its own colour in the compact
/// view's bubbles (and its name in words beside it, never colour alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    /// A visitor of the site.
    Live,
    /// A colleague, one to one.
    Agent,
    /// Several agents together.
    Group,
}

impl ChatKind {
    /// The bubble's background (white initials on it keep at least 4.5:1 contrast).
    pub fn colour(self) -> &'static str {
        match self {
            ChatKind::Live => "#2454d6",
            ChatKind::Agent => "#1e7d3a",
            ChatKind::Group => "#7b3fb5",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChatKind::Live => "Live chat",
            ChatKind::Agent => "Agent chat",
            ChatKind::Group => "Group chat",
        }
    }
}

/// My conversations, each editable on its own.
pub trait Panes {
    /// Runs `f` on the pane of `id`; `f` returns whether it changed anything. `None` when I
    /// have no such pane.
    fn edit(&mut self, id: ConversationId, f: impl FnOnce(&mut Pane) -> bool) -> Option<bool>;
    fn add(&mut self, pane: Pane);
    /// Forgets the pane of `id` (a team chat I left).
    fn remove(&mut self, id: ConversationId);
    fn ids(&self) -> Vec<ConversationId>;
    fn clear(&mut self);
}

impl Panes for Vec<Pane> {
    fn edit(&mut self, id: ConversationId, f: impl FnOnce(&mut Pane) -> bool) -> Option<bool> {
        self.iter_mut().find(|p| p.conversation.id == id).map(f)
    }
    fn add(&mut self, pane: Pane) {
        self.push(pane);
    }
    fn remove(&mut self, id: ConversationId) {
        self.retain(|p| p.conversation.id != id);
    }
    fn ids(&self) -> Vec<ConversationId> {
        self.iter().map(|p| p.conversation.id).collect()
    }
    fn clear(&mut self) {
        Vec::clear(self);
    }
}

/// Everything but the conversations themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desk {
    pub session: Option<AgentSession>,
    pub me: Option<Identity>,
    /// Default on: an agent who just signed in wants to see requests at once. The same as
    /// `status == Online`: only then does the server offer requests.
    pub online: bool,
    /// What colleagues see of me, as I chose it (`online` follows it).
    pub status: AgentStatus,
    /// I am shown away because I did nothing for `away_after_secs`; my next activity brings
    /// back `Online`.
    pub auto_away: bool,
    /// Colleagues with a console open, and their status (me included).
    pub team: Vec<AgentPresence>,
    /// The console shows me away after this long without activity.
    pub away_after_secs: u32,
    pub queue: Vec<ChatRequest>,
    pub selected: Option<ConversationId>,
    /// A refused action or a lost race, shown as `role=alert` until dismissed.
    pub alert: Option<String>,
    /// Requests I clicked Accept on and have no answer for yet.
    pub accepting: Vec<ConversationId>,
    /// Refusals still to come for accepts already explained by an alert: the server answers a
    /// late accept with a refusal that names no conversation, after telling everyone who
    /// won; that refusal is expected and shown no second time.
    pub quiet_refusals: u32,
    /// The chat the alert offers to join as a second agent: I lost the race for it.
    pub join_offer: Option<ConversationId>,
    /// Pending invitations I made or may answer, by id (the server sends every pending one
    /// after `welcome`, and `invitation_closed` ends each).
    pub invitations: BTreeMap<i64, Invitation>,
    /// What a polite live region last said: a new invitation for me.
    pub announcement: Option<String>,
    /// Team chats held when the socket (re)connected that the server has not yet said I am
    /// still in: its connect snapshot settles them (see [`team_chats::reconnected`]).
    pub unconfirmed_team: Vec<ConversationId>,
}

impl Default for Desk {
    fn default() -> Self {
        Desk {
            session: None,
            me: None,
            online: true,
            status: AgentStatus::Online,
            auto_away: false,
            team: Vec::new(),
            away_after_secs: 300,
            queue: Vec::new(),
            selected: None,
            alert: None,
            accepting: Vec::new(),
            quiet_refusals: 0,
            join_offer: None,
            invitations: BTreeMap::new(),
            announcement: None,
            unconfirmed_team: Vec::new(),
        }
    }
}

/// The alert when an accept is refused and no `request_removed` said who won (older servers).
pub const ALREADY_ACCEPTED: &str = "Another agent already accepted this chat.";

/// The alert when a request I was accepting left the queue without a winner.
pub const NO_LONGER_WAITING: &str = "This chat is no longer waiting.";

/// The alert when someone else won the race for a request I was accepting.
pub fn accepted_first(winner: &str) -> String {
    format!("{winner} accepted this chat first")
}

/// How an invitation reads to its invitee: "Ada invites you to the chat with Marta
/// (transfer)".
pub fn invitation_text(inv: &Invitation) -> String {
    let transfer = if inv.transfer { " (transfer)" } else { "" };
    format!(
        "{} invites you to the chat with {}{transfer}",
        inv.from.name, inv.visitor
    )
}

/// Whom an invitation asks, in words: the colleague, or "any agent of Sales".
pub fn invitee_text(inv: &Invitation) -> String {
    match inv.invitee {
        Invitee::Agent(_) => inv.invitee_name.clone(),
        Invitee::Section(_) => format!("any agent of {}", inv.invitee_name),
    }
}

/// The alert when a colleague declined my invitation.
pub fn declined_text(who: &str) -> String {
    format!("{who} declined your invitation")
}

/// What [`apply`] did beyond editing panes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    pub desk_changed: bool,
    /// The server rejected our credential: everything was reset.
    pub lost_session: bool,
    /// Something new arrived in a conversation that is not open (the console chimes).
    pub unread: bool,
}

impl Desk {
    pub fn set_online(&mut self, online: bool) {
        self.set_status(if online {
            AgentStatus::Online
        } else {
            AgentStatus::Offline
        });
    }

    /// I chose a status (an automatic away is over).
    pub fn set_status(&mut self, status: AgentStatus) {
        self.status = status;
        self.auto_away = false;
        self.online = status == AgentStatus::Online;
        if !self.online {
            // Only online agents get queue updates; a stale list would mislead.
            self.queue.clear();
        }
    }

    /// `idle_ms` without activity: should I now be shown away (I am online and it is past the
    /// setting)? Marks it, so activity can bring me back.
    pub fn goes_away(&mut self, idle_ms: f64) -> bool {
        if self.status == AgentStatus::Online && idle_ms >= f64::from(self.away_after_secs) * 1000.0
        {
            self.set_status(AgentStatus::Away);
            self.auto_away = true;
            true
        } else {
            false
        }
    }

    /// Activity after an automatic away: back to online. `false` if nothing changes.
    pub fn comes_back(&mut self) -> bool {
        if self.auto_away {
            self.set_status(AgentStatus::Online);
            true
        } else {
            false
        }
    }

    /// Show `text` in the alert (in place of any other, and of its join offer).
    pub fn show_alert(&mut self, text: impl Into<String>) {
        self.alert = Some(text.into());
        self.join_offer = None;
    }

    /// The alert was dismissed (or its offer taken up).
    pub fn dismiss_alert(&mut self) {
        self.alert = None;
        self.join_offer = None;
    }

    /// I clicked Accept on `id`.
    pub fn start_accept(&mut self, id: ConversationId) {
        self.dismiss_alert();
        if !self.accepting.contains(&id) {
            self.accepting.push(id);
        }
    }

    fn refused(&mut self, code: ErrorCode, message: String) {
        if code == ErrorCode::AlreadyAccepted {
            // Someone took the chat first; the server's message names them. The chat is the one
            // a `request_removed` already explained, else my oldest unanswered accept (one
            // socket's accepts are answered in order). Either way I may join it.
            self.quiet_refusals = self.quiet_refusals.saturating_sub(1);
            let chat = self
                .join_offer
                .or_else(|| (!self.accepting.is_empty()).then(|| self.accepting.remove(0)));
            // Older servers said only the code: the generic text says more.
            let names_winner =
                !message.is_empty() && message.replace('_', " ") != code.as_str().replace('_', " ");
            self.show_alert(if names_winner {
                message
            } else {
                ALREADY_ACCEPTED.to_owned()
            });
            self.join_offer = chat;
            return;
        }
        if code == ErrorCode::NotFound && self.quiet_refusals > 0 {
            self.quiet_refusals -= 1;
            return;
        }
        self.show_alert(if message.is_empty() {
            code.as_str().replace('_', " ")
        } else {
            message
        });
    }

    /// Pending invitations colleagues sent me, oldest first.
    pub fn incoming_invitations(&self) -> Vec<Invitation> {
        let me = self.me.as_ref().map(|m| m.principal);
        let mut list: Vec<_> = self
            .invitations
            .values()
            .filter(|i| Some(i.from.principal) != me)
            .cloned()
            .collect();
        list.sort_by_key(|i| (i.created_at, i.id));
        list
    }

    /// My pending invitation into chat `id` (one per chat at a time).
    pub fn my_invitation(&self, id: ConversationId) -> Option<Invitation> {
        let me = self.me.as_ref().map(|m| m.principal)?;
        self.invitations
            .values()
            .find(|i| i.conversation_id == id && i.from.principal == me)
            .cloned()
    }
}

/// Opens conversation `id`: it is selected and no longer unread.
pub fn select(desk: &mut Desk, panes: &mut impl Panes, id: ConversationId) {
    desk.selected = Some(id);
    panes.edit(id, |p| std::mem::take(&mut p.unread) > 0);
}

/// A conversation's newest state into its pane (made if new). A state without me among its
/// agents means I left it: the pane stays, read-only.
fn upsert(desk: &Desk, panes: &mut impl Panes, conversation: Conversation) {
    let id = conversation.id;
    let left = desk.me.as_ref().is_some_and(|me| {
        !conversation
            .agents
            .iter()
            .any(|a| a.principal == me.principal)
    });
    let mut conversation = Some(conversation);
    panes.edit(id, |p| {
        p.conversation = conversation.take().expect("edit runs f once");
        p.left = left;
        true
    });
    if let Some(c) = conversation {
        let mut pane = Pane::new(c);
        pane.left = left;
        panes.add(pane);
    }
}

/// Applies one server frame.
pub fn apply(desk: &mut Desk, panes: &mut impl Panes, msg: ServerMsg) -> Applied {
    let mut desk_changed = true;
    let mut unread = false;
    match msg {
        ServerMsg::Welcome {
            me, conversations, ..
        } => {
            desk.me = Some(me);
            // The server sends every invitation still pending after this.
            desk.invitations.clear();
            // And the team chats I am in: those I held may have gone while I was away.
            team_chats::reconnected(desk, panes);
            for c in conversations {
                upsert(desk, panes, c);
            }
        }
        ServerMsg::History {
            conversation_id,
            messages,
            reset,
            ..
        } => {
            desk_changed = false;
            panes.edit(conversation_id, |p| {
                // The server could not honour our cursor: its lines replace ours.
                if reset {
                    p.chat = p.chat.only_pending();
                }
                messages
                    .into_iter()
                    .fold(reset, |any, m| p.chat.insert(m) | any)
            });
        }
        // Visitors' own: their place in the queue.
        ServerMsg::QueuePosition { .. } => desk_changed = false,
        ServerMsg::Typing {
            conversation_id,
            name,
        } => {
            desk_changed = false;
            panes.edit(conversation_id, |p| {
                let n = p.typing.as_ref().map_or(0, |t| t.1 + 1);
                p.typing = Some((name, n));
                true
            });
        }
        ServerMsg::Message { message } => {
            desk_changed = false;
            let open = desk.selected == Some(message.conversation_id);
            // Mine (from another tab) is nothing to catch up on.
            let mine = is_me(desk, message.author.as_ref().map(|a| a.principal));
            panes.edit(message.conversation_id, |p| {
                // Their message is here: they are no longer typing it.
                p.typing = None;
                let new = p.chat.insert(message);
                if new && !open && !mine {
                    p.unread += 1;
                    unread = true;
                }
                new
            });
        }
        ServerMsg::Ack { message, .. } => {
            desk_changed = false;
            panes.edit(message.conversation_id, |p| p.chat.insert(message));
        }
        ServerMsg::Conversation { conversation } => {
            desk_changed = false;
            let mine = desk.me.as_ref().is_some_and(|me| {
                conversation
                    .agents
                    .iter()
                    .any(|a| a.principal == me.principal)
            });
            if mine || panes.ids().contains(&conversation.id) {
                upsert(desk, panes, conversation);
            }
        }
        ServerMsg::Queue { requests } => desk.queue = requests,
        ServerMsg::RequestAdded { request } => {
            desk_changed = !desk
                .queue
                .iter()
                .any(|r| r.conversation_id == request.conversation_id);
            if desk_changed {
                desk.queue.push(request);
            }
        }
        ServerMsg::RequestRemoved {
            conversation_id,
            accepted_by,
            ..
        } => {
            desk.queue.retain(|r| r.conversation_id != conversation_id);
            let won_by_me = matches!((&accepted_by, &desk.me), (Some(w), Some(me)) if w.principal == me.principal);
            if !won_by_me && desk.accepting.contains(&conversation_id) {
                desk.accepting.retain(|&id| id != conversation_id);
                let offer = accepted_by.is_some().then_some(conversation_id);
                desk.show_alert(match accepted_by {
                    Some(winner) => accepted_first(&winner.name),
                    None => NO_LONGER_WAITING.into(),
                });
                // Taken by a colleague: I may still join them.
                desk.join_offer = offer;
                desk.quiet_refusals += 1;
            }
        }
        ServerMsg::TicketLinked {
            conversation_id,
            ticket,
        } => {
            desk_changed = false;
            panes.edit(conversation_id, |p| {
                let changed = p.ticket != ticket;
                p.ticket = ticket;
                changed
            });
        }
        ServerMsg::Team {
            agents,
            away_after_secs,
        } => {
            // The last frame of an agent's connect snapshot.
            team_chats::snapshot_done(desk, panes);
            desk.team = agents;
            desk.away_after_secs = away_after_secs.max(1);
        }
        ServerMsg::AgentStatus { presence } => {
            match desk
                .team
                .iter_mut()
                .find(|p| p.agent.principal == presence.agent.principal)
            {
                Some(known) => *known = presence,
                None => {
                    desk.team.push(presence);
                    desk.team.sort_by(|a, b| a.agent.name.cmp(&b.agent.name));
                }
            }
        }
        ServerMsg::Note { note } => {
            desk_changed = false;
            let open = desk.selected == Some(note.conversation_id);
            let mine = is_me(desk, Some(note.author.principal));
            panes.edit(note.conversation_id, |p| {
                let new = p.insert_note(note);
                if new && !open && !mine {
                    p.unread += 1;
                    unread = true;
                }
                new
            });
        }
        ServerMsg::Notes {
            conversation_id,
            notes,
        } => {
            desk_changed = false;
            panes.edit(conversation_id, |p| {
                notes
                    .into_iter()
                    .fold(false, |any, n| p.insert_note(n) | any)
            });
        }
        ServerMsg::Invitation { invitation } => {
            let incoming = !is_me(desk, Some(invitation.from.principal));
            let text = invitation_text(&invitation);
            let before = desk.invitations.insert(invitation.id, invitation.clone());
            desk_changed = before.as_ref() != Some(&invitation);
            if incoming && before.is_none() {
                desk.announcement = Some(text);
            }
        }
        ServerMsg::InvitationClosed {
            id, outcome, by, ..
        } => {
            let closed = desk.invitations.remove(&id);
            desk_changed = closed.is_some();
            if let Some(inv) = closed
                && outcome == InvitationOutcome::Declined
                && is_me(desk, Some(inv.from.principal))
            {
                let who = by.map_or(inv.invitee_name, |b| b.name);
                desk.show_alert(declined_text(&who));
            }
        }
        // Agents' own chats: panes like live chats' (see `team_chats`).
        ServerMsg::TeamChats { chats } => desk_changed = team_chats::apply_list(desk, panes, chats),
        ServerMsg::TeamChat { chat } => {
            // Whether I am in it or not, the server has now said so.
            desk.unconfirmed_team.retain(|&id| id != chat.id);
            desk_changed = team_chats::apply_chat(desk, panes, chat);
        }
        ServerMsg::Accepted { conversation } => {
            let id = conversation.id;
            desk.queue.retain(|r| r.conversation_id != id);
            desk.accepting.retain(|&a| a != id);
            // Joined after losing the race: the alert offering it is done.
            if desk.join_offer == Some(id) {
                desk.dismiss_alert();
            }
            upsert(desk, panes, conversation);
            select(desk, panes, id);
        }
        ServerMsg::Error {
            code,
            message,
            client_id,
        } => match (code, client_id) {
            // Not a failure: the transport keeps the send and writes it again shortly.
            (ErrorCode::RateLimited | ErrorCode::Internal, Some(_)) => desk_changed = false,
            (_, Some(cid)) => {
                desk_changed = false;
                let why = if code == ErrorCode::ConversationEnded {
                    "the chat has ended".to_string()
                } else {
                    message
                };
                for id in panes.ids() {
                    if panes.edit(id, |p| {
                        p.chat.fail(&cid, why.clone()) || p.fail_note(&cid, why.clone())
                    }) == Some(true)
                    {
                        break;
                    }
                }
            }
            (ErrorCode::Unauthorized, None) => {
                *desk = Desk::default();
                panes.clear();
                return Applied {
                    desk_changed: true,
                    lost_session: true,
                    unread: false,
                };
            }
            (_, None) => desk.refused(code, message),
        },
    }
    Applied {
        desk_changed,
        lost_session: false,
        unread,
    }
}

/// Whether `who` is the signed-in agent.
fn is_me(desk: &Desk, who: Option<protocol::Principal>) -> bool {
    matches!((&desk.me, who), (Some(me), Some(who)) if me.principal == who)
}
