//! `set_online`: an agent socket starts (with a `queue` snapshot) or stops receiving the
//! queue's changes (`request_added`, `request_removed`).

use protocol::ServerMsg;

use super::{Connection, Hub, HubError};
use crate::policy;

impl Hub {
    pub(super) async fn on_set_online(&self, c: &Connection, online: bool) -> Result<(), HubError> {
        policy::may_go_online(&c.me)?;
        // Under the order lock, so no request is added or removed between the snapshot and
        // the flag that starts live updates.
        let _order = self.inner.order.lock().await;
        if online {
            let requests = self.inner.db.call(|st| st.waiting_requests()).await?;
            self.to_socket(c.id, ServerMsg::Queue { requests });
        }
        self.set_online_flag(c.id, online);
        Ok(())
    }
}
