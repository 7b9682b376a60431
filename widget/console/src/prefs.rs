//! The agent's own choices for this browser, kept in `localStorage` (per server, like the
//! session): the compact view and repeating the new-message sound until read. Per browser
//! rather than per account: a laptop and a big screen may well want different views.

use gloo_storage::Storage;
use leptos::prelude::*;

use livechat_client::server_url::storage_key;

/// One on/off choice and where it is remembered.
#[derive(Clone, Copy)]
pub struct Pref {
    pub on: RwSignal<bool>,
    key: StoredValue<String>,
}

impl Pref {
    fn load(server: &str, name: &str) -> Self {
        let key = storage_key(server, name);
        Pref {
            on: RwSignal::new(gloo_storage::LocalStorage::get(&key).unwrap_or(false)),
            key: StoredValue::new(key),
        }
    }

    /// Choose, and remember it for the next visit.
    pub fn set(self, on: bool) {
        self.on.set(on);
        let _ = self
            .key
            .with_value(|k| gloo_storage::LocalStorage::set(k, on));
    }
}

#[derive(Clone, Copy)]
pub struct Prefs {
    /// One bubble per chat at the screen's edge instead of the list beside the open chat.
    pub compact: Pref,
    /// The new-message tone again every few seconds while anything is unread.
    pub repeat_sound: Pref,
}

impl Prefs {
    pub fn load(server: &str) -> Self {
        Prefs {
            compact: Pref::load(server, "compact-view"),
            repeat_sound: Pref::load(server, "repeat-sound"),
        }
    }
}
