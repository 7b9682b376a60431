//! Agent sign-in under attack: how many argon2 hashes run at once, what callers beyond that
//! bound get, and the per-account limit that holds whatever address the guesses come from.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use protocol::{ErrorBody, ErrorCode, LoginRequest};

use crate::support::*;

#[tokio::test]
async fn concurrent_bad_logins_never_run_more_than_k_hashes_at_once() {
    const K: usize = 2;
    const N: usize = 24;
    let srv = TestServer::start_with(|c| {
        c.hash_threads = K;
        // Nobody is turned away here (this test is about the bound, not the refusal): a wait
        // far longer than N hashes take on any machine.
        c.hash_wait_ms = 60_000;
        c.logins_per_minute = 1_000;
        c.logins_per_account_per_minute = 1_000;
    })
    .await;
    let server = &srv;
    let answers = join_all((0..N).map(|i| {
        let email = if i % 2 == 0 {
            "ada@example.com".to_owned()
        } else {
            format!("nobody{i}@example.com")
        };
        async move { server.login(&email, "wrong").await.status() }
    }))
    .await;
    assert!(answers.iter().all(|s| *s == 401), "{answers:?}");
    let peak = srv.passwords.peak();
    assert!(
        (1..=K).contains(&peak),
        "{N} concurrent logins ran {peak} argon2 hashes at once; the bound is {K}"
    );
    assert_eq!(srv.passwords.running(), 0);
    srv.stop().await;
}

#[tokio::test]
async fn logins_beyond_the_hashing_bound_get_503_with_retry_after() {
    let srv = TestServer::start_with(|c| {
        c.hash_threads = 1;
        c.hash_wait_ms = 200;
        c.logins_per_minute = 1_000;
        c.logins_per_account_per_minute = 1_000;
    })
    .await;
    // Every hashing slot taken (as by a storm of slow hashes), for as long as the test likes:
    // the waits below end by the server's bound, not by this machine's speed.
    let held = srv.passwords.hold_all().await;
    // The right password: a 200 would mean it was hashed despite the bound.
    let answers = join_all((0..5).map(|_| srv.login("ada@example.com", PASSWORD))).await;
    for r in answers {
        assert_eq!(r.status(), 503);
        assert!(retry_after(&r) >= 1);
        let body: ErrorBody = r.json().await.unwrap();
        assert_eq!(body.code, ErrorCode::RateLimited);
    }
    drop(held);
    let r = srv.login("ada@example.com", PASSWORD).await;
    assert_eq!(r.status(), 200, "a free slot serves the next login");
    srv.stop().await;
}

#[tokio::test]
async fn scenario_7_logins_are_limited_per_account_whatever_the_address() {
    // Two attempts per account per minute (refill 30 s away, see scenario_7_bad_logins_…);
    // every attempt below comes from its own loopback address, so the per-address limit (100)
    // never applies.
    const PER_ACCOUNT: u32 = 2;
    let refill = Duration::from_secs(60 / u64::from(PER_ACCOUNT));
    let srv = TestServer::start_with(|c| {
        c.logins_per_minute = 100;
        c.logins_per_account_per_minute = PER_ACCOUNT;
    })
    .await;
    let started = Instant::now();
    let mut next_address = 1u8;
    let mut login = async |email: &str, password: &str| {
        next_address += 1;
        let from = IpAddr::V4(Ipv4Addr::new(127, 0, 0, next_address));
        let http = reqwest::Client::builder()
            .local_address(from)
            .build()
            .unwrap();
        let body = LoginRequest {
            email: email.into(),
            password: password.into(),
        };
        let send = http.post(srv.url("/api/agent/login")).json(&body).send();
        bounded("a login", send).await.unwrap()
    };
    for _ in 0..PER_ACCOUNT {
        assert_eq!(login("ada@example.com", "wrong").await.status(), 401);
    }
    // The account is spelled differently but normalises to the same one; even the right
    // password waits.
    let r = login("  ADA@example.com ", PASSWORD).await;
    assert_eq!(r.status(), 429);
    let wait = retry_after(&r);
    assert!((1..=60).contains(&wait), "Retry-After: {wait}");
    assert_eq!(
        r.json::<ErrorBody>().await.unwrap().code,
        ErrorCode::RateLimited
    );
    // Other accounts are not held up by it...
    assert_eq!(login("grace@example.com", "wrong").await.status(), 401);
    // ...and an e-mail nobody has is limited alike, so a 429 does not tell which ones exist.
    for _ in 0..PER_ACCOUNT {
        assert_eq!(login("nobody@example.com", "wrong").await.status(), 401);
    }
    assert_eq!(login("nobody@example.com", "wrong").await.status(), 429);
    let took = started.elapsed();
    assert!(
        took < refill,
        "the attempts took {took:?}, longer than the limiter's refill ({refill:?}): \
         the outcome above may have been decided by this machine's speed"
    );
    srv.stop().await;
}
