//! Agents' own chats in SQLite: rows of `conversations` with kind `direct` or `group`, no
//! visitor, always `active`; members are `participants` rows (a member who leaves a group keeps
//! a `left_at`). Messages, seq, idempotency and paging are the live chat's own code
//! (`messages.rs`): only who is in the chat and its title are managed here.

use protocol::workspace::{
    MAX_TEAM_MEMBERS, MAX_TEAM_TITLE_CHARS, NewTeamChat, TeamChat, TeamChatKind,
};
use protocol::{AgentId, ConversationId, Identity};
use rusqlite::{OptionalExtension, Transaction, params};

use super::SqliteStore;
use super::identities::{agent_name, agent_of};
use super::messages::insert_system_message;
use super::rows::{active_agent, add_participant, load_facts, load_team_chat};
use crate::policy;
use crate::store::{StoreError, TeamChange, TeamChatStore, now_millis};

/// The title as stored: trimmed, `None` when empty; too long is refused.
fn title(raw: Option<&str>) -> Result<Option<String>, StoreError> {
    let t = raw.map(str::trim).filter(|t| !t.is_empty());
    if t.is_some_and(|t| t.chars().count() > MAX_TEAM_TITLE_CHARS) {
        return Err(StoreError::Invalid(format!(
            "a chat's title is at most {MAX_TEAM_TITLE_CHARS} characters"
        )));
    }
    Ok(t.map(str::to_owned))
}

/// `members` without duplicates and without `me`, each an active agent; their names.
fn colleagues(
    tx: &Transaction<'_>,
    me: AgentId,
    members: &[AgentId],
) -> Result<Vec<(AgentId, String)>, StoreError> {
    let mut out: Vec<(AgentId, String)> = Vec::new();
    for &agent in members {
        if agent == me || out.iter().any(|(a, _)| *a == agent) {
            continue;
        }
        active_agent(tx, agent)?;
        out.push((agent, agent_name(tx, agent)?));
    }
    Ok(out)
}

/// "Grace", "Grace and Hal", "Grace, Hal and Ines".
fn listed(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The group `id` for a change by one of its members (a direct chat's members are fixed).
fn group(tx: &Transaction<'_>, who: &Identity, id: ConversationId) -> Result<TeamChat, StoreError> {
    policy::may_manage_team_chat(who, load_facts(tx, id)?.as_ref())?;
    let chat = load_team_chat(tx, id)?;
    if chat.kind != TeamChatKind::Group {
        return Err(StoreError::Invalid(
            "a direct chat is between two agents; start a group to bring in more".into(),
        ));
    }
    Ok(chat)
}

impl TeamChatStore for SqliteStore {
    fn start_team_chat(
        &self,
        who: &Identity,
        request: &NewTeamChat,
    ) -> Result<TeamChange, StoreError> {
        self.write(|tx| {
            let me = agent_of(who)?;
            let others = colleagues(tx, me, &request.members)?;
            if others.is_empty() {
                return Err(StoreError::Invalid("name at least one colleague".into()));
            }
            if others.len() + 1 > MAX_TEAM_MEMBERS {
                return Err(StoreError::Invalid(format!(
                    "a chat holds at most {MAX_TEAM_MEMBERS} agents"
                )));
            }
            let title = title(request.title.as_deref())?;
            let direct = others.len() == 1 && title.is_none();
            if direct {
                // One direct chat per pair, whoever started it.
                let existing: Option<i64> = tx
                    .query_row(
                        "SELECT c.id FROM conversations c \
                         JOIN participants a ON a.conversation_id = c.id AND a.agent_id = ?1 \
                         JOIN participants b ON b.conversation_id = c.id AND b.agent_id = ?2 \
                         WHERE c.kind = 'direct' LIMIT 1",
                        params![me.0, others[0].0.0],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(id) = existing {
                    return Ok(TeamChange {
                        chat: load_team_chat(tx, ConversationId(id))?,
                        system_message: None,
                        removed: None,
                        created: false,
                    });
                }
            }
            tx.execute(
                "INSERT INTO conversations (kind, title, status, created_at) \
                 VALUES (?1, ?2, 'active', ?3)",
                params![if direct { "direct" } else { "group" }, title, now_millis()],
            )?;
            let id = ConversationId(tx.last_insert_rowid());
            add_participant(tx, id, me)?;
            for (agent, _) in &others {
                add_participant(tx, id, *agent)?;
            }
            let names: Vec<String> = others.iter().map(|(_, n)| n.clone()).collect();
            let line = match (&title, direct) {
                (_, true) => format!("{} started a chat with {}", who.name, listed(&names)),
                (Some(t), false) => format!(
                    "{} started \u{201c}{t}\u{201d} with {}",
                    who.name,
                    listed(&names)
                ),
                (None, false) => format!("{} started a group with {}", who.name, listed(&names)),
            };
            let system_message = insert_system_message(tx, id, &line)?;
            Ok(TeamChange {
                chat: load_team_chat(tx, id)?,
                system_message: Some(system_message),
                removed: None,
                created: true,
            })
        })
    }

    fn team_chats_of(&self, agent: AgentId, limit: usize) -> Result<Vec<TeamChat>, StoreError> {
        self.with(|c| {
            let ids = c
                .prepare_cached(
                    "SELECT c.id FROM conversations c \
                     JOIN participants p ON p.conversation_id = c.id \
                     WHERE p.agent_id = ?1 AND p.left_at IS NULL AND c.kind <> 'live' \
                     ORDER BY COALESCE((SELECT MAX(sent_at) FROM messages m \
                                        WHERE m.conversation_id = c.id), c.created_at) DESC, \
                              c.id DESC \
                     LIMIT ?2",
                )?
                .query_map(
                    params![agent.0, i64::try_from(limit).unwrap_or(i64::MAX)],
                    |r| r.get(0).map(ConversationId),
                )?
                .collect::<Result<Vec<_>, _>>()?;
            ids.into_iter().map(|id| load_team_chat(c, id)).collect()
        })
    }

    fn rename_team_chat(
        &self,
        who: &Identity,
        id: ConversationId,
        raw: &str,
    ) -> Result<TeamChange, StoreError> {
        self.write(|tx| {
            group(tx, who, id)?;
            let title = title(Some(raw))?;
            tx.execute(
                "UPDATE conversations SET title = ?2 WHERE id = ?1",
                params![id.0, title],
            )?;
            let line = match &title {
                Some(t) => format!("{} renamed the chat to \u{201c}{t}\u{201d}", who.name),
                None => format!("{} removed the chat's name", who.name),
            };
            Ok(TeamChange {
                system_message: Some(insert_system_message(tx, id, &line)?),
                chat: load_team_chat(tx, id)?,
                removed: None,
                created: false,
            })
        })
    }

    fn add_team_members(
        &self,
        who: &Identity,
        id: ConversationId,
        members: &[AgentId],
    ) -> Result<TeamChange, StoreError> {
        self.write(|tx| {
            let chat = group(tx, who, id)?;
            let me = agent_of(who)?;
            let new: Vec<(AgentId, String)> = colleagues(tx, me, members)?
                .into_iter()
                .filter(|(a, _)| !chat.members.iter().any(|m| m.principal.agent() == Some(*a)))
                .collect();
            if new.is_empty() {
                return Err(StoreError::Invalid(
                    "name at least one colleague who is not in the chat".into(),
                ));
            }
            if chat.members.len() + new.len() > MAX_TEAM_MEMBERS {
                return Err(StoreError::Invalid(format!(
                    "a chat holds at most {MAX_TEAM_MEMBERS} agents"
                )));
            }
            for (agent, _) in &new {
                add_participant(tx, id, *agent)?;
            }
            let names: Vec<String> = new.into_iter().map(|(_, n)| n).collect();
            let line = format!("{} added {}", who.name, listed(&names));
            Ok(TeamChange {
                system_message: Some(insert_system_message(tx, id, &line)?),
                chat: load_team_chat(tx, id)?,
                removed: None,
                created: false,
            })
        })
    }

    fn leave_team_chat(
        &self,
        who: &Identity,
        id: ConversationId,
    ) -> Result<TeamChange, StoreError> {
        self.write(|tx| {
            group(tx, who, id)?;
            let me = agent_of(who)?;
            tx.execute(
                "UPDATE participants SET left_at = ?3 WHERE conversation_id = ?1 AND agent_id = ?2",
                params![id.0, me.0, now_millis()],
            )?;
            let line = format!("{} left the chat", who.name);
            Ok(TeamChange {
                system_message: Some(insert_system_message(tx, id, &line)?),
                chat: load_team_chat(tx, id)?,
                removed: Some(me),
                created: false,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_listed_as_people_write_them() {
        let n = |v: &[&str]| super::listed(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(n(&["Grace"]), "Grace");
        assert_eq!(n(&["Grace", "Hal"]), "Grace and Hal");
        assert_eq!(n(&["Grace", "Hal", "Ines"]), "Grace, Hal and Ines");
    }
}
