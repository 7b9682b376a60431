//! Writing to one socket and closing it: the single writer task (frames from the bounded
//! queue, pings, the close frame, ahead of a full queue when it must), error replies that never
//! count towards the slow-client cut, and the end of a connection: the close handshake, and
//! for a client still writing after a frame over the size limit, half-close and drain.

use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use protocol::{ErrorCode, ServerMsg};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::{Instant, timeout};
use tungstenite::protocol::CloseFrame;
use tungstenite::{Message, Utf8Bytes};

use super::{Close, Socket};
use crate::hub::{Kick, Outbound, offer_reply};

/// After a close frame to a client whose frames can no longer be read (one over the size
/// limit), what is read and thrown away so the close frame is not lost to a TCP reset: at most
/// this many bytes, for at most [`DRAIN_TIME`], and only until the client closes its side.
const DRAIN_BYTES: usize = 16 << 20;
const DRAIN_TIME: Duration = Duration::from_secs(2);
/// How long the writer may take to flush what is queued and the close frame.
const WRITER_GRACE: Duration = Duration::from_secs(2);
/// How long a client with a healthy stream has to answer our close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Answer with an error frame, as a reply: dropped rather than queued when the socket's queue
/// is nearly full (see [`offer_reply`]), so refusals never get a client cut as too slow.
pub(super) fn reply_error(tx: &mpsc::Sender<Outbound>, code: ErrorCode, message: &str) {
    offer_reply(
        tx,
        ServerMsg::Error {
            code,
            message: message.to_owned(),
            client_id: None,
        },
    );
}

/// The single writer: frames from the queue, pings on a timer, a close frame at the end.
/// Returns the sink when it sent a close frame, so [`finish`] can reach the stream under it.
pub(super) async fn write_loop(
    mut sink: SplitSink<Socket, Message>,
    mut rx: mpsc::Receiver<Outbound>,
    urgent: Kick,
    ping_interval: Duration,
) -> Option<SplitSink<Socket, Message>> {
    let mut ping = tokio::time::interval_at(Instant::now() + ping_interval, ping_interval);
    loop {
        let result = tokio::select! {
            // A close that could not be queued behind a full queue goes ahead of it.
            biased;
            (code, reason) = urgent.kicked() => {
                return send_close(sink, code, reason).await;
            }
            out = rx.recv() => match out {
                Some(Outbound::Frame(msg)) => match serde_json::to_string(&*msg) {
                    Ok(json) => sink.send(Message::Text(json.into())).await,
                    Err(e) => {
                        tracing::error!(error = %e, "encoding a frame failed");
                        continue;
                    }
                },
                Some(Outbound::Close { code, reason }) => {
                    return send_close(sink, code, reason).await;
                }
                None => {
                    let _ = sink.close().await;
                    return None;
                }
            },
            _ = ping.tick() => sink.send(Message::Ping(Default::default())).await,
        };
        if result.is_err() {
            return None;
        }
    }
}

async fn send_close(
    mut sink: SplitSink<Socket, Message>,
    code: u16,
    reason: &'static str,
) -> Option<SplitSink<Socket, Message>> {
    let frame = CloseFrame {
        code: code.into(),
        reason: Utf8Bytes::from_static(reason),
    };
    sink.send(Message::Close(Some(frame))).await.ok()?;
    Some(sink)
}

/// Send the close frame (if any) and let the writer finish; then give the client a moment to
/// answer the close handshake before the TCP connection is dropped, reading (and throwing
/// away) whatever it still sends so the close frame is not lost to a reset.
pub(super) async fn finish(
    mut stream: SplitStream<Socket>,
    tx: mpsc::Sender<Outbound>,
    urgent: Kick,
    mut writer: tokio::task::JoinHandle<Option<SplitSink<Socket, Message>>>,
    close: Close,
) {
    if let Some((code, reason)) = close {
        // In order, after what is queued; past a full queue (a client that does not read)
        // it goes out next instead of never.
        if tx.try_send(Outbound::Close { code, reason }).is_err() {
            urgent.kick(code, reason);
        }
    }
    drop(tx);
    let sink = match timeout(WRITER_GRACE, &mut writer).await {
        Ok(Ok(Some(sink))) if close.is_some() => sink,
        Ok(_) => return,
        Err(_) => {
            // A stuck client: nothing more can be written to it.
            writer.abort();
            return;
        }
    };
    // A healthy stream: wait for the client's close frame, reading what comes before it.
    let answered = timeout(CLOSE_GRACE, async {
        loop {
            match stream.next().await {
                Some(Ok(Message::Close(_))) => return true,
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return false,
            }
        }
    })
    .await;
    if !matches!(answered, Ok(false)) {
        return;
    }
    // The stream stopped reading (after a frame over the size limit) while the client may
    // still be writing: half-close, so it sees our close frame and then the end, and throw
    // away what it sends until it closes its side too.
    let Ok(socket) = stream.reunite(sink) else {
        return;
    };
    drain(socket).await;
}

/// Read and discard until the client closes its side, [`DRAIN_BYTES`] or [`DRAIN_TIME`].
async fn drain(mut socket: Socket) {
    let io = socket.get_mut();
    let _ = timeout(DRAIN_TIME, async {
        let _ = io.shutdown().await;
        let mut buf = [0u8; 4096];
        let mut left = DRAIN_BYTES;
        while left > 0 {
            match io.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    })
    .await;
}
