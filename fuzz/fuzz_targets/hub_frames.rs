//! Fuzz target `hub_frames`: a sequence of socket events driven against an in-process hub.
//!
//! Owns the hub's frame-level contract, checked after every event on every socket's queue:
//! - no frame is an `internal` error (the socket layer would close with 1011), and no socket
//!   is kicked for being slow (this driver drains every queue after every event);
//! - each `send` gets exactly one answer on the socket that sent it (`ack` with its
//!   `client_id`, or `error` echoing it when it is a valid id), and nothing else is answered
//!   with `ack` or `error` anywhere but on the socket that asked;
//! - per conversation, a newly seen message takes the next `seq` (gap-free, increasing), a
//!   `seq` always names the same message, and a `history` is the contiguous run after its
//!   cursor;
//! - every frame re-encodes and decodes to itself, and a visitor's frames decode with the
//!   visitor widget's decoder (so a visitor never gets an agents-only frame);
//! - nothing panics.
//!
//! Why the hub and not a WebSocket: `Hub::handle` has queued every frame an event causes by
//! the time it returns, so the checks are exact with no timeouts, and each input gets a fresh
//! in-memory store (no state leaks between inputs, so coverage is reproducible). Raw text
//! frames go through the same `serde_json::from_str::<ClientMsg>` as the server's `ws/decode.rs`.

#![no_main]

use std::collections::HashMap;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use livechat_server::credentials::TokenHash;
use livechat_server::hub::{Connection, Hub, Outbound};
use livechat_server::sessions;
use livechat_server::store::{Db, SqliteStore};
use protocol::{
    ClientMsg, ConversationId, Cursor, ErrorCode, Identity, Message, PROTOCOL_VERSION, Role,
    ServerMsg,
};
use tokio::sync::mpsc;

/// Events per input beyond this are ignored, so one input costs at most a few milliseconds.
const MAX_EVENTS: usize = 48;
/// Sockets open at once; more connects are ignored.
const MAX_SOCKETS: usize = 6;
/// The socket layer's queue size (`ws/`), so "too slow" means the same here.
const QUEUE_CAPACITY: usize = 512;

/// One runtime per process: building one per input would dominate the run time.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
});

#[derive(Arbitrary, Debug)]
enum Event {
    Connect {
        who: Who,
        cursors: Vec<(Conv, SeqPick)>,
    },
    Disconnect {
        socket: u8,
    },
    /// Sign out the socket's session: every socket of that credential is kicked.
    SignOut {
        socket: u8,
    },
    Frame {
        socket: u8,
        frame: Frame,
    },
    /// A text frame as the client wrote it.
    Raw {
        socket: u8,
        text: String,
    },
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Who {
    /// One of three visitors.
    Visitor(u8),
    /// Ada (false) or Grace (true).
    Agent(bool),
}

/// A conversation id: mostly the few that exist, sometimes anything.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Conv {
    Slot(u8),
    Any(i64),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum SeqPick {
    Small(u8),
    Any(i64),
}

#[derive(Arbitrary, Debug, Clone)]
enum Text {
    /// One of a few short valid strings, so ids repeat and duplicates happen.
    Pick(u8),
    Any(String),
}

#[derive(Arbitrary, Debug, Clone)]
enum Frame {
    Hello,
    Send {
        client_id: Text,
        conversation: Option<Conv>,
        body: Text,
    },
    SetOnline(bool),
    SetStatus(u8),
    Typing(Conv),
    Accept(Conv),
    End(Conv),
    Sync(Conv, SeqPick),
    Note {
        client_id: Text,
        conversation: Conv,
        body: Text,
    },
}

impl Conv {
    fn id(self) -> ConversationId {
        match self {
            Conv::Slot(n) => ConversationId(i64::from(n % 4) + 1),
            Conv::Any(n) => ConversationId(n),
        }
    }
}

impl SeqPick {
    fn seq(self) -> i64 {
        match self {
            SeqPick::Small(n) => i64::from(n % 8) - 2,
            SeqPick::Any(n) => n,
        }
    }
}

impl Text {
    fn get(&self, prefix: &str) -> String {
        match self {
            Text::Pick(n) => format!("{prefix}{}", n % 6),
            Text::Any(s) => s.clone(),
        }
    }
}

impl Frame {
    fn into_msg(self) -> ClientMsg {
        match self {
            Frame::Hello => ClientMsg::Hello {
                protocol: PROTOCOL_VERSION,
                token: String::new(),
                cursors: Vec::new(),
            },
            Frame::Send {
                client_id,
                conversation,
                body,
            } => ClientMsg::Send {
                client_id: client_id.get("c"),
                conversation_id: conversation.map(Conv::id),
                body: body.get("hello "),
            },
            Frame::SetOnline(online) => ClientMsg::SetOnline { online },
            Frame::Typing(c) => ClientMsg::Typing {
                conversation_id: c.id(),
            },
            Frame::SetStatus(n) => ClientMsg::SetStatus {
                status: match n % 4 {
                    0 => protocol::presence::AgentStatus::Online,
                    1 => protocol::presence::AgentStatus::Away,
                    2 => protocol::presence::AgentStatus::Busy,
                    _ => protocol::presence::AgentStatus::Offline,
                },
            },
            Frame::Accept(c) => ClientMsg::Accept {
                conversation_id: c.id(),
            },
            Frame::End(c) => ClientMsg::End {
                conversation_id: c.id(),
            },
            Frame::Sync(c, s) => ClientMsg::Sync {
                conversation_id: c.id(),
                after_seq: s.seq(),
            },
            Frame::Note {
                client_id,
                conversation,
                body,
            } => ClientMsg::Note {
                client_id: client_id.get("n"),
                conversation_id: conversation.id(),
                body: body.get("note "),
            },
        }
    }
}

/// `HUB_FRAMES_TRACE=1`: print each event and the frames it caused (to see what an input
/// does, e.g. over the corpus: `cargo fuzz run -s none hub_frames fuzz/corpus/hub_frames
/// -- -runs=0`).
static TRACE: LazyLock<bool> = LazyLock::new(|| std::env::var_os("HUB_FRAMES_TRACE").is_some());

fuzz_target!(|events: Vec<Event>| {
    RUNTIME.block_on(run(events));
});

struct Socket {
    conn: Connection,
    rx: mpsc::Receiver<Outbound>,
    credential: TokenHash,
    token: String,
}

/// What the driver knows about the world it built, and has seen so far.
struct World {
    hub: Hub,
    sessions: sessions::Sessions,
    agents: [Identity; 2],
    /// Tokens of the three visitor slots and two agents; a signed-out slot starts over.
    visitor_tokens: [Option<String>; 3],
    agent_tokens: [Option<String>; 2],
    sockets: Vec<Socket>,
    /// Per conversation, every message seen, by `seq`.
    seen: HashMap<ConversationId, HashMap<i64, Message>>,
}

async fn run(events: Vec<Event>) {
    let db = Db::new(SqliteStore::open_in_memory().expect("in-memory store"));
    // No password is ever checked here, so the agents share a fixed hash (argon2 per input
    // would cost more than the rest of the input).
    let phc = livechat_server::credentials::dummy_password_hash();
    let agents = db
        .call(move |s| {
            Ok([
                s.create_agent("ada@example.com", "Ada", phc, sessions::DEMO_SECTION)?,
                s.create_agent("grace@example.com", "Grace", phc, sessions::DEMO_SECTION)?,
            ])
        })
        .await
        .expect("seeding agents");
    // Limits far above what one input can send: rate limiting is not what is fuzzed here.
    let hub = Hub::new(db.clone(), 10_000, 10_000);
    let lifetimes = livechat_server::Config::new(".", ".").lifetimes();
    let mut world = World {
        hub,
        sessions: sessions::Sessions::new(db, lifetimes),
        agents,
        visitor_tokens: Default::default(),
        agent_tokens: Default::default(),
        sockets: Vec::new(),
        seen: HashMap::new(),
    };
    for event in events.into_iter().take(MAX_EVENTS) {
        world.step(event).await;
    }
}

/// What the acting socket must get back for the event just handled.
enum Expect {
    Nothing,
    /// Exactly one `ack` or `error` carrying this client id (`None`: an invalid id, which
    /// the error must not echo).
    SendAnswer(String),
    /// Exactly one `error` with this code.
    Error(ErrorCode),
    /// At most one `error`, no `ack`.
    MaybeError,
    /// `sync`: either an `error` or the `history` of that conversation after `after`.
    History {
        conversation_id: ConversationId,
        after: i64,
    },
    /// A new socket: `welcome` first, then one `history` per conversation it lists.
    Welcome {
        me: Identity,
        cursors: Vec<Cursor>,
    },
}

impl World {
    fn pick(&self, socket: u8) -> Option<usize> {
        (!self.sockets.is_empty()).then(|| usize::from(socket) % self.sockets.len())
    }

    async fn step(&mut self, event: Event) {
        if *TRACE {
            eprintln!("event {event:?}");
        }
        let (actor, expect) = match event {
            Event::Connect { who, cursors } => {
                if self.sockets.len() >= MAX_SOCKETS {
                    return;
                }
                let cursors: Vec<Cursor> = cursors
                    .into_iter()
                    .take(4)
                    .map(|(c, s)| Cursor {
                        conversation_id: c.id(),
                        last_seq: s.seq(),
                    })
                    .collect();
                let token = self.token_for(who).await;
                let who = self
                    .sessions
                    .authenticate(&token)
                    .await
                    .expect("authenticate")
                    .expect("a fresh token authenticates");
                let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
                let conn = self
                    .hub
                    .connect(who.me.clone(), who.credential, cursors.clone(), tx)
                    .await
                    .unwrap_or_else(|e| panic!("connect failed: {e}"));
                self.sockets.push(Socket {
                    conn,
                    rx,
                    credential: who.credential,
                    token,
                });
                let me = who.me;
                (self.sockets.len() - 1, Expect::Welcome { me, cursors })
            }
            Event::Disconnect { socket } => {
                let Some(i) = self.pick(socket) else { return };
                let gone = self.sockets.remove(i);
                self.hub.disconnect(gone.conn.id);
                self.check_all(None, Expect::Nothing);
                return;
            }
            Event::SignOut { socket } => {
                let Some(i) = self.pick(socket) else { return };
                let token = self.sockets[i].token.clone();
                // As `api.rs` does: authenticate the token for its role, then forget it.
                let revoked = self
                    .sessions
                    .authenticate(&token)
                    .await
                    .expect("authenticate")
                    .expect("a live socket's token is known")
                    .credential;
                assert_eq!(revoked, self.sockets[i].credential);
                self.sessions.logout(revoked).await.expect("logout");
                self.hub.revoke(&revoked, "signed out");
                for slot in self.visitor_tokens.iter_mut().chain(&mut self.agent_tokens) {
                    if slot.as_deref() == Some(token.as_str()) {
                        *slot = None;
                    }
                }
                // Kicked sockets must be exactly the ones of that credential.
                for s in &self.sockets {
                    let kicked = now(s.conn.kicked.kicked()).is_some();
                    assert_eq!(
                        kicked,
                        s.credential == revoked,
                        "revoke kicked the wrong sockets"
                    );
                }
                // The socket layer then unregisters them (already done by revoke) and closes.
                let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.sockets)
                    .into_iter()
                    .partition(|s| s.credential == revoked);
                for s in gone {
                    self.hub.disconnect(s.conn.id);
                }
                self.sockets = kept;
                self.check_all(None, Expect::Nothing);
                return;
            }
            Event::Frame { socket, frame } => {
                let Some(i) = self.pick(socket) else { return };
                let msg = frame.into_msg();
                let expect = self.handle(i, msg).await;
                (i, expect)
            }
            Event::Raw { socket, text } => {
                let Some(i) = self.pick(socket) else { return };
                // What the server's ws/ does: an undecodable frame never reaches the hub.
                let Ok(msg) = serde_json::from_str::<ClientMsg>(&text) else {
                    return;
                };
                let expect = self.handle(i, msg).await;
                (i, expect)
            }
        };
        self.check_all(Some(actor), expect);
    }

    async fn token_for(&mut self, who: Who) -> String {
        let slot = match who {
            Who::Visitor(n) => &mut self.visitor_tokens[usize::from(n % 3)],
            Who::Agent(grace) => &mut self.agent_tokens[usize::from(grace)],
        };
        if let Some(token) = slot {
            return token.clone();
        }
        let token = match who {
            Who::Visitor(n) => {
                self.sessions
                    .visitor(format!("Visitor {}", n % 3), "fuzz".into())
                    .await
                    .expect("visitor session")
                    .token
            }
            Who::Agent(grace) => {
                let me = &self.agents[usize::from(grace)];
                self.sessions
                    .issue(me, "fuzz".into())
                    .await
                    .expect("agent credential")
            }
        };
        let slot = match who {
            Who::Visitor(n) => &mut self.visitor_tokens[usize::from(n % 3)],
            Who::Agent(grace) => &mut self.agent_tokens[usize::from(grace)],
        };
        *slot = Some(token.clone());
        token
    }

    async fn handle(&mut self, i: usize, msg: ClientMsg) -> Expect {
        let expect = match &msg {
            ClientMsg::Hello { .. } => Expect::Error(ErrorCode::BadFrame),
            ClientMsg::Send { client_id, .. } | ClientMsg::Note { client_id, .. } => {
                Expect::SendAnswer(client_id.clone())
            }
            ClientMsg::Sync {
                conversation_id,
                after_seq,
            } => Expect::History {
                conversation_id: *conversation_id,
                after: *after_seq,
            },
            _ => Expect::MaybeError,
        };
        self.hub.handle(&self.sockets[i].conn, msg).await;
        expect
    }

    /// Drain every socket's queue and check each frame; `actor` is the socket whose event
    /// was just handled and `expect` what it must have been answered.
    fn check_all(&mut self, actor: Option<usize>, expect: Expect) {
        let mut batches = Vec::with_capacity(self.sockets.len());
        for (i, s) in self.sockets.iter_mut().enumerate() {
            assert!(
                now(s.conn.kicked.kicked()).is_none(),
                "socket {i} was kicked though its queue is drained"
            );
            let mut frames = Vec::new();
            while let Ok(out) = s.rx.try_recv() {
                match out {
                    Outbound::Frame(msg) => frames.push((*msg).clone()),
                    Outbound::Close { code, reason } => {
                        panic!("socket {i} told to close: {code} {reason}")
                    }
                }
            }
            if *TRACE {
                for f in &frames {
                    eprintln!("  socket {i} <- {f:?}");
                }
            }
            batches.push(frames);
        }
        let mut snapshots = Vec::new();
        for (i, frames) in batches.iter().enumerate() {
            let role = self.sockets[i].conn.me.role();
            let mine = Some(i) == actor;
            let mut answers = Vec::new();
            for frame in frames {
                check_codec(frame, role);
                match frame {
                    ServerMsg::Error {
                        code, client_id, ..
                    } => {
                        assert_ne!(*code, ErrorCode::Internal, "internal error: {frame:?}");
                        if let Some(id) = client_id {
                            assert!(protocol::valid_client_id(id), "echoed bad id {id:?}");
                        }
                        assert!(mine, "socket {i} got an error for another's request");
                        answers.push(frame);
                    }
                    ServerMsg::Ack { message, .. } => {
                        assert!(mine, "socket {i} got an ack for another's send");
                        answers.push(frame);
                        self.saw_message(message);
                    }
                    ServerMsg::Message { message } => self.saw_message(message),
                    ServerMsg::History {
                        conversation_id,
                        messages,
                        ..
                    } => {
                        for w in messages.windows(2) {
                            assert_eq!(w[0].seq + 1, w[1].seq, "history has a gap");
                        }
                        for m in messages {
                            assert_eq!(m.conversation_id, *conversation_id);
                            self.saw_message(m);
                        }
                    }
                    ServerMsg::Welcome { conversations, .. } => snapshots.extend(conversations),
                    ServerMsg::Conversation { conversation }
                    | ServerMsg::Accepted { conversation } => snapshots.push(conversation),
                    // Private notes reach agents only, never a visitor.
                    ServerMsg::Note { .. } => {
                        assert_ne!(role, Role::Visitor, "a visitor got a private note");
                        if mine && answers.is_empty() {
                            answers.push(frame);
                        }
                    }
                    ServerMsg::Notes { .. } => {
                        assert_ne!(role, Role::Visitor, "a visitor got private notes");
                    }
                    ServerMsg::Team { .. } | ServerMsg::AgentStatus { .. } => {
                        assert_ne!(role, Role::Visitor, "a visitor got agents' presence");
                    }
                    // Invitations are agents' business (made over REST, not by these frames).
                    ServerMsg::Invitation { .. } | ServerMsg::InvitationClosed { .. } => {
                        assert_ne!(role, Role::Visitor, "a visitor got an invitation");
                    }
                    ServerMsg::TeamChats { .. } | ServerMsg::TeamChat { .. } => {
                        assert_ne!(role, Role::Visitor, "a visitor got an agents' chat");
                    }
                    // Never to the socket that typed: to the others in the chat.
                    ServerMsg::Typing { .. } => assert!(!mine, "socket {i} got its own typing"),
                    // Only visitors wait in the queue.
                    ServerMsg::QueuePosition { .. } => {
                        assert_eq!(role, Role::Visitor, "an agent got a queue position");
                    }
                    ServerMsg::Queue { .. }
                    | ServerMsg::RequestAdded { .. }
                    | ServerMsg::RequestRemoved { .. }
                    | ServerMsg::TicketLinked { .. } => {}
                }
            }
            if mine {
                check_answers(frames, &answers, &expect);
            } else {
                assert!(answers.is_empty());
            }
        }
        // Every stored message is seen by the socket that caused it, so a snapshot can never
        // be ahead of what was seen.
        for c in snapshots {
            let max = self.max_seq(c.id);
            assert!(
                c.last_seq <= max,
                "{c:?} is ahead of the messages seen ({max})"
            );
        }
    }

    fn max_seq(&self, c: ConversationId) -> i64 {
        self.seen
            .get(&c)
            .and_then(|m| m.keys().max().copied())
            .unwrap_or(0)
    }

    fn saw_message(&mut self, m: &Message) {
        let max = self.max_seq(m.conversation_id);
        let known = self.seen.entry(m.conversation_id).or_default();
        match known.get(&m.seq) {
            Some(earlier) => assert_eq!(earlier, m, "two messages share a seq"),
            None => {
                // At most one message is stored per event, and the socket that caused it
                // always receives it, so a message not seen before is the next one.
                assert_eq!(m.seq, max + 1, "seq gap or reorder: {m:?}");
                known.insert(m.seq, m.clone());
            }
        }
    }
}

fn check_answers(frames: &[ServerMsg], answers: &[&ServerMsg], expect: &Expect) {
    match expect {
        Expect::Nothing => assert!(
            frames.iter().all(is_presence),
            "unexpected frames: {frames:?}"
        ),
        Expect::SendAnswer(id) => {
            assert_eq!(answers.len(), 1, "a send got {} answers", answers.len());
            let echo = protocol::valid_client_id(id).then_some(id);
            match answers[0] {
                ServerMsg::Ack { client_id, .. } => assert_eq!(client_id, id),
                ServerMsg::Note { note } => assert_eq!(&note.client_id, id),
                ServerMsg::Error { client_id, .. } => assert_eq!(client_id.as_ref(), echo),
                other => unreachable!("{other:?}"),
            }
        }
        Expect::Error(code) => match answers {
            [ServerMsg::Error { code: got, .. }] => assert_eq!(got, code),
            _ => panic!("expected one {code} error, got {answers:?}"),
        },
        Expect::History {
            conversation_id,
            after,
        } => match frames {
            [ServerMsg::Error { .. }] => {}
            // an agent reading from the start also gets the conversation's private notes
            [
                ServerMsg::History {
                    conversation_id: got,
                    messages,
                    reset,
                    ..
                },
            ]
            | [
                ServerMsg::History {
                    conversation_id: got,
                    messages,
                    reset,
                    ..
                },
                ServerMsg::Notes { .. },
            ] => {
                assert_eq!(got, conversation_id);
                // A cursor the conversation cannot have issued (negative, or past its last
                // seq) is answered from the start, flagged `reset`.
                let from = if *reset { 0 } else { *after };
                assert!(*reset || *after >= 0, "a negative cursor without reset");
                if let Some(first) = messages.first() {
                    assert_eq!(first.seq, from + 1, "sync does not start after its cursor");
                }
            }
            _ => panic!("sync answered {frames:?}"),
        },
        Expect::MaybeError => {
            assert!(answers.len() <= 1, "more than one answer: {answers:?}");
            assert!(!matches!(answers.first(), Some(ServerMsg::Ack { .. })));
        }
        Expect::Welcome { me, cursors } => {
            assert!(answers.is_empty(), "connect answered {answers:?}");
            let Some(ServerMsg::Welcome {
                protocol,
                me: got,
                conversations,
            }) = frames.first()
            else {
                panic!("the first frame is not welcome: {frames:?}");
            };
            assert_eq!(*protocol, PROTOCOL_VERSION);
            assert_eq!(got, me);
            // one history per conversation, then (agents) the notes of those that have any and
            // the team
            let histories: Vec<&ServerMsg> = frames[1..]
                .iter()
                .filter(|f| !matches!(f, ServerMsg::Notes { .. }) && !is_presence(f))
                .collect();
            assert_eq!(histories.len(), conversations.len());
            for (c, frame) in conversations.iter().zip(histories) {
                let ServerMsg::History {
                    conversation_id,
                    messages,
                    reset,
                    ..
                } = frame
                else {
                    panic!("expected the history of {}: {frame:?}", c.id);
                };
                assert_eq!(*conversation_id, c.id);
                let cursor = cursors
                    .iter()
                    .find(|k| k.conversation_id == c.id)
                    .map(|k| k.last_seq);
                let unissued = cursor.is_some_and(|a| a < 0 || a > c.last_seq);
                assert_eq!(
                    *reset, unissued,
                    "reset iff the cursor cannot have been issued"
                );
                let after = if *reset { 0 } else { cursor.unwrap_or(0) };
                match messages.first() {
                    Some(first) => assert_eq!(first.seq, after + 1, "history skips"),
                    None => assert!(after >= c.last_seq, "history is missing: {c:?}"),
                }
            }
        }
    }
}

/// Agents' presence: every agent socket may get it after any event that connects, closes or
/// changes an agent's status, so answers are checked without it.
fn is_presence(frame: &ServerMsg) -> bool {
    matches!(
        frame,
        ServerMsg::Team { .. } | ServerMsg::AgentStatus { .. }
    )
}

/// Every frame encodes, and decodes to itself; a visitor's with the widget's own decoder.
fn check_codec(frame: &ServerMsg, role: Role) {
    let json = serde_json::to_string(frame).expect("frames encode");
    let back: ServerMsg = serde_json::from_str(&json).expect("frames decode");
    assert_eq!(&back, frame);
    if role == Role::Visitor {
        let mut de = serde_json::Deserializer::from_str(&json);
        let back = ServerMsg::deserialize_for_visitor(&mut de)
            .unwrap_or_else(|e| panic!("a visitor got a frame it cannot decode ({e}): {json}"));
        assert_eq!(&back, frame);
    }
}

/// Poll a future once: `Some` if it is already ready (used to ask "was this socket kicked?").
fn now<F: std::future::Future>(fut: F) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}
