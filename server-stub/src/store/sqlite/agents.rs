//! Agent accounts as admins manage them: listing, adding, renaming, the admin role,
//! deactivating (which ends every session) and setting a new password (the same). Each write
//! is audited in its own transaction; the last active admin is never lost.

use protocol::agents::{AgentRecord, AgentUpdate};
use protocol::{AgentId, Principal};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::SqliteStore;
use super::rows::{audit, delete_credentials_of};
use crate::credentials::TokenHash;
use crate::store::{Actor, AgentAdminStore, StoreError, display_name, now_millis};

const AGENT_SELECT: &str = "SELECT id, name, email, COALESCE(is_admin, 0), \
     deactivated_at IS NULL, created_at FROM agents";

fn agent_row(r: &Row<'_>) -> rusqlite::Result<AgentRecord> {
    Ok(AgentRecord {
        id: AgentId(r.get(0)?),
        name: r.get(1)?,
        email: r.get(2)?,
        is_admin: r.get(3)?,
        active: r.get(4)?,
        created_at: r.get(5)?,
    })
}

fn load_agent(c: &Connection, id: AgentId) -> Result<Option<AgentRecord>, StoreError> {
    Ok(
        c.query_row(&format!("{AGENT_SELECT} WHERE id = ?1"), [id.0], agent_row)
            .optional()?,
    )
}

/// Refuse a change that would leave nobody who can administer (checked after the change, in
/// the same transaction, so it cannot race).
fn keep_an_admin(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let admins: i64 = tx.query_row(
        "SELECT COUNT(*) FROM agents WHERE is_admin = 1 AND deactivated_at IS NULL",
        [],
        |r| r.get(0),
    )?;
    if admins == 0 {
        return Err(StoreError::Invalid(
            "this would leave no active admin: make another agent an admin first".into(),
        ));
    }
    Ok(())
}

impl AgentAdminStore for SqliteStore {
    fn agents(&self) -> Result<Vec<AgentRecord>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "{AGENT_SELECT} ORDER BY deactivated_at IS NOT NULL, name COLLATE NOCASE, id"
            ))?;
            let agents = stmt.query_map([], agent_row)?.collect::<Result<_, _>>()?;
            Ok(agents)
        })
    }

    fn add_agent(
        &self,
        actor: Actor,
        email: &str,
        name: &str,
        password_hash: &str,
        is_admin: bool,
    ) -> Result<AgentRecord, StoreError> {
        let name = display_name(name);
        self.write(|tx| {
            let taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM agents WHERE email = ?1)",
                [email],
                |r| r.get(0),
            )?;
            if taken {
                return Err(StoreError::Invalid(format!(
                    "an agent with the e-mail {email} already exists"
                )));
            }
            let id: i64 = tx.query_row(
                "INSERT INTO agents (email, name, password_hash, section, created_at, is_admin) \
                 VALUES (?1, ?2, ?3, 'default', ?4, ?5) RETURNING id",
                params![email, name, password_hash, now_millis(), is_admin],
                |r| r.get(0),
            )?;
            audit(
                tx,
                actor,
                "agent.add",
                &format!("agent:{id}"),
                &serde_json::json!({ "email": email, "name": name, "is_admin": is_admin }),
            )?;
            load_agent(tx, AgentId(id))?.ok_or_else(|| StoreError::Corrupt("agent vanished".into()))
        })
    }

    fn update_agent(
        &self,
        actor: Actor,
        id: AgentId,
        update: &AgentUpdate,
    ) -> Result<Option<(AgentRecord, Vec<TokenHash>)>, StoreError> {
        self.write(|tx| {
            if load_agent(tx, id)?.is_none() {
                return Ok(None);
            }
            if let Some(name) = &update.name {
                tx.execute(
                    "UPDATE agents SET name = ?2 WHERE id = ?1",
                    params![id.0, display_name(name)],
                )?;
            }
            if let Some(admin) = update.is_admin {
                tx.execute(
                    "UPDATE agents SET is_admin = ?2 WHERE id = ?1",
                    params![id.0, admin],
                )?;
            }
            let mut ended = Vec::new();
            match update.active {
                Some(false) => {
                    tx.execute(
                        "UPDATE agents SET deactivated_at = COALESCE(deactivated_at, ?2) \
                         WHERE id = ?1",
                        params![id.0, now_millis()],
                    )?;
                    ended = delete_credentials_of(tx, Principal::Agent(id), None)?;
                }
                Some(true) => {
                    tx.execute(
                        "UPDATE agents SET deactivated_at = NULL WHERE id = ?1",
                        [id.0],
                    )?;
                }
                None => {}
            }
            keep_an_admin(tx)?;
            audit(
                tx,
                actor,
                "agent.update",
                &format!("agent:{}", id.0),
                update,
            )?;
            let agent =
                load_agent(tx, id)?.ok_or_else(|| StoreError::Corrupt("agent vanished".into()))?;
            Ok(Some((agent, ended)))
        })
    }

    fn reset_agent_password(
        &self,
        actor: Actor,
        id: AgentId,
        password_hash: &str,
    ) -> Result<Option<Vec<TokenHash>>, StoreError> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE agents SET password_hash = ?2 WHERE id = ?1",
                params![id.0, password_hash],
            )?;
            if changed == 0 {
                return Ok(None);
            }
            let ended = delete_credentials_of(tx, Principal::Agent(id), None)?;
            // The password itself never goes into the log.
            audit(
                tx,
                actor,
                "agent.password_reset",
                &format!("agent:{}", id.0),
                &serde_json::json!({}),
            )?;
            Ok(Some(ended))
        })
    }
}
