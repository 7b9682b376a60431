//! Rate limits on the REST calls that mint credentials: visitor sign-up per client IP, agent
//! login per client IP *and* per account, password changes per agent, and [`ClientIp`], the extractor that names the client.
//!
//! The per-identity send limit is the hub's; how many password hashes run at once is
//! `passwords.rs`. A refusal carries the limiter's own wait, which REST answers as
//! `Retry-After`.

use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use governor::clock::Clock as _;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use protocol::Principal;

/// A refused attempt: the earliest the same caller may succeed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

/// Limits on the calls that mint credentials or check passwords.
pub struct SignInLimits {
    sessions: DefaultKeyedRateLimiter<IpAddr>,
    logins: DefaultKeyedRateLimiter<IpAddr>,
    /// Keyed by the normalised e-mail, known or not: an attacker spreading guesses at one
    /// account over many addresses is held here; and since unknown e-mails are limited alike,
    /// a 429 does not tell which accounts exist. The price: anyone can make an agent wait a
    /// minute by failing at their e-mail (bounded by the quota, never a lockout).
    accounts: DefaultKeyedRateLimiter<String>,
    /// Password changes per agent, with the per-account login quota: each attempt verifies a
    /// password, so it is a guess at it like a login is.
    password_changes: DefaultKeyedRateLimiter<Principal>,
}

impl SignInLimits {
    pub fn new(
        sessions_per_minute: u32,
        logins_per_minute: u32,
        logins_per_account_per_minute: u32,
    ) -> Self {
        let per_minute = |n: u32| {
            let n = NonZeroU32::new(n.max(1)).expect("max(1) is non-zero");
            Quota::per_minute(n).allow_burst(n)
        };
        SignInLimits {
            sessions: RateLimiter::keyed(per_minute(sessions_per_minute)),
            logins: RateLimiter::keyed(per_minute(logins_per_minute)),
            accounts: RateLimiter::keyed(per_minute(logins_per_account_per_minute)),
            password_changes: RateLimiter::keyed(per_minute(logins_per_account_per_minute)),
        }
    }

    /// May `ip` create another visitor session now? Counts the attempt.
    pub fn session(&self, ip: IpAddr) -> Result<(), Limited> {
        check(&self.sessions, &ip)
    }

    /// May `ip` attempt another agent login now? Counts the attempt.
    pub fn login_from(&self, ip: IpAddr) -> Result<(), Limited> {
        check(&self.logins, &ip)
    }

    /// May anyone attempt another login as `account` (a normalised e-mail) now? Counts it.
    pub fn login_as(&self, account: &str) -> Result<(), Limited> {
        check(&self.accounts, &account.to_owned())
    }

    /// May `agent` attempt another password change now? Counts it.
    pub fn password_change(&self, agent: Principal) -> Result<(), Limited> {
        check(&self.password_changes, &agent)
    }

    /// Forget keys whose quota has refilled, so the maps do not grow without bound: a key
    /// lives at most about a minute after its last attempt.
    pub fn retain_recent(&self) {
        self.sessions.retain_recent();
        self.logins.retain_recent();
        self.accounts.retain_recent();
        self.password_changes.retain_recent();
    }
}

/// Count an attempt by `key`; when refused, how long until it would pass (by the limiter's clock).
fn check<K: Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), Limited> {
    limiter.check_key(key).map_err(|not_until| Limited {
        retry_after: not_until.wait_time_from(limiter.clock().now()),
    })
}

/// The peer address of the TCP connection. Behind a reverse proxy this is the proxy; limits
/// then apply to it as a whole (we do not trust `X-Forwarded-For` from arbitrary clients).
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(ClientIp(ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_how_long_to_wait() {
        let limits = SignInLimits::new(1, 2, 1);
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        assert_eq!(limits.session(ip), Ok(()));
        let wait = limits.session(ip).unwrap_err().retry_after;
        // One a minute: the next one is (nearly) a minute away.
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
        assert_eq!(limits.login_as("ada@example.com"), Ok(()));
        assert!(limits.login_as("ada@example.com").is_err());
        assert_eq!(limits.login_as("grace@example.com"), Ok(()));
        assert_eq!(limits.login_from(ip), Ok(()));
    }
}
