//! Credentials in SQLite: token digests, whom they stand for, and their sliding expiry (the
//! `sessions` table; a row is one signed-in session, named to its holder by its `id`).

use protocol::{Millis, Principal, SessionId};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::SqliteStore;
use super::rows::{parse_role, role_str};
use crate::credentials::TokenHash;
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

fn digest(r: &Row<'_>, i: usize) -> rusqlite::Result<TokenHash> {
    let bytes: Vec<u8> = r.get(i)?;
    bytes.try_into().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Blob,
            "token digest is not 32 bytes".into(),
        )
    })
}

/// Insert a credential inside an open transaction (also used by the password change).
pub(super) fn insert(
    tx: &Transaction<'_>,
    token: &TokenHash,
    new: &NewCredential,
) -> Result<SessionId, StoreError> {
    tx.execute(
        "INSERT INTO sessions \
         (token_hash, role, subject_id, created_at, last_used_at, expires_at, user_agent) \
         VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
        params![
            &token[..],
            role_str(new.holder.role()),
            new.holder.raw(),
            new.now,
            new.expires_at,
            new.device,
        ],
    )?;
    Ok(SessionId(tx.last_insert_rowid()))
}

/// Delete every session of `holder` but `keep`, inside an open transaction: the digests.
pub(super) fn delete_all_of(
    tx: &Transaction<'_>,
    holder: Principal,
    keep: Option<&TokenHash>,
) -> Result<Vec<TokenHash>, StoreError> {
    let keep = keep.map(|k| &k[..]);
    let mut stmt = tx.prepare(
        "DELETE FROM sessions WHERE role = ?1 AND subject_id = ?2 \
         AND (?3 IS NULL OR token_hash != ?3) RETURNING token_hash",
    )?;
    let ended = stmt
        .query_map(params![role_str(holder.role()), holder.raw(), keep], |r| {
            digest(r, 0)
        })?
        .collect::<Result<_, _>>()?;
    Ok(ended)
}

impl CredentialStore for SqliteStore {
    fn create_credential(
        &self,
        token: &TokenHash,
        new: &NewCredential,
    ) -> Result<SessionId, StoreError> {
        self.write(|tx| insert(tx, token, new))
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
                         {SESSION_COLUMNS} FROM sessions s \
                         LEFT JOIN visitors v ON s.role = 'visitor' AND v.id = s.subject_id \
                         LEFT JOIN agents a ON s.role = 'agent' AND a.id = s.subject_id \
                         WHERE s.token_hash = ?1 AND s.expires_at > ?2"
                    ),
                    params![&token[..], now],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, Option<String>>(2)?,
                            session_row(r, 3)?,
                        ))
                    },
                )
                .optional()?;
            match row {
                Some((role, id, Some(name), session)) => Ok(Some(CredentialRecord {
                    me: protocol::Identity::new(
                        Principal::from_parts(parse_role(&role)?, id),
                        name,
                    ),
                    session,
                })),
                _ => Ok(None),
            }
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
        self.write(|tx| delete_all_of(tx, holder, keep))
    }

    fn delete_expired_credentials(&self, now: Millis) -> Result<usize, StoreError> {
        self.write(|tx| Ok(tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now])?))
    }
}
