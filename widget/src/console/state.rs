//! Everything the agent console shows, as one plain value changed only by its methods:
//! the session, the online switch, the waiting queue, my conversations and which one is open.
//!
//! It owns the rules (what is unread, what a refused accept means); no DOM, storage or socket,
//! so tests drive it directly with `ServerMsg` values.

use protocol::{
    ChatRequest, Conversation, ConversationId, ConversationStatus, ErrorCode, Identity, ServerMsg,
};
use serde::{Deserialize, Serialize};

use crate::chat::Chat;

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
    /// A message arrived while another conversation was open.
    pub unread: bool,
}

impl Pane {
    pub fn visitor_name(&self) -> &str {
        &self.conversation.visitor.name
    }

    pub fn ended(&self) -> bool {
        self.conversation.status == ConversationStatus::Ended
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleState {
    pub session: Option<AgentSession>,
    pub me: Option<Identity>,
    /// Default on: an agent who just signed in wants to see requests at once.
    pub online: bool,
    pub queue: Vec<ChatRequest>,
    pub panes: Vec<Pane>,
    pub selected: Option<ConversationId>,
    /// A refused action, shown as `role=alert` until dismissed.
    pub alert: Option<String>,
}

impl Default for ConsoleState {
    fn default() -> Self {
        ConsoleState {
            session: None,
            me: None,
            online: true,
            queue: Vec::new(),
            panes: Vec::new(),
            selected: None,
            alert: None,
        }
    }
}

/// The text of the alert a lost race shows.
pub const ALREADY_ACCEPTED: &str = "Another agent already accepted this chat.";

impl ConsoleState {
    pub fn pane(&self, id: ConversationId) -> Option<&Pane> {
        self.panes.iter().find(|p| p.conversation.id == id)
    }

    fn pane_mut(&mut self, id: ConversationId) -> Option<&mut Pane> {
        self.panes.iter_mut().find(|p| p.conversation.id == id)
    }

    fn upsert(&mut self, conversation: Conversation) {
        match self.pane_mut(conversation.id) {
            Some(p) => p.conversation = conversation,
            None => self.panes.push(Pane {
                conversation,
                chat: Chat::default(),
                unread: false,
            }),
        }
    }

    pub fn select(&mut self, id: ConversationId) {
        self.selected = Some(id);
        if let Some(p) = self.pane_mut(id) {
            p.unread = false;
        }
    }

    pub fn set_online(&mut self, online: bool) {
        self.online = online;
        if !online {
            // Offline agents get no queue updates; a stale list would mislead.
            self.queue.clear();
        }
    }

    /// Applies one server frame. Returns `true` when the server rejected our credential.
    pub fn apply(&mut self, msg: ServerMsg) -> bool {
        match msg {
            ServerMsg::Welcome {
                me, conversations, ..
            } => {
                self.me = Some(me);
                for c in conversations {
                    self.upsert(c);
                }
            }
            ServerMsg::History {
                conversation_id,
                messages,
            } => {
                if let Some(p) = self.pane_mut(conversation_id) {
                    for m in messages {
                        p.chat.insert(m);
                    }
                }
            }
            ServerMsg::Message { message } => {
                let open = self.selected == Some(message.conversation_id);
                if let Some(p) = self.pane_mut(message.conversation_id)
                    && p.chat.insert(message)
                    && !open
                {
                    p.unread = true;
                }
            }
            ServerMsg::Ack { message, .. } => {
                if let Some(p) = self.pane_mut(message.conversation_id) {
                    p.chat.insert(message);
                }
            }
            ServerMsg::Conversation { conversation } => {
                let mine = self.me.as_ref().is_some_and(|me| {
                    conversation
                        .agents
                        .iter()
                        .any(|a| a.id == me.id && a.role == me.role)
                });
                if mine || self.pane(conversation.id).is_some() {
                    self.upsert(conversation);
                }
            }
            ServerMsg::Queue { requests } => self.queue = requests,
            ServerMsg::RequestAdded { request } => {
                if !self
                    .queue
                    .iter()
                    .any(|r| r.conversation_id == request.conversation_id)
                {
                    self.queue.push(request);
                }
            }
            ServerMsg::RequestRemoved {
                conversation_id, ..
            } => self.queue.retain(|r| r.conversation_id != conversation_id),
            ServerMsg::Accepted { conversation } => {
                let id = conversation.id;
                self.queue.retain(|r| r.conversation_id != id);
                self.upsert(conversation);
                self.select(id);
            }
            ServerMsg::Error {
                code,
                message,
                client_id,
            } => match (code, client_id) {
                (_, Some(cid)) => {
                    let why = if code == ErrorCode::ConversationEnded {
                        "the chat has ended".to_string()
                    } else {
                        message
                    };
                    for p in &mut self.panes {
                        if p.chat.fail(&cid, why.clone()) {
                            break;
                        }
                    }
                }
                (ErrorCode::AlreadyAccepted, None) => self.alert = Some(ALREADY_ACCEPTED.into()),
                (ErrorCode::Unauthorized, None) => {
                    *self = ConsoleState::default();
                    return true;
                }
                (_, None) => {
                    self.alert = Some(if message.is_empty() {
                        code.as_str().replace('_', " ")
                    } else {
                        message
                    })
                }
            },
        }
        false
    }
}
