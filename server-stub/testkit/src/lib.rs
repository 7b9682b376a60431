//! The one test client of the chat server, shared by its integration tests
//! (`server-stub/tests/integration`) and its bench (`server-stub/benches/chat.rs`).
//!
//! - [`Client`]: a WebSocket client speaking `protocol` types: connect (with or without an
//!   `Origin`, optionally with a tiny receive buffer), `hello`, typed send and receive.
//! - [`Rest`]: the REST calls a client makes (health, visitor session, agent login/logout,
//!   reading a conversation's history).
//!
//! Every await is bounded by [`STEP`], so a bug fails a test (or the bench) instead of hanging
//! it. Each operation comes twice: `try_*` returns an [`anyhow::Result`] (the bench reports
//! errors), the plain name panics with the reason (tests read as a sequence of expectations).
//!
//! The kit knows only the wire; it does not depend on the server crate, so starting a server
//! (in-process or as a binary) is the caller's business.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use protocol::{
    ClientMsg, Conversation, ConversationId, Cursor, ErrorCode, LoginRequest, Message,
    PROTOCOL_VERSION, ServerMsg, SessionResponse, VisitorSessionRequest,
};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message as WsMessage, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub use tokio_tungstenite::tungstenite::Error as WsError;

/// The longest any single await may take.
pub const STEP: Duration = Duration::from_secs(10);

/// A conversation id no server will ever have issued (SQLite rowids are positive and grow from
/// 1): asking about it is always answered `not_found`, which makes it a [`Client::barrier`].
pub const NEVER_ISSUED: ConversationId = ConversationId(i64::MAX);

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Await `f` for at most [`STEP`].
pub async fn bounded<T>(what: &str, f: impl Future<Output = T>) -> Result<T> {
    tokio::time::timeout(STEP, f)
        .await
        .map_err(|_| anyhow!("timed out after {STEP:?} waiting for {what}"))
}

/// Await `f` for at most [`STEP`]; panic on timeout.
pub async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP, f)
        .await
        .unwrap_or_else(|_| panic!("timed out after {STEP:?} waiting for {what}"))
}

fn or_panic<T>(r: Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{e:#}"))
}

/// What `hello` returns: the `welcome` conversations and the `history` frames that followed
/// (the first page of each), with the conversations whose page came with `reset` or `more`.
#[derive(Debug, Clone, PartialEq)]
pub struct Welcome {
    pub conversations: Vec<Conversation>,
    pub histories: Vec<(ConversationId, Vec<Message>)>,
    /// Conversations whose cursor the server could not honour (`history.reset`).
    pub reset: Vec<ConversationId>,
    /// Conversations with more history than the first page (`history.more`).
    pub more: Vec<ConversationId>,
}

/// One WebSocket to the chat server (or to anything speaking text frames, like the bench's
/// relay).
pub struct Client {
    ws: Ws,
    /// Deliver agents' presence frames (`team`, `agent_status`) instead of skipping them.
    presence: bool,
    /// Deliver visitors' `queue_position` frames instead of skipping them.
    queue: bool,
}

/// Agents' presence frames: every agent socket gets them whenever a colleague connects, goes
/// online or leaves, so for tests about anything else they are background, like pings.
fn is_presence(msg: &ServerMsg) -> bool {
    matches!(msg, ServerMsg::Team { .. } | ServerMsg::AgentStatus { .. })
}

/// A waiting visitor's place in the queue: told by a once-a-second task, so for tests about
/// anything else it is background too.
fn is_queue_position(msg: &ServerMsg) -> bool {
    matches!(msg, ServerMsg::QueuePosition { .. })
}

impl Client {
    /// Open `ws://{addr}/ws`, sending `Origin: origin` when given. A refused upgrade is an
    /// error that downcasts to [`WsError::Http`] with the response.
    pub async fn open(addr: SocketAddr, origin: Option<&str>) -> Result<Client> {
        Self::connect(&format!("ws://{addr}/ws"), origin).await
    }

    /// Open the WebSocket at `url`. Nagle is off: a closed loop of small frames would otherwise
    /// wait on delayed ACKs (the bench measures latency with this client).
    pub async fn connect(url: &str, origin: Option<&str>) -> Result<Client> {
        let req = request(url, origin)?;
        let (ws, _) = bounded(
            "websocket connect",
            tokio_tungstenite::connect_async_with_config(req, None, true),
        )
        .await??;
        Ok(Client {
            ws,
            presence: false,
            queue: false,
        })
    }

    /// Like [`Client::connect`] on a socket whose receive buffer is set to `rcvbuf` bytes
    /// before the handshake (so the TCP window stays that small; Linux doubles the value and
    /// has a floor of a few KiB). A client that then never reads is as slow as a client gets:
    /// at most a few frames fit in flight, whatever the machine's buffer autotuning would do.
    pub async fn connect_with_rcvbuf(
        addr: SocketAddr,
        origin: Option<&str>,
        rcvbuf: usize,
    ) -> Result<Client> {
        let socket = socket2::Socket::new(
            socket2::Domain::for_address(addr),
            socket2::Type::STREAM,
            Some(socket2::Protocol::TCP),
        )?;
        socket.set_recv_buffer_size(rcvbuf)?;
        socket.set_tcp_nodelay(true)?;
        socket.set_nonblocking(true)?;
        let socket = tokio::net::TcpSocket::from_std_stream(socket.into());
        let stream = bounded("tcp connect", socket.connect(addr)).await??;
        let req = request(&format!("ws://{addr}/ws"), origin)?;
        let (ws, _) = bounded(
            "websocket handshake",
            tokio_tungstenite::client_async(req, MaybeTlsStream::Plain(stream)),
        )
        .await??;
        Ok(Client {
            ws,
            presence: false,
            queue: false,
        })
    }

    // -----------------------------------------------------------------------------------------
    // Sending
    // -----------------------------------------------------------------------------------------

    pub async fn try_send_text(&mut self, text: String) -> Result<()> {
        bounded("websocket send", self.ws.send(WsMessage::Text(text.into()))).await??;
        Ok(())
    }

    pub async fn try_send(&mut self, msg: &ClientMsg) -> Result<()> {
        self.try_send_text(serde_json::to_string(msg)?).await
    }

    pub async fn send(&mut self, msg: &ClientMsg) {
        or_panic(self.try_send(msg).await)
    }

    pub async fn send_raw(&mut self, text: &str) {
        or_panic(self.try_send_text(text.to_owned()).await)
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        let sent = bounded(
            "websocket send",
            self.ws.send(WsMessage::Binary(bytes.into())),
        )
        .await;
        or_panic(sent.and_then(|r| r.map_err(Into::into)))
    }

    /// A `send` of `body` with this `client_id`, without waiting for anything.
    pub async fn say(
        &mut self,
        client_id: &str,
        conversation_id: Option<ConversationId>,
        body: &str,
    ) {
        self.send(&send_msg(client_id, conversation_id, body)).await;
    }

    /// Send and expect the `ack` (skipping `conversation` frames before it).
    pub async fn say_acked(
        &mut self,
        client_id: &str,
        conversation_id: Option<ConversationId>,
        body: &str,
    ) -> Message {
        self.say(client_id, conversation_id, body).await;
        loop {
            match self.recv().await {
                ServerMsg::Ack {
                    client_id: c,
                    message,
                } if c == client_id => return message,
                ServerMsg::Conversation { .. } => continue,
                other => panic!("expected the ack for {client_id}, got {other:?}"),
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Receiving
    // -----------------------------------------------------------------------------------------

    /// The next text frame, skipping pings and pongs; an error on close, on a non-text frame or
    /// after [`STEP`].
    pub async fn try_next_text(&mut self) -> Result<Utf8Bytes> {
        next_text(&mut self.ws).await
    }

    /// From now on, deliver agents' presence frames too (tests about presence).
    pub fn keep_presence(&mut self) {
        self.presence = true;
    }

    /// From now on, deliver visitors' queue positions too (tests about the queue).
    pub fn keep_queue_positions(&mut self) {
        self.queue = true;
    }

    /// The next server frame (pings skipped, and agents' presence frames unless
    /// [`Client::keep_presence`] was called).
    pub async fn try_recv(&mut self) -> Result<ServerMsg> {
        loop {
            let msg = decode(self.try_next_text().await?)?;
            if (self.presence || !is_presence(&msg)) && (self.queue || !is_queue_position(&msg)) {
                return Ok(msg);
            }
        }
    }

    /// The next server frame (pings skipped); panics on close, error or timeout.
    pub async fn recv(&mut self) -> ServerMsg {
        or_panic(self.try_recv().await)
    }

    pub async fn expect_error(&mut self) -> (ErrorCode, String, Option<String>) {
        match self.recv().await {
            ServerMsg::Error {
                code,
                message,
                client_id,
            } => (code, message, client_id),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    /// The next raw WebSocket message, unbounded (callers bound it).
    pub async fn next_raw(&mut self) -> Option<Result<WsMessage, WsError>> {
        self.ws.next().await
    }

    /// Read until the server closes; returns the text frames before the close and its close
    /// frame (`None` when the connection ended without one).
    pub async fn until_close(&mut self) -> (Vec<ServerMsg>, Option<CloseFrame>) {
        self.until_close_within(STEP).await
    }

    pub async fn until_close_within(
        &mut self,
        limit: Duration,
    ) -> (Vec<ServerMsg>, Option<CloseFrame>) {
        let mut seen = Vec::new();
        loop {
            let next = tokio::time::timeout(limit, self.ws.next()).await;
            match next.expect("timed out waiting for close") {
                Some(Ok(WsMessage::Text(t))) => {
                    let msg = or_panic(decode(t));
                    if (self.presence || !is_presence(&msg))
                        && (self.queue || !is_queue_position(&msg))
                    {
                        seen.push(msg);
                    }
                }
                Some(Ok(WsMessage::Close(frame))) => return (seen, frame),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return (seen, None),
            }
        }
    }

    /// Read until the server closes; the socket must have got exactly one `error` frame first.
    /// Returns its code and the close code (`None` when no close frame came).
    pub async fn refused(&mut self) -> (ErrorCode, Option<u16>) {
        let (frames, close) = self.until_close().await;
        match &frames[..] {
            [ServerMsg::Error { code, .. }] => (*code, close.map(|c| u16::from(c.code))),
            other => panic!("expected exactly one error before the close, got {other:?}"),
        }
    }

    /// A positive "nothing else arrived" check: ask about [`NEVER_ISSUED`] and require its
    /// `not_found` to be the very next frame. The server answers each socket in order, so
    /// anything it queued for this socket before the barrier (say, a fan-out caused by
    /// another client's earlier, already answered request) would arrive first and fail this.
    pub async fn barrier(&mut self) {
        self.send(&ClientMsg::Sync {
            conversation_id: NEVER_ISSUED,
            after_seq: 0,
        })
        .await;
        match self.recv().await {
            ServerMsg::Error {
                code: ErrorCode::NotFound,
                client_id: None,
                ..
            } => {}
            other => panic!("expected nothing before the barrier's not_found, got {other:?}"),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Handshake and the rest
    // -----------------------------------------------------------------------------------------

    /// Send `hello`, then read `welcome` and one `history` per conversation.
    pub async fn try_hello(&mut self, token: &str, cursors: Vec<Cursor>) -> Result<Welcome> {
        self.try_send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            token: token.into(),
            cursors,
        })
        .await?;
        let conversations = match self.try_recv().await? {
            ServerMsg::Welcome { conversations, .. } => conversations,
            other => bail!("expected welcome, got {other:?}"),
        };
        let (mut histories, mut reset_ids, mut more_ids) = (Vec::new(), Vec::new(), Vec::new());
        for _ in &conversations {
            match self.try_recv().await? {
                ServerMsg::History {
                    conversation_id,
                    messages,
                    reset,
                    more,
                } => {
                    histories.push((conversation_id, messages));
                    if reset {
                        reset_ids.push(conversation_id);
                    }
                    if more {
                        more_ids.push(conversation_id);
                    }
                }
                other => bail!("expected history, got {other:?}"),
            }
        }
        Ok(Welcome {
            conversations,
            histories,
            reset: reset_ids,
            more: more_ids,
        })
    }

    pub async fn hello(&mut self, token: &str, cursors: Vec<Cursor>) -> Welcome {
        or_panic(self.try_hello(token, cursors).await)
    }

    /// Every message of `conversation_id` after `after_seq`, page by page (`sync` from the last
    /// `seq` of each page while the server says `more`). Nothing else may arrive meanwhile.
    pub async fn history_after(
        &mut self,
        conversation_id: ConversationId,
        after_seq: i64,
    ) -> Vec<Message> {
        let (mut all, mut after) = (Vec::new(), after_seq);
        loop {
            self.send(&ClientMsg::Sync {
                conversation_id,
                after_seq: after,
            })
            .await;
            match self.recv().await {
                ServerMsg::History {
                    conversation_id: id,
                    messages,
                    reset: false,
                    more,
                } if id == conversation_id => {
                    after = messages.last().map_or(after, |m| m.seq);
                    all.extend(messages);
                    if !more {
                        return all;
                    }
                }
                other => panic!("expected a history page of {conversation_id:?}, got {other:?}"),
            }
        }
    }

    /// Start the close handshake (bounded to one second; errors ignored).
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(1), self.ws.close(None)).await;
    }

    /// Separate halves, to write and read from different tasks.
    pub fn split(self) -> (ClientTx, ClientRx) {
        let (sink, stream) = self.ws.split();
        (ClientTx { sink }, ClientRx { stream })
    }

    /// The halves [`Client::split`] made, back as one client.
    pub fn reunite(tx: ClientTx, rx: ClientRx) -> Client {
        let ws = rx
            .stream
            .reunite(tx.sink)
            .unwrap_or_else(|_| panic!("the halves of two different clients"));
        Client {
            ws,
            presence: false,
            queue: false,
        }
    }
}

/// The writing half of a [`Client`].
pub struct ClientTx {
    sink: SplitSink<Ws, WsMessage>,
}

impl ClientTx {
    pub async fn try_send(&mut self, msg: &ClientMsg) -> Result<()> {
        let text = serde_json::to_string(msg)?;
        bounded(
            "websocket send",
            self.sink.send(WsMessage::Text(text.into())),
        )
        .await??;
        Ok(())
    }
}

/// The reading half of a [`Client`].
pub struct ClientRx {
    stream: SplitStream<Ws>,
}

impl ClientRx {
    /// The next server frame, agents' presence frames skipped.
    pub async fn try_recv(&mut self) -> Result<ServerMsg> {
        loop {
            let msg = decode(next_text(&mut self.stream).await?)?;
            if !is_presence(&msg) && !is_queue_position(&msg) {
                return Ok(msg);
            }
        }
    }

    pub async fn recv(&mut self) -> ServerMsg {
        or_panic(self.try_recv().await)
    }
}

/// A `ClientMsg::Send`.
pub fn send_msg(client_id: &str, conversation_id: Option<ConversationId>, body: &str) -> ClientMsg {
    ClientMsg::Send {
        client_id: client_id.into(),
        conversation_id,
        body: body.into(),
    }
}

fn request(url: &str, origin: Option<&str>) -> Result<tungstenite::handshake::client::Request> {
    let mut req = url.into_client_request()?;
    if let Some(origin) = origin {
        req.headers_mut()
            .insert("origin", HeaderValue::from_str(origin)?);
    }
    Ok(req)
}

async fn next_text<S>(stream: &mut S) -> Result<Utf8Bytes>
where
    S: futures_util::Stream<Item = Result<WsMessage, WsError>> + Unpin,
{
    loop {
        match bounded("a frame", stream.next()).await? {
            Some(Ok(WsMessage::Text(t))) => return Ok(t),
            Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_) | WsMessage::Frame(_))) => continue,
            Some(Ok(WsMessage::Close(frame))) => bail!("socket closed by the server: {frame:?}"),
            Some(Ok(other)) => bail!("expected a text frame, got {other:?}"),
            Some(Err(e)) => return Err(anyhow::Error::from(e).context("socket error")),
            None => bail!("socket ended"),
        }
    }
}

fn decode(text: Utf8Bytes) -> Result<ServerMsg> {
    serde_json::from_str(text.as_str()).with_context(|| format!("undecodable server frame {text}"))
}

// ---------------------------------------------------------------------------------------------
// REST
// ---------------------------------------------------------------------------------------------

/// The REST side of a client, against `http://{addr}`.
#[derive(Clone)]
pub struct Rest {
    pub http: reqwest::Client,
    pub base: String,
}

impl Rest {
    pub fn new(addr: SocketAddr) -> Self {
        Rest {
            http: reqwest::Client::new(),
            base: format!("http://{addr}"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Poll `/healthz` until it answers 2xx (the store is open and seeded by then).
    pub async fn wait_healthy(&self) -> Result<()> {
        bounded("healthz", async {
            loop {
                if let Ok(r) = self.http.get(self.url("/healthz")).send().await
                    && r.status().is_success()
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
    }

    /// `POST /api/visitor/session`, whatever the answer.
    pub async fn try_visitor_session(&self, name: &str) -> Result<reqwest::Response> {
        let body = VisitorSessionRequest { name: name.into() };
        let send = self
            .http
            .post(self.url("/api/visitor/session"))
            .json(&body)
            .send();
        Ok(bounded("a visitor session", send).await??)
    }

    /// A new visitor; anything but 201 is an error.
    pub async fn visitor_session(&self, name: &str) -> Result<SessionResponse> {
        expect_session(self.try_visitor_session(name).await?, 201).await
    }

    /// `POST /api/agent/login`, whatever the answer.
    pub async fn login(&self, email: &str, password: &str) -> Result<reqwest::Response> {
        let body = LoginRequest {
            email: email.into(),
            password: password.into(),
        };
        let send = self
            .http
            .post(self.url("/api/agent/login"))
            .json(&body)
            .send();
        Ok(bounded("a login", send).await??)
    }

    /// A signed-in agent; anything but 200 is an error.
    pub async fn agent_session(&self, email: &str, password: &str) -> Result<SessionResponse> {
        expect_session(self.login(email, password).await?, 200).await
    }

    /// `POST /api/agent/logout` with this bearer token (none: no `Authorization` header).
    pub async fn logout(&self, token: Option<&str>) -> Result<reqwest::Response> {
        let mut req = self.http.post(self.url("/api/agent/logout"));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        Ok(bounded("a logout", req.send()).await??)
    }

    /// `GET /api/conversations/{id}/messages?after_seq=N` with this bearer token (none: no
    /// `Authorization` header); `after_seq` is passed verbatim so tests can send bad values.
    pub async fn history(
        &self,
        token: Option<&str>,
        conversation_id: ConversationId,
        after_seq: &str,
    ) -> Result<reqwest::Response> {
        let url = self.url(&format!(
            "/api/conversations/{}/messages?after_seq={after_seq}",
            conversation_id.0
        ));
        let mut req = self.http.get(url);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        Ok(bounded("a history page", req.send()).await??)
    }
}

async fn expect_session(r: reqwest::Response, status: u16) -> Result<SessionResponse> {
    if r.status().as_u16() != status {
        let (got, url) = (r.status(), r.url().clone());
        let body = r.text().await.unwrap_or_default();
        bail!("{url}: expected {status}, got {got}: {body}");
    }
    Ok(bounded("a session body", r.json()).await??)
}
