//! Server configuration: command-line flags, each also readable from a `LIVECHAT_*` variable.
//!
//! Owns parsing, defaults and [`Config::validate`]; nothing here opens files or sockets. Tests
//! build a [`Config`] with [`Config::new`] and adjust the public fields.

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

    /// Milliseconds a new WebSocket has to send `hello` before it is closed (1008).
    #[arg(long, env = "LIVECHAT_HELLO_TIMEOUT_MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub hello_timeout_ms: u64,

    /// Milliseconds between the server's pings on each WebSocket.
    #[arg(long, env = "LIVECHAT_PING_INTERVAL_MS", default_value_t = 15_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub ping_interval_ms: u64,

    /// Milliseconds without any frame from a client (not even a pong) before its WebSocket is
    /// closed (1001) and, for an agent, it stops counting as online. Must exceed the ping
    /// interval.
    #[arg(long, env = "LIVECHAT_IDLE_TIMEOUT_MS", default_value_t = 45_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout_ms: u64,
}

/// A combination of settings the server refuses to start with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("--{flag} must be at least 1")]
    Zero { flag: &'static str },
    /// A live client only speaks when pinged, so an idle timeout at or below the ping interval
    /// would cut healthy connections.
    #[error(
        "--idle-timeout-ms ({idle_ms}) must be greater than --ping-interval-ms ({ping_ms}), \
         or healthy clients would be cut between two pings"
    )]
    IdleNotAbovePing { idle_ms: u64, ping_ms: u64 },
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
            hello_timeout_ms: 10_000,
            ping_interval_ms: 15_000,
            idle_timeout_ms: 45_000,
        }
    }

    /// Check what clap cannot check flag by flag. [`crate::Server::new`] calls this, so an
    /// embedder's hand-built config is held to the same rules as the command line.
    pub fn validate(&self) -> Result<(), ConfigError> {
        // Zero would also make tokio's interval panic; clap already refuses it on the command line.
        for (flag, value) in [
            ("hello-timeout-ms", self.hello_timeout_ms),
            ("ping-interval-ms", self.ping_interval_ms),
            ("idle-timeout-ms", self.idle_timeout_ms),
        ] {
            if value == 0 {
                return Err(ConfigError::Zero { flag });
            }
        }
        if self.idle_timeout_ms <= self.ping_interval_ms {
            return Err(ConfigError::IdleNotAbovePing {
                idle_ms: self.idle_timeout_ms,
                ping_ms: self.ping_interval_ms,
            });
        }
        Ok(())
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
        assert_eq!(c.hello_timeout_ms, 10_000);
        assert_eq!(c.ping_interval_ms, 15_000);
        assert_eq!(c.idle_timeout_ms, 45_000);
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn new_keeps_the_command_line_defaults() {
        let parsed = Config::try_parse_from(["server-stub"]).unwrap();
        let built = Config::new("./data", "./dist");
        assert_eq!(
            (
                built.hello_timeout_ms,
                built.ping_interval_ms,
                built.idle_timeout_ms
            ),
            (
                parsed.hello_timeout_ms,
                parsed.ping_interval_ms,
                parsed.idle_timeout_ms
            )
        );
    }

    #[test]
    fn keep_alive_timings_are_validated() {
        let c = Config::try_parse_from([
            "server-stub",
            "--ping-interval-ms",
            "200",
            "--idle-timeout-ms",
            "600",
            "--hello-timeout-ms",
            "300",
        ])
        .unwrap();
        assert_eq!(c.validate(), Ok(()));
        let c = Config::try_parse_from([
            "server-stub",
            "--ping-interval-ms",
            "600",
            "--idle-timeout-ms",
            "600",
        ])
        .unwrap();
        let err = c.validate().unwrap_err();
        assert_eq!(
            err,
            ConfigError::IdleNotAbovePing {
                idle_ms: 600,
                ping_ms: 600
            }
        );
        assert!(err.to_string().contains("--idle-timeout-ms (600)"), "{err}");
        assert!(Config::try_parse_from(["server-stub", "--ping-interval-ms", "0"]).is_err());
        let mut c = Config::new("./data", "./dist");
        c.hello_timeout_ms = 0;
        assert_eq!(
            c.validate(),
            Err(ConfigError::Zero {
                flag: "hello-timeout-ms"
            })
        );
    }
}
