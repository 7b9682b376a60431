//! The one `match` over [`ClientMsg`]: each command goes to its handler, and a refusal is
//! answered on the socket that asked, as `error`. A new command adds an arm here and a file of
//! its own beside this one.

use protocol::presence::AgentStatus;
use protocol::{ClientMsg, ServerMsg};

use super::{Connection, Hub, HubError};

impl Hub {
    /// Handle one decoded frame from an authenticated socket. Refusals are answered on that
    /// socket as `error` (see [`Hub::reply`]); nothing here can fail the connection.
    pub async fn handle(&self, c: &Connection, msg: ClientMsg) {
        let (result, client_id) = match msg {
            ClientMsg::Hello { .. } => (Err(HubError::Unexpected("already authenticated")), None),
            ClientMsg::Send {
                client_id,
                conversation_id,
                body,
            } => {
                // Echo only ids we accept, so an error frame never carries arbitrary input.
                let echo = protocol::valid_client_id(&client_id).then(|| client_id.clone());
                (
                    self.on_send(c, client_id, conversation_id, body).await,
                    echo,
                )
            }
            ClientMsg::SetOnline { online } => {
                let status = if online {
                    AgentStatus::Online
                } else {
                    AgentStatus::Offline
                };
                (self.on_set_status(c, status).await, None)
            }
            ClientMsg::SetStatus { status } => (self.on_set_status(c, status).await, None),
            ClientMsg::Accept { conversation_id } => {
                (self.on_accept(c, conversation_id).await, None)
            }
            ClientMsg::End { conversation_id } => (self.on_end(c, conversation_id).await, None),
            ClientMsg::Sync {
                conversation_id,
                after_seq,
            } => (self.on_sync(c, conversation_id, after_seq).await, None),
            ClientMsg::Typing { conversation_id } => {
                (self.on_typing(c, conversation_id).await, None)
            }
            ClientMsg::Note {
                client_id,
                conversation_id,
                body,
            } => {
                let echo = protocol::valid_client_id(&client_id).then(|| client_id.clone());
                (
                    self.on_note(c, client_id, conversation_id, body).await,
                    echo,
                )
            }
        };
        if let Err(e) = result {
            match &e {
                HubError::Store(inner) => {
                    tracing::error!(socket = c.id, error = %inner, "request failed")
                }
                other => tracing::debug!(socket = c.id, error = %other, "request refused"),
            }
            // A reply: dropped rather than queued when the socket's queue is nearly full, so a
            // client that floods requests is refused, never cut as too slow for its refusals.
            self.reply(
                c.id,
                ServerMsg::Error {
                    code: e.code(),
                    message: e.public_message(),
                    client_id,
                },
            );
        }
    }
}
