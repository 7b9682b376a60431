//! Delivering outgoing webhooks: one background task works through the outbox the store fills
//! (a row per event, written in the event's own transaction), `POST`s each event to the
//! configured URL signed with HMAC-SHA256, and retries failures with exponential backoff. It
//! is never on a chat's path: a slow or failing receiver delays only other deliveries.
//!
//! The signature header is `X-Livechat-Signature: t=<unix seconds>,v1=<hex>`, `<hex>` being
//! HMAC-SHA256 with the webhook secret over `<t>.<body>` (the timestamp inside the MAC lets a
//! receiver refuse replays of old deliveries). `X-Livechat-Delivery` is the outbox row's id,
//! the same on every retry of one delivery.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio_util::sync::CancellationToken;

use crate::store::{Db, DueWebhook, StoreError, WebhookTarget, now_millis};

/// Attempts before a delivery is given up (its row keeps the last error).
pub const MAX_ATTEMPTS: u32 = 10;
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// How often the outbox is looked at for due deliveries.
const POLL: Duration = Duration::from_millis(200);
/// How long one delivery may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries taken from the outbox per round.
const BATCH: usize = 20;

/// `v1=` of the signature header: hex HMAC-SHA256 with `secret` over `<timestamp>.<body>`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The wait before attempt `attempts + 1`: `base` doubled per attempt made, at most an hour.
pub fn backoff(base: Duration, attempts: u32) -> Duration {
    base.saturating_mul(1u32 << attempts.min(20))
        .min(MAX_BACKOFF)
}

/// The delivery task's state.
pub struct Deliverer {
    db: Db,
    http: reqwest::Client,
    retry_base: Duration,
}

impl Deliverer {
    pub fn new(db: Db, retry_base: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // A receiver answers for itself: a redirect is a failed delivery, not a new URL.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("livechat-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a client with these settings builds");
        Deliverer {
            db,
            http,
            retry_base,
        }
    }

    /// Deliver until `stop` is cancelled.
    pub async fn run(self, stop: CancellationToken) {
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(POLL) => {}
            }
            if let Err(e) = self.deliver_due().await {
                tracing::warn!(error = %e, "webhook delivery round failed");
            }
        }
    }

    /// One round: every due delivery, one after another.
    pub async fn deliver_due(&self) -> Result<usize, StoreError> {
        let Some(target) = self.db.call(|s| s.webhook_target()).await? else {
            return Ok(0);
        };
        let due = self
            .db
            .call(|s| s.due_webhooks(now_millis(), BATCH))
            .await?;
        let n = due.len();
        for delivery in due {
            self.attempt(&target, delivery).await?;
        }
        Ok(n)
    }

    async fn attempt(&self, target: &WebhookTarget, d: DueWebhook) -> Result<(), StoreError> {
        let timestamp = now_millis() / 1000;
        let sig = signature(&target.secret, timestamp, &d.payload);
        let sent = self
            .http
            .post(&target.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Livechat-Event", &d.event)
            .header("X-Livechat-Delivery", d.id.to_string())
            .header("X-Livechat-Signature", format!("t={timestamp},v1={sig}"))
            .body(d.payload.clone())
            .send()
            .await;
        let error = match sent {
            Ok(r) if r.status().is_success() => None,
            Ok(r) => Some(format!("HTTP {}", r.status().as_u16())),
            Err(e) => Some(e.to_string()),
        };
        let id = d.id;
        match error {
            None => {
                tracing::debug!(id, event = %d.event, "webhook delivered");
                self.db
                    .call(move |s| s.webhook_delivered(id, now_millis()))
                    .await
            }
            Some(error) => {
                let made = d.attempts + 1;
                let retry_at = (made < MAX_ATTEMPTS).then(|| {
                    let wait = backoff(self.retry_base, d.attempts);
                    now_millis() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2)
                });
                tracing::info!(id, event = %d.event, attempt = made, %error, gave_up = retry_at.is_none(), "webhook delivery failed");
                self.db
                    .call(move |s| s.webhook_failed(id, now_millis(), &error, retry_at))
                    .await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_over_timestamp_and_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            signature("Jefe", 0, "what do ya want for nothing?").len(),
            64
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            expected,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // ours covers "<t>." before the body, so the timestamp cannot be swapped
        assert_ne!(signature("Jefe", 1, "x"), signature("Jefe", 2, "x"));
        assert_ne!(signature("Jefe", 1, "x"), signature("Jeff", 1, "x"));
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let base = Duration::from_secs(1);
        let waits: Vec<u64> = (0..4).map(|a| backoff(base, a).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8]);
        assert_eq!(backoff(base, 30), MAX_BACKOFF);
        assert_eq!(
            backoff(Duration::from_millis(50), 1),
            Duration::from_millis(100)
        );
    }
}
