//! Credentials in SQLite: token digests, whom they stand for, and their sliding expiry (the
//! `sessions` table; a row is one signed-in session, named to its holder by its `id`).

use protocol::{Millis, Principal, SessionId};
use rusqlite::{OptionalExtension, Row, params};

use super::SqliteStore;
use super::rows::{
    delete_credentials_of, digest, insert_credential, load_chat_settings, parse_role, role_str,
};
use crate::credentials::TokenHash;
use crate::policy;
use crate::store::{CredentialRecord, CredentialStore, NewCredential, SessionRecord, StoreError};

/// The columns [`session_row`] reads, in its order.
const SESSION_COLUMNS: &str = "s.id, s.created_at, s.last_used_at, s.expires_at, s.user_agent";

fn session_row(r: &Row<'_>, first: usize) -> rusqlite::Result<SessionRecord> {
    Ok(SessionRecord {
        id: SessionId(r.get(first)?),
        created_at: r.get(first + 1)?,
        last_used_at: r.get(first + 2)?,
        expires_at: r.get(first + 3)?,
        device: r.get(first + 4)?,
    })
}

impl CredentialStore for SqliteStore {
    fn create_credential(
        &self,
        token: &TokenHash,
        new: &NewCredential,
    ) -> Result<SessionId, StoreError> {
        self.write(|tx| insert_credential(tx, token, new))
    }

    fn delete_credential(&self, token: &TokenHash) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [&token[..]])?;
            Ok(())
        })
    }

    fn credential_holder(
        &self,
        token: &TokenHash,
        now: Millis,
    ) -> Result<Option<CredentialRecord>, StoreError> {
        self.with(|c| {
            let row = c
                .query_row(
                    &format!(
                        "SELECT s.role, s.subject_id, COALESCE(v.name, a.name), \
                         COALESCE(a.is_admin, 0), ct.id IS NOT NULL, ct.chat_enabled, \
                         co.chat_enabled, {SESSION_COLUMNS} FROM sessions s \
                         LEFT JOIN visitors v ON s.role = 'visitor' AND v.id = s.subject_id \
                         LEFT JOIN agents a ON s.role = 'agent' AND a.id = s.subject_id \
                         LEFT JOIN contacts ct ON s.role = 'visitor' AND ct.visitor_id = s.subject_id \
                         LEFT JOIN companies co ON co.id = ct.company_id \
                         WHERE s.token_hash = ?1 AND s.expires_at > ?2 \
                         AND (s.role <> 'agent' OR a.deactivated_at IS NULL)"
                    ),
                    params![&token[..], now],
                    |r| {
                        Ok((
                            (r.get::<_, String>(0)?, r.get::<_, i64>(1)?),
                            r.get::<_, Option<String>>(2)?,
                            r.get::<_, bool>(3)?,
                            (
                                r.get::<_, bool>(4)?,
                                r.get::<_, Option<bool>>(5)?,
                                r.get::<_, Option<bool>>(6)?,
                            ),
                            session_row(r, 7)?,
                        ))
                    },
                )
                .optional()?;
            let Some(((role, id), Some(name), admin, (contact, own, company), session)) = row
            else {
                return Ok(None);
            };
            // A contact whose chat was switched off since signing in is signed out by it.
            if contact && !policy::chat_allowed(load_chat_settings(c)?.chat_enabled, company, own)
            {
                return Ok(None);
            }
            Ok(Some(CredentialRecord {
                me: protocol::Identity::new(Principal::from_parts(parse_role(&role)?, id), name),
                session,
                admin,
            }))
        })
    }

    fn touch_credentials(
        &self,
        touches: &[(TokenHash, Millis)],
        now: Millis,
    ) -> Result<(), StoreError> {
        if touches.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "UPDATE sessions SET last_used_at = ?2, expires_at = MAX(expires_at, ?3) \
                 WHERE token_hash = ?1 AND expires_at > ?2",
            )?;
            for (token, expires_at) in touches {
                stmt.execute(params![&token[..], now, expires_at])?;
            }
            Ok(())
        })
    }

    fn sessions_of(
        &self,
        holder: Principal,
        now: Millis,
    ) -> Result<Vec<(TokenHash, SessionRecord)>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT s.token_hash, {SESSION_COLUMNS} FROM sessions s \
                 WHERE s.role = ?1 AND s.subject_id = ?2 AND s.expires_at > ?3 \
                 ORDER BY s.last_used_at DESC, s.id DESC"
            ))?;
            let rows = stmt
                .query_map(params![role_str(holder.role()), holder.raw(), now], |r| {
                    Ok((digest(r, 0)?, session_row(r, 1)?))
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    fn delete_session(
        &self,
        holder: Principal,
        id: SessionId,
    ) -> Result<Option<TokenHash>, StoreError> {
        self.write(|tx| {
            Ok(tx
                .query_row(
                    "DELETE FROM sessions WHERE id = ?1 AND role = ?2 AND subject_id = ?3 \
                     RETURNING token_hash",
                    params![id.0, role_str(holder.role()), holder.raw()],
                    |r| digest(r, 0),
                )
                .optional()?)
        })
    }

    fn delete_sessions_of(
        &self,
        holder: Principal,
        keep: Option<&TokenHash>,
    ) -> Result<Vec<TokenHash>, StoreError> {
        self.write(|tx| delete_credentials_of(tx, holder, keep))
    }

    fn delete_expired_credentials(&self, now: Millis) -> Result<usize, StoreError> {
        self.write(|tx| Ok(tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?))
    }
}
