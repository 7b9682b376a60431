//! The admin's Settings screen, over the admin API: chat for verified contacts and how long a
//! request waits before its visitor may ask for a callback (`/api/admin/settings`), office
//! hours (`/api/admin/office-hours`) and where webhooks go (`/api/admin/webhook`, the secret
//! write-only). Shown only to admins: the console asks `/api/admin/settings` after signing in
//! and offers the screen when that answers.

use leptos::prelude::*;
use protocol::helpdesk::{ChatSettings, OfficeHours};
use protocol::webhooks::WebhookSettings;

use crate::Ctl;
use livechat_client::rest::{self, ApiError};

/// What the Settings screen holds and shows.
#[derive(Clone, Copy)]
pub struct Settings {
    /// The signed-in agent is an admin (the admin API answered).
    pub admin: RwSignal<bool>,
    pub open: RwSignal<bool>,
    pub chat: RwSignal<Option<ChatSettings>>,
    pub hours: RwSignal<Option<OfficeHours>>,
    pub webhook: RwSignal<Option<WebhookSettings>>,
    pub error: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<String>>,
}

impl Settings {
    pub fn new() -> Self {
        Settings {
            admin: RwSignal::new(false),
            open: RwSignal::new(false),
            chat: RwSignal::new(None),
            hours: RwSignal::new(None),
            webhook: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self::new()
    }
}

fn failure(e: &ApiError) -> String {
    match e {
        ApiError::Server { status: 400 } => {
            "Some of these settings are not valid; check the fields and try again.".into()
        }
        ApiError::Server { status: 401 | 403 } => "Only admins can change settings.".into(),
        ApiError::Server { .. } => "The server could not save that. Please try again.".into(),
        ApiError::Network => "Could not reach the server. Please try again.".into(),
    }
}

impl Ctl {
    /// Load everything the screen shows; it also tells whether this agent is an admin.
    pub async fn load_settings(self) {
        let Some(token) = self.token() else { return };
        let chat = rest::get_json::<ChatSettings>(&self.url("/api/admin/settings"), &token).await;
        let Ok(chat) = chat else {
            self.settings.admin.set(false);
            return;
        };
        self.settings.admin.set(true);
        self.settings.chat.set(Some(chat));
        let hours = rest::get_json(&self.url("/api/admin/office-hours"), &token).await;
        self.settings.hours.set(hours.ok());
        let webhook = rest::get_json(&self.url("/api/admin/webhook"), &token).await;
        self.settings.webhook.set(webhook.ok());
    }

    pub fn toggle_settings(self) {
        let open = !self.settings.open.get_untracked();
        self.settings.open.set(open);
        self.account.open.set(false);
        self.settings.error.set(None);
        self.settings.notice.set(None);
        if open {
            leptos::task::spawn_local(self.load_settings());
        }
    }

    /// Save one section with `PUT path`.
    pub async fn save_setting<B: serde::Serialize>(self, path: &str, body: B, what: &str) {
        let Some(token) = self.token() else { return };
        self.settings.error.set(None);
        self.settings.notice.set(None);
        match rest::put_json(&self.url(path), &body, &token).await {
            Ok(()) => {
                self.settings.notice.set(Some(format!("{what} saved.")));
                self.load_settings().await;
            }
            Err(e) => self.settings.error.set(Some(failure(&e))),
        }
    }
}
