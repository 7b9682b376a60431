//! Canned replies in the reply box: the list (`GET /api/agent/canned`, loaded once per sign-in
//! and again when opened empty), and the pure rules of picking one: which draft is a `/query`,
//! which replies match it and in what order, what the keys do, and the expanded text that
//! replaces the draft. Rendered by `ui/canned.rs`.

use leptos::prelude::*;
use protocol::canned::{CannedList, CannedReply, MAX_SHORTCUT_BYTES, expand};

use crate::Ctl;
use livechat_client::rest;

/// At most this many replies are offered at once.
pub const MAX_SHOWN: usize = 6;

/// The replies this agent sees (shared and their own), as the server ordered them.
#[derive(Clone, Copy)]
pub struct Canned {
    pub replies: RwSignal<Vec<CannedReply>>,
    /// A load is under way (one at a time).
    loading: StoredValue<bool>,
}

impl Canned {
    pub fn new() -> Self {
        Canned {
            replies: RwSignal::new(Vec::new()),
            loading: StoredValue::new(false),
        }
    }
}

impl Default for Canned {
    fn default() -> Self {
        Self::new()
    }
}

impl Ctl {
    /// Fetch the canned replies (once at a time; a failure leaves the list as it was).
    pub async fn load_canned(self) {
        let Some(token) = self.token() else { return };
        if self.canned.loading.get_value() {
            return;
        }
        self.canned.loading.set_value(true);
        let url = self.url("/api/agent/canned");
        let res = rest::get_json::<CannedList>(&url, &token).await;
        self.canned.loading.set_value(false);
        if let Ok(list) = res {
            self.canned.replies.set(list.replies);
        }
    }

    /// Load the list if it is empty (on opening it).
    pub fn canned_if_empty(self) {
        if self.canned.replies.with_untracked(Vec::is_empty) {
            leptos::task::spawn_local(self.load_canned());
        }
    }
}

/// The `query` of a draft that is `/query`: a `/` at the very start followed by one or more
/// shortcut characters (letters, digits, `-`, `_`) and nothing else.
pub fn slash_query(draft: &str) -> Option<&str> {
    let q = draft.strip_prefix('/')?;
    (!q.is_empty()
        && q.len() <= MAX_SHORTCUT_BYTES
        && q.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some(q)
}

/// How well `reply` matches `query` (lower is better), or `None`. Case does not matter.
/// 0: its shortcut starts with the query; 1: a word of its title does; 2: its title contains
/// it; 3 (only with `in_body`, the search box): its body contains it. An empty query matches
/// everything at 0.
pub fn rank(reply: &CannedReply, query: &str, in_body: bool) -> Option<u8> {
    let q = query.trim().to_lowercase();
    if q.is_empty() {
        return Some(0);
    }
    if reply
        .shortcut
        .as_deref()
        .is_some_and(|s| s.to_lowercase().starts_with(&q))
    {
        return Some(0);
    }
    let title = reply.title.to_lowercase();
    if title
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.starts_with(&q))
        || title.starts_with(&q)
    {
        return Some(1);
    }
    if title.contains(&q) {
        return Some(2);
    }
    if in_body && reply.body.to_lowercase().contains(&q) {
        return Some(3);
    }
    None
}

/// The replies matching `query`: by [`rank`], then in the server's order; at most
/// [`MAX_SHOWN`].
pub fn matches(replies: &[CannedReply], query: &str, in_body: bool) -> Vec<CannedReply> {
    let mut ranked: Vec<(u8, usize)> = replies
        .iter()
        .enumerate()
        .filter_map(|(i, r)| rank(r, query, in_body).map(|k| (k, i)))
        .collect();
    ranked.sort();
    ranked
        .into_iter()
        .take(MAX_SHOWN)
        .map(|(_, i)| replies[i].clone())
        .collect()
}

/// The text that replaces the draft: the body with `{visitor}` and `{agent}` filled in.
pub fn expanded(reply: &CannedReply, visitor: &str, agent: &str) -> String {
    expand(&reply.body, visitor, agent)
}

/// What a key does while a list of `len` replies is shown with `selected` highlighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    /// Highlight this one (the arrows wrap around).
    Select(usize),
    /// Insert this one.
    Choose(usize),
    /// Close the list.
    Close,
    /// Not the list's key: let it do what it does (Enter sends, say).
    Pass,
}

/// The key rules: ArrowUp/ArrowDown move, Enter (and Tab, where `tab_chooses`) insert,
/// Escape closes. With nothing in the list every key passes, so Enter still sends.
pub fn on_key(key: &str, shift: bool, tab_chooses: bool, selected: usize, len: usize) -> KeyAction {
    if len == 0 {
        return KeyAction::Pass;
    }
    let at = selected.min(len - 1);
    match key {
        "ArrowDown" => KeyAction::Select((at + 1) % len),
        "ArrowUp" => KeyAction::Select((at + len - 1) % len),
        "Enter" if !shift => KeyAction::Choose(at),
        "Tab" if tab_chooses && !shift => KeyAction::Choose(at),
        "Escape" => KeyAction::Close,
        _ => KeyAction::Pass,
    }
}

/// A one-line preview of a body (the list shows its start).
pub fn preview(text: &str) -> String {
    const MAX: usize = 80;
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > MAX {
        let cut: String = flat.chars().take(MAX - 1).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::canned::CannedKind;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn reply(id: i64, shortcut: Option<&str>, title: &str, body: &str) -> CannedReply {
        CannedReply {
            id,
            shortcut: shortcut.map(str::to_owned),
            title: title.into(),
            body: body.into(),
            kind: CannedKind::Reply,
            shared: true,
            auto: false,
            updated_at: 0,
        }
    }

    #[wasm_bindgen_test]
    fn only_a_slash_and_shortcut_characters_at_the_start_are_a_query() {
        assert_eq!(slash_query("/hel"), Some("hel"));
        assert_eq!(slash_query("/re-fund_2"), Some("re-fund_2"));
        assert_eq!(slash_query("/"), None);
        assert_eq!(slash_query("/hello there"), None);
        assert_eq!(slash_query(" /hel"), None);
        assert_eq!(slash_query("hi /hel"), None);
        assert_eq!(slash_query("/héllo"), None);
        assert_eq!(slash_query(&format!("/{}", "a".repeat(33))), None);
    }

    #[wasm_bindgen_test]
    fn shortcut_prefixes_come_before_titles_and_at_most_six_are_offered() {
        let list = vec![
            reply(1, None, "Say hello politely", "a"),
            reply(2, Some("bye"), "Farewell", "b"),
            reply(3, Some("hello"), "Greeting", "c"),
            reply(4, None, "Othello quote", "d"),
            reply(5, Some("x"), "Refund", "hello in the body"),
        ];
        let ids = |q: &str, body: bool| {
            matches(&list, q, body)
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids("hel", false),
            [3, 1, 4],
            "shortcut, title word, title text"
        );
        assert_eq!(ids("HEL", false), [3, 1, 4], "case does not matter");
        assert_eq!(
            ids("hel", true),
            [3, 1, 4, 5],
            "the search box also looks in bodies"
        );
        assert_eq!(ids("zzz", true), Vec::<i64>::new());
        assert_eq!(
            ids("", true),
            [1, 2, 3, 4, 5],
            "an empty search lists all, in order"
        );
        let many: Vec<_> = (0..10)
            .map(|i| reply(i, Some(&format!("a{i}")), "T", ""))
            .collect();
        assert_eq!(matches(&many, "a", false).len(), MAX_SHOWN);
    }

    #[wasm_bindgen_test]
    fn keys_move_wrap_choose_and_close_and_pass_with_an_empty_list() {
        assert_eq!(on_key("ArrowDown", false, true, 0, 3), KeyAction::Select(1));
        assert_eq!(on_key("ArrowDown", false, true, 2, 3), KeyAction::Select(0));
        assert_eq!(on_key("ArrowUp", false, true, 0, 3), KeyAction::Select(2));
        assert_eq!(on_key("Enter", false, true, 1, 3), KeyAction::Choose(1));
        assert_eq!(
            on_key("Enter", true, true, 1, 3),
            KeyAction::Pass,
            "Shift+Enter: new line"
        );
        assert_eq!(on_key("Tab", false, true, 2, 3), KeyAction::Choose(2));
        assert_eq!(
            on_key("Tab", false, false, 2, 3),
            KeyAction::Pass,
            "search box: Tab moves on"
        );
        assert_eq!(on_key("Escape", false, true, 0, 3), KeyAction::Close);
        assert_eq!(on_key("a", false, true, 0, 3), KeyAction::Pass);
        assert_eq!(
            on_key("Enter", false, true, 0, 0),
            KeyAction::Pass,
            "Enter still sends"
        );
        assert_eq!(
            on_key("Enter", false, true, 9, 3),
            KeyAction::Choose(2),
            "clamped"
        );
    }

    #[wasm_bindgen_test]
    fn the_inserted_text_fills_in_visitor_and_agent() {
        let r = reply(1, Some("hi"), "Hi", "Hi {visitor}, {agent} here.");
        assert_eq!(expanded(&r, "Marta", "Ada"), "Hi Marta, Ada here.");
        assert_eq!(preview("a\n  b"), "a b");
        assert_eq!(preview(&"x".repeat(100)).chars().count(), 80);
    }
}
