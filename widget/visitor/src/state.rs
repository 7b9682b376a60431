//! Everything the visitor widget shows, as one plain value changed only by its methods:
//! open or minimised, unread count, the session, the current conversation and its messages.
//!
//! It owns the rules (what counts as unread, which conversation is current, when the chat
//! is over); it never touches the DOM, storage or the socket, so tests drive it directly.

use protocol::{
    Conversation, ConversationId, ConversationStatus, Identity, MessageKind, ServerMsg,
};

use livechat_client::chat::Chat;

protocol::wire_objects! {
    /// What `localStorage` keeps between page loads.
    pub struct Session {
        pub token: String,
        pub name: String,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitorState {
    pub open: bool,
    pub unread: u32,
    pub session: Option<Session>,
    /// Who the server says we are (from `welcome`); used to tell own messages apart.
    pub me: Option<Identity>,
    pub conversation: Option<Conversation>,
    pub chat: Chat,
    /// After "Start a new chat", frames about conversations up to this id are old news.
    pub floor: Option<ConversationId>,
    /// Who is typing in the current conversation, and which signal that was (a timer clears
    /// it a few seconds later unless a newer one came).
    pub typing: Option<(String, u32)>,
    /// The waiting request's place in the queue, as the server last said.
    pub position: Option<u32>,
    /// The latest message offering choices: its conversation's id and its `seq` (zeros:
    /// none). The widget does not draw them (see [`VisitorState::offer`]).
    pub offered: (i64, protocol::Seq),
    /// Contacts: the ticket the current conversation is about.
    #[cfg(feature = "contact")]
    pub ticket: Option<protocol::helpdesk::TicketRef>,
    /// Contacts: the conversation this tab's first message opened, and that message (for
    /// pre-ticket chat: its first line becomes the new ticket's subject). Other tabs and
    /// later page loads never see it, so only one place ever makes that ticket.
    #[cfg(feature = "contact")]
    pub opened_here: Option<(ConversationId, String)>,
}

/// What a received frame means beyond the state change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Effects {
    /// A new message from someone else arrived (the page hears of each one).
    pub message: bool,
    /// ... and the visitor should hear it: the window is minimised, so chime.
    pub notify: bool,
    /// The server no longer accepts our token: start over at the name step.
    pub lost_session: bool,
}

impl VisitorState {
    pub fn has_session(&self) -> bool {
        self.session.is_some()
    }

    pub fn set_open(&mut self, open: bool) {
        self.open = open;
        if open {
            self.unread = 0;
        }
    }

    pub fn ended(&self) -> bool {
        self.conversation
            .as_ref()
            .is_some_and(|c| c.status == ConversationStatus::Ended)
    }

    /// Waiting for the first agent: a request exists, or my first message is on its way.
    pub fn waiting(&self) -> bool {
        match &self.conversation {
            Some(c) => c.status == ConversationStatus::Waiting,
            None => !self.chat.is_empty(),
        }
    }

    /// What the loader's on-demand "when nobody answers" panel needs while the visitor waits
    /// (or before they wrote anything, for when the office is closed): the request's id (0:
    /// none yet) and when it started. `None`: no session, an agent answered, or it ended.
    pub fn help_request(&self) -> Option<(i64, i64)> {
        self.session.as_ref()?;
        match &self.conversation {
            None => Some((0, 0)),
            Some(c) if c.status == ConversationStatus::Waiting => Some((c.id.0, c.created_at)),
            Some(_) => None,
        }
    }

    /// The loader's on-demand choice buttons: while the chat's last line is an agent's offer
    /// (the server lets only agents offer) and the chat is on, its conversation and `seq`.
    pub fn offer(&self) -> Option<(i64, i64)> {
        let c = self.conversation.as_ref()?;
        let last = self.chat.lines.last()?;
        (c.status == ConversationStatus::Active && (c.id.0, last.seq) == self.offered)
            .then_some(self.offered)
    }

    /// Remembers `m` when it offers choices (see [`VisitorState::offer`]).
    fn note_offer(&mut self, m: &protocol::Message) {
        if !m.options.is_empty() {
            self.offered = self.offered.max((m.conversation_id.0, m.seq));
        }
    }

    /// "Start a new chat": clear the ended conversation; the next send opens a new request.
    pub fn start_over(&mut self) {
        if let Some(c) = self.conversation.take() {
            self.floor = self.floor.max(Some(c.id));
        }
        self.chat = Chat::default();
        #[cfg(feature = "contact")]
        {
            self.ticket = None;
        }
    }

    fn is_mine(&self, author: protocol::Principal) -> bool {
        self.me.as_ref().is_some_and(|me| me.principal == author)
    }

    /// Makes `id` the current conversation if it is newer; `false` means "ignore this frame".
    fn follow(&mut self, id: ConversationId) -> bool {
        if self.floor.is_some_and(|floor| id <= floor) {
            return false;
        }
        match &self.conversation {
            Some(c) if c.id == id => true,
            Some(c) if c.id > id => false,
            _ => {
                // A newer conversation: my unsent lines are headed there; old lines are not.
                if self.conversation.is_some() {
                    self.chat = self.chat.only_pending();
                }
                self.conversation = None;
                self.position = None;
                true
            }
        }
    }

    /// Applies one server frame.
    pub fn apply(&mut self, msg: ServerMsg) -> Effects {
        let mut fx = Effects::default();
        match msg {
            ServerMsg::Welcome {
                me, conversations, ..
            } => {
                self.me = Some(me);
                if let Some(latest) = conversations.into_iter().max_by_key(|c| c.id)
                    && self.follow(latest.id)
                {
                    self.conversation = Some(latest);
                }
            }
            ServerMsg::Conversation { conversation } => {
                #[cfg(feature = "contact")]
                let pushed = conversation.status == ConversationStatus::Active
                    && self
                        .conversation
                        .as_ref()
                        .is_none_or(|c| c.id < conversation.id);
                if self.follow(conversation.id) {
                    self.conversation = Some(conversation);
                    // An agent started this chat with the contact (push chat): open it.
                    #[cfg(feature = "contact")]
                    if pushed && !self.open {
                        self.open = true;
                        fx.message = true;
                        fx.notify = true;
                    }
                }
            }
            ServerMsg::History {
                conversation_id,
                messages,
                reset,
                ..
            } => {
                if self.follow(conversation_id) {
                    // The server could not honour our cursor: its lines replace ours.
                    if reset {
                        self.chat = self.chat.only_pending();
                    }
                    for m in messages {
                        self.note_offer(&m);
                        self.chat.insert(m);
                    }
                }
            }
            ServerMsg::Ack { message, .. } => {
                if self.follow(message.conversation_id) {
                    #[cfg(feature = "contact")]
                    if message.seq == 1 {
                        self.opened_here = Some((message.conversation_id, message.body.clone()));
                    }
                    self.chat.insert(message);
                }
            }
            ServerMsg::QueuePosition {
                conversation_id,
                position,
            } => {
                if self.follow(conversation_id) {
                    self.position = Some(position);
                }
            }
            ServerMsg::Typing {
                conversation_id,
                name,
            } => {
                if self
                    .conversation
                    .as_ref()
                    .is_some_and(|c| c.id == conversation_id)
                {
                    let n = self.typing.as_ref().map_or(0, |t| t.1 + 1);
                    self.typing = Some((name, n));
                }
            }
            ServerMsg::Message { message } => {
                // Their message is here: they are no longer typing it.
                self.typing = None;
                let from_other = match (&message.kind, &message.author) {
                    (MessageKind::System, _) => true,
                    (_, Some(a)) => !self.is_mine(a.principal),
                    (_, None) => true,
                };
                let followed = self.follow(message.conversation_id);
                if followed {
                    self.note_offer(&message);
                }
                if followed && self.chat.insert(message) && from_other {
                    if !self.open {
                        self.unread += 1;
                    }
                    fx.message = true;
                    fx.notify = !self.open;
                }
            }
            ServerMsg::Error {
                code,
                message,
                client_id,
            } => match client_id {
                // Not a failure: the transport keeps the send and writes it again shortly.
                Some(_)
                    if matches!(
                        code,
                        protocol::ErrorCode::RateLimited | protocol::ErrorCode::Internal
                    ) => {}
                Some(cid) => {
                    let why = match code {
                        protocol::ErrorCode::ConversationEnded => {
                            livechat_client::i18n::tr("chat_ended")
                        }
                        // The server always says why; its code is the fallback as it is
                        // (`str::replace` for a nicer one cost this bundle bytes).
                        _ if message.is_empty() => code.as_str().into(),
                        _ => message,
                    };
                    self.chat.fail(&cid, why);
                    if code == protocol::ErrorCode::ConversationEnded
                        && let Some(c) = &mut self.conversation
                    {
                        c.status = ConversationStatus::Ended;
                    }
                }
                None if code == protocol::ErrorCode::Unauthorized => {
                    *self = VisitorState {
                        open: self.open,
                        ..VisitorState::default()
                    };
                    fx.lost_session = true;
                }
                None => {}
            },
            // Agent-only frames never reach a visitor.
            ServerMsg::Queue { .. }
            | ServerMsg::RequestAdded { .. }
            | ServerMsg::RequestRemoved { .. }
            | ServerMsg::Accepted { .. }
            | ServerMsg::Note { .. }
            | ServerMsg::Notes { .. }
            | ServerMsg::Team { .. }
            | ServerMsg::AgentStatus { .. }
            | ServerMsg::Invitation { .. }
            | ServerMsg::InvitationClosed { .. }
            | ServerMsg::TeamChats { .. }
            | ServerMsg::TeamChat { .. } => {}
            #[cfg(not(feature = "contact"))]
            ServerMsg::TicketLinked { .. } => {}
            #[cfg(feature = "contact")]
            ServerMsg::TicketLinked {
                conversation_id,
                ticket,
            } => {
                if self
                    .conversation
                    .as_ref()
                    .is_some_and(|c| c.id == conversation_id)
                {
                    self.ticket = ticket;
                }
            }
        }
        fx
    }
}
