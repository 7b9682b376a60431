//! The registry of live sockets and delivery to them.
//!
//! Owns which sockets are connected, filed by principal (every socket of a participant gets
//! its frames: a visitor's second tab, an agent's second window) and by credential (so signing
//! out closes exactly that session's sockets), each agent socket's status (an agent shows the
//! most available status of their open consoles; every agent is told when that changes, and
//! only `online` sockets get the queue), contacts' away reports (the rule is `contacts.rs`'s),
//! and
//! non-blocking delivery: each socket has a bounded queue, and a socket whose queue is full is
//! kicked rather than allowed to slow anyone else down. Replies that refuse a request (`error`
//! frames to the socket that asked) are the exception: they are dropped when the queue is
//! nearly full (see [`offer_reply`]), so a client flooding requests it does not read the
//! answers to is refused, not cut, and the room left stays for the frames that matter.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use protocol::presence::{AgentPresence, AgentStatus};
use protocol::{Conversation, Identity, Participant, Principal, Role, ServerMsg};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::Hub;
use crate::credentials::TokenHash;

/// Identifies one socket for the lifetime of the process.
pub type SocketId = u64;

/// WebSocket close code 1008: what a kicked socket is told.
const POLICY_VIOLATION: u16 = 1008;

/// Free queue slots an error reply leaves untouched: below this it is dropped, not queued.
/// Chat frames (and acks) may still use them, so a client that sends faster than it reads
/// its refusals is only cut when the conversation itself outruns it.
pub const REPLY_HEADROOM: usize = 64;

/// Queue an error reply for the socket behind `tx`, unless fewer than [`REPLY_HEADROOM`]
/// slots are free: then it is dropped (a refusal the client is not reading is no loss; the
/// client's outbox retries a send that was never answered). Never kicks.
pub fn offer_reply(tx: &mpsc::Sender<Outbound>, msg: ServerMsg) {
    if tx.capacity() <= REPLY_HEADROOM {
        tracing::debug!("queue nearly full; error reply dropped");
        return;
    }
    let _ = tx.try_send(Outbound::Frame(Arc::new(msg)));
}

/// What the hub asks a socket's writer to do.
#[derive(Debug, Clone)]
pub enum Outbound {
    /// Send this frame. Shared so a fan-out to many sockets does not clone the message.
    Frame(Arc<ServerMsg>),
    /// Send a close frame with this code and reason, then stop.
    Close { code: u16, reason: &'static str },
}

/// One authenticated socket registered with the hub, as the socket layer holds it.
#[derive(Debug)]
pub struct Connection {
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
    /// End the socket with this close code and reason (the first call wins).
    pub fn kick(&self, code: u16, reason: &'static str) {
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

/// Every registered socket.
#[derive(Default)]
pub(super) struct Registry {
    by_id: HashMap<SocketId, SocketEntry>,
    by_principal: HashMap<Principal, Vec<SocketId>>,
    /// Contacts' tabs that reported away, per credential (`contacts.rs`); kept here so a
    /// socket's removal updates it under the same lock.
    pub(super) away: super::contacts::AwayTabs,
}

/// Who a frame about a chat goes to: everyone in it.
pub trait Roster {
    fn roster(&self) -> Vec<Principal>;
}

impl Roster for Conversation {
    fn roster(&self) -> Vec<Principal> {
        self.members().collect()
    }
}

impl Roster for crate::store::Chat {
    fn roster(&self) -> Vec<Principal> {
        self.members()
    }
}

impl Roster for protocol::workspace::TeamChat {
    fn roster(&self) -> Vec<Principal> {
        self.members.iter().map(|m| m.principal).collect()
    }
}

impl Registry {
    /// The credential of each open socket of `principal` (once per socket).
    pub(super) fn credentials_of(&self, principal: Principal) -> impl Iterator<Item = &TokenHash> {
        self.by_principal
            .get(&principal)
            .into_iter()
            .flatten()
            .filter_map(|id| self.by_id.get(id))
            .map(|e| &e.credential)
    }

    /// Everyone with an open socket.
    pub(super) fn principals(&self) -> impl Iterator<Item = Principal> + '_ {
        self.by_principal.keys().copied()
    }
}

struct SocketEntry {
    key: Principal,
    /// Digest of the credential the socket authenticated with, so signing out ends exactly
    /// the sockets of that session (the same agent's other browsers stay).
    credential: TokenHash,
    tx: mpsc::Sender<Outbound>,
    /// The holder's name (agents' status frames carry it).
    name: String,
    /// Agents only: the status this console set; `Online` receives the queue and
    /// `request_added`/`request_removed`.
    status: AgentStatus,
    kicked: Kick,
}

impl Registry {
    /// What colleagues see of `agent`: the most available status of their open sockets
    /// (`Offline` with none).
    fn agent_status(&self, agent: Principal) -> AgentStatus {
        self.by_principal
            .get(&agent)
            .into_iter()
            .flatten()
            .filter_map(|id| self.by_id.get(id))
            .map(|e| e.status)
            .max_by_key(|s| s.rank())
            .unwrap_or_default()
    }

    /// Every agent with a socket open, and what colleagues see of them.
    pub(super) fn team(&self) -> Vec<AgentPresence> {
        let mut team: Vec<AgentPresence> = self
            .by_principal
            .iter()
            .filter(|(p, _)| p.role() == Role::Agent)
            .filter_map(|(p, ids)| {
                let name = ids.first().and_then(|id| self.by_id.get(id))?.name.clone();
                Some(AgentPresence {
                    agent: Participant::new(*p, name),
                    status: self.agent_status(*p),
                })
            })
            .collect();
        team.sort_by(|a, b| a.agent.name.cmp(&b.agent.name));
        team
    }
}

/// Tell every agent socket that `agent`'s status is now what it is, when it changed from
/// `before`.
fn announce(sockets: &mut Registry, agent: Principal, name: &str, before: AgentStatus) {
    let now = sockets.agent_status(agent);
    if now == before {
        return;
    }
    let ids: Vec<SocketId> = sockets
        .by_id
        .iter()
        .filter(|(_, e)| e.key.role() == Role::Agent)
        .map(|(id, _)| *id)
        .collect();
    let frame = ServerMsg::AgentStatus {
        presence: AgentPresence {
            agent: Participant::new(agent, name),
            status: now,
        },
    };
    deliver(sockets, &ids, &Arc::new(frame));
}

impl Hub {
    pub(super) fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        // Nothing in the registry can be left half-updated by a panic, so poisoning is harmless.
        self.inner.sockets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Number of registered sockets (diagnostics and tests).
    pub fn socket_count(&self) -> usize {
        self.registry().by_id.len()
    }

    /// Number of agent sockets that are online, i.e. receive new requests: presence, for
    /// diagnostics and tests. An agent with two online tabs counts twice; a socket that closed
    /// (or was cut for idling) never counts.
    pub fn online_socket_count(&self) -> usize {
        self.registry()
            .by_id
            .values()
            .filter(|e| e.status == AgentStatus::Online)
            .count()
    }

    /// File a socket whose snapshot is already queued; from now on it gets live frames.
    pub(super) fn register(
        &self,
        me: Identity,
        credential: TokenHash,
        tx: mpsc::Sender<Outbound>,
    ) -> Connection {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let kicked = Kick::default();
        let key = me.principal;
        let mut sockets = self.registry();
        sockets.by_id.insert(
            id,
            SocketEntry {
                key,
                credential,
                tx,
                name: me.name.clone(),
                status: AgentStatus::Offline,
                kicked: kicked.clone(),
            },
        );
        sockets.by_principal.entry(key).or_default().push(id);
        Connection { id, me, kicked }
    }

    /// Forget a socket (it closed).
    pub fn disconnect(&self, id: SocketId) {
        remove(&mut self.registry(), id);
    }

    /// The credential was revoked (sign-out, a session ended from another device, a password
    /// change): close every socket that authenticated with it with 1008 and `reason`, so the
    /// session stops receiving chats at once, not at its next reconnect.
    pub fn revoke(&self, credential: &TokenHash, reason: &'static str) {
        let mut sockets = self.registry();
        let ids: Vec<SocketId> = sockets
            .by_id
            .iter()
            .filter(|(_, e)| e.credential == *credential)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(entry) = sockets.by_id.get(&id) {
                entry.kicked.kick(POLICY_VIOLATION, reason);
            }
            remove(&mut sockets, id);
        }
    }

    /// The credential of every open socket with its holder's role, once each: housekeeping
    /// keeps these sessions alive.
    pub fn live_credentials(&self) -> Vec<(TokenHash, Role)> {
        let mut live: Vec<_> = self
            .registry()
            .by_id
            .values()
            .map(|e| (e.credential, e.key.role()))
            .collect();
        live.sort_unstable_by_key(|(credential, _)| *credential);
        live.dedup_by_key(|(credential, _)| *credential);
        live
    }

    /// Whether a socket is open with this credential.
    pub fn has_socket_with(&self, credential: &TokenHash) -> bool {
        self.registry()
            .by_id
            .values()
            .any(|e| e.credential == *credential)
    }

    /// Set this (agent) socket's status (`Online` receives the queue's changes) and tell every
    /// agent if that changed what colleagues see.
    pub(super) fn set_status(&self, id: SocketId, status: AgentStatus) {
        let mut sockets = self.registry();
        let Some(entry) = sockets.by_id.get(&id) else {
            return;
        };
        let (agent, name) = (entry.key, entry.name.clone());
        let before = sockets.agent_status(agent);
        if let Some(entry) = sockets.by_id.get_mut(&id) {
            entry.status = status;
        }
        announce(&mut sockets, agent, &name, before);
    }

    /// Every agent with a console open and their status (the `team` snapshot).
    pub(super) fn team(&self) -> Vec<AgentPresence> {
        self.registry().team()
    }

    /// Queue a frame for one socket.
    pub fn to_socket(&self, id: SocketId, msg: ServerMsg) {
        deliver(&mut self.registry(), &[id], &Arc::new(msg));
    }

    /// Queue an error reply for the socket that asked; see [`offer_reply`].
    pub(super) fn reply(&self, id: SocketId, msg: ServerMsg) {
        if let Some(entry) = self.registry().by_id.get(&id) {
            offer_reply(&entry.tx, msg);
        }
    }

    /// Queue a frame for every socket of `principal`.
    pub(super) fn to_principal(&self, principal: Principal, msg: ServerMsg) {
        self.to_principals(&[principal], msg);
    }

    /// Queue a frame for every socket of every member of `conversation` (a live chat's visitor
    /// and agents, a team chat's members), except `except` (the sender's socket, which gets an
    /// `ack` instead).
    pub(super) fn to_members(
        &self,
        conversation: &impl Roster,
        except: Option<SocketId>,
        msg: ServerMsg,
    ) {
        let mut sockets = self.registry();
        let ids: Vec<SocketId> = conversation
            .roster()
            .into_iter()
            .filter_map(|p| sockets.by_principal.get(&p))
            .flatten()
            .copied()
            .filter(|id| Some(*id) != except)
            .collect();
        deliver(&mut sockets, &ids, &Arc::new(msg));
    }

    /// Queue a frame for every socket of every member of `conversation` but `except`'s (all of
    /// theirs: their other tabs know they are typing).
    pub(super) fn to_members_but(
        &self,
        conversation: &impl Roster,
        except: Principal,
        msg: ServerMsg,
    ) {
        let mut sockets = self.registry();
        let ids: Vec<SocketId> = conversation
            .roster()
            .into_iter()
            .filter(|p| *p != except)
            .filter_map(|p| sockets.by_principal.get(&p))
            .flatten()
            .copied()
            .collect();
        deliver(&mut sockets, &ids, &Arc::new(msg));
    }

    /// Queue a frame for every socket of the agents of `conversation`, never its visitor (the
    /// only way private notes leave the hub).
    pub(super) fn to_agents_of(&self, conversation: &Conversation, msg: ServerMsg) {
        let mut sockets = self.registry();
        let ids: Vec<SocketId> = conversation
            .agents
            .iter()
            .filter_map(|a| sockets.by_principal.get(&a.principal))
            .flatten()
            .copied()
            .collect();
        deliver(&mut sockets, &ids, &Arc::new(msg));
    }

    /// Queue a frame for every agent socket that is online.
    pub(super) fn to_online_agents(&self, msg: ServerMsg) {
        self.to_online_agents_where(|_| true, msg);
    }

    /// The online agent sockets and whose they are.
    pub(super) fn online_agent_sockets(&self) -> Vec<(SocketId, protocol::AgentId)> {
        self.registry()
            .by_id
            .iter()
            .filter(|(_, e)| e.status == AgentStatus::Online)
            .filter_map(|(id, e)| e.key.agent().map(|a| (*id, a)))
            .collect()
    }

    /// Queue a frame for every online agent socket whose agent passes `filter`.
    pub(super) fn to_online_agents_where(
        &self,
        filter: impl Fn(Principal) -> bool,
        msg: ServerMsg,
    ) {
        let mut sockets = self.registry();
        let ids: Vec<SocketId> = sockets
            .by_id
            .iter()
            .filter(|(_, e)| e.status == AgentStatus::Online && filter(e.key))
            .map(|(id, _)| *id)
            .collect();
        deliver(&mut sockets, &ids, &Arc::new(msg));
    }

    /// Queue a frame for every socket of each of `principals`.
    pub(super) fn to_principals(&self, principals: &[Principal], msg: ServerMsg) {
        let mut sockets = self.registry();
        let ids: Vec<SocketId> = principals
            .iter()
            .filter_map(|p| sockets.by_principal.get(p))
            .flatten()
            .copied()
            .collect();
        deliver(&mut sockets, &ids, &Arc::new(msg));
    }
}

/// `try_send` to each socket; a full queue means the client is not draining: kick it rather
/// than wait (waiting would hold up every other recipient).
fn deliver(sockets: &mut Registry, ids: &[SocketId], msg: &Arc<ServerMsg>) {
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

fn remove(sockets: &mut Registry, id: SocketId) {
    let agent = sockets
        .by_id
        .get(&id)
        .filter(|e| e.key.role() == Role::Agent)
        .map(|e| (e.key, e.name.clone()));
    let before = agent.as_ref().map(|(a, _)| sockets.agent_status(*a));
    remove_socket(sockets, id);
    // An agent's last console closing (or their last online one) changes what colleagues see.
    if let (Some((agent, name)), Some(before)) = (agent, before) {
        announce(sockets, agent, &name, before);
    }
}

fn remove_socket(sockets: &mut Registry, id: SocketId) {
    if let Some(entry) = sockets.by_id.remove(&id)
        && let Some(list) = sockets.by_principal.get_mut(&entry.key)
    {
        list.retain(|other| *other != id);
        if list.is_empty() {
            sockets.by_principal.remove(&entry.key);
        }
        if entry.key.role() == protocol::Role::Visitor {
            let open = sockets
                .credentials_of(entry.key)
                .filter(|c| **c == entry.credential)
                .count();
            sockets.away.tab_closed(entry.credential, open);
        }
    }
}
