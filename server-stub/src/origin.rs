//! Which browser origins may use the visitor API and open a WebSocket.
//!
//! Owns parsing the configured allow-list and the one comparison both the CORS layer and the
//! WebSocket Origin check use. A request's own origin (Origin host:port equal to its Host
//! header) is always allowed: that is the agent console served by this server.

use std::collections::HashSet;

/// The configured allow-list, normalised (`scheme://host[:port]`, lowercase, no default port).
#[derive(Debug, Clone, Default)]
pub struct OriginPolicy {
    allowed: HashSet<String>,
}

impl OriginPolicy {
    pub fn new<S: AsRef<str>>(origins: &[S]) -> Self {
        let allowed = origins
            .iter()
            .filter_map(|o| normalise(o.as_ref()))
            .collect();
        OriginPolicy { allowed }
    }

    /// Is `origin` on the configured allow-list?
    pub fn is_listed(&self, origin: &str) -> bool {
        normalise(origin).is_some_and(|o| self.allowed.contains(&o))
    }

    /// May a browser request from `origin` to a server reached as `host` proceed?
    pub fn allows(&self, origin: &str, host: Option<&str>) -> bool {
        self.is_listed(origin) || host.is_some_and(|h| same_origin(origin, h))
    }
}

/// `scheme://host[:port]` in lowercase without a trailing slash or default port; `None` for
/// anything that is not an http(s) origin (including the opaque `null`).
fn normalise(origin: &str) -> Option<String> {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, authority) = origin.split_once("://")?;
    if authority.is_empty() || authority.contains(['/', '@', '?', '#']) {
        return None;
    }
    let authority = match scheme {
        "http" => authority.strip_suffix(":80").unwrap_or(authority),
        "https" => authority.strip_suffix(":443").unwrap_or(authority),
        _ => return None,
    };
    Some(format!("{scheme}://{authority}"))
}

/// The Origin's host:port equals the Host header (both without the scheme's default port).
fn same_origin(origin: &str, host: &str) -> bool {
    let Some(origin) = normalise(origin) else {
        return false;
    };
    let (scheme, authority) = origin.split_once("://").expect("normalised");
    let host = host.trim().to_ascii_lowercase();
    let host = match scheme {
        "http" => host.strip_suffix(":80").unwrap_or(&host),
        _ => host.strip_suffix(":443").unwrap_or(&host),
    };
    authority == host
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_origins_match_after_normalising() {
        let p = OriginPolicy::new(&["https://Shop.example/", "http://127.0.0.1:8081"]);
        assert!(p.is_listed("https://shop.example"));
        assert!(p.is_listed("https://shop.example:443"));
        assert!(p.is_listed("http://127.0.0.1:8081"));
        assert!(!p.is_listed("http://127.0.0.1:8082"));
        assert!(!p.is_listed("http://shop.example"));
        assert!(!p.is_listed("null"));
    }

    #[test]
    fn own_origin_is_always_allowed() {
        let p = OriginPolicy::new::<&str>(&[]);
        assert!(p.allows("http://127.0.0.1:8080", Some("127.0.0.1:8080")));
        assert!(p.allows("https://chat.example", Some("chat.example")));
        assert!(!p.allows("http://evil.example", Some("127.0.0.1:8080")));
        assert!(!p.allows("http://127.0.0.1:8080", None));
    }
}
