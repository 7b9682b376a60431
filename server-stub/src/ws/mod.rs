//! The WebSocket endpoint: the only code that sees frames and JSON.
//!
//! Owns the upgrade (Origin check, the HTTP/1.1 handshake, buffer and size limits), the
//! `hello` handshake, decoding client frames into [`ClientMsg`] and encoding [`ServerMsg`],
//! keep-alive pings, idle and bad-frame policing, and close codes, including getting the close
//! frame to a client that is still writing. Each socket gets one reader (this task) and one
//! writer task fed by a bounded queue; chat logic is the hub's.
//!
//! The upgrade is done here rather than with axum's `WebSocketUpgrade` because axum's socket
//! never gives back the TCP stream: after a frame over the size limit tungstenite stops
//! reading, and a server that closes a connection with unread bytes makes the kernel send a
//! reset, so the client loses the close frame (1009) and reports 1006. Owning the stream
//! lets `writer.rs` read and discard what the client still sends, within bounds.
//!
//! This file: the upgrade, the `hello` handshake and the reader. Beside it: `decode.rs` (one
//! frame into a message, or the refusal or close it earns) and `writer.rs` (the writer task,
//! error replies, and closing).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use futures_util::stream::SplitStream;
use hyper_util::rt::TokioIo;
use protocol::{ClientMsg, ErrorCode, PROTOCOL_VERSION};
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio::time::{Instant, timeout, timeout_at};
use tokio_tungstenite::WebSocketStream;
use tungstenite::Message;
use tungstenite::protocol::{Role, WebSocketConfig};

use crate::config::KeepAlive;
use crate::error::RestError;
use crate::hub::{Connection, Hub, Kick, Outbound, offer_reply};
use crate::sessions::Sessions;
use crate::state::AppState;

/// Undecodable frames tolerated before we stop listening to a client.
const MAX_BAD_FRAMES: u32 = 20;
/// Frames queued for one socket before it counts as too slow and is disconnected.
const QUEUE_CAPACITY: usize = 512;
// A connect queues `welcome`, then per open conversation one `history`, at most one
// `ticket_linked` and one `notes`, then `team_chats` and a `history` per team chat, then the
// pending invitations, before the writer has sent anything: an agent at the cap must fit, with
// room to spare for live frames.
const _: () = assert!(
    QUEUE_CAPACITY
        >= 1 + 3 * protocol::MAX_OPEN_CONVERSATIONS
            + 1
            + protocol::workspace::MAX_TEAM_CHATS_ON_CONNECT
            + crate::hub::MAX_INVITATIONS_ON_CONNECT
            + 100
);
/// tungstenite's 128 KiB defaults cost ~138 KB per idle socket; 4 KiB costs ~10 KB.
const BUFFER_BYTES: usize = 4 * 1024;

/// Close codes (RFC 6455, 7.4.1).
pub(super) mod close_code {
    pub const AWAY: u16 = 1001;
    pub const PROTOCOL: u16 = 1002;
    pub const UNSUPPORTED: u16 = 1003;
    pub const POLICY: u16 = 1008;
    pub const SIZE: u16 = 1009;
    pub const ERROR: u16 = 1011;
}

pub(super) type Socket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

mod decode;
mod writer;

use decode::{binary_close, decode, read_error_close, undecodable_send};
use writer::{finish, reply_error, write_loop};

/// `GET /ws`.
pub async fn upgrade(State(app): State<AppState>, mut req: Request) -> Response {
    let headers = req.headers();
    // A missing Origin is a non-browser client; browsers always send one on upgrades.
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        if !app.origins.allows(origin.to_str().unwrap_or(""), host) {
            tracing::info!(origin = ?origin, "websocket upgrade refused");
            return RestError::OriginRefused.into_response();
        }
    }
    let Some(accept) = accept_key(headers) else {
        return RestError::InvalidInput("expected a WebSocket upgrade (version 13)".into())
            .into_response();
    };
    // A socket before `hello` is anyone's: bound how many wait at once (each holds a task and
    // its buffers for up to the hello timeout). The permit is returned once the socket has
    // authenticated or closed.
    let Ok(pending) = Arc::clone(&app.pending_sockets).try_acquire_owned() else {
        tracing::warn!("websocket upgrade refused: too many sockets waiting for hello");
        return RestError::Busy {
            retry_after: Duration::from_secs(1),
        }
        .into_response();
    };
    let on_upgrade = hyper::upgrade::on(&mut req);
    let (hub, sessions, keep_alive) = (app.hub.clone(), app.sessions.clone(), app.keep_alive);
    let config = WebSocketConfig::default()
        .read_buffer_size(BUFFER_BYTES)
        .write_buffer_size(BUFFER_BYTES)
        .max_message_size(Some(protocol::MAX_FRAME_BYTES))
        .max_frame_size(Some(protocol::MAX_FRAME_BYTES));
    let tracker = hub.tracker();
    tokio::spawn(tracker.track_future(async move {
        match on_upgrade.await {
            Ok(upgraded) => {
                let io = TokioIo::new(upgraded);
                let socket = WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await;
                serve(socket, hub, sessions, keep_alive, pending).await;
            }
            Err(e) => tracing::debug!(error = %e, "websocket upgrade failed"),
        }
    }));
    let mut res = Response::new(Body::empty());
    *res.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = res.headers_mut();
    h.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    res
}

/// The `Sec-WebSocket-Accept` answer to a well-formed WebSocket upgrade request (RFC 6455,
/// 4.2.1), or `None` when the request is not one.
fn accept_key(headers: &HeaderMap) -> Option<HeaderValue> {
    let has_token = |name: header::HeaderName, token: &str| {
        headers.get_all(name).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
        })
    };
    let version_13 = headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_some_and(|v| v == "13");
    if !(has_token(header::CONNECTION, "upgrade")
        && has_token(header::UPGRADE, "websocket")
        && version_13)
    {
        return None;
    }
    let key = headers.get(header::SEC_WEBSOCKET_KEY)?;
    HeaderValue::from_str(&tungstenite::handshake::derive_accept_key(key.as_bytes())).ok()
}

/// Why the reader stopped, and the close frame to send (if any).
pub(super) type Close = Option<(u16, &'static str)>;

async fn serve(
    socket: Socket,
    hub: Hub,
    sessions: Sessions,
    keep_alive: KeepAlive,
    pending: OwnedSemaphorePermit,
) {
    let (sink, mut stream) = socket.split();
    let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
    // The close frame's way past a full queue (see `finish`).
    let urgent = Kick::default();
    let writer = tokio::spawn(write_loop(
        sink,
        rx,
        urgent.clone(),
        keep_alive.ping_interval,
    ));
    let shaken = handshake(&mut stream, &tx, &hub, &sessions, keep_alive.hello_timeout).await;
    drop(pending);
    let close = match shaken {
        Ok(connection) => {
            tracing::debug!(socket = connection.id, who = ?connection.me.principal, "connected");
            let close =
                read_loop(&mut stream, &tx, &hub, &connection, keep_alive.idle_timeout).await;
            // Unregistering here, before the close handshake in `finish`, takes the socket out
            // of fan-out and presence at once, even if the client never answers the close.
            hub.disconnect(connection.id);
            close
        }
        Err(close) => close,
    };
    finish(stream, tx, urgent, writer, close).await;
}

/// Wait for `hello`, check version and token, register with the hub.
async fn handshake(
    stream: &mut SplitStream<Socket>,
    tx: &mpsc::Sender<Outbound>,
    hub: &Hub,
    sessions: &Sessions,
    hello_timeout: Duration,
) -> Result<Connection, Close> {
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
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)))) => continue,
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
        let who = match sessions.authenticate(&token).await {
            Ok(Some(who)) => who,
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
        return hub
            .connect(who.me, who.credential, cursors, tx.clone())
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
    stream: &mut SplitStream<Socket>,
    tx: &mpsc::Sender<Outbound>,
    hub: &Hub,
    connection: &Connection,
    idle_timeout: Duration,
) -> Close {
    let shutdown = hub.shutdown_token();
    let mut bad_frames = 0u32;
    loop {
        let frame = tokio::select! {
            _ = shutdown.cancelled() => return Some((close_code::AWAY, "server shutting down")),
            close = connection.kicked.kicked() => return Some(close),
            f = timeout(idle_timeout, stream.next()) => f,
        };
        let text = match frame {
            Err(_) => return Some((close_code::AWAY, "idle timeout")),
            Ok(None) | Ok(Some(Ok(Message::Close(_)))) => return None,
            Ok(Some(Err(e))) => return read_error_close(e),
            Ok(Some(Ok(Message::Binary(_)))) => return Some(binary_close()),
            // Any frame proves the client is alive; the timeout above already restarted.
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)))) => continue,
            Ok(Some(Ok(Message::Text(text)))) => text,
        };
        match decode(&text) {
            Ok(msg) => hub.handle(connection, msg).await,
            // Not a bad frame: a `send` the client can be told about, by its client id.
            Err(_) if let Some(refusal) = undecodable_send(&text) => {
                tracing::debug!(
                    socket = connection.id,
                    "send with a body that is not Unicode"
                );
                offer_reply(tx, refusal);
            }
            Err(e) => {
                bad_frames += 1;
                tracing::debug!(socket = connection.id, error = %e, "bad frame");
                reply_error(tx, ErrorCode::BadFrame, "not a frame of this protocol");
                if bad_frames >= MAX_BAD_FRAMES {
                    return Some((close_code::POLICY, "too many bad frames"));
                }
            }
        }
    }
}
