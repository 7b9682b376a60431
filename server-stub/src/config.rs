//! Server configuration: command-line flags, each also readable from a `LIVECHAT_*` variable.
//!
//! Owns parsing and defaults only; nothing here opens files or sockets. Tests build a
//! [`Config`] with [`Config::new`] and adjust the public fields.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// Everything the server needs to start.
#[derive(Debug, Clone, Parser)]
#[command(name = "server-stub", version, about = "Live-chat companion server")]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "LIVECHAT_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory holding the SQLite database `livechat.db` (created when missing).
    #[arg(long, env = "LIVECHAT_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Directory with the built `widget/` and `console/` assets.
    #[arg(long, env = "LIVECHAT_ASSETS_DIR", default_value = "./dist")]
    pub assets_dir: PathBuf,

    /// Comma-separated origins allowed to embed the widget (CORS on /api/visitor/* and the
    /// WebSocket Origin check), e.g. `https://shop.example,http://127.0.0.1:8081`.
    /// The server's own origin is always allowed.
    #[arg(
        long,
        env = "LIVECHAT_ALLOWED_ORIGINS",
        value_delimiter = ',',
        default_value = ""
    )]
    pub allowed_origins: Vec<String>,

    /// Password of the demo agents created on first start; random (and printed) when unset.
    #[arg(long, env = "LIVECHAT_DEMO_PASSWORD", hide_env_values = true)]
    pub demo_password: Option<String>,

    /// Visitor sessions one client IP may create per minute (also the burst).
    #[arg(long, env = "LIVECHAT_SESSIONS_PER_MINUTE", default_value_t = 10)]
    pub sessions_per_minute: u32,

    /// Agent login attempts one client IP may make per minute (also the burst).
    #[arg(long, env = "LIVECHAT_LOGINS_PER_MINUTE", default_value_t = 10)]
    pub logins_per_minute: u32,

    /// Messages one identity (visitor or agent, all sockets together) may send per second.
    #[arg(long, env = "LIVECHAT_SENDS_PER_SECOND", default_value_t = 5)]
    pub sends_per_second: u32,

    /// Burst of messages one identity may send before `sends_per_second` applies.
    #[arg(long, env = "LIVECHAT_SEND_BURST", default_value_t = 20)]
    pub send_burst: u32,
}

impl Config {
    /// Defaults for everything but the two directories; for tests and embedding.
    pub fn new(data_dir: impl Into<PathBuf>, assets_dir: impl Into<PathBuf>) -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            assets_dir: assets_dir.into(),
            allowed_origins: Vec::new(),
            demo_password: None,
            sessions_per_minute: 10,
            logins_per_minute: 10,
            sends_per_second: 5,
            send_burst: 20,
        }
    }

    /// The SQLite file inside `data_dir`.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("livechat.db")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_with_defaults_and_lists() {
        let c = Config::try_parse_from([
            "server-stub",
            "--allowed-origins",
            "http://a.test,https://b.test:8443",
            "--listen",
            "127.0.0.1:0",
        ])
        .unwrap();
        assert_eq!(c.allowed_origins, ["http://a.test", "https://b.test:8443"]);
        assert_eq!(c.listen.port(), 0);
        assert_eq!(c.data_dir, PathBuf::from("./data"));
    }
}
