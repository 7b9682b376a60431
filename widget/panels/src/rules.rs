//! The panel's decisions as plain functions: what it says, what a refusal means to the
//! visitor, which phone numbers to send, a ticket's subject from the chat. No DOM, so the
//! component tests check them directly.

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
        if self.closed {
            "We're closed right now".into()
        } else {
            "Sorry for the wait".into()
        }
    }

    pub fn explanation(&self) -> String {
        let back = match (self.closed, self.next_open) {
            (true, Some(at)) => format!("We'll be back {}. ", when(at)),
            _ => String::new(),
        };
        let what = if self.closed {
            "Leave us a message here and we'll answer when we're back, or ask us to call you."
        } else {
            "Everyone is busy. Keep waiting, or ask us to call you back."
        };
        format!("{back}{what}")
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
pub fn check_phone(phone: &str) -> Result<(), &'static str> {
    if phone.trim().is_empty() {
        Err("Please enter your phone number.")
    } else if !protocol::helpdesk::valid_phone(phone) {
        Err("Please enter a phone number: digits, spaces and + - ( ) . / only.")
    } else {
        Ok(())
    }
}

/// A refused callback request, in the visitor's words (`status` 0: no answer).
pub fn callback_error(status: u16, reason: &str) -> String {
    match status {
        409 => "You've already asked us to call you back. We'll be in touch.".into(),
        403 => "Someone may still answer soon. Please wait a little longer.".into(),
        401 => "Your chat session has ended. Please reload the page.".into(),
        400 if !reason.is_empty() => format!("Please check the form: {reason}."),
        429 => "Too many attempts. Please wait a moment and try again.".into(),
        _ => "We couldn't send that. Please check your connection and try again.".into(),
    }
}

/// A refused end (or ticket), in the visitor's words.
pub fn end_error(status: u16, reason: &str) -> String {
    match status {
        403 => "An agent may still answer this chat, so it stays open for now.".into(),
        409 => "This chat has already ended.".into(),
        401 => "Your chat session has ended. Please reload the page.".into(),
        0 => "We couldn't reach the chat server. Please check your connection.".into(),
        _ if !reason.is_empty() => format!("That didn't work: {reason}."),
        _ => "That didn't work. Please try again.".into(),
    }
}
