//! Canned replies in SQLite (`canned_replies`): shared rows have no owner. Every change checks
//! who may make it (shared: admins; personal: the owner) in its own transaction, and a
//! shortcut must not clash with another that agent sees.

use protocol::AgentId;
use protocol::canned::{CannedInput, CannedKind, CannedReply};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::SqliteStore;
use crate::policy::Denied;
use crate::store::{CannedStore, StoreError, now_millis};

const CANNED_SELECT: &str = "SELECT id, shortcut, title, body, kind, owner_id IS NULL, auto, updated_at FROM canned_replies";

fn kind_str(k: CannedKind) -> &'static str {
    match k {
        CannedKind::Reply => "reply",
        CannedKind::Greeting => "greeting",
        CannedKind::Farewell => "farewell",
    }
}

fn parse_kind(s: &str) -> Result<CannedKind, StoreError> {
    match s {
        "reply" => Ok(CannedKind::Reply),
        "greeting" => Ok(CannedKind::Greeting),
        "farewell" => Ok(CannedKind::Farewell),
        other => Err(StoreError::Corrupt(format!("canned kind {other:?}"))),
    }
}

fn canned_row(r: &Row<'_>) -> rusqlite::Result<(CannedReply, String)> {
    Ok((
        CannedReply {
            id: r.get(0)?,
            shortcut: r.get(1)?,
            title: r.get(2)?,
            body: r.get(3)?,
            kind: CannedKind::Reply,
            shared: r.get(5)?,
            auto: r.get(6)?,
            updated_at: r.get(7)?,
        },
        r.get(4)?,
    ))
}

fn load(
    c: &Connection,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<CannedReply>, StoreError> {
    let mut stmt = c.prepare(&format!("{CANNED_SELECT} WHERE {filter}"))?;
    let rows = stmt
        .query_map(args, canned_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(mut reply, kind)| {
            reply.kind = parse_kind(&kind)?;
            Ok(reply)
        })
        .collect()
}

/// The reply `id` if `agent` may see it: `(reply, owner)`.
fn visible(
    c: &Connection,
    agent: AgentId,
    id: i64,
) -> Result<Option<(CannedReply, Option<i64>)>, StoreError> {
    let owner: Option<Option<i64>> = c
        .query_row(
            "SELECT owner_id FROM canned_replies WHERE id = ?1 AND (owner_id IS NULL OR owner_id = ?2)",
            params![id, agent.0],
            |r| r.get(0),
        )
        .optional()?;
    let Some(owner) = owner else { return Ok(None) };
    let reply = load(c, "id = ?1", [id])?.pop();
    Ok(reply.map(|r| (r, owner)))
}

/// Refuse what `agent` may not write, and shortcuts that clash with another reply they see.
fn check(
    tx: &Transaction<'_>,
    agent: AgentId,
    admin: bool,
    input: &CannedInput,
    except: Option<i64>,
) -> Result<(), StoreError> {
    if input.shared && !admin {
        return Err(Denied::Forbidden.into());
    }
    if input.auto && (input.shared || input.kind != CannedKind::Greeting) {
        return Err(StoreError::Invalid(
            "only a personal greeting can be sent automatically".into(),
        ));
    }
    if let Some(shortcut) = &input.shortcut {
        // Among everything the owner-to-be sees: the shared ones and their own. A shared
        // shortcut is checked against every agent's, so no one's `/hi` becomes ambiguous.
        let clash: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM canned_replies WHERE shortcut = ?1 \
             AND (?2 OR owner_id IS NULL OR owner_id = ?3) AND (?4 IS NULL OR id <> ?4))",
            params![shortcut, input.shared, agent.0, except],
            |r| r.get(0),
        )?;
        if clash {
            return Err(StoreError::Invalid(format!(
                "the shortcut /{shortcut} is already in use"
            )));
        }
    }
    Ok(())
}

/// An agent has one automatic greeting: setting one clears the others.
fn one_auto(tx: &Transaction<'_>, agent: AgentId, keep: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE canned_replies SET auto = 0 WHERE owner_id = ?1 AND id <> ?2",
        params![agent.0, keep],
    )?;
    Ok(())
}

impl CannedStore for SqliteStore {
    fn canned_for(&self, agent: AgentId) -> Result<Vec<CannedReply>, StoreError> {
        self.with(|c| {
            load(
                c,
                "owner_id IS NULL OR owner_id = ?1 \
                 ORDER BY CASE kind WHEN 'greeting' THEN 0 WHEN 'reply' THEN 1 ELSE 2 END, \
                 title COLLATE NOCASE, id",
                [agent.0],
            )
        })
    }

    fn add_canned(
        &self,
        agent: AgentId,
        admin: bool,
        input: &CannedInput,
    ) -> Result<CannedReply, StoreError> {
        self.write(|tx| {
            check(tx, agent, admin, input, None)?;
            let owner = (!input.shared).then_some(agent.0);
            let id: i64 = tx.query_row(
                "INSERT INTO canned_replies (owner_id, shortcut, title, body, kind, auto, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                params![owner, input.shortcut, input.title.trim(), input.body, kind_str(input.kind), input.auto, now_millis()],
                |r| r.get(0),
            )?;
            if input.auto {
                one_auto(tx, agent, id)?;
            }
            load(tx, "id = ?1", [id])?
                .pop()
                .ok_or_else(|| StoreError::Corrupt("canned reply vanished".into()))
        })
    }

    fn update_canned(
        &self,
        agent: AgentId,
        admin: bool,
        id: i64,
        input: &CannedInput,
    ) -> Result<Option<CannedReply>, StoreError> {
        self.write(|tx| {
            let Some((_, owner)) = visible(tx, agent, id)? else {
                return Ok(None);
            };
            // A shared reply is changed by admins only; a reply keeps its owner.
            if owner.is_none() && !admin {
                return Err(Denied::Forbidden.into());
            }
            if input.shared != owner.is_none() {
                return Err(StoreError::Invalid(
                    "a reply cannot move between shared and personal: make a new one".into(),
                ));
            }
            check(tx, agent, admin, input, Some(id))?;
            tx.execute(
                "UPDATE canned_replies SET shortcut = ?2, title = ?3, body = ?4, kind = ?5, \
                 auto = ?6, updated_at = ?7 WHERE id = ?1",
                params![
                    id,
                    input.shortcut,
                    input.title.trim(),
                    input.body,
                    kind_str(input.kind),
                    input.auto,
                    now_millis()
                ],
            )?;
            if input.auto {
                one_auto(tx, agent, id)?;
            }
            Ok(load(tx, "id = ?1", [id])?.pop())
        })
    }

    fn delete_canned(&self, agent: AgentId, admin: bool, id: i64) -> Result<bool, StoreError> {
        self.write(|tx| {
            let Some((_, owner)) = visible(tx, agent, id)? else {
                return Ok(false);
            };
            if owner.is_none() && !admin {
                return Err(Denied::Forbidden.into());
            }
            tx.execute("DELETE FROM canned_replies WHERE id = ?1", [id])?;
            Ok(true)
        })
    }

    fn auto_greeting(&self, agent: AgentId) -> Result<Option<String>, StoreError> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT body FROM canned_replies WHERE owner_id = ?1 AND auto = 1 \
                 AND kind = 'greeting' ORDER BY id LIMIT 1",
                [agent.0],
                |r| r.get(0),
            )
            .optional()?)
        })
    }
}
