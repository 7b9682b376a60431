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
    /// The choices an agent offered with it (none for most lines).
    #[cfg(feature = "offers")]
    pub options: Vec<String>,
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
            #[cfg(feature = "offers")]
            options: m.options,
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
    /// `sent_at` is the local clock's (the server's time replaces it on ack).
    pub fn add_pending(
        &mut self,
        client_id: String,
        body: String,
        author: Option<Participant>,
        sent_at: Millis,
    ) {
        self.lines.push(Line {
            id: None,
            client_id: Some(client_id),
            seq: 0,
            kind: MessageKind::Text,
            author,
            body,
            sent_at,
            delivery: Delivery::Pending,
            #[cfg(feature = "offers")]
            options: Vec::new(),
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

/// Keeps a message log scrolled to its newest line whenever what `track` reads changes. An
/// effect, since the scroll position is the outside world (the DOM), not state.
pub fn keep_scrolled_to_bottom(
    log: leptos::prelude::NodeRef<leptos::html::Div>,
    track: impl Fn() + 'static,
) {
    use leptos::prelude::*;
    Effect::new(move |_| {
        track();
        if let Some(el) = log.get() {
            el.set_scroll_top(el.scroll_height());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::{Chat, Delivery};
    use crate::fixtures::{ada, marta, text};

    fn bodies(chat: &Chat) -> Vec<&str> {
        chat.lines.iter().map(|l| l.body.as_str()).collect()
    }

    #[test]
    fn orders_by_seq_and_drops_duplicates() {
        let mut chat = Chat::default();
        assert!(chat.insert(text(12, 1, 2, ada(), "two")));
        assert!(chat.insert(text(11, 1, 1, ada(), "one")));
        assert!(chat.insert(text(13, 1, 3, ada(), "three")));
        assert!(!chat.insert(text(12, 1, 2, ada(), "two")), "same id twice");
        assert_eq!(bodies(&chat), ["one", "two", "three"]);
    }

    #[test]
    fn pending_lines_stay_last_until_confirmed() {
        let mut chat = Chat::default();
        chat.add_pending("c1".into(), "mine".into(), None, 5);
        chat.insert(text(11, 1, 1, ada(), "theirs"));
        assert_eq!(bodies(&chat), ["theirs", "mine"]);
        assert_eq!(chat.lines[1].delivery, Delivery::Pending);
        assert!(chat.has_pending());
        let mut acked = text(12, 1, 2, marta(), "mine");
        acked.client_id = Some("c1".into());
        assert!(chat.insert(acked));
        assert_eq!(
            bodies(&chat),
            ["theirs", "mine"],
            "the ack replaces the pending copy"
        );
        assert_eq!(chat.lines[1].delivery, Delivery::Sent);
        assert!(!chat.has_pending());
    }

    #[test]
    fn a_refused_send_is_marked_failed() {
        let mut chat = Chat::default();
        chat.add_pending("c1".into(), "hi".into(), None, 5);
        assert!(chat.fail("c1", "too fast".into()));
        assert!(!chat.fail("nope", "x".into()));
        assert_eq!(chat.lines[0].delivery, Delivery::Failed("too fast".into()));
    }

    #[test]
    fn keys_change_with_delivery_state() {
        let mut chat = Chat::default();
        chat.add_pending("c1".into(), "hi".into(), None, 5);
        let pending = chat.lines[0].key();
        chat.fail("c1", "no".into());
        let failed = chat.lines[0].key();
        let mut acked = text(12, 1, 2, marta(), "hi");
        acked.client_id = Some("c1".into());
        chat.insert(acked);
        let sent = chat.lines[0].key();
        assert_eq!(
            [pending.as_str(), failed.as_str(), sent.as_str()],
            ["pc1", "fc1", "m12"]
        );
    }

    #[test]
    fn only_pending_keeps_unsent_lines() {
        let mut chat = Chat::default();
        chat.insert(text(11, 1, 1, ada(), "old"));
        chat.add_pending("c1".into(), "next".into(), None, 5);
        assert_eq!(bodies(&chat.only_pending()), ["next"]);
    }
}
