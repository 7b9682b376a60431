//! The "200 concurrent wrong logins" scenario (`cargo bench -p livechat-server --bench chat --
//! logins` runs it alone): what a login storm costs the server in memory, and what it costs a
//! bystander visitor in latency.
//!
//! The real server runs in this process (as in the message bench), so the process's own
//! `/proc/self/status` is the server's memory (plus this small client). Per-address and
//! per-account login limits are raised so every attempt reaches the password hashing: the
//! worst case, a storm from many addresses at many accounts; what bounds it then is the hashing
//! pool (`--hash-threads`, `--hash-wait-ms`), at their defaults here.
//!
//! Measured: peak RSS during the storm (`VmHWM`, reset just before it through
//! `/proc/self/clear_refs`), RSS after it, and a bystander visitor's `send` → `ack` latency in a
//! closed loop, without the storm and while it lasts. Printed, never asserted.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use futures_util::future::join_all;
use livechat_server::Config;
use livechat_testkit::{Client, Rest, STEP, bounded};
use protocol::{ConversationId, ServerMsg};
use tokio::net::TcpListener;

use super::{ms, percentile};

const ATTEMPTS: usize = 200;
/// The bystander's quiet measurement: this many sends or this long, whichever comes first.
const QUIET_SENDS: usize = 1_000;
const QUIET_CAP: Duration = Duration::from_secs(3);
/// After the storm: how long to wait before reading RSS again (does the memory come back?).
const SETTLE: Duration = Duration::from_secs(2);
const PASSWORD: &str = "bench-password";

pub struct Storm {
    threads: usize,
    wait_ms: u64,
    /// Answers by status code.
    answers: BTreeMap<u16, usize>,
    took: Duration,
    /// The most hashes the server ran at once.
    peak_hashes: usize,
    rss_before: Option<u64>,
    peak_rss: Option<u64>,
    rss_after: Option<u64>,
    rss_settled: Option<u64>,
    /// Bystander send → ack, nanoseconds, sorted.
    quiet: Vec<u64>,
    stormy: Vec<u64>,
}

/// Run the scenario on a fresh server.
pub async fn run() -> Result<Storm> {
    let dir = tempfile::TempDir::new()?;
    let mut config = Config::new(dir.path().join("data"), dir.path().join("dist"));
    config.demo_password = Some(PASSWORD.into());
    config.logins_per_minute = 1_000_000;
    config.logins_per_account_per_minute = 1_000_000;
    config.sessions_per_minute = 1_000_000;
    config.sends_per_second = 1_000_000;
    config.send_burst = 1_000_000;
    let (threads, wait_ms) = (config.hash_threads, config.hash_wait_ms);

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = bounded("server start", livechat_server::Server::new(config)).await??;
    let passwords = server.passwords();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(listener, async move {
        let _ = stopped.await;
    }));

    let result = async {
        let rest = Rest::new(addr);
        rest.wait_healthy().await?;
        let visitor = rest.visitor_session("Bystander").await?;
        let mut ws = Client::open(addr, None).await?;
        ws.try_hello(&visitor.token, Vec::new()).await?;
        let (conversation, _) = send_acked(&mut ws, None, 0).await?;
        // Warm the path (and the dummy hash every unknown-e-mail login verifies against).
        rest.login("ada@example.com", "wrong").await?;
        let mut next = 1;
        let quiet = bystander(&mut ws, conversation, &mut next, None).await?;

        let rss_before = status_kib("VmRSS");
        // Reset VmHWM to the current RSS, so the peak read after is the storm's.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let started = Instant::now();
        let (done_tx, done_rx) = tokio::sync::watch::channel(false);
        let storm = tokio::spawn({
            let rest = rest.clone();
            async move {
                let statuses = join_all((0..ATTEMPTS).map(|i| {
                    let rest = rest.clone();
                    async move {
                        let password = format!("wrong-{i}");
                        // No answer within `STEP` (the kit's bound) counts as 0.
                        rest.login("ada@example.com", &password)
                            .await
                            .map_or(0, |r| r.status().as_u16())
                    }
                }))
                .await;
                let _ = done_tx.send(true);
                statuses
            }
        });
        let stormy = bystander(&mut ws, conversation, &mut next, Some(done_rx)).await?;
        // Every login is bounded by `STEP`, so the storm by a little more.
        let statuses = tokio::time::timeout(STEP * 2, storm)
            .await
            .context("the storm did not end")??;
        let took = started.elapsed();
        let peak_rss = status_kib("VmHWM");
        let rss_after = status_kib("VmRSS");
        tokio::time::sleep(SETTLE).await;
        let rss_settled = status_kib("VmRSS");
        let mut answers = BTreeMap::new();
        for status in statuses {
            *answers.entry(status).or_default() += 1;
        }
        ws.close().await;
        Ok(Storm {
            threads,
            wait_ms,
            answers,
            took,
            peak_hashes: passwords.peak(),
            rss_before,
            peak_rss,
            rss_after,
            rss_settled,
            quiet,
            stormy,
        })
    }
    .await;

    let _ = stop.send(());
    bounded("server shutdown", serving)
        .await??
        .map_err(anyhow::Error::from)?;
    result
}

/// Closed loop of sends, each timed to its ack: until `done` turns true (the storm is over),
/// or without one for [`QUIET_SENDS`] / [`QUIET_CAP`]. Sorted nanoseconds.
async fn bystander(
    ws: &mut Client,
    conversation: ConversationId,
    next: &mut u64,
    done: Option<tokio::sync::watch::Receiver<bool>>,
) -> Result<Vec<u64>> {
    let started = Instant::now();
    let mut took = Vec::new();
    loop {
        let over = match &done {
            Some(done) => *done.borrow(),
            None => took.len() >= QUIET_SENDS || started.elapsed() >= QUIET_CAP,
        };
        if over {
            break;
        }
        let (_, t) = send_acked(ws, Some(conversation), *next).await?;
        *next += 1;
        took.push(t);
    }
    took.sort_unstable();
    Ok(took)
}

/// One `send`, timed until its `ack`.
async fn send_acked(
    ws: &mut Client,
    conversation: Option<ConversationId>,
    n: u64,
) -> Result<(ConversationId, u64)> {
    let client_id = format!("b{n}");
    let sent = Instant::now();
    ws.try_send(&livechat_testkit::send_msg(
        &client_id,
        conversation,
        "still there?",
    ))
    .await?;
    loop {
        match ws.try_recv().await? {
            ServerMsg::Ack {
                client_id: c,
                message,
            } if c == client_id => {
                return Ok((message.conversation_id, sent.elapsed().as_nanos() as u64));
            }
            ServerMsg::Error { code, message, .. } => bail!("send refused: {code}: {message}"),
            _ => continue,
        }
    }
}

/// A `/proc/self/status` field in KiB (`None` where there is no procfs).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub fn report(s: &Storm) {
    let mb =
        |kib: Option<u64>| kib.map_or("n/a".to_owned(), |k| format!("{:.0} MB", k as f64 / 1024.0));
    let answers: Vec<String> = s
        .answers
        .iter()
        .map(|(code, n)| format!("{n} x {code}"))
        .collect();
    println!(
        "\n{ATTEMPTS} concurrent wrong logins ({} hashing thread(s), wait {} ms, login limits \
         raised so every attempt reaches hashing)",
        s.threads, s.wait_ms
    );
    println!(
        "  answers: {}; storm took {:.2} s; at most {} hash(es) ran at once",
        answers.join(", "),
        s.took.as_secs_f64(),
        s.peak_hashes
    );
    println!(
        "  memory of the process (server + bench client): RSS before {}, peak during the storm \
         (VmHWM) {}, RSS right after {}, {} s later {}",
        mb(s.rss_before),
        mb(s.peak_rss),
        mb(s.rss_after),
        SETTLE.as_secs(),
        mb(s.rss_settled)
    );
    let line = |name: &str, v: &[u64]| {
        println!(
            "  bystander send -> ack, {name:<14} {:>5} sends: p50 {}, p99 {}, max {}",
            v.len(),
            ms(percentile(v, 0.50)),
            ms(percentile(v, 0.99)),
            ms(percentile(v, 1.0))
        );
    };
    line("without storm:", &s.quiet);
    line("during storm:", &s.stormy);
    let ratio = |q: f64| {
        let (a, b) = (percentile(&s.stormy, q), percentile(&s.quiet, q));
        a.as_secs_f64() / b.as_secs_f64().max(1e-9)
    };
    println!(
        "  during / without: p50 {:.1}x, p99 {:.1}x",
        ratio(0.50),
        ratio(0.99)
    );
}
