//! The highest `seq` held per conversation: sent in `hello` so the server replays only what is
//! missing, and compared with every live message to notice a gap.

use protocol::{ConversationId, Cursor, Seq};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cursors {
    known: Vec<Cursor>,
}

impl Cursors {
    /// Records that `seq` of `conversation_id` arrived. Returns `Some(after_seq)` when a live
    /// message skipped ahead (a gap to repair with `sync`); `None` otherwise.
    pub fn observe(&mut self, conversation_id: ConversationId, seq: Seq) -> Option<Seq> {
        match self
            .known
            .iter_mut()
            .find(|c| c.conversation_id == conversation_id)
        {
            Some(c) => {
                let gap = (seq > c.last_seq + 1).then_some(c.last_seq);
                c.last_seq = c.last_seq.max(seq);
                gap
            }
            None => {
                self.known.push(Cursor {
                    conversation_id,
                    last_seq: seq,
                });
                None
            }
        }
    }

    /// The server could not honour our cursor for this conversation: hold nothing for it
    /// (what the server sends next sets it again).
    pub fn forget(&mut self, conversation_id: ConversationId) {
        self.known.retain(|c| c.conversation_id != conversation_id);
    }

    pub fn list(&self) -> Vec<Cursor> {
        self.known.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn track_the_highest_seq_and_report_gaps() {
        let (a, b) = (ConversationId(5), ConversationId(9));
        let mut c = Cursors::default();
        assert_eq!(c.observe(a, 1), None);
        assert_eq!(c.observe(a, 2), None);
        assert_eq!(c.observe(a, 2), None, "a replay is no gap");
        assert_eq!(c.observe(a, 6), Some(2), "3..5 missing");
        assert_eq!(
            c.observe(a, 4),
            None,
            "a late fill-in is no gap and keeps the cursor"
        );
        assert_eq!(c.observe(b, 4), None, "first sight of a conversation");
        let list: Vec<_> = c
            .list()
            .iter()
            .map(|c| (c.conversation_id, c.last_seq))
            .collect();
        assert_eq!(list, [(a, 6), (b, 4)]);
    }
}
