//! The History panel's state and actions: searching past chats (`GET /api/agent/history`, a
//! page at a time, "More results" appending the next) with filters (visitor, contact, company,
//! agent, a range of local dates; the choices from `GET /api/agent/directory`, fetched when
//! the panel first opens) and reading one (`GET /api/agent/history/{id}`), read-only. The pure
//! parts: the form as typed into a query ([`Filters`], local dates into ms), the query string
//! (percent-encoded), the snippet's `[match]` marks split into text runs, and the date a hit
//! shows. Rendered by `ui/history.rs`.

use leptos::prelude::*;
use protocol::search::{ArchivedChat, Directory, HistoryHit, HistoryQuery, HistoryResults};
use protocol::{AgentId, ConversationId, Millis};

use crate::Ctl;
use livechat_client::rest;

#[derive(Clone, Copy)]
pub struct History {
    /// The panel is showing (instead of the conversation).
    pub open: RwSignal<bool>,
    /// The search form as typed (kept while the panel is closed).
    pub filters: RwSignal<Filters>,
    /// What the last search asked (the next page asks the same).
    pub query: RwSignal<HistoryQuery>,
    /// The agents and companies to filter by; `None` until fetched.
    pub directory: RwSignal<Option<Directory>>,
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
            filters: RwSignal::new(Filters::default()),
            query: RwSignal::new(HistoryQuery::default()),
            directory: RwSignal::new(None),
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
        if self.history.open.get_untracked()
            && self.history.directory.with_untracked(Option::is_none)
        {
            leptos::task::spawn_local(self.load_directory());
        }
    }

    /// The filters' choices. Without them the agent and company lists offer only "Any".
    pub(crate) async fn load_directory(self) {
        let Some(token) = self.token() else { return };
        if let Ok(dir) =
            rest::get_json::<Directory>(&self.url("/api/agent/directory"), &token).await
        {
            self.history.directory.set(Some(dir));
        }
    }

    /// Search: page 0 of what the form holds.
    pub async fn search_history(self) {
        match self.history.filters.with_untracked(Filters::query) {
            Ok(query) => {
                self.history.chat.set(None);
                self.fetch_history(query).await;
            }
            Err(why) => self.history.error.set(Some(why.into())),
        }
    }

    /// "Clear filters": every filter back to "any" (the search text stays), and the search
    /// again when there are results to replace.
    pub async fn clear_history_filters(self) {
        self.history.filters.update(|f| *f = f.cleared());
        self.history.error.set(None);
        if self.history.hits.with_untracked(Option::is_some) {
            self.search_history().await;
        }
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

/// The search form as typed: empty means "any". Dates are a date input's `YYYY-MM-DD`, in the
/// agent's own time zone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub text: String,
    pub visitor: String,
    /// A portal contact's id.
    pub contact: String,
    /// A company's id (from the directory).
    pub company: String,
    /// An agent's id, as the select's value.
    pub agent: String,
    /// The first day.
    pub from: String,
    /// The last day, included.
    pub to: String,
}

impl Filters {
    /// The query for page 0, or what to fix first.
    pub fn query(&self) -> Result<HistoryQuery, &'static str> {
        let some = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_string())
        };
        let day = |s: &str, next: bool| match s.trim() {
            "" => Ok(None),
            d => local_midnight(d, next)
                .map(Some)
                .ok_or("Enter dates as year-month-day."),
        };
        let from = day(&self.from, false)?;
        // The end day is included: the search stops at the midnight after it.
        let to = day(&self.to, true)?;
        if let (Some(from), Some(to)) = (from, to)
            && from >= to
        {
            return Err("The start date is after the end date.");
        }
        let agent = match self.agent.trim() {
            "" => None,
            a => Some(AgentId(
                a.parse().map_err(|_| "Choose an agent from the list.")?,
            )),
        };
        Ok(HistoryQuery {
            q: some(&self.text),
            visitor: some(&self.visitor),
            contact: some(&self.contact),
            company: some(&self.company),
            agent,
            from,
            to,
            page: 0,
        })
    }

    /// Every filter back to "any"; the search text stays.
    pub fn cleared(&self) -> Filters {
        Filters {
            text: self.text.clone(),
            ..Filters::default()
        }
    }

    /// Some filter is set ("Clear filters" has something to do).
    pub fn any(&self) -> bool {
        *self != self.cleared()
    }
}

/// Local midnight at the start of `date` (`YYYY-MM-DD`), or of the day after it with `next`,
/// in ms: the agent's day, not UTC's (`new Date("2025-03-30")` would be UTC midnight), and a
/// day is not always 24 hours (daylight saving), so the next day is the calendar's.
pub fn local_midnight(date: &str, next: bool) -> Option<Millis> {
    let mut parts = date.splitn(3, '-');
    let mut num = |len: std::ops::RangeInclusive<usize>| {
        parts
            .next()
            .filter(|p| len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let (year, month, day) = (num(4..=6)?, num(2..=2)?, num(2..=2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let d = js_sys::Date::new_with_year_month_day(2000, 0, 1);
    // Through setFullYear: the constructor reads years 0..=99 as 1900..=1999.
    d.set_full_year_with_month_date(year, month as i32 - 1, (day + u32::from(next)) as i32);
    // Not a day of that month (31 April) rolls over: refuse it instead.
    let back = js_sys::Date::new(&d.get_time().into());
    if next {
        back.set_date(back.get_date() - 1);
    }
    if back.get_month() + 1 != month || back.get_date() != day {
        return None;
    }
    let ms = d.get_time();
    ms.is_finite().then_some(ms as Millis)
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

/// `q=…&visitor=…&contact=…&company=…&agent=…&from=…&to=…&page=…`: only what is set, and
/// always the page.
pub fn query_string(q: &HistoryQuery) -> String {
    let mut parts = Vec::new();
    for (name, text) in [
        ("q", &q.q),
        ("visitor", &q.visitor),
        ("contact", &q.contact),
        ("company", &q.company),
    ] {
        if let Some(text) = text {
            parts.push(format!("{name}={}", encode(text)));
        }
    }
    if let Some(agent) = q.agent {
        parts.push(format!("agent={}", agent.0));
    }
    for (name, ms) in [("from", q.from), ("to", q.to)] {
        if let Some(ms) = ms {
            parts.push(format!("{name}={ms}"));
        }
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
    fn every_filter_goes_into_the_query_string() {
        let q = HistoryQuery {
            q: Some("late".into()),
            visitor: None,
            contact: Some("c 1".into()),
            company: Some("acme&co".into()),
            agent: Some(AgentId(7)),
            from: Some(1_700_000_000_000),
            to: Some(1_700_086_400_000),
            page: 0,
        };
        assert_eq!(
            query_string(&q),
            "q=late&contact=c%201&company=acme%26co&agent=7&from=1700000000000\
             &to=1700086400000&page=0"
        );
    }

    /// `new Date(y, m, d)`: local midnight, as the browser's own calendar has it.
    fn midnight(y: u32, m: i32, d: i32) -> Millis {
        js_sys::Date::new_with_year_month_day(y, m, d).get_time() as Millis
    }

    #[wasm_bindgen_test]
    fn dates_are_the_agents_local_days_and_the_last_day_is_included() {
        assert_eq!(
            local_midnight("2025-03-01", false),
            Some(midnight(2025, 2, 1))
        );
        assert_eq!(
            local_midnight("2025-03-31", true),
            Some(midnight(2025, 3, 1))
        );
        assert_eq!(
            local_midnight("2024-12-31", true),
            Some(midnight(2025, 0, 1))
        );
        assert_eq!(
            local_midnight("2024-02-29", true),
            Some(midnight(2024, 2, 1))
        );
        assert_eq!(
            local_midnight("0050-01-01", false)
                .map(|ms| { js_sys::Date::new(&(ms as f64).into()).get_full_year() }),
            Some(50),
            "not 1950"
        );
        for bad in [
            "2025-02-30",
            "2025-04-31",
            "2025-13-01",
            "2025-1-01",
            "25-01-01",
            "x",
            "",
        ] {
            assert_eq!(local_midnight(bad, false), None, "{bad}");
            assert_eq!(local_midnight(bad, true), None, "{bad}");
        }
        let f = Filters {
            text: "  refund ".into(),
            visitor: " ".into(),
            contact: "c-9".into(),
            company: "globex".into(),
            agent: "2".into(),
            from: "2025-03-01".into(),
            to: "2025-03-01".into(),
        };
        assert_eq!(
            f.query(),
            Ok(HistoryQuery {
                q: Some("refund".into()),
                visitor: None,
                contact: Some("c-9".into()),
                company: Some("globex".into()),
                agent: Some(AgentId(2)),
                from: Some(midnight(2025, 2, 1)),
                to: Some(midnight(2025, 2, 2)),
                page: 0,
            }),
            "one day: from its midnight to the next"
        );
        let backwards = Filters {
            from: "2025-03-02".into(),
            to: "2025-03-01".into(),
            ..Filters::default()
        };
        assert_eq!(
            backwards.query(),
            Err("The start date is after the end date.")
        );
        let cleared = f.cleared();
        assert_eq!((cleared.text.as_str(), cleared.any()), ("  refund ", false));
        assert!(f.any());
        assert_eq!(Filters::default().query(), Ok(HistoryQuery::default()));
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
