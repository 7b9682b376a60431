//! Canned replies: saved answers an agent inserts with a click or by typing `/shortcut` in the
//! reply box; greetings and farewells among them. Personal (one agent's) or shared (admins
//! edit those). Placeholders `{visitor}` and `{agent}` are filled in by [`expand`], the one
//! function the console and the server (the automatic greeting) both use.

use serde::{Deserialize, Serialize};

use crate::ids::Millis;

/// Longest shortcut, in bytes (ASCII letters, digits, `-` and `_`).
pub const MAX_SHORTCUT_BYTES: usize = 32;
/// Longest title, in characters.
pub const MAX_CANNED_TITLE_CHARS: usize = 80;

/// What a canned reply is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CannedKind {
    #[default]
    Reply,
    /// Said on accepting a chat; sent by itself when the agent's `auto` greeting is set.
    Greeting,
    Farewell,
}

/// A canned reply as agents see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedReply {
    pub id: i64,
    /// Typed as `/shortcut` in the reply box (unique among what one agent sees).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shortcut: Option<String>,
    pub title: String,
    pub body: String,
    pub kind: CannedKind,
    /// Everyone's (admins edit it), or this agent's own.
    pub shared: bool,
    /// A greeting sent by itself when its owner accepts a chat (personal greetings only).
    #[serde(default)]
    pub auto: bool,
    pub updated_at: Millis,
}

/// `GET /api/agent/canned`: the shared ones and the caller's own, by kind then title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedList {
    pub replies: Vec<CannedReply>,
}

/// `POST /api/agent/canned` and `PUT /api/agent/canned/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedInput {
    #[serde(default)]
    pub shortcut: Option<String>,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub kind: CannedKind,
    /// Shared with every agent: admins only.
    #[serde(default)]
    pub shared: bool,
    /// Send this greeting by itself on accept (a personal greeting; at most one per agent).
    #[serde(default)]
    pub auto: bool,
}

/// Fill in `{visitor}` (the visitor's name) and `{agent}` (the agent's); any other text,
/// braces included, stays as written. One pass, so a name that itself reads `{agent}` is put
/// in as it is, not expanded again.
pub fn expand(body: &str, visitor: &str, agent: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("{visitor}") {
            out.push_str(visitor);
            rest = after;
        } else if let Some(after) = tail.strip_prefix("{agent}") {
            out.push_str(agent);
            rest = after;
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// A shortcut as typed after `/`: 1 to [`MAX_SHORTCUT_BYTES`] ASCII letters, digits, `-`, `_`.
pub fn valid_shortcut(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SHORTCUT_BYTES
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_nothing_else_changes() {
        assert_eq!(
            expand("Hi {visitor}, {agent} here. {visitor}?", "Marta", "Ada"),
            "Hi Marta, Ada here. Marta?"
        );
        assert_eq!(
            expand("{unknown} {VISITOR} {", "M", "A"),
            "{unknown} {VISITOR} {"
        );
        // a name that looks like a placeholder is not expanded again
        assert_eq!(
            expand("{visitor} meets {agent}", "{agent}", "Ada"),
            "{agent} meets Ada"
        );
    }

    #[test]
    fn shortcuts_are_short_plain_words() {
        for ok in ["hi", "refund-policy", "faq_2"] {
            assert!(valid_shortcut(ok), "{ok}");
        }
        for bad in ["", "two words", "/hi", "émoji", &"x".repeat(33)] {
            assert!(!valid_shortcut(bad), "{bad}");
        }
    }
}
