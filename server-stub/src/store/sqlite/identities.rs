//! Identities in SQLite: the `agents` and `visitors` tables.

use protocol::{AgentId, Identity, Principal, VisitorId};
use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use super::rows::{delete_credentials_of, insert_credential};
use crate::credentials::TokenHash;
use crate::policy::Denied;
use crate::store::{IdentityStore, NewCredential, StoreError, display_name, now_millis};

/// An agent's display name (for system messages and the accept winner).
pub(super) fn agent_name(conn: &Connection, id: AgentId) -> Result<String, StoreError> {
    Ok(
        conn.query_row("SELECT name FROM agents WHERE id = ?1", [id.0], |r| {
            r.get(0)
        })?,
    )
}

/// The agent behind `who`; only agents reach the callers (the policy checked the role), so
/// anything else is refused rather than trusted.
pub(super) fn agent_of(who: &Identity) -> Result<AgentId, StoreError> {
    who.principal
        .agent()
        .ok_or_else(|| Denied::Forbidden.into())
}

impl IdentityStore for SqliteStore {
    fn agent_count(&self) -> Result<i64, StoreError> {
        self.with(|c| Ok(c.query_row("SELECT COUNT(*) FROM agents", [], |r| r.get(0))?))
    }

    fn create_agent(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        section: &str,
    ) -> Result<Identity, StoreError> {
        let name = &display_name(name);
        self.write(|tx| {
            tx.execute(
                "INSERT INTO agents (email, name, password_hash, section, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![email, name, password_hash, section, now_millis()],
            )?;
            Ok(Identity::new(
                Principal::Agent(AgentId(tx.last_insert_rowid())),
                name,
            ))
        })
    }

    fn agent_password_hash(&self, email: &str) -> Result<Option<(Identity, String)>, StoreError> {
        self.with(|c| {
            Ok(c.query_row(
                // A deactivated agent is, for signing in, no agent at all.
                "SELECT id, name, password_hash FROM agents \
                 WHERE email = ?1 AND deactivated_at IS NULL",
                [email],
                |r| {
                    Ok((
                        Identity::new(Principal::Agent(AgentId(r.get(0)?)), r.get::<_, String>(1)?),
                        r.get(2)?,
                    ))
                },
            )
            .optional()?)
        })
    }

    fn set_admin(&self, id: AgentId, admin: bool) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE agents SET is_admin = ?2 WHERE id = ?1",
                params![id.0, admin],
            )?;
            Ok(())
        })
    }

    fn agent_password_hash_of(&self, id: AgentId) -> Result<Option<String>, StoreError> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT password_hash FROM agents WHERE id = ?1",
                [id.0],
                |r| r.get(0),
            )
            .optional()?)
        })
    }

    fn replace_agent_password(
        &self,
        id: AgentId,
        password_hash: &str,
        (token, replacement): (&TokenHash, &NewCredential),
    ) -> Result<Vec<TokenHash>, StoreError> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE agents SET password_hash = ?2 WHERE id = ?1",
                params![id.0, password_hash],
            )?;
            if changed == 0 {
                return Err(Denied::NotFound.into());
            }
            let ended = delete_credentials_of(tx, Principal::Agent(id), None)?;
            insert_credential(tx, token, replacement)?;
            Ok(ended)
        })
    }

    fn create_visitor(&self, name: &str) -> Result<Identity, StoreError> {
        let name = &display_name(name);
        self.write(|tx| {
            tx.execute(
                "INSERT INTO visitors (name, created_at) VALUES (?1, ?2)",
                params![name, now_millis()],
            )?;
            Ok(Identity::new(
                Principal::Visitor(VisitorId(tx.last_insert_rowid())),
                name,
            ))
        })
    }
}
