//! The panel's decisions as plain functions: what it says, what a refusal means to the
//! visitor, which phone numbers to send, a ticket's subject from the chat. No DOM, so the
//! component tests check them directly. Every text is in the visitor's language (the app's
//! catalogue, [`livechat_client::i18n`]).

use livechat_client::i18n::{tr, tr_with};

/// What the loader knows when it shows the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Situation {
    /// The chat server's origin (no trailing slash).
    pub server: String,
    /// The visitor's bearer token.
    pub token: String,
    /// The waiting request, if the visitor has written anything yet.
    pub conversation: Option<i64>,
    /// Outside office hours (else: the request waited past the unanswered time).
    pub closed: bool,
    /// When office hours start again, ms since the epoch.
    pub next_open: Option<i64>,
    /// A verified contact: may leave the chat as a ticket.
    pub contact: bool,
    /// The ticket the chat is linked to.
    pub ticket: Option<String>,
}

impl Situation {
    pub fn heading(&self) -> String {
        tr(if self.closed {
            "help_closed"
        } else {
            "help_sorry_wait"
        })
    }

    pub fn explanation(&self) -> String {
        let what = tr(if self.closed {
            "help_closed_explain"
        } else {
            "help_busy_explain"
        });
        match (self.closed, self.next_open) {
            (true, Some(at)) => tr_with("help_back_at", &[("when", &when(at))]) + " " + &what,
            _ => what,
        }
    }
}

/// "Monday, 09:00" in the visitor's language and time zone.
fn when(at: i64) -> String {
    livechat_client::clock::local_time(
        at,
        &[
            ("weekday", "long"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ],
    )
}

/// The same check the server makes, so a typo is caught before a round trip.
pub fn check_phone(phone: &str) -> Result<(), String> {
    if phone.trim().is_empty() {
        Err(tr("phone_empty"))
    } else if !protocol::helpdesk::valid_phone(phone) {
        Err(tr("phone_invalid"))
    } else {
        Ok(())
    }
}

/// A refused callback request, in the visitor's words (`status` 0: no answer).
pub fn callback_error(status: u16, reason: &str) -> String {
    match status {
        409 => tr("callback_already"),
        403 => tr("callback_too_soon"),
        401 => tr("session_ended"),
        400 if !reason.is_empty() => tr_with("check_form", &[("reason", reason)]),
        429 => tr("too_many_attempts"),
        _ => tr("callback_failed"),
    }
}

/// A refused end (or ticket), in the visitor's words.
pub fn end_error(status: u16, reason: &str) -> String {
    match status {
        403 => tr("end_refused"),
        409 => tr("already_ended"),
        401 => tr("session_ended"),
        0 => tr("unreachable"),
        _ if !reason.is_empty() => tr_with("failed_because", &[("reason", reason)]),
        _ => tr("failed_try_again"),
    }
}
