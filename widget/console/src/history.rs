//! The History panel's state and actions: searching past chats (`GET /api/agent/history`, a
//! page at a time, "More results" appending the next) and reading one (`GET
//! /api/agent/history/{id}`), read-only. The pure parts: the query string (percent-encoded),
//! the snippet's `[match]` marks split into text runs, and the date a hit shows. Rendered by
//! `ui/history.rs`.

use leptos::prelude::*;
use protocol::ConversationId;
use protocol::search::{ArchivedChat, HistoryHit, HistoryQuery, HistoryResults};

use crate::Ctl;
use livechat_client::rest;

#[derive(Clone, Copy)]
pub struct History {
    /// The panel is showing (instead of the conversation).
    pub open: RwSignal<bool>,
    /// What the last search asked (the next page asks the same).
    pub query: RwSignal<HistoryQuery>,
    /// The hits so far, all pages; `None` before the first search.
    pub hits: RwSignal<Option<Vec<HistoryHit>>>,
    pub more: RwSignal<bool>,
    /// The chat being read.
    pub chat: RwSignal<Option<ArchivedChat>>,
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
}

impl History {
    pub fn new() -> Self {
        History {
            open: RwSignal::new(false),
            query: RwSignal::new(HistoryQuery::default()),
            hits: RwSignal::new(None),
            more: RwSignal::new(false),
            chat: RwSignal::new(None),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Takes in a page of results: the first replaces, later ones append.
    pub fn add_page(self, results: HistoryResults) {
        self.more.set(results.more);
        self.hits.update(|h| match h {
            Some(hits) if results.page > 0 => hits.extend(results.hits),
            _ => *h = Some(results.hits),
        });
    }
}

impl Default for History {
    fn default() -> Self {
        Self::new()
    }
}

impl Ctl {
    pub fn toggle_history(self) {
        self.toggle_panel(self.history.open);
        self.history.error.set(None);
    }

    /// Search: page 0 of `text` (and `visitor`, if given).
    pub async fn search_history(self, text: String, visitor: String) {
        let some = |s: String| {
            let s = s.trim().to_string();
            (!s.is_empty()).then_some(s)
        };
        let query = HistoryQuery {
            q: some(text),
            visitor: some(visitor),
            ..HistoryQuery::default()
        };
        self.history.chat.set(None);
        self.fetch_history(query).await;
    }

    /// The next page of the last search.
    pub async fn more_history(self) {
        let mut query = self.history.query.get_untracked();
        query.page += 1;
        self.fetch_history(query).await;
    }

    async fn fetch_history(self, query: HistoryQuery) {
        let Some(token) = self.token() else { return };
        let url = self.url(&format!("/api/agent/history?{}", query_string(&query)));
        self.history.busy.set(true);
        self.history.error.set(None);
        let res = rest::get_json::<HistoryResults>(&url, &token).await;
        self.history.busy.set(false);
        match res {
            Ok(results) => {
                self.history.query.set(query);
                self.history.add_page(results);
            }
            Err(_) => self
                .history
                .error
                .set(Some("The search did not work. Please try again.".into())),
        }
    }

    /// Read chat `id`.
    pub async fn open_archived(self, id: ConversationId) {
        let Some(token) = self.token() else { return };
        let url = self.url(&format!("/api/agent/history/{}", id.0));
        self.history.error.set(None);
        match rest::get_json::<ArchivedChat>(&url, &token).await {
            Ok(chat) => self.history.chat.set(Some(chat)),
            Err(_) => self.history.error.set(Some(
                "That chat could not be opened. Please try again.".into(),
            )),
        }
    }
}

/// Percent-encodes a query-string value: everything but `A-Z a-z 0-9 - . _ ~` as `%XX` of its
/// UTF-8 bytes (a space too, so `+` is never ambiguous).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `q=…&visitor=…&page=…`: only what is set, and always the page.
pub fn query_string(q: &HistoryQuery) -> String {
    let mut parts = Vec::new();
    if let Some(text) = &q.q {
        parts.push(format!("q={}", encode(text)));
    }
    if let Some(v) = &q.visitor {
        parts.push(format!("visitor={}", encode(v)));
    }
    parts.push(format!("page={}", q.page));
    parts.join("&")
}

/// A snippet's runs of text: `(text, matched)`, the server's `[` `]` marks taken out. An
/// unclosed `[` marks to the end.
pub fn snippet_runs(snippet: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = snippet;
    while let Some(at) = rest.find('[') {
        if at > 0 {
            out.push((rest[..at].to_string(), false));
        }
        let tail = &rest[at + 1..];
        match tail.find(']') {
            Some(end) => {
                out.push((tail[..end].to_string(), true));
                rest = &tail[end + 1..];
            }
            None => {
                out.push((tail.to_string(), true));
                rest = "";
            }
        }
    }
    if !rest.is_empty() {
        out.push((rest.to_string(), false));
    }
    out
}

/// The local date of `ms` as `YYYY-MM-DD`.
pub fn format_date(ms: protocol::ids::Millis) -> String {
    let d = js_sys::Date::new(&(ms as f64).into());
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_query_string_is_percent_encoded_and_skips_what_is_not_set() {
        let q = HistoryQuery {
            q: Some("refund & late?".into()),
            visitor: Some("Zoë+1".into()),
            page: 2,
            ..HistoryQuery::default()
        };
        assert_eq!(
            query_string(&q),
            "q=refund%20%26%20late%3F&visitor=Zo%C3%AB%2B1&page=2"
        );
        assert_eq!(query_string(&HistoryQuery::default()), "page=0");
        assert_eq!(encode("a-b.c_d~e/#="), "a-b.c_d~e%2F%23%3D");
    }

    #[wasm_bindgen_test]
    fn snippet_marks_become_runs_of_plain_text() {
        assert_eq!(
            snippet_runs("a [refund] for <b>[late]"),
            vec![
                ("a ".to_string(), false),
                ("refund".to_string(), true),
                (" for <b>".to_string(), false),
                ("late".to_string(), true),
            ]
        );
        assert_eq!(
            snippet_runs("no marks"),
            vec![("no marks".to_string(), false)]
        );
        assert_eq!(
            snippet_runs("x [open"),
            vec![("x ".to_string(), false), ("open".to_string(), true)]
        );
    }
}
