//! The agent's own account: their signed-in sessions (list, sign one out, sign out all the
//! others) and changing their password, over the server's `/api/agent/sessions` and
//! `/api/agent/password`. [`Account`] is the panel's state; the `Ctl` methods here are its
//! actions; [`device_name`] turns a stored `User-Agent` into words an agent recognises.

use gloo_storage::Storage;
use leptos::prelude::*;
use protocol::{ChangePasswordRequest, SessionId, SessionInfo, SessionList, SessionResponse};

use crate::Ctl;
use crate::state::AgentSession;
use livechat_client::rest::{self, ApiError};

/// The account panel's state, shared through [`Ctl`].
#[derive(Clone, Copy)]
pub struct Account {
    /// The panel is shown instead of a conversation.
    pub open: RwSignal<bool>,
    /// `None` until the list has loaded.
    pub sessions: RwSignal<Option<Vec<SessionInfo>>>,
    /// A failed action, shown as `role=alert`.
    pub error: RwSignal<Option<String>>,
    /// A finished action, announced politely (`role=status`).
    pub notice: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
}

impl Account {
    pub fn new() -> Self {
        Account {
            open: RwSignal::new(false),
            sessions: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }
}

impl Default for Account {
    fn default() -> Self {
        Self::new()
    }
}

/// Why an account action failed, in the agent's words.
fn failure(e: &ApiError) -> String {
    match e {
        ApiError::Server { status: 401 } => "Your session has ended. Please sign in again.",
        ApiError::Server { status: 404 } => "That session has already ended.",
        ApiError::Server { status: 429 } => "Too many attempts. Please try again in a minute.",
        ApiError::Server { .. } => "The server could not do that. Please try again.",
        ApiError::Network => "Could not reach the server. Please try again.",
    }
    .into()
}

impl Ctl {
    pub(crate) fn token(self) -> Option<String> {
        self.store
            .desk
            .with_untracked(|d| d.session.as_ref().map(|s| s.token.clone()))
    }

    /// Show or hide the account panel; showing it (re)loads the session list.
    pub fn toggle_account(self) {
        let open = self.toggle_panel(self.account.open);
        self.account.error.set(None);
        self.account.notice.set(None);
        if open {
            leptos::task::spawn_local(self.load_sessions());
        }
    }

    pub async fn load_sessions(self) {
        let Some(token) = self.token() else { return };
        match rest::get_json::<SessionList>(&self.url("/api/agent/sessions"), &token).await {
            Ok(list) => self.account.sessions.set(Some(list.sessions)),
            Err(e) => self.account.error.set(Some(failure(&e))),
        }
    }

    /// Sign out session `id` (another device); its sockets close at once.
    pub async fn end_session(self, id: SessionId) {
        let Some(token) = self.token() else { return };
        let url = self.url(&format!("/api/agent/sessions/{}", id.0));
        self.account_action(rest::delete(&url, &token), "That session was signed out.")
            .await;
    }

    /// Sign out every session but this one.
    pub async fn end_other_sessions(self) {
        let Some(token) = self.token() else { return };
        let url = self.url("/api/agent/sessions");
        self.account_action(
            rest::delete(&url, &token),
            "All other sessions were signed out.",
        )
        .await;
    }

    async fn account_action(
        self,
        action: impl std::future::Future<Output = Result<(), ApiError>>,
        done: &str,
    ) {
        self.account.busy.set(true);
        self.account.error.set(None);
        self.account.notice.set(None);
        match action.await {
            Ok(()) => self.account.notice.set(Some(done.into())),
            Err(e) => self.account.error.set(Some(failure(&e))),
        }
        self.load_sessions().await;
        self.account.busy.set(false);
    }

    /// Change the password. The server ends every session, this one included, and answers
    /// with a new one: the socket is closed first (so it does not retry with the old token
    /// when the server cuts it) and reopened with whichever token holds afterwards.
    /// Returns whether it changed.
    pub async fn change_password(self, current: String, new: String, confirm: String) -> bool {
        let problem = if current.is_empty() {
            Some("Enter your current password.".to_owned())
        } else if new != confirm {
            Some("The new passwords do not match.".to_owned())
        } else {
            protocol::validate_new_password(&new)
                .err()
                .map(|e| format!("The new password {e}."))
        };
        if let Some(problem) = problem {
            self.account.error.set(Some(problem));
            return false;
        }
        let Some(token) = self.token() else {
            return false;
        };
        self.account.busy.set(true);
        self.account.error.set(None);
        self.account.notice.set(None);
        self.link.with(|l| l.disconnect());
        let body = ChangePasswordRequest {
            current_password: current,
            new_password: new,
        };
        let url = self.url("/api/agent/password");
        let answer: Result<SessionResponse, _> = rest::post_json(&url, &body, Some(&token)).await;
        let changed = match answer {
            Ok(r) => {
                let session = AgentSession {
                    token: r.token.clone(),
                    name: r.me.name.clone(),
                };
                let _ = gloo_storage::LocalStorage::set(self.session_key(), &session);
                self.store.desk.update(|d| d.session = Some(session));
                self.link.with(|l| l.connect(r.token));
                self.account.notice.set(Some(
                    "Password changed. Every other session was signed out.".into(),
                ));
                true
            }
            Err(e) => {
                self.link.with(|l| l.connect(token));
                self.account.error.set(Some(match e {
                    ApiError::Server { status: 400 } => {
                        "The current password is not right, or the new one is not allowed.".into()
                    }
                    other => failure(&other),
                }));
                false
            }
        };
        self.load_sessions().await;
        self.account.busy.set(false);
        changed
    }
}

/// "Chrome on Linux", "Safari on iOS": a `User-Agent` in words. Falls back to the string
/// itself when neither part is recognised, and to "Unknown device" when it is empty.
pub fn device_name(user_agent: &str) -> String {
    // Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", Android
    // also says "Linux".
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(token, _)| user_agent.contains(token))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(token, _)| user_agent.contains(token))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(one), None) | (None, Some(one)) => one.to_owned(),
        (None, None) if user_agent.trim().is_empty() => "Unknown device".to_owned(),
        (None, None) => user_agent.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::*;

    use super::device_name;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn user_agents_read_as_browser_on_system() {
        let cases = [
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/156.0.0.0 Safari/537.36",
                "Chrome on Linux",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 \
                 Safari/537.36 Edg/120.0",
                "Edge on Windows",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
                 Version/17.0 Mobile/15E148 Safari/604.1",
                "Safari on iOS",
            ),
            (
                "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120 Mobile \
                 Safari/537.36",
                "Chrome on Android",
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.0; rv:120.0) Gecko/20100101 \
                 Firefox/120.0",
                "Firefox on macOS",
            ),
            ("curl/8.5.0", "curl/8.5.0"),
            ("", "Unknown device"),
        ];
        for (ua, expected) in cases {
            assert_eq!(device_name(ua), expected, "{ua}");
        }
    }
}
