//! The browser's clock and how times are shown. `js_sys::Date` rather than a date crate: the
//! visitor bundle cannot afford one.

use protocol::Millis;

/// Milliseconds since the epoch, by the browser's clock.
pub fn now_ms() -> Millis {
    js_sys::Date::now() as Millis
}

/// "14:05" in the browser's local time zone; in the app's language when it set one (the
/// visitor widget: "2:05 PM" in English, "١٤:٠٥" in Arabic).
pub fn format_time(ms: Millis) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    match crate::i18n::lang() {
        Some(lang) => {
            let opts = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&opts, &"hour".into(), &"numeric".into());
            let _ = js_sys::Reflect::set(&opts, &"minute".into(), &"2-digit".into());
            String::from(d.to_locale_time_string_with_options(&lang, &opts))
        }
        None => format!("{:02}:{:02}", d.get_hours(), d.get_minutes()),
    }
}

/// "just now", "3 min", "1 h 5 min": how long someone has been waiting.
pub fn format_wait(since: Millis, now: Millis) -> String {
    let mins = (now - since).max(0) / 60_000;
    match mins {
        0 => "just now".into(),
        1..=59 => format!("{mins} min"),
        _ => format!("{} h {} min", mins / 60, mins % 60),
    }
}

/// `ms` in the reader's time zone and language (the app's, when it set one; else the
/// browser's), with `Intl.DateTimeFormat` options such as
/// `[("weekday", "long"), ("hour", "2-digit")]` ("Monday, 09:00").
pub fn local_time(ms: Millis, options: &[(&str, &str)]) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let opts = js_sys::Object::new();
    for (key, value) in options {
        let _ = js_sys::Reflect::set(&opts, &(*key).into(), &(*value).into());
    }
    let lang = crate::i18n::lang();
    String::from(date.to_locale_string(lang.as_deref().unwrap_or("default"), &opts))
}

#[cfg(test)]
mod tests {
    use super::format_wait;

    #[test]
    fn waiting_times_read_naturally() {
        assert_eq!(format_wait(0, 59_999), "just now");
        assert_eq!(format_wait(0, 3 * 60_000 + 5), "3 min");
        assert_eq!(format_wait(0, 65 * 60_000), "1 h 5 min");
        assert_eq!(
            format_wait(10, 0),
            "just now",
            "a clock behind the server's"
        );
    }
}
