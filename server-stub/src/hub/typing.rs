//! `typing`: "I am typing" in a conversation the sender takes part in, passed on at once to
//! the other members' sockets and stored nowhere. At most one per second per identity is
//! passed on (more are dropped quietly: a typing indicator is best effort, and a flood must
//! cost nothing); a stranger's is refused like any access to a conversation not theirs.

use std::time::{Duration, Instant};

use protocol::{ConversationId, ServerMsg};

use super::{Connection, Hub, HubError};
use crate::policy;

/// The least time between two typing signals of one identity that are passed on.
const EVERY: Duration = Duration::from_secs(1);

impl Hub {
    pub(super) async fn on_typing(
        &self,
        c: &Connection,
        conversation_id: ConversationId,
    ) -> Result<(), HubError> {
        let now = Instant::now();
        {
            let mut last = self.inner.typing.lock().unwrap_or_else(|p| p.into_inner());
            if last
                .get(&c.me.principal)
                .is_some_and(|at| now.duration_since(*at) < EVERY)
            {
                return Ok(());
            }
            last.insert(c.me.principal, now);
            // Forget identities quiet for a minute, so the map stays small.
            last.retain(|_, at| now.duration_since(*at) < Duration::from_secs(60));
        }
        let conversation = self
            .inner
            .db
            .call(move |st| st.chat(conversation_id))
            .await?;
        let facts = conversation.as_ref().and_then(|c| c.facts());
        policy::may_send(&c.me, facts.as_ref())?;
        let Some(conversation) = conversation else {
            return Ok(());
        };
        let frame = ServerMsg::Typing {
            conversation_id,
            name: c.me.name.clone(),
        };
        self.to_members_but(&conversation, c.me.principal, frame);
        Ok(())
    }
}
