//! Contacts on the site: their presence, and agent-started ("push") chats with them.
//!
//! Presence lives here, in memory, beside the sockets it is derived from (nothing is stored:
//! after a restart every contact reconnects and is online again). A visitor is `online` while
//! one of their tabs is open and in use, `away` while tabs are open but every one of them
//! reported 5 minutes without activity (`POST /api/contact/presence`), `offline` with no
//! socket. Reports come over REST with the tab's token, and every tab of one browser shares
//! that token, so a report cannot say which tab it is about: [`AwayTabs`] counts, per
//! credential, how many of its tabs are away, and errs towards `online` when a tab closes
//! (see [`AwayTabs::tab_closed`]). Tabs on other devices have other credentials and never mix.
//!
//! A push chat is made by the store ([`crate::store::PushChatStore`]) under the hub's order
//! lock, with presence asked inside its transaction, then announced: the contact's sockets get
//! the conversation and its system line (as after an accept), the agent's get `accepted` and
//! the first page of history, so the console opens it.

use std::collections::HashMap;

use protocol::{Presence, Principal, ServerMsg, VisitorId};

use super::Hub;
use crate::credentials::TokenHash;
use crate::store::{PushedChat, StoreError};

/// The rule, pure: a visitor's presence from each of their credentials' open tabs and how many
/// of those reported away. No tab: offline; any credential with a tab not away: online;
/// otherwise away.
pub fn presence(tabs: impl IntoIterator<Item = (usize, usize)>) -> Presence {
    let mut any = false;
    for (open, away) in tabs {
        if open == 0 {
            continue;
        }
        if away < open {
            return Presence::Online;
        }
        any = true;
    }
    if any {
        Presence::Away
    } else {
        Presence::Offline
    }
}

/// Per credential: how many of its open tabs reported away (never more than are open).
#[derive(Debug, Default)]
pub(super) struct AwayTabs(HashMap<TokenHash, usize>);

impl AwayTabs {
    /// How many tabs of `credential` are away.
    pub(super) fn away(&self, credential: &TokenHash) -> usize {
        self.0.get(credential).copied().unwrap_or(0)
    }

    /// A tab of `credential`, which has `open` sockets, reported away (or back). A report with
    /// no socket open (a tab between reconnects) changes nothing: the tab is new when it
    /// connects again, and a new tab is in use.
    pub(super) fn report(&mut self, credential: TokenHash, open: usize, away: bool) {
        let now = self.away(&credential);
        let next = if away {
            (now + 1).min(open)
        } else {
            now.saturating_sub(1)
        };
        self.set(credential, next);
    }

    /// A socket of `credential` closed, leaving `open`. Which tab it was is unknown; taking it
    /// for an away one errs towards `online`: a tab in use reports nothing, so the other
    /// guess would leave its contact `away` until the tab went quiet and came back, while
    /// this one only shows a quiet tab as online until it reports away again. (The usual
    /// close is a page change in the tab being used, which then reconnects.)
    pub(super) fn tab_closed(&mut self, credential: TokenHash, open: usize) {
        let next = self.away(&credential).saturating_sub(1).min(open);
        self.set(credential, next);
    }

    fn set(&mut self, credential: TokenHash, away: usize) {
        if away == 0 {
            self.0.remove(&credential);
        } else {
            self.0.insert(credential, away);
        }
    }
}

impl Hub {
    /// Visitor `visitor`'s tab holding `credential` reported 5 minutes without activity
    /// (`away`), or activity again.
    pub fn report_away(&self, visitor: VisitorId, credential: TokenHash, away: bool) {
        let mut sockets = self.registry();
        let open = sockets
            .credentials_of(Principal::Visitor(visitor))
            .filter(|c| **c == credential)
            .count();
        sockets.away.report(credential, open, away);
    }

    /// Whether visitor `visitor` is on the site now.
    pub fn presence(&self, visitor: VisitorId) -> Presence {
        let sockets = self.registry();
        visitor_presence(&sockets, visitor)
    }

    /// Every visitor with an open socket, with their presence (online or away).
    pub fn present_visitors(&self) -> Vec<(VisitorId, Presence)> {
        let sockets = self.registry();
        let mut out: Vec<(VisitorId, Presence)> = sockets
            .principals()
            .filter_map(|p| match p {
                Principal::Visitor(v) => Some((v, visitor_presence(&sockets, v))),
                Principal::Agent(_) => None,
            })
            .filter(|(_, p)| p.is_present())
            .collect();
        out.sort_unstable_by_key(|(v, _)| *v);
        out
    }

    /// Start a chat between `agent` and contact `contact` (about `ticket`), and tell both: see
    /// the module's documentation. Refusals are the store's (the policy's).
    pub async fn push_chat(
        &self,
        agent: protocol::Identity,
        contact: String,
        ticket: Option<String>,
    ) -> Result<PushedChat, StoreError> {
        // Held from the write until every frame is queued, so a message the contact sends into
        // the new chat at once reaches no one before the chat itself.
        let _order = self.inner.order.lock().await;
        let hub = self.clone();
        let pushed = self
            .inner
            .db
            .call(move |s| {
                s.push_chat(&agent, &contact, ticket.as_deref(), &|v| {
                    hub.presence(v).is_present()
                })
            })
            .await?;
        let conversation = &pushed.conversation;
        let visitor = conversation.visitor.principal;
        self.to_principal(
            visitor,
            ServerMsg::Conversation {
                conversation: conversation.clone(),
            },
        );
        self.to_principal(
            visitor,
            ServerMsg::Message {
                message: pushed.system_message.clone(),
            },
        );
        for agent in &conversation.agents {
            self.to_principal(
                agent.principal,
                ServerMsg::Accepted {
                    conversation: conversation.clone(),
                },
            );
            self.to_principal(
                agent.principal,
                ServerMsg::History {
                    conversation_id: conversation.id,
                    messages: pushed.history.messages.clone(),
                    reset: false,
                    more: pushed.history.more,
                },
            );
        }
        if let Some(ticket) = &pushed.ticket {
            self.to_members(
                conversation,
                None,
                ServerMsg::TicketLinked {
                    conversation_id: conversation.id,
                    ticket: Some(ticket.clone()),
                },
            );
        }
        Ok(pushed)
    }
}

fn visitor_presence(sockets: &super::registry::Registry, visitor: VisitorId) -> Presence {
    let mut per_credential: HashMap<&TokenHash, usize> = HashMap::new();
    for credential in sockets.credentials_of(Principal::Visitor(visitor)) {
        *per_credential.entry(credential).or_default() += 1;
    }
    presence(
        per_credential
            .into_iter()
            .map(|(credential, open)| (open, sockets.away.away(credential))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_is_online_while_any_tab_is_in_use() {
        assert_eq!(presence([]), Presence::Offline);
        assert_eq!(presence([(0, 0)]), Presence::Offline, "no tab left");
        assert_eq!(presence([(1, 0)]), Presence::Online);
        assert_eq!(presence([(1, 1)]), Presence::Away);
        assert_eq!(
            presence([(2, 1)]),
            Presence::Online,
            "one of two tabs in use"
        );
        assert_eq!(presence([(2, 2)]), Presence::Away);
        assert_eq!(
            presence([(1, 1), (1, 0)]),
            Presence::Online,
            "another device in use"
        );
        assert_eq!(presence([(1, 1), (2, 2)]), Presence::Away);
        assert_eq!(presence([(0, 0), (1, 1)]), Presence::Away);
    }

    #[test]
    fn away_reports_count_tabs_and_closing_errs_towards_online() {
        let key: TokenHash = [7; 32];
        let mut tabs = AwayTabs::default();
        tabs.report(key, 2, true);
        assert_eq!(tabs.away(&key), 1);
        tabs.report(key, 2, true);
        tabs.report(key, 2, true);
        assert_eq!(tabs.away(&key), 2, "never more than are open");
        tabs.report(key, 2, false);
        assert_eq!(tabs.away(&key), 1);
        tabs.tab_closed(key, 1);
        assert_eq!(
            tabs.away(&key),
            0,
            "the closed tab is taken for the away one"
        );
        tabs.report(key, 1, false);
        assert_eq!(tabs.away(&key), 0, "never below zero");
        tabs.report(key, 0, true);
        assert_eq!(
            tabs.away(&key),
            0,
            "a report with no socket open changes nothing"
        );
        tabs.report(key, 1, true);
        tabs.tab_closed(key, 0);
        assert!(
            tabs.0.is_empty(),
            "nothing kept for a credential without tabs"
        );
    }
}
