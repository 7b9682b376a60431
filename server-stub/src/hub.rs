//! The chat logic and fan-out: who receives which frame.
//!
//! Owns the registry of connected sockets (by identity, with each agent socket's online flag),
//! the per-identity send rate limit, and one handler per [`ClientMsg`] variant. It works on
//! `protocol` types only: it never sees JSON or WebSocket frames (that is `ws.rs`), and it
//! never decides permissions (that is `auth.rs`, applied by the store).
//!
//! Delivery is non-blocking: each socket has a bounded queue, and a socket whose queue is full
//! is kicked rather than allowed to slow anyone else down.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use protocol::{
    ChatRequest, ClientMsg, ConversationId, Cursor, ErrorCode, Identity, PROTOCOL_VERSION, Role,
    Seq, ServerMsg,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::{self, Denied};
use crate::store::{Db, NewMessage, SendOutcome, StoreError};

/// Identifies one socket for the lifetime of the process.
pub type SocketId = u64;

/// Who a frame is routed to: sockets are grouped by the person behind them.
type IdentityKey = (Role, i64);

/// What the hub asks a socket's writer to do.
#[derive(Debug, Clone)]
pub enum Outbound {
    /// Send this frame. Shared so a fan-out to many sockets does not clone the message.
    Frame(Arc<ServerMsg>),
    /// Send a close frame with this code and reason, then stop.
    Close { code: u16, reason: &'static str },
}

/// Why a client request failed; each maps to one stable [`ErrorCode`].
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("{0}")]
    InvalidInput(String),
    #[error("too many messages; slow down")]
    RateLimited,
    #[error("{0}")]
    Unexpected(&'static str),
    #[error("the client cannot keep up with its own queue")]
    TooSlow,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for HubError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Denied(d) => HubError::Denied(d),
            other => HubError::Store(other),
        }
    }
}

impl HubError {
    /// The stable code the client sees.
    pub fn code(&self) -> ErrorCode {
        match self {
            HubError::Denied(Denied::NotFound) => ErrorCode::NotFound,
            HubError::Denied(Denied::Forbidden) => ErrorCode::Forbidden,
            HubError::Denied(Denied::Ended) => ErrorCode::ConversationEnded,
            HubError::Denied(Denied::AlreadyAccepted(_)) => ErrorCode::AlreadyAccepted,
            HubError::InvalidInput(_) => ErrorCode::InvalidInput,
            HubError::RateLimited => ErrorCode::RateLimited,
            HubError::Unexpected(_) => ErrorCode::BadFrame,
            HubError::TooSlow | HubError::Store(_) => ErrorCode::Internal,
        }
    }

    /// Human text for the client: details of internal failures stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            HubError::Store(_) | HubError::TooSlow => "internal error; retry later".to_owned(),
            other => other.to_string(),
        }
    }
}

/// One authenticated socket, as the socket layer holds it.
#[derive(Debug)]
pub struct Session {
    pub id: SocketId,
    pub me: Identity,
    /// Fires when the hub drops this socket (its queue overflowed, or its credential was
    /// revoked), with the close code and reason to send.
    pub kicked: Kick,
}

/// The hub's way to end a socket it no longer serves: the socket layer waits on
/// [`Kick::kicked`] and closes with the code and reason given.
#[derive(Debug, Clone, Default)]
pub struct Kick {
    token: CancellationToken,
    /// Set once, before `token` is cancelled.
    reason: Arc<std::sync::OnceLock<(u16, &'static str)>>,
}

impl Kick {
    fn kick(&self, code: u16, reason: &'static str) {
        let _ = self.reason.set((code, reason));
        self.token.cancel();
    }

    /// Resolves when the hub dropped the socket: the close code and reason.
    pub async fn kicked(&self) -> (u16, &'static str) {
        self.token.cancelled().await;
        self.reason
            .get()
            .copied()
            .unwrap_or((POLICY_VIOLATION, "disconnected"))
    }
}

/// WebSocket close code 1008: what a kicked socket is told.
const POLICY_VIOLATION: u16 = 1008;

/// Cheap, clonable handle to the hub.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    db: Db,
    sockets: Mutex<Sockets>,
    /// Held (across `.await`, hence tokio's mutex) from a store write until its fan-out is
    /// queued, and while a snapshot (welcome, queue) is taken and the socket registered: so
    /// every socket sees a conversation's frames in `seq` order and no frame falls between a
    /// snapshot and live delivery. SQLite serialises writers anyway, so this costs little.
    order: tokio::sync::Mutex<()>,
    /// Per identity, across all its sockets, so opening more tabs does not buy more throughput.
    send_limiter: DefaultKeyedRateLimiter<IdentityKey>,
    shutdown: CancellationToken,
    /// Every socket task, so shutdown can wait for their close frames to go out.
    tracker: TaskTracker,
    next_id: AtomicU64,
}

#[derive(Default)]
struct Sockets {
    by_id: HashMap<SocketId, SocketEntry>,
    by_identity: HashMap<IdentityKey, Vec<SocketId>>,
}

struct SocketEntry {
    key: IdentityKey,
    /// Hash of the credential the socket authenticated with, so signing out ends exactly
    /// the sockets of that session (the same agent's other browsers stay).
    credential: auth::TokenHash,
    tx: mpsc::Sender<Outbound>,
    /// Agents only: receives the queue and `request_added`/`request_removed`.
    online: bool,
    kicked: Kick,
}

fn key_of(who: &Identity) -> IdentityKey {
    (who.role, who.id)
}

impl Hub {
    pub fn new(db: Db, sends_per_second: u32, send_burst: u32) -> Self {
        let rate = NonZeroU32::new(sends_per_second.max(1)).expect("max(1) is non-zero");
        let burst = NonZeroU32::new(send_burst.max(1)).expect("max(1) is non-zero");
        Hub {
            inner: Arc::new(Inner {
                db,
                sockets: Mutex::new(Sockets::default()),
                order: tokio::sync::Mutex::new(()),
                send_limiter: RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)),
                shutdown: CancellationToken::new(),
                tracker: TaskTracker::new(),
                next_id: AtomicU64::new(1),
            }),
        }
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Cancelled when the server shuts down; sockets then close with 1001.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    pub fn tracker(&self) -> TaskTracker {
        self.inner.tracker.clone()
    }

    /// Forget rate-limit state of identities that have been quiet (called periodically).
    pub fn retain_recent(&self) {
        self.inner.send_limiter.retain_recent();
    }

    /// Number of registered sockets (diagnostics and tests).
    pub fn socket_count(&self) -> usize {
        self.lock().by_id.len()
    }

    /// Number of agent sockets that are online, i.e. receive new requests: presence, for
    /// diagnostics and tests. An agent with two online tabs counts twice; a socket that closed
    /// (or was cut for idling) never counts.
    pub fn online_socket_count(&self) -> usize {
        self.lock().by_id.values().filter(|e| e.online).count()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Sockets> {
        // Nothing in the registry can be left half-updated by a panic, so poisoning is harmless.
        self.inner.sockets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Who holds `token`, if anyone.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Identity>, HubError> {
        Ok(auth::authenticate(&self.inner.db, token).await?)
    }

    /// Register an authenticated socket: queue `welcome` and one `history` per conversation
    /// (messages after the client's cursor), then start live delivery.
    pub async fn connect(
        &self,
        me: Identity,
        credential: auth::TokenHash,
        cursors: Vec<Cursor>,
        tx: mpsc::Sender<Outbound>,
    ) -> Result<Session, HubError> {
        let _order = self.inner.order.lock().await;
        let who = me.clone();
        let (conversations, histories) = self
            .inner
            .db
            .call(move |s| {
                let conversations = s.welcome_conversations(&who)?;
                let mut histories = Vec::with_capacity(conversations.len());
                for c in &conversations {
                    let after = cursors
                        .iter()
                        .find(|k| k.conversation_id == c.id)
                        .map_or(0, |k| k.last_seq.max(0));
                    histories.push((c.id, s.messages_after(&who, c.id, after)?));
                }
                Ok((conversations, histories))
            })
            .await?;
        let welcome = ServerMsg::Welcome {
            protocol: PROTOCOL_VERSION,
            me: me.clone(),
            conversations,
        };
        let frames = std::iter::once(welcome).chain(histories.into_iter().map(
            |(conversation_id, messages)| ServerMsg::History {
                conversation_id,
                messages,
            },
        ));
        for frame in frames {
            tx.try_send(Outbound::Frame(Arc::new(frame)))
                .map_err(|_| HubError::TooSlow)?;
        }
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let kicked = Kick::default();
        let key = key_of(&me);
        let mut sockets = self.lock();
        sockets.by_id.insert(
            id,
            SocketEntry {
                key,
                credential,
                tx,
                online: false,
                kicked: kicked.clone(),
            },
        );
        sockets.by_identity.entry(key).or_default().push(id);
        Ok(Session { id, me, kicked })
    }

    /// Forget a socket (it closed).
    pub fn disconnect(&self, id: SocketId) {
        remove(&mut self.lock(), id);
    }

    /// The credential was revoked (sign-out): close every socket that authenticated with it,
    /// so a signed-out console stops receiving chats at once, not at its next reconnect.
    pub fn revoke(&self, credential: &auth::TokenHash) {
        let mut sockets = self.lock();
        let ids: Vec<SocketId> = sockets
            .by_id
            .iter()
            .filter(|(_, e)| e.credential == *credential)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(entry) = sockets.by_id.get(&id) {
                entry.kicked.kick(POLICY_VIOLATION, "signed out");
            }
            remove(&mut sockets, id);
        }
    }

    /// Handle one decoded frame from an authenticated socket. Refusals are answered on that
    /// socket as `error`; nothing here can fail the connection.
    pub async fn handle(&self, s: &Session, msg: ClientMsg) {
        let (result, client_id) = match msg {
            ClientMsg::Hello { .. } => (Err(HubError::Unexpected("already authenticated")), None),
            ClientMsg::Send {
                client_id,
                conversation_id,
                body,
            } => {
                // Echo only ids we accept, so an error frame never carries arbitrary input.
                let echo = protocol::valid_client_id(&client_id).then(|| client_id.clone());
                (
                    self.on_send(s, client_id, conversation_id, body).await,
                    echo,
                )
            }
            ClientMsg::SetOnline { online } => (self.on_set_online(s, online).await, None),
            ClientMsg::Accept { conversation_id } => {
                (self.on_accept(s, conversation_id).await, None)
            }
            ClientMsg::End { conversation_id } => (self.on_end(s, conversation_id).await, None),
            ClientMsg::Sync {
                conversation_id,
                after_seq,
            } => (self.on_sync(s, conversation_id, after_seq).await, None),
        };
        if let Err(e) = result {
            match &e {
                HubError::Store(inner) => {
                    tracing::error!(socket = s.id, error = %inner, "request failed")
                }
                other => tracing::debug!(socket = s.id, error = %other, "request refused"),
            }
            self.to_socket(
                s.id,
                ServerMsg::Error {
                    code: e.code(),
                    message: e.public_message(),
                    client_id,
                },
            );
        }
    }

    async fn on_send(
        &self,
        s: &Session,
        client_id: String,
        conversation_id: Option<ConversationId>,
        body: String,
    ) -> Result<(), HubError> {
        if !protocol::valid_client_id(&client_id) {
            return Err(HubError::InvalidInput(format!(
                "client_id must be 1-{} printable ASCII characters",
                protocol::MAX_CLIENT_ID_LEN
            )));
        }
        let body = protocol::validate_body(&body)
            .map_err(|e| HubError::InvalidInput(format!("body {e}")))?
            .to_owned();
        if s.me.role == Role::Agent && conversation_id.is_none() {
            return Err(HubError::InvalidInput(
                "agents must name the conversation".to_owned(),
            ));
        }
        if self.inner.send_limiter.check_key(&key_of(&s.me)).is_err() {
            return Err(HubError::RateLimited);
        }
        let _order = self.inner.order.lock().await;
        let who = s.me.clone();
        let msg = NewMessage {
            client_id: client_id.clone(),
            conversation_id,
            body,
        };
        match self.inner.db.call(move |st| st.send(&who, msg)).await? {
            SendOutcome::Duplicate { message } => {
                self.to_socket(s.id, ServerMsg::Ack { client_id, message });
            }
            SendOutcome::Stored {
                message,
                conversation,
                created,
            } => {
                let mut members = vec![(Role::Visitor, conversation.visitor.id)];
                members.extend(conversation.agents.iter().map(|a| (Role::Agent, a.id)));
                if created {
                    self.to_identities(
                        &members,
                        None,
                        ServerMsg::Conversation {
                            conversation: conversation.clone(),
                        },
                    );
                }
                self.to_socket(
                    s.id,
                    ServerMsg::Ack {
                        client_id,
                        message: message.clone(),
                    },
                );
                let preview = message.body.clone();
                self.to_identities(&members, Some(s.id), ServerMsg::Message { message });
                if created {
                    self.to_online_agents(ServerMsg::RequestAdded {
                        request: ChatRequest {
                            conversation_id: conversation.id,
                            visitor: conversation.visitor,
                            preview,
                            created_at: conversation.created_at,
                        },
                    });
                }
            }
        }
        Ok(())
    }

    async fn on_set_online(&self, s: &Session, online: bool) -> Result<(), HubError> {
        auth::may_go_online(&s.me)?;
        let _order = self.inner.order.lock().await;
        if online {
            let requests = self.inner.db.call(|st| st.waiting_requests()).await?;
            self.to_socket(s.id, ServerMsg::Queue { requests });
        }
        if let Some(entry) = self.lock().by_id.get_mut(&s.id) {
            entry.online = online;
        }
        Ok(())
    }

    async fn on_accept(
        &self,
        s: &Session,
        conversation_id: ConversationId,
    ) -> Result<(), HubError> {
        let _order = self.inner.order.lock().await;
        let who = s.me.clone();
        let won = self
            .inner
            .db
            .call(move |st| st.accept(&who, conversation_id))
            .await?;
        let me = [key_of(&s.me)];
        self.to_identities(
            &me,
            None,
            ServerMsg::Accepted {
                conversation: won.conversation.clone(),
            },
        );
        self.to_identities(
            &me,
            None,
            ServerMsg::History {
                conversation_id,
                messages: won.history,
            },
        );
        let visitor = [(Role::Visitor, won.conversation.visitor.id)];
        self.to_identities(
            &visitor,
            None,
            ServerMsg::Conversation {
                conversation: won.conversation,
            },
        );
        self.to_identities(
            &visitor,
            None,
            ServerMsg::Message {
                message: won.system_message,
            },
        );
        self.to_online_agents(ServerMsg::RequestRemoved {
            conversation_id,
            accepted_by: Some(won.agent),
        });
        Ok(())
    }

    async fn on_end(&self, s: &Session, conversation_id: ConversationId) -> Result<(), HubError> {
        let _order = self.inner.order.lock().await;
        let who = s.me.clone();
        let ended = self
            .inner
            .db
            .call(move |st| st.end(&who, conversation_id))
            .await?;
        let mut members = vec![(Role::Visitor, ended.conversation.visitor.id)];
        members.extend(
            ended
                .conversation
                .agents
                .iter()
                .map(|a| (Role::Agent, a.id)),
        );
        self.to_identities(
            &members,
            None,
            ServerMsg::Message {
                message: ended.system_message,
            },
        );
        self.to_identities(
            &members,
            None,
            ServerMsg::Conversation {
                conversation: ended.conversation,
            },
        );
        Ok(())
    }

    async fn on_sync(
        &self,
        s: &Session,
        conversation_id: ConversationId,
        after_seq: Seq,
    ) -> Result<(), HubError> {
        let who = s.me.clone();
        let messages = self
            .inner
            .db
            .call(move |st| st.messages_after(&who, conversation_id, after_seq.max(0)))
            .await?;
        self.to_socket(
            s.id,
            ServerMsg::History {
                conversation_id,
                messages,
            },
        );
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Delivery
    // -----------------------------------------------------------------------------------------

    /// Queue a frame for one socket.
    pub fn to_socket(&self, id: SocketId, msg: ServerMsg) {
        let msg = Arc::new(msg);
        let mut sockets = self.lock();
        deliver(&mut sockets, &[id], &msg);
    }

    /// Queue a frame for every socket of these identities, except `except`.
    fn to_identities(&self, keys: &[IdentityKey], except: Option<SocketId>, msg: ServerMsg) {
        let msg = Arc::new(msg);
        let mut sockets = self.lock();
        let ids: Vec<SocketId> = keys
            .iter()
            .filter_map(|k| sockets.by_identity.get(k))
            .flatten()
            .copied()
            .filter(|id| Some(*id) != except)
            .collect();
        deliver(&mut sockets, &ids, &msg);
    }

    /// Queue a frame for every agent socket that is online.
    fn to_online_agents(&self, msg: ServerMsg) {
        let msg = Arc::new(msg);
        let mut sockets = self.lock();
        let ids: Vec<SocketId> = sockets
            .by_id
            .iter()
            .filter(|(_, e)| e.online)
            .map(|(id, _)| *id)
            .collect();
        deliver(&mut sockets, &ids, &msg);
    }
}

/// `try_send` to each socket; a full queue means the client is not draining: kick it rather
/// than wait (waiting would hold up every other recipient).
fn deliver(sockets: &mut Sockets, ids: &[SocketId], msg: &Arc<ServerMsg>) {
    for id in ids {
        let Some(entry) = sockets.by_id.get(id) else {
            continue;
        };
        match entry.tx.try_send(Outbound::Frame(Arc::clone(msg))) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(
                    socket = id,
                    "client too slow to drain its queue; disconnecting"
                );
                entry.kicked.kick(POLICY_VIOLATION, "too slow");
                remove(sockets, *id);
            }
            Err(mpsc::error::TrySendError::Closed(_)) => remove(sockets, *id),
        }
    }
}

fn remove(sockets: &mut Sockets, id: SocketId) {
    if let Some(entry) = sockets.by_id.remove(&id)
        && let Some(list) = sockets.by_identity.get_mut(&entry.key)
    {
        list.retain(|other| *other != id);
        if list.is_empty() {
            sockets.by_identity.remove(&entry.key);
        }
    }
}
