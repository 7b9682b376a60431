//! Webhooks in SQLite: their settings (the `webhook` row of `settings`) and the outbox of
//! deliveries (`webhook_deliveries`), plus [`enqueue`], which the area files call inside the
//! transaction of the event they report.

use protocol::Millis;
use protocol::webhooks::{WebhookEvent, WebhookSettings};
use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};

use super::SqliteStore;
use super::rows::{audit, load_setting, store_setting};
use crate::store::{Actor, DueWebhook, StoreError, WebhookStore, WebhookTarget, now_millis};

/// The `webhook` settings row.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    url: Option<String>,
    secret: Option<String>,
}

fn load(conn: &Connection) -> Result<Stored, StoreError> {
    load_setting(conn, "webhook")
}

/// Queue `event` for delivery in the caller's transaction, if webhooks are configured: it is
/// delivered exactly when the change it reports is committed.
pub(super) fn enqueue(tx: &Transaction<'_>, event: &WebhookEvent) -> Result<(), StoreError> {
    let target = load(tx)?;
    if target.url.is_none() || target.secret.is_none() {
        return Ok(());
    }
    let payload = serde_json::to_string(event)
        .map_err(|e| StoreError::Corrupt(format!("webhook payload: {e}")))?;
    tx.execute(
        "INSERT INTO webhook_deliveries (event, payload, next_attempt_at) VALUES (?1, ?2, ?3)",
        params![event.name(), payload, now_millis()],
    )?;
    Ok(())
}

impl WebhookStore for SqliteStore {
    fn webhook_settings(&self) -> Result<WebhookSettings, StoreError> {
        self.with(|c| {
            let stored = load(c)?;
            Ok(WebhookSettings {
                url: stored.url,
                secret: None,
                secret_set: stored.secret.is_some(),
            })
        })
    }

    fn put_webhook_settings(
        &self,
        actor: Actor,
        url: Option<String>,
        secret: Option<String>,
    ) -> Result<WebhookSettings, StoreError> {
        self.write(|tx| {
            let old = load(tx)?;
            let changed_secret = secret.is_some();
            let stored = Stored {
                url,
                secret: secret.or(old.secret),
            };
            store_setting(tx, "webhook", &stored)?;
            let detail = serde_json::json!({ "url": stored.url, "secret_changed": changed_secret });
            audit(tx, actor, "webhook.put", "webhook", &detail)?;
            Ok(WebhookSettings {
                url: stored.url,
                secret: None,
                secret_set: stored.secret.is_some(),
            })
        })
    }

    fn webhook_target(&self) -> Result<Option<WebhookTarget>, StoreError> {
        self.with(|c| {
            let stored = load(c)?;
            Ok(match (stored.url, stored.secret) {
                (Some(url), Some(secret)) => Some(WebhookTarget { url, secret }),
                _ => None,
            })
        })
    }

    fn due_webhooks(&self, now: Millis, limit: usize) -> Result<Vec<DueWebhook>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, event, payload, attempts FROM webhook_deliveries \
                 WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?1 \
                 ORDER BY next_attempt_at, id LIMIT ?2",
            )?;
            let rows = stmt
                .query_map(
                    params![now, i64::try_from(limit).unwrap_or(i64::MAX)],
                    |r| {
                        Ok(DueWebhook {
                            id: r.get(0)?,
                            event: r.get(1)?,
                            payload: r.get(2)?,
                            attempts: r.get(3)?,
                        })
                    },
                )?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    fn webhook_delivered(&self, id: i64, now: Millis) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE webhook_deliveries SET delivered_at = ?2, attempts = attempts + 1 \
                 WHERE id = ?1",
                params![id, now],
            )?;
            Ok(())
        })
    }

    fn prune_webhooks(&self, before: Millis) -> Result<usize, StoreError> {
        self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM webhook_deliveries \
                 WHERE COALESCE(delivered_at, failed_at) < ?1",
                [before],
            )?)
        })
    }

    fn webhook_failed(
        &self,
        id: i64,
        now: Millis,
        error: &str,
        retry_at: Option<Millis>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?3, \
                 next_attempt_at = COALESCE(?4, next_attempt_at), \
                 failed_at = CASE WHEN ?4 IS NULL THEN ?2 END WHERE id = ?1",
                params![id, now, error, retry_at],
            )?;
            Ok(())
        })
    }
}
