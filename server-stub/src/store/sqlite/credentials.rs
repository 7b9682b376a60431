//! Credentials in SQLite: token digests and whom they stand for. The table is still called
//! `sessions` (renaming it would need a migration for no gain); a row is one signed-in session.

use protocol::{Identity, Principal};
use rusqlite::{OptionalExtension, params};

use super::SqliteStore;
use super::rows::{parse_role, role_str};
use crate::credentials::TokenHash;
use crate::store::{CredentialStore, StoreError, now_millis};

impl CredentialStore for SqliteStore {
    fn create_credential(&self, token: &TokenHash, holder: Principal) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sessions (token_hash, role, subject_id, created_at) \
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    &token[..],
                    role_str(holder.role()),
                    holder.raw(),
                    now_millis()
                ],
            )?;
            Ok(())
        })
    }

    fn delete_credential(&self, token: &TokenHash) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [&token[..]])?;
            Ok(())
        })
    }

    fn credential_holder(&self, token: &TokenHash) -> Result<Option<Identity>, StoreError> {
        self.with(|c| {
            let row = c
                .query_row(
                    "SELECT s.role, s.subject_id, COALESCE(v.name, a.name) FROM sessions s \
                     LEFT JOIN visitors v ON s.role = 'visitor' AND v.id = s.subject_id \
                     LEFT JOIN agents a ON s.role = 'agent' AND a.id = s.subject_id \
                     WHERE s.token_hash = ?1",
                    [&token[..]],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, Option<String>>(2)?,
                        ))
                    },
                )
                .optional()?;
            match row {
                Some((role, id, Some(name))) => Ok(Some(Identity::new(
                    Principal::from_parts(parse_role(&role)?, id),
                    name,
                ))),
                _ => Ok(None),
            }
        })
    }
}
