//! The identified-contact build (feature `contact`, bundle `dist/widget/contact/`): the loader
//! picks it when the page's script tag carries `data-identity`, the signed statement a portal's
//! backend makes about its logged-in contact. [`mount_contact`] mounts the same widget, decodes
//! every frame (contacts get `ticket_linked`), and signs the contact in with the statement:
//! the stored session is kept when it is already this contact's (a reload, another page),
//! otherwise the statement is exchanged at `POST /api/contact/session`, handing over the
//! anonymous visitor's open chat. A refused statement leaves the visitor anonymous and tells
//! the site's developer why in the browser console.

use gloo_storage::Storage;
use leptos::prelude::*;
use protocol::ServerMsg;
use protocol::helpdesk::{ContactSessionRequest, ContactSessionResponse};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::Ctl;
use crate::state::Session;
use livechat_client::{rest, server_url};

/// Called by `loader.js` instead of `mount` when the page identifies a contact.
#[wasm_bindgen]
pub fn mount_contact(root: web_sys::ShadowRoot, server_url: String, open: bool, identity: String) {
    crate::mount_with(root, server_url, open, decode_all, move |ctl| {
        ctl.take_identity(identity)
    });
}

/// Contacts may get every visitor frame and the ticket frames.
fn decode_all(text: &str) -> Option<ServerMsg> {
    serde_json::from_str(text).ok()
}

/// The `sub` claim of a signed statement. Not verified here (the server does that): the
/// widget only uses it to tell whether the session it holds is this contact's.
pub fn subject(identity: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Claims {
        sub: String,
    }
    let payload = identity.split('.').nth(1)?;
    let b64: String = payload
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let padded = format!("{b64}{}", "=".repeat((4 - b64.len() % 4) % 4));
    let json = web_sys::window()?.atob(&padded).ok()?;
    serde_json::from_str::<Claims>(&json).ok().map(|c| c.sub)
}

impl Ctl {
    fn contact_key(self) -> String {
        self.server
            .with_value(|s| server_url::storage_key(s, "contact"))
    }

    /// Before the widget connects: keep the stored session when it is this contact's,
    /// otherwise sign the contact in (and do not connect with someone else's session).
    fn take_identity(self, identity: String) {
        let held: Option<String> = gloo_storage::LocalStorage::get(self.contact_key()).ok();
        let session = self.state.with_untracked(|s| s.session.clone());
        if session.is_some() && held.is_some() && held == subject(&identity) {
            return;
        }
        // An anonymous visitor's token comes along so the contact keeps their open chat;
        // another contact's never does.
        let anonymous = session.filter(|_| held.is_none());
        self.state.update(|s| s.session = None);
        self.busy.set(true);
        leptos::task::spawn_local(self.identify(identity, anonymous));
    }

    async fn identify(self, identity: String, anonymous: Option<Session>) {
        let url = format!("{}/api/contact/session", self.server.get_value());
        let answer: Result<ContactSessionResponse, _> = rest::post_json_explained(
            &url,
            &ContactSessionRequest { identity },
            anonymous.as_ref().map(|s| s.token.as_str()),
        )
        .await;
        self.busy.set(false);
        let session = match answer {
            Ok(r) => {
                let _ = gloo_storage::LocalStorage::set(self.contact_key(), &r.contact.id);
                let session = Session {
                    token: r.token,
                    name: r.me.name.clone(),
                };
                let _ = gloo_storage::LocalStorage::set(self.session_key(), &session);
                self.state.update(|s| s.me = Some(r.me));
                Some(session)
            }
            Err((status, reason)) => {
                web_sys::console::error_1(&JsValue::from_str(&format!(
                    "[livechat] the page's signed identity was refused (HTTP {status}: {reason}); \
                     continuing as an anonymous visitor"
                )));
                anonymous
            }
        };
        if let Some(session) = session {
            let token = session.token.clone();
            self.state.update(|s| s.session = Some(session));
            self.link.with(|l| l.connect(token));
        }
    }
}
