//! Server configuration: command-line flags, each also readable from a `LIVECHAT_*` variable.
//!
//! Owns parsing, defaults, [`Config::validate`] and the socket timings derived from it
//! ([`KeepAlive`]); nothing here opens files or sockets. Tests build a [`Config`] with
//! [`Config::new`] and adjust the public fields.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// Everything the server needs to start.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "livechat-server",
    version,
    about = "Live-chat companion server"
)]
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

    /// Agent login attempts per account (normalised e-mail, known or not) per minute, from all
    /// addresses together (also the burst).
    #[arg(
        long,
        env = "LIVECHAT_LOGINS_PER_ACCOUNT_PER_MINUTE",
        default_value_t = 10
    )]
    pub logins_per_account_per_minute: u32,

    /// Password hashes (argon2id, ~19 MiB each) that may run at once, each on its own thread.
    /// Default: half the CPU cores, at least 1.
    #[arg(long, env = "LIVECHAT_HASH_THREADS", default_value_t = default_hash_threads())]
    pub hash_threads: usize,

    /// Milliseconds a login waits for a free hashing thread before it is refused (503 with
    /// Retry-After).
    #[arg(long, env = "LIVECHAT_HASH_WAIT_MS", default_value_t = 1_000)]
    pub hash_wait_ms: u64,

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

    /// WebSockets that may wait for their `hello` at once (unauthenticated, each holding a
    /// task and its buffers for up to --hello-timeout-ms); upgrades beyond it get 503 with
    /// Retry-After.
    #[arg(long, env = "LIVECHAT_MAX_PENDING_SOCKETS", default_value_t = 1_024,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_pending_sockets: u64,

    /// Seconds a visitor's session lives without use (sliding: every use, and every minute a
    /// socket stays open with it, starts the time again). Default 30 days.
    #[arg(long, env = "LIVECHAT_VISITOR_SESSION_SECS", default_value_t = 30 * 24 * 3600,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub visitor_session_secs: u64,

    /// Seconds an agent's session lives without use (sliding, like visitors'). Default 12
    /// hours: a console left open stays signed in; a laptop closed overnight does not.
    #[arg(long, env = "LIVECHAT_AGENT_SESSION_SECS", default_value_t = 12 * 3600,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub agent_session_secs: u64,

    /// The secret portal backends sign their contacts' identities with (HS256, at least 32
    /// bytes). Unset: signed identity is off and every widget user is an anonymous visitor.
    #[arg(long, env = "LIVECHAT_IDENTITY_SECRET", hide_env_values = true)]
    pub identity_secret: Option<String>,

    /// Milliseconds before the first retry of a failed webhook delivery; each further retry
    /// waits twice as long (at most an hour), 10 attempts in all.
    #[arg(long, env = "LIVECHAT_WEBHOOK_RETRY_MS", default_value_t = 1_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_retry_ms: u64,

    /// A key (at least 32 bytes) a helpdesk's sync job presents as `Authorization: Bearer
    /// <key>` to the admin API; admin agents use their own sessions. Unset: no key works.
    #[arg(long, env = "LIVECHAT_ADMIN_API_KEY", hide_env_values = true)]
    pub admin_api_key: Option<String>,
}

/// Handshake and keep-alive timings, from `--hello-timeout-ms`, `--ping-interval-ms` and
/// `--idle-timeout-ms`.
#[derive(Debug, Clone, Copy)]
pub struct KeepAlive {
    /// The first frame must arrive within this.
    pub hello_timeout: Duration,
    /// The writer pings this often, so a live client always has something to answer.
    pub ping_interval: Duration,
    /// Nothing received (not even a pong) for this long: the client is gone. Longer than
    /// `ping_interval` ([`Config::validate`]), so a live client always gets to answer a ping.
    pub idle_timeout: Duration,
}

impl KeepAlive {
    pub fn from_config(config: &Config) -> Self {
        KeepAlive {
            hello_timeout: Duration::from_millis(config.hello_timeout_ms),
            ping_interval: Duration::from_millis(config.ping_interval_ms),
            idle_timeout: Duration::from_millis(config.idle_timeout_ms),
        }
    }
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
    /// A short secret can be guessed offline from one signed statement or one request.
    #[error("--{flag} must be at least 32 bytes")]
    ShortSecret { flag: &'static str },
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
            logins_per_account_per_minute: 10,
            hash_threads: default_hash_threads(),
            hash_wait_ms: 1_000,
            sends_per_second: 5,
            send_burst: 20,
            hello_timeout_ms: 10_000,
            ping_interval_ms: 15_000,
            idle_timeout_ms: 45_000,
            max_pending_sockets: 1_024,
            visitor_session_secs: 30 * 24 * 3600,
            agent_session_secs: 12 * 3600,
            identity_secret: None,
            webhook_retry_ms: 1_000,
            admin_api_key: None,
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
            ("hash-threads", self.hash_threads as u64),
            ("max-pending-sockets", self.max_pending_sockets),
            ("visitor-session-secs", self.visitor_session_secs),
            ("agent-session-secs", self.agent_session_secs),
        ] {
            if value == 0 {
                return Err(ConfigError::Zero { flag });
            }
        }
        for (flag, secret) in [
            ("identity-secret", &self.identity_secret),
            ("admin-api-key", &self.admin_api_key),
        ] {
            if secret.as_ref().is_some_and(|s| s.len() < 32) {
                return Err(ConfigError::ShortSecret { flag });
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

    /// How long sessions live without use, per role.
    pub fn lifetimes(&self) -> crate::sessions::Lifetimes {
        crate::sessions::Lifetimes {
            visitor: Duration::from_secs(self.visitor_session_secs),
            agent: Duration::from_secs(self.agent_session_secs),
        }
    }

    /// How long a login waits for a hashing thread.
    pub fn hash_wait(&self) -> Duration {
        Duration::from_millis(self.hash_wait_ms)
    }

    /// The SQLite file inside `data_dir`.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("livechat.db")
    }
}

/// Half the CPU cores, at least one: a login storm can then take at most half the machine
/// from the chat itself, and a helpdesk's real logins (a few a minute) never queue for long.
pub fn default_hash_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores / 2).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_with_defaults_and_lists() {
        let c = Config::try_parse_from([
            "livechat-server",
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
        assert_eq!(c.hash_threads, default_hash_threads());
        assert!(c.hash_threads >= 1);
        assert_eq!(c.validate(), Ok(()));
        let c = Config::try_parse_from(["livechat-server", "--hash-threads", "0"]).unwrap();
        assert_eq!(
            c.validate(),
            Err(ConfigError::Zero {
                flag: "hash-threads"
            })
        );
    }

    #[test]
    fn new_keeps_the_command_line_defaults() {
        let parsed = Config::try_parse_from(["livechat-server"]).unwrap();
        let built = Config::new("./data", "./dist");
        assert_eq!(
            (
                built.hello_timeout_ms,
                built.ping_interval_ms,
                built.idle_timeout_ms,
                built.hash_threads,
                built.hash_wait_ms,
                built.logins_per_account_per_minute,
                built.max_pending_sockets,
                built.lifetimes(),
            ),
            (
                parsed.hello_timeout_ms,
                parsed.ping_interval_ms,
                parsed.idle_timeout_ms,
                parsed.hash_threads,
                parsed.hash_wait_ms,
                parsed.logins_per_account_per_minute,
                parsed.max_pending_sockets,
                parsed.lifetimes(),
            )
        );
    }

    #[test]
    fn secrets_must_be_long_enough() {
        let mut c = Config::new("./data", "./dist");
        c.identity_secret = Some("short".into());
        assert_eq!(
            c.validate(),
            Err(ConfigError::ShortSecret {
                flag: "identity-secret"
            })
        );
        c.identity_secret = Some("x".repeat(32));
        c.admin_api_key = Some("y".repeat(31));
        assert_eq!(
            c.validate(),
            Err(ConfigError::ShortSecret {
                flag: "admin-api-key"
            })
        );
        c.admin_api_key = Some("y".repeat(32));
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn keep_alive_timings_are_validated() {
        let c = Config::try_parse_from([
            "livechat-server",
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
            "livechat-server",
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
        assert!(Config::try_parse_from(["livechat-server", "--ping-interval-ms", "0"]).is_err());
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
