//! The connection to the chat server, in two layers:
//!
//! - [`core`]: a pure state machine that owns the rules: say `hello` with the last `seq` per
//!   conversation, re-send the outbox in order after every `welcome` (never before), ask for a
//!   `sync` when a live message skips ahead, drop acknowledged or refused sends from the
//!   outbox, retry after a close with backoff, and stop for good when the credential is
//!   rejected. It takes events and returns [`Action`]s, so host unit tests drive it directly.
//! - [`socket`]: the thin web-sys shell (the only code in the browser that touches the
//!   WebSocket): it turns socket and network events into core events and carries out the
//!   actions (open, write, persist, timers).
//!
//! Its bookkeeping ([`Outbox`], [`Cursors`], [`Backoff`]) is plain data with its own tests.
//! It does not own chat state: every decoded [`protocol::ServerMsg`] goes to the app's
//! callback. The UI talks to it through the small [`Link`] trait so component tests can put a
//! recorder in its place.

mod backoff;
pub mod core;
mod cursors;
mod outbox;
mod socket;

use std::rc::Rc;

use leptos::prelude::{LocalStorage, SetValue, StoredValue, WithValue};
use protocol::ClientMsg;

pub use self::core::{Action, Core};
pub use backoff::Backoff;
pub use cursors::Cursors;
pub use outbox::{Outbox, Queued};
pub use socket::{Decoder, Transport};

/// What the UI may ask of the connection. The real app uses [`Transport`]; tests record calls.
pub trait Link {
    /// Start (or restart) talking to the server with this credential.
    fn connect(&self, token: String);
    /// Stop for good (sign out, lost credential): close, forget the token and the outbox.
    fn disconnect(&self);
    /// Send a frame. `send` frames are queued until acknowledged; others go out only while
    /// connected (the apps re-state what matters, like `set_online`, after each `welcome`).
    fn send(&self, msg: ClientMsg);
    /// Sends still waiting for an ack (e.g. restored after a reload), oldest first.
    fn queued(&self) -> Vec<Queued>;
}

/// Most sends that may wait for their ack (offline, or behind a slow server).
pub const MAX_QUEUED: usize = 50;

/// Where an app's shared handle keeps its [`Link`]: empty until the app installs one (the real
/// transport, or a recorder in tests). `Copy`, so it lives in the handle that goes into context.
#[derive(Clone, Copy)]
pub struct LinkSlot(StoredValue<Option<Rc<dyn Link>>, LocalStorage>);

impl LinkSlot {
    pub fn new() -> Self {
        LinkSlot(StoredValue::new_local(None))
    }

    pub fn install(self, link: Rc<dyn Link>) {
        self.0.set_value(Some(link));
    }

    /// Whether [`MAX_QUEUED`] sends already wait: the apps then refuse another (the outbox,
    /// persisted in `localStorage` and replayed on every connect, stays bounded).
    pub fn queue_full(self) -> bool {
        let mut full = false;
        self.with(|l| full = l.queued().len() >= MAX_QUEUED);
        full
    }

    /// Runs `f` with the link; does nothing before one is installed.
    pub fn with(self, f: impl FnOnce(&dyn Link)) {
        self.0.with_value(|l| {
            if let Some(l) = l {
                f(l.as_ref());
            }
        });
    }
}

impl Default for LinkSlot {
    fn default() -> Self {
        Self::new()
    }
}

/// Shown to users; `Connecting` also covers "waiting for `welcome`".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConnState {
    Connecting,
    Online,
    #[default]
    Offline,
}
