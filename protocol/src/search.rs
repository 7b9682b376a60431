//! History search over ended conversations, for agents (`GET /api/agent/history`): filters,
//! full-text search (the database's own: SQLite FTS5 now), pages; and the directory the
//! filters pick from (`GET /api/agent/directory`). Plain serde derive: only the console and
//! the server use these.

use serde::{Deserialize, Serialize};

use crate::helpdesk::TicketRef;
use crate::ids::{AgentId, ConversationId, Millis};

/// Results per page.
pub const SEARCH_PAGE: usize = 20;
/// Longest search text, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// The query of `GET /api/agent/history`: every part optional; all given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Words the conversation's messages contain (all of them; the last may be a prefix).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Part of the visitor's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor: Option<String>,
    /// A portal contact's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    /// A company's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// An agent who took part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentId>,
    /// Started at or after (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Millis>,
    /// Started before (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Millis>,
    /// 0-based page of [`SEARCH_PAGE`] results.
    #[serde(default)]
    pub page: u32,
}

/// `GET /api/agent/directory`: what the history's filters pick from, readable by every agent
/// (the admin API's lists carry more than a colleague needs): every agent account, deactivated
/// ones too (their chats stay in the record), and every company.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    /// Active agents first, then by name.
    pub agents: Vec<DirectoryAgent>,
    /// By the helpdesk's id.
    pub companies: Vec<DirectoryCompany>,
}

/// An agent as a filter choice ([`HistoryQuery::agent`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryAgent {
    pub id: AgentId,
    pub name: String,
}

/// A company as a filter choice ([`HistoryQuery::company`]: the helpdesk's id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryCompany {
    pub id: String,
    pub name: String,
}

/// One ended conversation found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryHit {
    pub conversation_id: ConversationId,
    pub visitor: String,
    /// The portal contact's id and company name, for a verified contact's chat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    pub agents: Vec<String>,
    pub created_at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<TicketRef>,
    /// With a text query: the best-matching message, the matches between `[` and `]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

/// A page of results: best match first with a text query, else the most recently ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryResults {
    pub hits: Vec<HistoryHit>,
    pub page: u32,
    /// A next page exists.
    pub more: bool,
}

/// `GET /api/agent/history/{id}`: an ended conversation as the record keeps it, for any
/// agent: its messages and its private notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedChat {
    pub conversation: crate::model::Conversation,
    pub messages: Vec<crate::model::Message>,
    pub notes: Vec<crate::model::PrivateNote>,
    /// The agent who ended it, and their closing note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_by: Option<AgentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closing_note: Option<String>,
}

/// `PUT /api/conversations/{id}/closing-note`: the note of the agent who ended the chat (what
/// was done, what is left); an empty one removes it. At most [`MAX_CLOSING_NOTE_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClosingNote {
    pub note: String,
}

/// Longest closing note, in characters.
pub const MAX_CLOSING_NOTE_CHARS: usize = 2_000;

/// The text of a query as FTS5 reads it: each word a quoted phrase (so quotes, `*`, `-`,
/// `NEAR` and the like are plain text, never syntax), all required, the last one also as a
/// prefix. `None` when nothing searchable is left.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.replace('"', "\"\""))
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    let (last, rest) = words.split_last()?;
    let mut out: Vec<String> = rest.iter().map(|w| format!("\"{w}\"")).collect();
    out.push(format!("\"{last}\"*"));
    Some(out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_quoted_so_it_is_never_fts_syntax() {
        assert_eq!(
            fts_query("refund late").as_deref(),
            Some("\"refund\" \"late\"*")
        );
        assert_eq!(
            fts_query("say \"hi\" NEAR(x) -y").as_deref(),
            Some("\"say\" \"\"\"hi\"\"\" \"NEAR(x)\" \"-y\"*")
        );
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("* - ()"), None);
    }
}
