//! Small browser helpers both apps share: the clock, random ids, time formatting, the JSON
//! REST call and where things live in `localStorage`. No UI and no socket here.

use protocol::Millis;
use serde::{Serialize, de::DeserializeOwned};

/// Milliseconds since the epoch, by the browser's clock.
pub fn now_ms() -> Millis {
    js_sys::Date::now() as Millis
}

/// "14:05" in the browser's local time zone. `js_sys::Date` instead of a date crate keeps the
/// bundle small.
pub fn format_time(ms: Millis) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
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

/// A fresh idempotency key for a `send`. Uniqueness per author is all the server needs, so
/// time plus `Math.random` is enough (it is not a credential).
pub fn client_id() -> String {
    let r = || (js_sys::Math::random() * 4_294_967_296.0) as u32;
    format!("c{:x}-{:08x}{:08x}", now_ms(), r(), r())
}

/// The server URL without a trailing slash, so keys and paths are built one way.
pub fn normalize_server(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

/// `http://x` -> `ws://x/ws`, `https://x` -> `wss://x/ws`.
pub fn ws_url(server: &str) -> String {
    let server = normalize_server(server);
    let rest = server
        .strip_prefix("https://")
        .map(|r| format!("wss://{r}"))
        .or_else(|| server.strip_prefix("http://").map(|r| format!("ws://{r}")))
        .unwrap_or(server);
    format!("{rest}/ws")
}

/// A `localStorage` key namespaced by the chat server, so two widgets from different servers on
/// one page never share a session.
pub fn storage_key(server: &str, what: &str) -> String {
    format!("livechat:{}:{what}", normalize_server(server))
}

/// Why a REST call failed, reduced to what the UI branches on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The server answered with an error status. The UI branches on the status alone
    /// (decoding `ErrorBody` here would only add bundle size).
    Server { status: u16 },
    /// No answer at all: offline, CORS, DNS.
    Network,
}

/// `POST` a JSON body and decode a JSON answer; `bearer` adds an `Authorization` header.
///
/// Straight `fetch` through web-sys rather than gloo-net's request builder: the builder's
/// stream and body plumbing cost the visitor bundle several KB it must not spend.
pub async fn post_json<B: Serialize, R: DeserializeOwned>(
    url: &str,
    body: &B,
    bearer: Option<&str>,
) -> Result<R, ApiError> {
    let body = serde_json::to_string(body).map_err(|_| ApiError::Network)?;
    let resp = post(url, Some(&body), bearer).await?;
    if !resp.ok() {
        return Err(ApiError::Server {
            status: resp.status(),
        });
    }
    let text = resp.text().map_err(|_| ApiError::Network)?;
    let text = wasm_bindgen_futures::JsFuture::from(text)
        .await
        .map_err(|_| ApiError::Network)?;
    serde_json::from_str(&text.as_string().unwrap_or_default()).map_err(|_| ApiError::Network)
}

/// `POST` without caring about the answer (logout is best effort).
pub async fn post_empty(url: &str, bearer: &str) {
    let _ = post(url, None, Some(bearer)).await;
}

async fn post(
    url: &str,
    json: Option<&str>,
    bearer: Option<&str>,
) -> Result<web_sys::Response, ApiError> {
    use wasm_bindgen::JsCast;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let headers = web_sys::Headers::new().map_err(|_| ApiError::Network)?;
    if let Some(json) = json {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&wasm_bindgen::JsValue::from_str(json));
    }
    if let Some(token) = bearer {
        let _ = headers.set("Authorization", &format!("Bearer {token}"));
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let resp = wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|_| ApiError::Network)?;
    resp.dyn_into().map_err(|_| ApiError::Network)
}
