//! The transport's rules as a pure state machine: events in (the app connects or sends, the
//! socket opened, a frame was decoded, the socket closed, a retry is due, the network came
//! back), [`Action`]s out (open a socket, write frames, persist the outbox, show a status,
//! retry later). No browser types, no clock and no randomness (the shell passes a random
//! number in), so every rule is tested on the host.
//!
//! Rules it owns:
//! - `hello` carries the token and the last `seq` held per conversation;
//! - sends wait in the outbox and go out only once `welcome` arrived on the current socket,
//!   one at a time: the next is written when the one before is answered. After each
//!   `welcome` the outbox is re-sent from its first entry (safe: the server de-duplicates by
//!   `client_id`). One at a time keeps the order the user wrote them in even when the server
//!   refuses one for its rate and accepts the next, and a long offline queue goes out at the
//!   server's pace instead of being refused in bulk;
//! - an `ack`, or a refusal other than `rate_limited` or `internal`, removes the send from the
//!   outbox; those two keep it and pause the outbox for [`RETRY_SEND_MS`], then it is written
//!   again (a server that is out of breath or briefly failing is asked again, in order);
//! - a live message whose `seq` skips ahead asks for the gap with one `sync`;
//! - a `history` page that says `more` asks for the next page with `sync` from its last `seq`;
//!   one that says `reset` (the server could not honour our cursor) replaces the cursor of that
//!   conversation with what the server sent (the app drops its lines likewise);
//! - a close schedules a retry with backoff; a rejected credential or protocol version stops
//!   for good (retrying would only hammer the server; the app decides what next).

use protocol::{ClientMsg, ErrorCode, PROTOCOL_VERSION, ServerMsg};

use super::{Backoff, ConnState, Cursors, Outbox, Queued};

/// After a `rate_limited` or `internal` refusal the outbox waits this long before it writes
/// again.
pub const RETRY_SEND_MS: u32 = 1_000;

/// What the shell must do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Drop the current socket (if any) and open a new one.
    Open,
    /// Drop the current socket; nothing is reopened unless a later action says so.
    Close,
    /// Write this frame to the current socket.
    Write(ClientMsg),
    /// The outbox changed: persist it.
    SaveOutbox,
    /// Show this connection state.
    Status(ConnState),
    /// Call [`Core::retry_due`] after this many milliseconds.
    RetryIn(u32),
}

#[derive(Debug, Default)]
pub struct Core {
    token: Option<String>,
    /// A socket is open or opening.
    live: bool,
    /// `welcome` arrived on the current socket: only then do frames go out.
    ready: bool,
    /// The outbox's first entry was written on the current socket and is not answered yet.
    in_flight: bool,
    /// A `rate_limited` or `internal` refusal: nothing from the outbox is written until the
    /// pause is over.
    paused: bool,
    cursors: Cursors,
    outbox: Outbox,
    backoff: Backoff,
}

impl Core {
    /// A core holding the sends a previous page load left unacknowledged.
    pub fn new(saved: Vec<Queued>) -> Self {
        Core {
            outbox: Outbox::new(saved),
            ..Core::default()
        }
    }

    pub fn queued(&self) -> &[Queued] {
        self.outbox.items()
    }

    /// The app has a credential: (re)connect with it at once.
    pub fn connect(&mut self, token: String) -> Vec<Action> {
        self.token = Some(token);
        self.backoff.reset();
        self.open()
    }

    /// Signed out or credential lost: close, and forget the token, cursors and outbox.
    pub fn disconnect(&mut self) -> Vec<Action> {
        *self = Core::default();
        vec![
            Action::Close,
            Action::SaveOutbox,
            Action::Status(ConnState::Offline),
        ]
    }

    /// The app sends a frame: a `send` is queued (and persisted) until acknowledged; any frame
    /// is written now only if the socket is ready.
    pub fn send(&mut self, msg: ClientMsg) -> Vec<Action> {
        let mut out = Vec::new();
        if let ClientMsg::Send {
            client_id,
            conversation_id,
            body,
        } = &msg
        {
            self.outbox.push(Queued {
                client_id: client_id.clone(),
                conversation_id: *conversation_id,
                body: body.clone(),
            });
            out.push(Action::SaveOutbox);
            self.write_next(&mut out);
        } else if self.ready {
            out.push(Action::Write(msg));
        }
        out
    }

    /// Write the outbox's first entry, unless it is already on its way, the socket is not
    /// ready or the outbox is paused.
    fn write_next(&mut self, out: &mut Vec<Action>) {
        if self.ready
            && !self.in_flight
            && !self.paused
            && let Some(first) = self.outbox.items().first()
        {
            self.in_flight = true;
            out.push(Action::Write(first.to_msg()));
        }
    }

    /// The socket opened: introduce ourselves.
    pub fn opened(&mut self) -> Vec<Action> {
        match (&self.token, self.live) {
            (Some(token), true) => vec![Action::Write(ClientMsg::Hello {
                protocol: PROTOCOL_VERSION,
                token: token.clone(),
                cursors: self.cursors.list(),
            })],
            _ => Vec::new(),
        }
    }

    /// A frame arrived on the current socket (the shell hands it to the app afterwards).
    pub fn received(&mut self, msg: &ServerMsg) -> Vec<Action> {
        let mut out = Vec::new();
        match msg {
            ServerMsg::Welcome { .. } => {
                self.ready = true;
                self.in_flight = false;
                self.paused = false;
                self.backoff.reset();
                out.push(Action::Status(ConnState::Online));
                self.write_next(&mut out);
            }
            ServerMsg::History {
                conversation_id,
                messages,
                reset,
                more,
            } => {
                if *reset {
                    self.cursors.forget(*conversation_id);
                }
                for m in messages {
                    self.cursors.observe(*conversation_id, m.seq);
                }
                if let (true, Some(last)) = (*more, messages.last()) {
                    out.push(Action::Write(ClientMsg::Sync {
                        conversation_id: *conversation_id,
                        after_seq: last.seq,
                    }));
                }
            }
            ServerMsg::Message { message } => self.observe_live(message, &mut out),
            ServerMsg::Ack { client_id, message } => {
                self.settle(client_id, &mut out);
                self.observe_live(message, &mut out);
            }
            // Too fast, or the server failed: kept, and written again after a pause.
            ServerMsg::Error {
                code: ErrorCode::RateLimited | ErrorCode::Internal,
                client_id: Some(_),
                ..
            } => {
                self.in_flight = false;
                self.paused = true;
                out.push(Action::RetryIn(RETRY_SEND_MS));
            }
            // Refused for good.
            ServerMsg::Error {
                client_id: Some(client_id),
                ..
            } => self.settle(client_id, &mut out),
            ServerMsg::Error {
                code: ErrorCode::Unauthorized | ErrorCode::UnsupportedVersion,
                client_id: None,
                ..
            } => {
                self.token = None;
                self.ready = false;
                self.live = false;
                out.extend([Action::Close, Action::Status(ConnState::Offline)]);
            }
            _ => {}
        }
        out
    }

    /// The server answered this send for good: it leaves the outbox, and the next one goes.
    fn settle(&mut self, client_id: &str, out: &mut Vec<Action>) {
        if self.outbox.remove(client_id) {
            self.in_flight = false;
            out.push(Action::SaveOutbox);
            self.write_next(out);
        }
    }

    fn observe_live(&mut self, message: &protocol::Message, out: &mut Vec<Action>) {
        if let Some(after_seq) = self.cursors.observe(message.conversation_id, message.seq) {
            out.push(Action::Write(ClientMsg::Sync {
                conversation_id: message.conversation_id,
                after_seq,
            }));
        }
    }

    /// The socket closed or failed (or the browser went offline). `rand` in `[0, 1)` jitters
    /// the retry delay.
    pub fn closed(&mut self, rand: f64) -> Vec<Action> {
        if !self.live {
            // Already handled (a failing socket reports `error` and then `close`).
            return Vec::new();
        }
        self.live = false;
        self.ready = false;
        let mut out = vec![Action::Close, Action::Status(ConnState::Offline)];
        if self.token.is_some() {
            out.push(Action::RetryIn(self.backoff.next_delay(rand)));
        }
        out
    }

    /// The retry timer fired: the end of a send pause while connected, otherwise
    /// time to reconnect (one timer serves both: a pause only happens while ready, and a
    /// close replaces it with a reconnect).
    pub fn retry_due(&mut self) -> Vec<Action> {
        if self.ready && self.paused {
            self.paused = false;
            let mut out = Vec::new();
            self.write_next(&mut out);
            return out;
        }
        self.open()
    }

    /// The browser says the network is back: reconnect now rather than at the next retry.
    pub fn network_online(&mut self) -> Vec<Action> {
        self.backoff.reset();
        if self.ready {
            return Vec::new();
        }
        self.open()
    }

    fn open(&mut self) -> Vec<Action> {
        if self.token.is_none() {
            return Vec::new();
        }
        self.live = true;
        self.ready = false;
        vec![Action::Status(ConnState::Connecting), Action::Open]
    }
}

#[cfg(test)]
mod tests;
