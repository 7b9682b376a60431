//! The chat server's URLs and the `localStorage` keys namespaced by it: one spelling of the
//! server (no trailing slash) so paths and keys are always built the same way.

/// The server URL without a trailing slash.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_become_socket_urls() {
        assert_eq!(ws_url("http://a:8080/"), "ws://a:8080/ws");
        assert_eq!(ws_url("https://chat.example"), "wss://chat.example/ws");
    }

    #[test]
    fn storage_keys_ignore_a_trailing_slash() {
        assert_eq!(
            storage_key("https://chat.example/", "outbox"),
            storage_key(" https://chat.example", "outbox")
        );
        assert_eq!(
            storage_key("https://chat.example", "session"),
            "livechat:https://chat.example:session"
        );
    }
}
