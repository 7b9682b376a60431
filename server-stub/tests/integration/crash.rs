//! Scenario 16 with a real crash: the server binary, SIGKILLed in the middle of a burst of
//! sends, restarted on the same data directory.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;

use protocol::{Message, ServerMsg};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

use crate::support::*;

/// The `livechat-server` binary on `data_dir`, on a free port, sends unthrottled.
struct Binary {
    child: Child,
    addr: SocketAddr,
    /// Kept open so the server never writes into a closed pipe.
    _stdout: BufReader<ChildStdout>,
}

impl Binary {
    async fn start(dir: &Path) -> Binary {
        let mut child = Command::new(env!("CARGO_BIN_EXE_livechat-server"))
            .args(["--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.join("data"))
            .arg("--assets-dir")
            .arg(dir.join("dist"))
            .args(["--demo-password", PASSWORD])
            .args(["--sends-per-second", "100000", "--send-burst", "100000"])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the server binary starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let addr = bounded("`listening on`", async {
            let mut line = String::new();
            loop {
                line.clear();
                assert!(
                    stdout.read_line(&mut line).await.unwrap() > 0,
                    "the server exited before listening"
                );
                if let Some(url) = line.trim().strip_prefix("listening on http://") {
                    return url.parse().unwrap();
                }
            }
        })
        .await;
        Rest::new(addr).wait_healthy().await.unwrap();
        Binary {
            child,
            addr,
            _stdout: stdout,
        }
    }

    /// SIGKILL: no shutdown code runs, open transactions are cut wherever they are.
    async fn kill(mut self) {
        use std::os::unix::process::ExitStatusExt as _;
        self.child.start_kill().unwrap();
        let status = bounded("the killed server", self.child.wait())
            .await
            .unwrap();
        assert_eq!(status.signal(), Some(9), "{status:?}");
    }
}

/// Every message of the visitor's (only) conversation, as a fresh connection sees it.
async fn history_of(addr: SocketAddr, token: &str) -> Vec<Message> {
    let mut c = Client::open(addr, None).await.unwrap();
    let welcome = c.hello(token, vec![]).await;
    assert_eq!(welcome.histories.len(), 1, "one conversation");
    let (id, mut messages) = welcome.histories.into_iter().next().unwrap();
    if welcome.more.contains(&id) {
        let last = messages.last().map_or(0, |m| m.seq);
        messages.extend(c.history_after(id, last).await);
    }
    messages
}

/// Each client id exactly once, seqs 1, 2, 3, ... without a gap.
fn by_client_id(history: &[Message]) -> BTreeMap<String, Message> {
    let seqs: Vec<i64> = history.iter().map(|m| m.seq).collect();
    assert_eq!(
        seqs,
        (1..=history.len() as i64).collect::<Vec<_>>(),
        "gap-free"
    );
    let mut out = BTreeMap::new();
    for m in history {
        let id = m
            .client_id
            .clone()
            .expect("a visitor message has its client id");
        assert!(
            out.insert(id.clone(), m.clone()).is_none(),
            "{id} stored twice"
        );
    }
    out
}

/// Send each of `ids` (pipelined, bodies as in the burst) on a fresh socket and collect the
/// acks; an id already `stored` must come back as that stored message.
async fn retry(
    addr: SocketAddr,
    token: &str,
    ids: &[String],
    stored: &BTreeMap<String, Message>,
) -> HashMap<String, Message> {
    let mut c = Client::open(addr, None).await.unwrap();
    c.hello(token, vec![]).await;
    let (mut tx, mut rx) = c.split();
    let writing = tokio::spawn({
        let ids = ids.to_vec();
        async move {
            for id in &ids {
                tx.try_send(&livechat_testkit::send_msg(id, None, &body(id)))
                    .await
                    .unwrap();
            }
        }
    });
    let mut acks = HashMap::new();
    while acks.len() < ids.len() {
        match rx.recv().await {
            ServerMsg::Ack { client_id, message } => {
                if let Some(before) = stored.get(&client_id) {
                    assert_eq!(&message, before, "a retry of stored {client_id} changed it");
                }
                assert!(acks.insert(client_id, message).is_none());
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    bounded("the retries' writer", writing).await.unwrap();
    acks
}

fn body(id: &str) -> String {
    format!("burst message {id}")
}

#[tokio::test]
async fn scenario_16_sigkill_mid_burst_loses_no_acknowledged_message_and_duplicates_none() {
    const BURST: usize = 3000;
    /// Acks read before the kill is sent.
    const ACKS_BEFORE_KILL: usize = 20;
    let dir = tempfile::TempDir::new().unwrap();
    let server = Binary::start(dir.path()).await;
    let v = Rest::new(server.addr)
        .visitor_session("Crash")
        .await
        .unwrap();
    let mut c = Client::open(server.addr, None).await.unwrap();
    c.hello(&v.token, vec![]).await;
    let (mut tx, mut rx) = c.split();
    let ids: Vec<String> = (0..BURST).map(|i| format!("k{i}")).collect();

    // The burst, written without waiting for any answer (the writes fail once it is dead).
    let writing = tokio::spawn({
        let ids = ids.clone();
        async move {
            for id in &ids {
                if tx
                    .try_send(&livechat_testkit::send_msg(id, None, &body(id)))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
    });
    let mut acked: HashMap<String, Message> = HashMap::new();
    while acked.len() < ACKS_BEFORE_KILL {
        match rx.recv().await {
            ServerMsg::Ack { client_id, message } => {
                acked.insert(client_id, message);
            }
            ServerMsg::Conversation { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    server.kill().await;
    // Acks already on their way still count: read until the connection is gone.
    while let Ok(frame) = rx.try_recv().await {
        if let ServerMsg::Ack { client_id, message } = frame {
            acked.insert(client_id, message);
        }
    }
    bounded("the burst's writer", writing).await.unwrap();
    assert!(
        acked.len() < BURST,
        "every message was acked before the kill landed: not mid-burst"
    );

    // Restarted on the same directory: every acknowledged message is there, exactly once and
    // unchanged; the burst really was cut short.
    let server = Binary::start(dir.path()).await;
    let stored = by_client_id(&history_of(server.addr, &v.token).await);
    for (id, m) in &acked {
        assert_eq!(stored.get(id), Some(m), "acknowledged {id} lost or changed");
    }
    assert!(stored.len() < BURST, "the kill did not interrupt the burst");

    // The client retries everything it has no ack for, with the same client ids: messages that
    // were stored but whose ack was lost come back as they are, the rest are stored now. Then
    // it retries the acknowledged ones too (a reloaded tab that lost its acks), so the
    // duplicate path runs even if the kill happened to land right after an ack.
    let unacked: Vec<String> = ids
        .iter()
        .filter(|id| !acked.contains_key(*id))
        .cloned()
        .collect();
    let stored_unacked = unacked.iter().filter(|id| stored.contains_key(*id)).count();
    let mut retried = retry(server.addr, &v.token, &unacked, &stored).await;
    let again: Vec<String> = acked.keys().cloned().collect();
    for (id, m) in retry(server.addr, &v.token, &again, &stored).await {
        assert_eq!(
            Some(&m),
            acked.get(&id),
            "a retry of acknowledged {id} changed it"
        );
        retried.insert(id, m);
    }

    let all = by_client_id(&history_of(server.addr, &v.token).await);
    assert_eq!(all.len(), BURST, "each client id exactly once");
    for (id, m) in acked.iter().chain(&retried) {
        assert_eq!(all.get(id), Some(m), "{id}");
    }
    println!(
        "killed after {} acks, {} stored by then ({stored_unacked} of them unacknowledged)",
        acked.len(),
        stored.len()
    );
    server.kill().await;
}
