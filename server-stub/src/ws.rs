//! The WebSocket endpoint: the only code that sees frames and JSON.
//!
//! Owns the upgrade (Origin check, buffer and size limits), the `hello` handshake, decoding
//! client frames into [`ClientMsg`] and encoding [`ServerMsg`], keep-alive pings, idle and
//! bad-frame policing, and close codes. Each socket gets one reader (this task) and one writer
//! task fed by a bounded queue; chat logic is the hub's.

use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade, close_code};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use protocol::{ClientMsg, ErrorCode, PROTOCOL_VERSION, ServerMsg};
use tokio::sync::mpsc;
use tokio::time::{Instant, timeout, timeout_at};

use crate::error::ApiError;
use crate::hub::{Hub, Outbound, Session};
use crate::{AppState, Config};

/// Undecodable frames tolerated before we stop listening to a client.
const MAX_BAD_FRAMES: u32 = 20;
/// Frames queued for one socket before it counts as too slow and is disconnected.
const QUEUE_CAPACITY: usize = 512;
/// tungstenite's 128 KiB defaults cost ~138 KB per idle socket; 4 KiB costs ~10 KB.
const BUFFER_BYTES: usize = 4 * 1024;

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

/// `GET /ws`.
pub async fn upgrade(
    State(app): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    // A missing Origin is a non-browser client; browsers always send one on upgrades.
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        if !app.origins.allows(origin.to_str().unwrap_or(""), host) {
            tracing::info!(origin = ?origin, "websocket upgrade refused");
            return ApiError::OriginRefused.into_response();
        }
    }
    let (hub, keep_alive) = (app.hub.clone(), app.keep_alive);
    let tracker = hub.tracker();
    ws.read_buffer_size(BUFFER_BYTES)
        .write_buffer_size(BUFFER_BYTES)
        .max_message_size(protocol::MAX_FRAME_BYTES)
        .max_frame_size(protocol::MAX_FRAME_BYTES)
        .on_upgrade(move |socket| tracker.track_future(serve(socket, hub, keep_alive)))
}

/// Why the reader stopped, and the close frame to send (if any).
type Close = Option<(u16, &'static str)>;

async fn serve(socket: WebSocket, hub: Hub, keep_alive: KeepAlive) {
    let (sink, mut stream) = socket.split();
    let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
    let writer = tokio::spawn(write_loop(sink, rx, keep_alive.ping_interval));
    let close = match handshake(&mut stream, &tx, &hub, keep_alive.hello_timeout).await {
        Ok(session) => {
            tracing::debug!(socket = session.id, role = ?session.me.role, id = session.me.id, "connected");
            let close = read_loop(&mut stream, &tx, &hub, &session, keep_alive.idle_timeout).await;
            // Unregistering here, before the close handshake in `finish`, takes the socket out
            // of fan-out and presence at once, even if the client never answers the close.
            hub.disconnect(session.id);
            close
        }
        Err(close) => close,
    };
    finish(stream, tx, writer, close).await;
}

/// Wait for `hello`, check version and token, register with the hub.
async fn handshake(
    stream: &mut SplitStream<WebSocket>,
    tx: &mpsc::Sender<Outbound>,
    hub: &Hub,
    hello_timeout: Duration,
) -> Result<Session, Close> {
    let deadline = Instant::now() + hello_timeout;
    let shutdown = hub.shutdown_token();
    loop {
        let frame = tokio::select! {
            _ = shutdown.cancelled() => return Err(Some((close_code::AWAY, "server shutting down"))),
            f = timeout_at(deadline, stream.next()) => f,
        };
        let text = match frame {
            Err(_) => {
                let message = format!("expected hello within {} ms", hello_timeout.as_millis());
                reply_error(tx, ErrorCode::Unauthorized, &message);
                return Err(Some((close_code::POLICY, "no hello")));
            }
            Ok(None) => return Err(None),
            Ok(Some(Err(e))) => return Err(read_error_close(e)),
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(Message::Binary(_)))) => return Err(Some(binary_close())),
            Ok(Some(Ok(Message::Close(_)))) => return Err(None),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
        };
        let Ok(ClientMsg::Hello {
            protocol,
            token,
            cursors,
        }) = decode(&text)
        else {
            reply_error(tx, ErrorCode::Unauthorized, "the first frame must be hello");
            return Err(Some((close_code::POLICY, "first frame must be hello")));
        };
        if protocol != PROTOCOL_VERSION {
            reply_error(
                tx,
                ErrorCode::UnsupportedVersion,
                &format!("this server speaks protocol {PROTOCOL_VERSION}"),
            );
            return Err(Some((close_code::PROTOCOL, "unsupported protocol version")));
        }
        let me = match hub.authenticate(&token).await {
            Ok(Some(me)) => me,
            Ok(None) => {
                reply_error(tx, ErrorCode::Unauthorized, "unknown or expired token");
                return Err(Some((close_code::POLICY, "unauthorized")));
            }
            Err(e) => {
                tracing::error!(error = %e, "authentication failed");
                reply_error(tx, ErrorCode::Internal, "internal error; retry later");
                return Err(Some((close_code::ERROR, "internal error")));
            }
        };
        let credential = crate::auth::hash_token(&token);
        return hub
            .connect(me, credential, cursors, tx.clone())
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "connect failed");
                reply_error(tx, ErrorCode::Internal, "internal error; retry later");
                Some((close_code::ERROR, "internal error"))
            });
    }
}

/// Decode frames and hand them to the hub until the client leaves or must be closed.
async fn read_loop(
    stream: &mut SplitStream<WebSocket>,
    tx: &mpsc::Sender<Outbound>,
    hub: &Hub,
    session: &Session,
    idle_timeout: Duration,
) -> Close {
    let shutdown = hub.shutdown_token();
    let mut bad_frames = 0u32;
    loop {
        let frame = tokio::select! {
            _ = shutdown.cancelled() => return Some((close_code::AWAY, "server shutting down")),
            close = session.kicked.kicked() => return Some(close),
            f = timeout(idle_timeout, stream.next()) => f,
        };
        let text = match frame {
            Err(_) => return Some((close_code::AWAY, "idle timeout")),
            Ok(None) | Ok(Some(Ok(Message::Close(_)))) => return None,
            Ok(Some(Err(e))) => return read_error_close(e),
            Ok(Some(Ok(Message::Binary(_)))) => return Some(binary_close()),
            // Any frame proves the client is alive; the timeout above already restarted.
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            Ok(Some(Ok(Message::Text(text)))) => text,
        };
        match decode(&text) {
            Ok(msg) => hub.handle(session, msg).await,
            Err(e) => {
                bad_frames += 1;
                tracing::debug!(socket = session.id, error = %e, "bad frame");
                reply_error(tx, ErrorCode::BadFrame, "not a frame of this protocol");
                if bad_frames >= MAX_BAD_FRAMES {
                    return Some((close_code::POLICY, "too many bad frames"));
                }
            }
        }
    }
}

fn decode(text: &Utf8Bytes) -> Result<ClientMsg, serde_json::Error> {
    // serde_json refuses nesting deeper than 128, so hostile JSON cannot exhaust the stack.
    serde_json::from_str(text.as_str())
}

fn binary_close() -> (u16, &'static str) {
    (close_code::UNSUPPORTED, "binary frames are not supported")
}

/// A read error either means the frame broke a size limit (close 1009) or the connection is
/// already gone (no close frame to send).
fn read_error_close(e: axum::Error) -> Close {
    match e.into_inner().downcast::<tungstenite::Error>() {
        Ok(e) if matches!(*e, tungstenite::Error::Capacity(_)) => {
            tracing::info!(error = %e, "frame over the size limit");
            Some((close_code::SIZE, "frame too large"))
        }
        Ok(e) => {
            tracing::debug!(error = %e, "socket read failed");
            None
        }
        Err(e) => {
            tracing::debug!(error = %e, "socket read failed");
            None
        }
    }
}

/// Queue an error frame; if the queue is full the client is too slow and will be closed.
fn reply_error(tx: &mpsc::Sender<Outbound>, code: ErrorCode, message: &str) {
    let _ = tx.try_send(Outbound::Frame(std::sync::Arc::new(ServerMsg::Error {
        code,
        message: message.to_owned(),
        client_id: None,
    })));
}

/// The single writer: frames from the queue, pings on a timer, a close frame at the end.
async fn write_loop(
    mut sink: SplitSink<WebSocket, Message>,
    mut rx: mpsc::Receiver<Outbound>,
    ping_interval: Duration,
) {
    let mut ping = tokio::time::interval_at(Instant::now() + ping_interval, ping_interval);
    loop {
        let result = tokio::select! {
            out = rx.recv() => match out {
                Some(Outbound::Frame(msg)) => match serde_json::to_string(&*msg) {
                    Ok(json) => sink.send(Message::Text(json.into())).await,
                    Err(e) => {
                        tracing::error!(error = %e, "encoding a frame failed");
                        continue;
                    }
                },
                Some(Outbound::Close { code, reason }) => {
                    let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    return;
                }
                None => {
                    let _ = sink.close().await;
                    return;
                }
            },
            _ = ping.tick() => sink.send(Message::Ping(Default::default())).await,
        };
        if result.is_err() {
            return;
        }
    }
}

/// Send the close frame (if any), let the writer finish, then give the client a moment to
/// answer the close handshake before the TCP connection is dropped.
async fn finish(
    mut stream: SplitStream<WebSocket>,
    tx: mpsc::Sender<Outbound>,
    mut writer: tokio::task::JoinHandle<()>,
    close: Close,
) {
    if let Some((code, reason)) = close {
        // A full queue means a stuck client: the writer is aborted below instead.
        let _ = tx.try_send(Outbound::Close { code, reason });
    }
    drop(tx);
    if timeout(Duration::from_secs(2), &mut writer).await.is_err() {
        writer.abort();
        return;
    }
    if close.is_some() {
        let _ = timeout(Duration::from_secs(1), async {
            while let Some(Ok(msg)) = stream.next().await {
                if matches!(msg, Message::Close(_)) {
                    break;
                }
            }
        })
        .await;
    }
}
