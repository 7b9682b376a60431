//! Callback requests, as agents work through them: the open ones (`GET /api/agent/callbacks`),
//! refreshed every 30 s while signed in, and marking one done. Polled rather than pushed: a
//! push frame would cost the anonymous visitor's bundle bytes it does not have (ARCHITECTURE.md,
//! "The visitor bundle's byte budget").

use leptos::prelude::*;
use protocol::helpdesk::{Callback, CallbackList};

use crate::Ctl;
use livechat_client::rest;

/// How often the list is fetched again.
pub const REFRESH_SECS: u64 = 30;

impl Ctl {
    /// Fetch the open callback requests.
    pub async fn load_callbacks(self) {
        let Some(token) = self.token() else { return };
        let url = self.url("/api/agent/callbacks");
        if let Ok(list) = rest::get_json::<CallbackList>(&url, &token).await {
            self.callbacks.set(list.callbacks);
        }
    }

    /// Mark request `id` done, then refresh the list.
    pub async fn callback_done(self, id: i64) {
        let Some(token) = self.token() else { return };
        let url = self.url(&format!("/api/agent/callbacks/{id}/done"));
        let done: Result<Callback, _> = rest::post_json(&url, &(), Some(&token)).await;
        if done.is_err() {
            self.store.desk.update(|d| {
                d.show_alert("The callback could not be marked done. Please try again.")
            });
        }
        self.load_callbacks().await;
    }
}
