//! One conversation's messages as the UI shows them: confirmed messages in `seq` order with no
//! duplicates, followed by the user's own pending sends in the order they were typed.
//!
//! It owns ordering, de-duplication (by message id, and by `client_id` so an ack or another
//! tab's echo replaces the pending copy) and delivery state. It knows nothing about sockets or
//! rendering, so it is driven directly by tests.

use protocol::{Message, MessageId, MessageKind, Millis, Participant, Seq};

/// Where one of my sends stands. Messages from others are always `Sent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Written locally, not yet acknowledged (maybe queued while offline).
    Pending,
    /// Refused by the server; the text says why.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// `None` until the server stored it.
    pub id: Option<MessageId>,
    pub client_id: Option<String>,
    /// `0` while pending: pending lines always sort after confirmed ones.
    pub seq: Seq,
    pub kind: MessageKind,
    pub author: Option<Participant>,
    pub body: String,
    pub sent_at: Millis,
    pub delivery: Delivery,
}

impl Line {
    /// A key that changes when the line's rendering must (pending -> sent, -> failed), so a
    /// keyed list re-renders exactly that row and leaves the others (and screen readers) alone.
    pub fn key(&self) -> String {
        match (&self.id, &self.delivery) {
            (Some(id), _) => format!("m{id}"),
            (None, Delivery::Pending) => format!("p{}", self.client_id.as_deref().unwrap_or("")),
            (None, _) => format!("f{}", self.client_id.as_deref().unwrap_or("")),
        }
    }

    fn from_message(m: Message) -> Self {
        Line {
            id: Some(m.id),
            client_id: m.client_id,
            seq: m.seq,
            kind: m.kind,
            author: m.author,
            body: m.body,
            sent_at: m.sent_at,
            delivery: Delivery::Sent,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chat {
    /// Confirmed lines sorted by `seq`; then pending/failed lines in send order.
    pub lines: Vec<Line>,
}

impl Chat {
    /// Adds a stored message. Returns `false` if it was already there (a replay or a duplicate
    /// after reconnect), so callers can avoid counting it as new.
    pub fn insert(&mut self, m: Message) -> bool {
        if self.lines.iter().any(|l| l.id == Some(m.id)) {
            return false;
        }
        // My own pending copy: the ack (or my other tab's echo) confirms it.
        if let Some(cid) = &m.client_id {
            self.lines
                .retain(|l| !(l.id.is_none() && l.client_id.as_ref() == Some(cid)));
        }
        let line = Line::from_message(m);
        let confirmed = self.lines.iter().take_while(|l| l.id.is_some()).count();
        let at = self.lines[..confirmed].partition_point(|l| l.seq < line.seq);
        self.lines.insert(at, line);
        true
    }

    /// Shows my message right away, dimmed, until the server acknowledges it.
    pub fn add_pending(&mut self, client_id: String, body: String, author: Option<Participant>) {
        self.lines.push(Line {
            id: None,
            client_id: Some(client_id),
            seq: 0,
            kind: MessageKind::Text,
            author,
            body,
            sent_at: crate::util::now_ms(),
            delivery: Delivery::Pending,
        });
    }

    /// The server refused a send. Returns whether that send was in this chat.
    pub fn fail(&mut self, client_id: &str, why: String) -> bool {
        match self
            .lines
            .iter_mut()
            .find(|l| l.id.is_none() && l.client_id.as_deref() == Some(client_id))
        {
            Some(l) => {
                l.delivery = Delivery::Failed(why);
                true
            }
            None => false,
        }
    }

    /// Keeps only the unconfirmed lines (used when the view moves to a new conversation that
    /// those sends will land in).
    pub fn only_pending(&self) -> Chat {
        Chat {
            lines: self
                .lines
                .iter()
                .filter(|l| l.id.is_none())
                .cloned()
                .collect(),
        }
    }

    pub fn has_pending(&self) -> bool {
        self.lines.iter().any(|l| l.id.is_none())
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Keeps a message log scrolled to its newest line whenever `lines` changes. An effect, since
/// the scroll position is the outside world (the DOM), not state.
pub fn keep_scrolled_to_bottom(
    log: leptos::prelude::NodeRef<leptos::html::Div>,
    lines: leptos::prelude::Memo<Vec<Line>>,
) {
    use leptos::prelude::*;
    Effect::new(move |_| {
        lines.track();
        if let Some(el) = log.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });
}
