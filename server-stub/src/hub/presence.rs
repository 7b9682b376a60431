//! `set_online` and `set_status`: an agent socket's status. Going `online` it starts (with a
//! `queue` snapshot of the requests offered to this agent) receiving the queue's changes (`request_added`, `request_removed`); any
//! other status stops them. Colleagues are told when what they see of the agent changes.

use protocol::ServerMsg;
use protocol::presence::AgentStatus;

use super::{Connection, Hub, HubError};
use crate::policy;

impl Hub {
    pub(super) async fn on_set_status(
        &self,
        c: &Connection,
        status: AgentStatus,
    ) -> Result<(), HubError> {
        policy::may_go_online(&c.me)?;
        // Under the order lock, so no request is added or removed between the snapshot and
        // the status that starts live updates.
        let _order = self.inner.order.lock().await;
        if status == AgentStatus::Online {
            let agent =
                c.me.principal
                    .agent()
                    .ok_or(crate::policy::Denied::Forbidden)?;
            let requests = self.inner.db.call(move |st| st.queue_for(agent)).await?;
            self.to_socket(c.id, ServerMsg::Queue { requests });
        }
        self.set_status(c.id, status);
        Ok(())
    }
}
