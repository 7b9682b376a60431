//! Agents' own chats, for changes made over REST (`api/team_chats.rs`): starting one, renaming
//! a group, adding colleagues, leaving. Everyone in it gets the chat's new state (`team_chat`)
//! and the line about the change; a member who left gets the state too (they are not in it
//! any more: their console closes it). Messages in team chats are ordinary `send`s.

use protocol::workspace::{NewTeamChat, TeamChat};
use protocol::{AgentId, ConversationId, Identity, Principal, ServerMsg};

use super::Hub;
use crate::store::{StoreError, TeamChange};

impl Hub {
    pub async fn start_team_chat(
        &self,
        who: Identity,
        request: NewTeamChat,
    ) -> Result<(TeamChat, bool), StoreError> {
        let _order = self.inner.order.lock().await;
        let change = self
            .inner
            .db
            .call(move |st| st.start_team_chat(&who, &request))
            .await?;
        let out = (change.chat.clone(), change.created);
        self.announce_team_change(change);
        Ok(out)
    }

    pub async fn rename_team_chat(
        &self,
        who: Identity,
        id: ConversationId,
        title: String,
    ) -> Result<TeamChat, StoreError> {
        self.team_change(move |st| st.rename_team_chat(&who, id, &title))
            .await
    }

    pub async fn add_team_members(
        &self,
        who: Identity,
        id: ConversationId,
        members: Vec<AgentId>,
    ) -> Result<TeamChat, StoreError> {
        self.team_change(move |st| st.add_team_members(&who, id, &members))
            .await
    }

    pub async fn leave_team_chat(
        &self,
        who: Identity,
        id: ConversationId,
    ) -> Result<TeamChat, StoreError> {
        self.team_change(move |st| st.leave_team_chat(&who, id))
            .await
    }

    async fn team_change(
        &self,
        change: impl FnOnce(&dyn crate::store::Store) -> Result<TeamChange, StoreError> + Send + 'static,
    ) -> Result<TeamChat, StoreError> {
        let _order = self.inner.order.lock().await;
        let change = self.inner.db.call(change).await?;
        let chat = change.chat.clone();
        self.announce_team_change(change);
        Ok(chat)
    }

    /// The new state to everyone in the chat (and to who left it), then the line about it. An
    /// unchanged chat (an existing direct chat asked for again) is news to nobody but the
    /// asker, whose REST answer carries it.
    fn announce_team_change(&self, change: TeamChange) {
        let Some(message) = change.system_message else {
            return;
        };
        let frame = ServerMsg::TeamChat {
            chat: change.chat.clone(),
        };
        if let Some(gone) = change.removed {
            self.to_principal(Principal::Agent(gone), frame.clone());
        }
        self.to_members(&change.chat, None, frame);
        self.to_members(&change.chat, None, ServerMsg::Message { message });
    }
}
