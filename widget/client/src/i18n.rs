//! The words the visitor's screens show, in the visitor's language: one JSON catalogue per
//! locale in `widget/locales/<code>.json` (keys to texts, plus `_lang` and `_dir`), looked up by
//! key. English is built in; the widget fetches another locale's file from the chat server
//! (`/widget/locales/<code>.json`) when the loader names the language, and the loader hands the
//! same text to the on-demand panels, so a visitor downloads only their own language. Adding a locale is adding its file (the tests
//! hold every file to English's keys and placeholders).
//!
//! The app's catalogue lives in one signal ([`use_words`]); [`tr`] reads it, tracked. The
//! visitor widget renders its whole view inside one closure that tracks the language, so every
//! text is a plain `tr(key)` (a reactive closure per text cost kilobytes of its budget) and a
//! change of language redraws the widget once. The console sets none and reads English.

use std::cell::RefCell;

use leptos::prelude::*;

/// The built-in catalogue.
pub const ENGLISH: &str = include_str!("../../locales/en.json");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    /// The language's code, for `lang` and for formatting times.
    pub lang: String,
    /// Written right to left (`"_dir": "rtl"`): the widget mirrors its layout.
    pub rtl: bool,
    entries: Vec<(String, String)>,
}

impl Catalogue {
    /// A catalogue file's text; `None` unless it is an object of strings with a `_lang`.
    pub fn parse(text: &str) -> Option<Self> {
        let entries = crate::reader::string_object(text)?;
        let get = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        Some(Catalogue {
            lang: get("_lang")?.clone(),
            rtl: get("_dir").is_some_and(|d| d == "rtl"),
            entries,
        })
    }

    pub fn english() -> Self {
        Self::parse(ENGLISH).unwrap_or(Catalogue {
            lang: "en".into(),
            rtl: false,
            entries: Vec::new(),
        })
    }

    /// Sets `key` to `text` (a site's own greeting).
    pub fn set(&mut self, key: &str, text: String) {
        self.entries.retain(|(k, _)| k != key);
        self.entries.push((key.to_owned(), text));
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

thread_local! {
    /// The app's catalogue, once it set one (the visitor widget does; the console does not).
    /// Reference-counted, not owned by a component, so it outlives whichever one made it.
    static WORDS: RefCell<Option<ArcRwSignal<Catalogue>>> = const { RefCell::new(None) };
    /// English, parsed once: what a key missing from the app's catalogue falls back to.
    static FALLBACK: Catalogue = Catalogue::english();
}

/// The app's catalogue signal, made (English) on first use: set it to change language.
pub fn use_words() -> ArcRwSignal<Catalogue> {
    WORDS.with_borrow_mut(|w| {
        w.get_or_insert_with(|| ArcRwSignal::new(Catalogue::english()))
            .clone()
    })
}

/// The app's language code, when it set a catalogue (untracked).
pub fn lang() -> Option<String> {
    WORDS.with_borrow(|w| w.as_ref().map(|w| w.with_untracked(|c| c.lang.clone())))
}

/// `key`'s text in the app's language (tracked), else English's, else the key itself.
pub fn tr(key: &str) -> String {
    let own = WORDS.with_borrow(|w| {
        w.as_ref()
            .and_then(|w| w.with(|c| c.get(key).map(str::to_owned)))
    });
    own.or_else(|| FALLBACK.with(|c| c.get(key).map(str::to_owned)))
        .unwrap_or_else(|| key.to_owned())
}

/// [`tr`] with `{n}`-style placeholders filled (by hand: `str::replace` with a string pattern
/// brought a substring searcher into the visitor's bundle).
pub fn tr_with(key: &str, fills: &[(&str, &str)]) -> String {
    let text = tr(key);
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let filled = after.find('}').and_then(|close| {
            let name = &after[..close];
            fills
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, value)| (close, *value))
        });
        match filled {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogues() -> Vec<(String, Catalogue, String)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../locales");
        let mut all: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                let name = p.file_stem().unwrap().to_str().unwrap().to_owned();
                let parsed = Catalogue::parse(&text).unwrap_or_else(|| panic!("{name}.json"));
                (name, parsed, text)
            })
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn every_locale_has_exactly_englishs_keys_and_placeholders() {
        let all = catalogues();
        let names: Vec<&str> = all.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["ar", "de", "en", "fr"],
            "the locales the widget offers"
        );
        let english = Catalogue::english();
        let keys = |c: &Catalogue| {
            let mut k: Vec<String> = c.entries.iter().map(|(k, _)| k.clone()).collect();
            k.sort();
            k
        };
        for (name, catalogue, text) in &all {
            assert_eq!(&catalogue.lang, name, "{name}: _lang names the file");
            assert_eq!(
                keys(catalogue),
                keys(&english),
                "{name}: the same keys as en.json"
            );
            for (key, value) in catalogue.entries.iter() {
                assert!(!value.trim().is_empty(), "{name}.{key} is empty");
                assert_eq!(
                    placeholders(value),
                    placeholders(english.get(key).unwrap()),
                    "{name}.{key}: the same placeholders as English"
                );
            }
            // The file is what serde reads too: no duplicate keys, valid JSON.
            let parsed: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(text).unwrap();
            assert_eq!(parsed.len(), catalogue.entries.len(), "{name}: a key twice");
            assert_eq!(
                catalogue.rtl,
                catalogue.get("_dir") == Some("rtl"),
                "{name}: _dir is ltr or rtl"
            );
            assert!(matches!(catalogue.get("_dir"), Some("ltr" | "rtl")));
        }
        assert!(all.iter().any(|(n, c, _)| n == "ar" && c.rtl));
    }

    #[test]
    fn the_app_reads_its_catalogue_and_falls_back_to_english() {
        assert_eq!(tr("start_chat"), "Start chat", "no catalogue set: English");
        let words = use_words();
        let german = catalogues()
            .into_iter()
            .find(|(n, _, _)| n == "de")
            .unwrap()
            .1;
        words.set(german.clone());
        assert_eq!(tr("start_chat"), "Chat starten");
        assert_eq!(
            tr_with("open_chat_unread", &[("n", "3")]),
            "Chat öffnen, 3 ungelesene Nachrichten"
        );
        // a catalogue missing a key (an older file): that key in English
        words.set(Catalogue::parse(r#"{"_lang":"xx","send":"Schick"}"#).unwrap());
        assert_eq!(tr("send"), "Schick");
        assert_eq!(tr("start_chat"), "Start chat");
        assert_eq!(tr("no_such_key"), "no_such_key");
    }
}
