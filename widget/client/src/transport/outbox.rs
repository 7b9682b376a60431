//! Sends awaiting their ack, in the order the user wrote them. The visitor's survives reloads
//! in `localStorage` (the shell persists it whenever the core says it changed).

use protocol::{ClientMsg, ConversationId};

protocol::wire_objects! {
    /// One unacknowledged `send`, as persisted.
    pub struct Queued {
        pub client_id: String,
        #[serde(default)]
        pub conversation_id: Option<ConversationId>,
        pub body: String,
    }
}

impl Queued {
    /// The `send` frame that (re-)sends it. Re-sending is safe: the server de-duplicates by
    /// `client_id`.
    pub fn to_msg(&self) -> ClientMsg {
        ClientMsg::Send {
            client_id: self.client_id.clone(),
            conversation_id: self.conversation_id,
            body: self.body.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outbox {
    items: Vec<Queued>,
}

impl Outbox {
    pub fn new(items: Vec<Queued>) -> Self {
        Outbox { items }
    }

    /// Queues a send; a `client_id` already queued is not queued twice.
    pub fn push(&mut self, q: Queued) {
        if !self.items.iter().any(|i| i.client_id == q.client_id) {
            self.items.push(q);
        }
    }

    /// Drops the entry (acked or refused). Returns whether it was there.
    pub fn remove(&mut self, client_id: &str) -> bool {
        let before = self.items.len();
        self.items.retain(|i| i.client_id != client_id);
        self.items.len() != before
    }

    pub fn items(&self) -> &[Queued] {
        &self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: &str) -> Queued {
        Queued {
            client_id: id.into(),
            conversation_id: None,
            body: id.into(),
        }
    }

    fn ids(out: &Outbox) -> Vec<&str> {
        out.items().iter().map(|i| i.client_id.as_str()).collect()
    }

    #[test]
    fn keeps_order_and_ignores_repeats() {
        let mut out = Outbox::default();
        for id in ["a", "b", "a", "c"] {
            out.push(q(id));
        }
        assert_eq!(ids(&out), ["a", "b", "c"]);
        assert!(out.remove("b"));
        assert!(!out.remove("b"));
        assert_eq!(ids(&out), ["a", "c"]);
    }

    #[test]
    fn persists_as_the_json_it_restores_from() {
        let mut out = Outbox::default();
        out.push(Queued {
            conversation_id: Some(ConversationId(4)),
            ..q("a")
        });
        out.push(q("b"));
        // Written with serde, read back with the small reader the transport uses.
        let json = serde_json::to_string(out.items()).unwrap();
        let back = crate::reader::read_outbox(&json).unwrap();
        assert_eq!(Outbox::new(back), out);
        // Entries saved before `conversation_id` existed still load.
        let old = crate::reader::read_outbox(r#"[{"client_id":"x","body":"hi"}]"#).unwrap();
        assert_eq!(
            old,
            [Queued {
                body: "hi".into(),
                ..q("x")
            }]
        );
    }
}
