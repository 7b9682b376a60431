//! `cargo bench -p livechat-server --bench chat` (also `cargo xtask bench`): the chat server's
//! message throughput and latency, reported as ratios against a baseline measured in the same
//! process with the same client code: `livechat_testkit`, the client the integration tests use.
//!
//! - **chat server**: the real server (`livechat_server::Server`) on 127.0.0.1:0 over a temp data
//!   dir, rate limits raised so the limiter is not what is measured. `PAIRS` visitors each open
//!   a conversation; the two demo agents (one socket each) accept them, half each: that burst of
//!   accepts is the second measurement.
//! - **baseline relay**: a minimal tokio-tungstenite relay on 127.0.0.1:0 (no auth, no storage,
//!   no JSON encoding): it forwards each text frame to the socket on the other side of its
//!   conversation. Same sockets (`PAIRS` visitors, 2 agents), same frames, same clients.
//!
//! Each visitor runs a closed loop: send a `ClientMsg::Send` (unique `client_id`), wait for the
//! agent's reply; the agent socket replies to each visitor message as it arrives. A *hop* is one
//! message from `send` on one side to its arrival on the other; the send time travels in the
//! body. Every await is bounded, every loop is bounded in count and time, and nothing here
//! asserts on timing: the numbers are printed, the process exits 0.
//!
//! A second scenario, [`login_storm`], measures 200 concurrent wrong logins: the server's peak
//! memory and a bystander visitor's latency while they last. `-- messages` or `-- logins` after
//! the cargo command runs only that scenario.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use futures_util::future::join_all;
use futures_util::{SinkExt, StreamExt};
use livechat_server::Config;
use livechat_testkit::{Client, Rest, STEP, bounded};
use protocol::{ClientMsg, ConversationId, Role, ServerMsg};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message as WsMessage, Utf8Bytes};

/// Visitor/agent conversations running at once.
const PAIRS: usize = 50;
/// Agent sockets: the two demo agents, each serving half of the conversations.
const AGENTS: [&str; 2] = ["ada@example.com", "grace@example.com"];
const PASSWORD: &str = "bench-password";
/// Messages per measurement (visitor sends + agent replies), unless `TIME_CAP` comes first.
const MESSAGES: u64 = 20_000;
const TIME_CAP: Duration = Duration::from_secs(10);
/// The unloaded measurement: one conversation alone.
const SINGLE_MESSAGES: u64 = 2_000;
const SINGLE_CAP: Duration = Duration::from_secs(3);
/// Messages exchanged before each measurement, and thrown away.
const WARMUP_MESSAGES: u64 = 1_000;
/// The whole bench, start to finish.
const WHOLE_RUN: Duration = Duration::from_secs(180);
/// Filler so a frame is about the size of a short chat line.
const FILLER: &str = "hello, is my order on its way? it was placed on monday";

#[path = "chat/login_storm.rs"]
mod login_storm;

#[tokio::main]
async fn main() -> Result<()> {
    let started = Instant::now();
    // Cargo passes `--bench`; the first other argument names the one scenario to run.
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let (messages, logins) = match only.as_deref() {
        None => (true, true),
        Some("messages") => (true, false),
        Some("logins") => (false, true),
        Some(other) => bail!("unknown scenario {other:?}: `messages` or `logins`"),
    };
    tokio::time::timeout(WHOLE_RUN, async {
        // The storm first: its peak memory is read from this process, before the message
        // bench's sockets and buffers are in it.
        if logins {
            let storm = login_storm::run().await.context("login storm")?;
            login_storm::report(&storm);
        }
        if messages {
            bench().await?;
        }
        Ok::<_, anyhow::Error>(())
    })
    .await
    .map_err(|_| anyhow!("the bench did not finish within {WHOLE_RUN:?}"))??;
    println!("\nbench took {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

async fn bench() -> Result<()> {
    println!(
        "chat bench: {PAIRS} visitor/agent conversations, {} agent sockets, closed loop, \
         {MESSAGES} messages or {} s per run (after {WARMUP_MESSAGES} warm-up messages)",
        AGENTS.len(),
        TIME_CAP.as_secs()
    );

    let relay = run_relay().await.context("baseline relay")?;
    let server = run_server().await.context("chat server")?;
    let fsync = fsync_cost().context("fsync probe")?;

    report(&relay, &server, &fsync);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Results and the table
// ---------------------------------------------------------------------------------------------

/// One closed-loop measurement.
struct Run {
    messages: u64,
    elapsed: Duration,
    /// One-hop latencies in nanoseconds, both directions, sorted.
    hops: Vec<u64>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.messages as f64 / self.elapsed.as_secs_f64()
    }
    fn p(&self, q: f64) -> Duration {
        percentile(&self.hops, q)
    }
}

struct ServerRun {
    runs: Runs,
    /// Accept → `accepted` latencies in nanoseconds, sorted.
    accepts: Vec<u64>,
    /// First accept sent → last `accepted` received.
    accept_burst: Duration,
}

struct Fsync {
    median: Duration,
    samples: usize,
}

fn percentile(sorted: &[u64], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    Duration::from_nanos(sorted[i])
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

const SERVER: &str = "chat server";

fn report(relay: &Runs, server: &ServerRun, fsync: &Fsync) {
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    let secs = |d: Duration| d.as_secs_f64();
    for (title, base, servers) in [
        (
            format!("{PAIRS} conversations at once (closed loop: latency includes queueing)"),
            &relay.loaded,
            [(SERVER, &server.runs.loaded)],
        ),
        (
            "1 conversation alone (unloaded latency)".to_owned(),
            &relay.single,
            [(SERVER, &server.runs.single)],
        ),
    ] {
        println!("\n{title}");
        println!(
            "  {:<40}{:>11}{:>13}{:>13}{:>10}{:>9}",
            "", "msgs/s", "hop p50", "hop p99", "messages", "time"
        );
        for (name, run) in std::iter::once(("baseline relay", base)).chain(servers) {
            println!(
                "  {:<40}{:>11.0}{:>13}{:>13}{:>10}{:>7.2} s",
                name,
                run.rate(),
                ms(run.p(0.50)),
                ms(run.p(0.99)),
                run.messages,
                secs(run.elapsed)
            );
        }
        for (name, run) in servers {
            println!(
                "  {:<40}{:>10.4}x{:>12.1}x{:>12.1}x",
                format!("ratio {name} / baseline"),
                ratio(run.rate(), base.rate()),
                ratio(secs(run.p(0.50)), secs(base.p(0.50))),
                ratio(secs(run.p(0.99)), secs(base.p(0.99))),
            );
        }
    }
    println!("(throughput ratio < 1 and latency ratios > 1: slower than the relay)");

    {
        let (name, r) = (SERVER, server);
        let accepts = &r.accepts;
        let accept_p50 = percentile(accepts, 0.50);
        println!(
            "\naccept burst, {name}: {} accepts sent at once over {} agent sockets; \
             accept -> accepted: p50 {}, p99 {}, max {}; whole burst {}",
            accepts.len(),
            AGENTS.len(),
            ms(accept_p50),
            ms(percentile(accepts, 0.99)),
            ms(percentile(accepts, 1.0)),
            ms(r.accept_burst),
        );
        println!(
            "  accept p50 = {:.0}x the baseline relay's unloaded hop p50, {:.1}x this \
             server's unloaded hop p50",
            ratio(secs(accept_p50), secs(relay.single.p(0.50))),
            ratio(secs(accept_p50), secs(r.runs.single.p(0.50))),
        );
    }

    // Every stored message is one SQLite commit (WAL, synchronous=FULL): one fsync, and the hub
    // writes one message at a time, so 1/fsync is a ceiling on messages/s.
    println!(
        "\nfsync (4 KiB write + fdatasync) on the data dir's disk: median {} over {} samples \
         -> at most {:.0} durable commits/s one at a time",
        ms(fsync.median),
        fsync.samples,
        1.0 / secs(fsync.median).max(1e-9)
    );
    {
        let (name, r) = (SERVER, server);
        let s = &r.runs.loaded;
        let per_message = secs(s.elapsed) / s.messages.max(1) as f64;
        let share = secs(fsync.median) / per_message;
        println!(
            "{name}, loaded: {} of wall time per message, of which fsync is ~{:.0}%{}",
            ms(Duration::from_secs_f64(per_message)),
            share * 100.0,
            if share >= 0.5 {
                ": the durable commit (SQLite synchronous=FULL) dominates, the honest cost \
                 of acknowledging only stored messages"
            } else {
                ": the fsync does not dominate"
            }
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The client side, shared by both targets
// ---------------------------------------------------------------------------------------------

/// Which wire the clients read: the chat server answers in `ServerMsg`; the relay forwards the
/// other side's `ClientMsg` unchanged.
#[derive(Clone, Copy)]
enum Wire {
    Server,
    Relay,
}

/// The only thing a client needs from a frame: a chat message written by the other side.
struct Hop {
    conversation_id: ConversationId,
    sent_ns: u64,
}

impl Wire {
    /// `Ok(None)` for frames that are not a message from `from` (acks, pings, system lines).
    fn hop(self, text: &str, from: Role) -> Result<Option<Hop>> {
        let (conversation_id, body) = match self {
            Wire::Server => match serde_json::from_str::<ServerMsg>(text)? {
                ServerMsg::Message { message }
                    if message.author.as_ref().is_some_and(|a| a.role() == from) =>
                {
                    (message.conversation_id, message.body)
                }
                ServerMsg::Error { code, message, .. } => {
                    bail!("server error {code}: {message}")
                }
                _ => return Ok(None),
            },
            Wire::Relay => match serde_json::from_str::<ClientMsg>(text)? {
                ClientMsg::Send {
                    conversation_id: Some(c),
                    body,
                    ..
                } => (c, body),
                _ => return Ok(None),
            },
        };
        let sent_ns = body
            .strip_prefix('t')
            .and_then(|b| b.split(' ').next())
            .and_then(|t| t.parse().ok())
            .ok_or_else(|| anyhow!("message without a send time: {body}"))?;
        Ok(Some(Hop {
            conversation_id,
            sent_ns,
        }))
    }
}

/// Nanoseconds since the bench started: the clock both sides of a hop share.
fn now_ns() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

fn send_frame(client_id: String, conversation_id: Option<ConversationId>) -> String {
    let msg = ClientMsg::Send {
        client_id,
        conversation_id,
        body: format!("t{} {FILLER}", now_ns()),
    };
    serde_json::to_string(&msg).expect("a ClientMsg always serialises")
}

struct Visitor {
    ws: Client,
    conversation_id: ConversationId,
    /// Next `client_id` suffix: every send of this visitor is unique.
    next: u64,
}

struct Agent {
    ws: Client,
    next: u64,
}

/// Closed loop until `messages` have been exchanged or `cap` has passed. Returns the sockets.
async fn exchange(
    wire: Wire,
    visitors: Vec<Visitor>,
    agents: Vec<Agent>,
    messages: u64,
    cap: Duration,
) -> Result<(Run, Vec<Visitor>, Vec<Agent>)> {
    let rounds = Arc::new(AtomicU64::new(0));
    let budget = messages / 2;
    let (stop_tx, stop_rx) = watch::channel(false);
    let start = Instant::now();
    let deadline = start + cap;

    let agent_tasks: Vec<_> = agents
        .into_iter()
        .enumerate()
        .map(|(k, agent)| tokio::spawn(agent_loop(wire, k, agent, stop_rx.clone())))
        .collect();
    let visitor_tasks: Vec<_> = visitors
        .into_iter()
        .map(|v| tokio::spawn(visitor_loop(wire, v, Arc::clone(&rounds), budget, deadline)))
        .collect();

    let mut visitors = Vec::new();
    let mut hops = Vec::new();
    let mut failure = None;
    for t in visitor_tasks {
        // A visitor stops claiming rounds at `deadline`; its last round is bounded by `STEP`.
        let waited = tokio::time::timeout_at((deadline + STEP).into(), t).await;
        let waited = waited.map_err(|_| anyhow!("a visitor did not finish its last round"));
        match waited.and_then(|r| r?) {
            Ok((v, mut h)) => {
                visitors.push(v);
                hops.append(&mut h);
            }
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    let elapsed = start.elapsed();
    let _ = stop_tx.send(true);
    let mut agents = Vec::new();
    for t in agent_tasks {
        match bounded("an agent to finish", t).await.and_then(|r| r?) {
            Ok((a, mut h)) => {
                agents.push(a);
                hops.append(&mut h);
            }
            Err(e) => failure = failure.or(Some(e)),
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    hops.sort_unstable();
    let done = rounds.load(Ordering::Relaxed).min(budget);
    let run = Run {
        messages: done * 2,
        elapsed,
        hops,
    };
    Ok((run, visitors, agents))
}

async fn visitor_loop(
    wire: Wire,
    mut v: Visitor,
    rounds: Arc<AtomicU64>,
    budget: u64,
    deadline: Instant,
) -> Result<(Visitor, Vec<u64>)> {
    let mut hops = Vec::new();
    while Instant::now() < deadline && rounds.fetch_add(1, Ordering::Relaxed) < budget {
        let client_id = format!("v{}", v.next);
        v.next += 1;
        v.ws.try_send_text(send_frame(client_id, Some(v.conversation_id)))
            .await?;
        loop {
            let text = v.ws.try_next_text().await?;
            if let Some(hop) = wire.hop(&text, Role::Agent)? {
                if hop.conversation_id != v.conversation_id {
                    bail!("visitor got conversation {}", hop.conversation_id);
                }
                hops.push(now_ns().saturating_sub(hop.sent_ns));
                break;
            }
        }
    }
    Ok((v, hops))
}

/// Answer every visitor message at once, until told to stop.
async fn agent_loop(
    wire: Wire,
    k: usize,
    mut a: Agent,
    mut stop: watch::Receiver<bool>,
) -> Result<(Agent, Vec<u64>)> {
    let mut hops = Vec::new();
    loop {
        let text = tokio::select! {
            _ = stop.changed() => break,
            t = a.ws.try_next_text() => t?,
        };
        if let Some(hop) = wire.hop(&text, Role::Visitor)? {
            hops.push(now_ns().saturating_sub(hop.sent_ns));
            let client_id = format!("a{k}-{}", a.next);
            a.next += 1;
            a.ws.try_send_text(send_frame(client_id, Some(hop.conversation_id)))
                .await?;
        }
    }
    Ok((a, hops))
}

/// Both measurements of one target.
struct Runs {
    /// All `PAIRS` conversations at once: throughput, and latency including queueing.
    loaded: Run,
    /// One conversation alone: the latency of a hop with nothing queued before it.
    single: Run,
}

/// Warm up, then measure loaded (all pairs) and unloaded (the first pair alone).
async fn measure(wire: Wire, visitors: Vec<Visitor>, agents: Vec<Agent>) -> Result<Runs> {
    let (_, visitors, agents) = exchange(wire, visitors, agents, WARMUP_MESSAGES, STEP)
        .await
        .context("warm-up")?;
    let (loaded, mut visitors, mut agents) =
        exchange(wire, visitors, agents, MESSAGES, TIME_CAP).await?;
    // Visitor 0's conversation is served by agent 0 on both targets.
    let (single, first_visitor, first_agent) = exchange(
        wire,
        vec![visitors.swap_remove(0)],
        vec![agents.swap_remove(0)],
        SINGLE_MESSAGES,
        SINGLE_CAP,
    )
    .await
    .context("single pair")?;
    let sockets = (visitors.into_iter().chain(first_visitor).map(|v| v.ws))
        .chain(agents.into_iter().chain(first_agent).map(|a| a.ws));
    close_all(sockets).await;
    Ok(Runs { loaded, single })
}

async fn close_all(sockets: impl Iterator<Item = Client>) {
    join_all(sockets.map(Client::close)).await;
}

// ---------------------------------------------------------------------------------------------
// The chat server
// ---------------------------------------------------------------------------------------------

/// The real server, served exactly as the binary serves it (`Server::serve`).
async fn run_server() -> Result<ServerRun> {
    let dir = tempfile::TempDir::new()?;
    let mut config = Config::new(dir.path().join("data"), dir.path().join("dist"));
    config.demo_password = Some(PASSWORD.into());
    // Measure throughput, not the limiter.
    config.sessions_per_minute = 100_000;
    config.logins_per_minute = 1_000;
    config.sends_per_second = 1_000_000;
    config.send_burst = 1_000_000;

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = bounded("server start", livechat_server::Server::new(config)).await??;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let stopped = async move {
        let _ = stopped.await;
    };
    let serving = tokio::spawn(async move {
        server
            .serve(listener, stopped)
            .await
            .map_err(anyhow::Error::from)
    });

    let result = drive_server(addr).await;

    let _ = stop.send(());
    bounded("server shutdown", serving).await???;
    result
}

async fn drive_server(addr: SocketAddr) -> Result<ServerRun> {
    let rest = Rest::new(addr);
    rest.wait_healthy().await?;

    // Sessions: the demo agents log in, each visitor gets an anonymous session.
    let mut agent_tokens = Vec::new();
    for email in AGENTS {
        agent_tokens.push(rest.agent_session(email, PASSWORD).await?.token);
    }
    let visitor_tokens = join_all((0..PAIRS).map(|p| {
        let rest = &rest;
        async move {
            let name = format!("Bench visitor {p}");
            Ok::<_, anyhow::Error>(rest.visitor_session(&name).await?.token)
        }
    }))
    .await
    .into_iter()
    .collect::<Result<Vec<_>>>()?;

    let mut agents = Vec::new();
    for token in &agent_tokens {
        agents.push(Agent {
            ws: hello(addr, token).await?,
            next: 0,
        });
    }
    // Each visitor connects and writes its first message: that opens a chat request.
    let mut visitors = join_all(
        visitor_tokens
            .iter()
            .enumerate()
            .map(|(p, token)| async move {
                let mut ws = hello(addr, token).await?;
                let client_id = format!("first-{p}");
                ws.try_send_text(send_frame(client_id.clone(), None))
                    .await?;
                let conversation_id = loop {
                    match ws.try_recv().await? {
                        ServerMsg::Ack {
                            client_id: c,
                            message,
                        } if c == client_id => {
                            break message.conversation_id;
                        }
                        ServerMsg::Conversation { .. } => continue,
                        other => bail!("expected the first ack, got {other:?}"),
                    }
                };
                Ok(Visitor {
                    ws,
                    conversation_id,
                    next: 0,
                })
            }),
    )
    .await
    .into_iter()
    .collect::<Result<Vec<_>>>()?;

    // The accept burst: each agent sends its accepts back to back, both agents at once.
    let conversations: Vec<ConversationId> = visitors.iter().map(|v| v.conversation_id).collect();
    let burst_start = Instant::now();
    let accepted = join_all(agents.iter_mut().enumerate().map(|(k, agent)| {
        let mine: Vec<ConversationId> = conversations
            .iter()
            .copied()
            .skip(k)
            .step_by(AGENTS.len())
            .collect();
        accept_all(&mut agent.ws, mine)
    }))
    .await
    .into_iter()
    .collect::<Result<Vec<_>>>()?;
    let accept_burst = burst_start.elapsed();
    let mut accepts: Vec<u64> = accepted.into_iter().flatten().collect();
    accepts.sort_unstable();

    // Visitors see "<Agent> joined the chat" before their loop starts clean.
    join_all(visitors.iter_mut().map(|v| async move {
        loop {
            if let ServerMsg::Message { message } = v.ws.try_recv().await?
                && message.author.is_none()
            {
                return Ok(());
            }
        }
    }))
    .await
    .into_iter()
    .collect::<Result<Vec<()>>>()?;

    let runs = measure(Wire::Server, visitors, agents).await?;
    Ok(ServerRun {
        runs,
        accepts,
        accept_burst,
    })
}

/// A socket that said `hello` as a client with no conversation yet.
async fn hello(addr: SocketAddr, token: &str) -> Result<Client> {
    let mut ws = Client::open(addr, None).await?;
    let welcome = ws.try_hello(token, Vec::new()).await?;
    if !welcome.conversations.is_empty() {
        bail!("expected an empty welcome, got {welcome:?}");
    }
    Ok(ws)
}

/// Send one `accept` per conversation back to back, then time each until its `accepted`.
async fn accept_all(ws: &mut Client, conversations: Vec<ConversationId>) -> Result<Vec<u64>> {
    let mut sent = HashMap::new();
    for conversation_id in conversations {
        let frame = serde_json::to_string(&ClientMsg::Accept { conversation_id })?;
        sent.insert(conversation_id, now_ns());
        ws.try_send_text(frame).await?;
    }
    let mut took = Vec::new();
    while took.len() < sent.len() {
        match ws.try_recv().await? {
            ServerMsg::Accepted { conversation } => {
                let at = sent
                    .get(&conversation.id)
                    .ok_or_else(|| anyhow!("accepted a conversation we did not ask for"))?;
                took.push(now_ns().saturating_sub(*at));
            }
            ServerMsg::Error { code, message, .. } => bail!("accept failed: {code}: {message}"),
            _ => continue,
        }
    }
    Ok(took)
}

// ---------------------------------------------------------------------------------------------
// The baseline relay
// ---------------------------------------------------------------------------------------------

/// Where each relay socket's frames go. Paths: `/agent/{k}` and `/visitor/{conversation}/{k}`
/// (a visitor whose conversation agent `k` serves).
#[derive(Default)]
struct Routes {
    agents: Mutex<HashMap<usize, mpsc::Sender<Utf8Bytes>>>,
    visitors: Mutex<HashMap<i64, mpsc::Sender<Utf8Bytes>>>,
}

#[derive(Clone, Copy)]
enum Side {
    Agent,
    Visitor { agent: usize },
}

/// The server-side socket settings the chat server uses too (4 KiB buffers, 64 KiB frames).
fn relay_ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_message_size(Some(protocol::MAX_FRAME_BYTES))
        .max_frame_size(Some(protocol::MAX_FRAME_BYTES))
}

async fn run_relay() -> Result<Runs> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let routes = Arc::new(Routes::default());
    let mut tasks = tokio::task::JoinSet::new();
    let accepting = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tasks.spawn(relay_connection(stream, Arc::clone(&routes)));
        }
    });

    let result = async {
        let mut agents = Vec::new();
        for k in 0..AGENTS.len() {
            agents.push(Agent {
                ws: Client::connect(&format!("ws://{addr}/agent/{k}"), None).await?,
                next: 0,
            });
        }
        let visitors = join_all((0..PAIRS).map(|p| async move {
            let k = p % AGENTS.len();
            let conversation_id = ConversationId(p as i64 + 1);
            Ok::<_, anyhow::Error>(Visitor {
                ws: Client::connect(&format!("ws://{addr}/visitor/{conversation_id}/{k}"), None)
                    .await?,
                conversation_id,
                next: 0,
            })
        }))
        .await
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
        measure(Wire::Relay, visitors, agents).await
    }
    .await;

    // Dropping the accept loop drops its JoinSet, which aborts every connection task.
    accepting.abort();
    let _ = accepting.await;
    result
}

async fn relay_connection(stream: TcpStream, routes: Arc<Routes>) {
    let (tx, mut rx) = mpsc::channel::<Utf8Bytes>(512);
    let mut side = None;
    // Register during the handshake, so a peer can route to this socket as soon as it exists.
    // (The error type is tungstenite's, fixed by its `Callback` trait.)
    #[allow(clippy::result_large_err)]
    let register = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        let parts: Vec<&str> = req.uri().path().split('/').collect();
        match parts.as_slice() {
            ["", "agent", k] => {
                let k: usize = k.parse().unwrap_or(usize::MAX);
                routes.agents.lock().unwrap().insert(k, tx);
                side = Some(Side::Agent);
            }
            ["", "visitor", c, k] => {
                let c: i64 = c.parse().unwrap_or(-1);
                routes.visitors.lock().unwrap().insert(c, tx);
                side = Some(Side::Visitor {
                    agent: k.parse().unwrap_or(usize::MAX),
                });
            }
            _ => {}
        }
        Ok(resp)
    };
    let Ok(ws) =
        tokio_tungstenite::accept_hdr_async_with_config(stream, register, Some(relay_ws_config()))
            .await
    else {
        return;
    };
    let Some(side) = side else { return };
    let (mut sink, mut stream) = ws.split();
    let writer = tokio::spawn(async move {
        while let Some(text) = rx.recv().await {
            if sink.send(WsMessage::Text(text)).await.is_err() {
                return;
            }
        }
    });
    while let Some(Ok(msg)) = stream.next().await {
        let WsMessage::Text(text) = msg else {
            if msg.is_close() {
                break;
            }
            continue;
        };
        match side {
            Side::Visitor { agent } => {
                if let Some(to) = routes.agents.lock().unwrap().get(&agent) {
                    let _ = to.try_send(text);
                }
            }
            // An agent serves many conversations: the frame names the one it is for.
            Side::Agent => {
                if let Ok(ClientMsg::Send {
                    conversation_id: Some(c),
                    ..
                }) = serde_json::from_str::<ClientMsg>(text.as_str())
                    && let Some(to) = routes.visitors.lock().unwrap().get(&c.0)
                {
                    let _ = to.try_send(text);
                }
            }
        }
    }
    writer.abort();
}

// ---------------------------------------------------------------------------------------------
// The disk
// ---------------------------------------------------------------------------------------------

/// Median time of a 4 KiB write + fdatasync in a temp dir: what one durable commit costs at least.
fn fsync_cost() -> Result<Fsync> {
    use std::io::Write as _;
    let dir = tempfile::TempDir::new()?;
    let mut file = std::fs::File::create(dir.path().join("probe"))?;
    let block = [7u8; 4096];
    let mut samples = Vec::new();
    let until = Instant::now() + Duration::from_secs(2);
    while samples.len() < 200 && Instant::now() < until {
        let t = Instant::now();
        file.write_all(&block)?;
        file.sync_data()?;
        samples.push(t.elapsed().as_nanos() as u64);
    }
    samples.sort_unstable();
    Ok(Fsync {
        median: percentile(&samples, 0.5),
        samples: samples.len(),
    })
}
