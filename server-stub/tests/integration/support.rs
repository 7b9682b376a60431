//! Test harness: an in-process server on 127.0.0.1:0 over a temp dir, REST helpers, and a
//! small WebSocket client speaking `protocol` types. Every await is bounded so a bug fails the
//! test instead of hanging it.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use protocol::{
    ClientMsg, Conversation, Cursor, Identity, Message, PROTOCOL_VERSION, ServerMsg,
    SessionResponse,
};
use server_stub::Config;
use server_stub::hub::Hub;
use server_stub::store::{Db, SqliteStore};
use tempfile::TempDir;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const PASSWORD: &str = "demo-password-for-tests";
pub const STEP: Duration = Duration::from_secs(10);

/// Await `f` for at most [`STEP`].
pub async fn bounded<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP, f)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub dir: Arc<TempDir>,
    pub http: reqwest::Client,
    /// The running server's hub, to observe live sockets and presence.
    pub hub: Hub,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), server_stub::Error>>>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        Self::start_in(Arc::new(TempDir::new().unwrap()), tweak).await
    }

    /// Start on an existing directory (restart tests). Assets live in `<dir>/dist`.
    pub async fn start_in(dir: Arc<TempDir>, tweak: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::new(dir.path().join("data"), dir.path().join("dist"));
        config.demo_password = Some(PASSWORD.into());
        config.allowed_origins = vec!["http://shop.test:8081".into()];
        tweak(&mut config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = bounded("server start", server_stub::Server::new(config))
            .await
            .unwrap();
        let hub = server.hub();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::new();
        // Ready once healthz answers (the store is open and seeded by then).
        bounded("healthz", async {
            loop {
                if let Ok(r) = http.get(format!("http://{addr}/healthz")).send().await
                    && r.status().is_success()
                {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        TestServer {
            addr,
            dir,
            http,
            hub,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn assets_dir(&self) -> PathBuf {
        self.dir.path().join("dist")
    }

    /// Graceful shutdown; waits for the server to return.
    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        let task = self.task.take().unwrap();
        bounded("server shutdown", task).await.unwrap().unwrap();
    }

    pub async fn visitor(&self, name: &str) -> SessionResponse {
        let r = self
            .http
            .post(self.url("/api/visitor/session"))
            .json(&serde_json::json!({ "name": name }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "visitor session");
        r.json().await.unwrap()
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        bounded(
            "login",
            self.http
                .post(self.url("/api/agent/login"))
                .json(&serde_json::json!({ "email": email, "password": password }))
                .send(),
        )
        .await
        .unwrap()
    }

    pub async fn ada(&self) -> SessionResponse {
        let r = self.login("ada@example.com", PASSWORD).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    /// A second handle on the same database, as another process would have.
    pub fn db(&self) -> Db {
        Db::new(SqliteStore::open(&self.data_dir()).unwrap())
    }

    /// Create `n` extra agents through the real store and token code, bypassing the login
    /// rate limit (and argon2's cost, by hashing once).
    pub async fn extra_agents(&self, n: usize) -> Vec<SessionResponse> {
        let db = self.db();
        let phc = server_stub::auth::hash_password(PASSWORD);
        let mut out = Vec::new();
        for i in 0..n {
            let (email, name, phc) = (
                format!("agent{i}@example.com"),
                format!("Agent {i}"),
                phc.clone(),
            );
            let me: Identity = db
                .call(move |s| s.create_agent(&email, &name, &phc, "demo"))
                .await
                .unwrap();
            let token = server_stub::auth::issue_session(&db, &me).await.unwrap();
            out.push(SessionResponse { token, me });
        }
        out
    }

    pub async fn client(&self) -> Client {
        Client::open(self.addr, None).await.unwrap()
    }

    /// Open a socket and complete `hello`; returns the client, its welcome conversations and
    /// the history frames that followed.
    pub async fn connect(&self, token: &str, cursors: Vec<Cursor>) -> Connected {
        let mut c = self.client().await;
        let (conversations, histories) = c.hello(token, cursors).await;
        Connected {
            c,
            conversations,
            histories,
        }
    }
}

pub struct Connected {
    pub c: Client,
    pub conversations: Vec<Conversation>,
    pub histories: Vec<(i64, Vec<Message>)>,
}

pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    pub async fn open(
        addr: SocketAddr,
        origin: Option<&str>,
    ) -> Result<Client, tungstenite::Error> {
        let mut req = format!("ws://{addr}/ws").into_client_request().unwrap();
        if let Some(origin) = origin {
            req.headers_mut()
                .insert("origin", HeaderValue::from_str(origin).unwrap());
        }
        let (ws, _) = bounded("ws connect", tokio_tungstenite::connect_async(req)).await?;
        Ok(Client { ws })
    }

    pub async fn send(&mut self, msg: &ClientMsg) {
        self.send_raw(&serde_json::to_string(msg).unwrap()).await;
    }

    pub async fn send_raw(&mut self, text: &str) {
        bounded("ws send", self.ws.send(WsMessage::Text(text.into())))
            .await
            .unwrap();
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        bounded("ws send", self.ws.send(WsMessage::Binary(bytes.into())))
            .await
            .unwrap();
    }

    /// The next server frame, skipping pings/pongs; panics on close or timeout.
    pub async fn recv(&mut self) -> ServerMsg {
        loop {
            let msg = bounded("server frame", self.ws.next())
                .await
                .expect("socket ended")
                .expect("socket error");
            match msg {
                WsMessage::Text(t) => {
                    return serde_json::from_str(t.as_str())
                        .unwrap_or_else(|e| panic!("undecodable server frame {t}: {e}"));
                }
                WsMessage::Ping(_) | WsMessage::Pong(_) => continue,
                other => panic!("expected a text frame, got {other:?}"),
            }
        }
    }

    /// Read until the server closes; returns its close frame (text frames before it are
    /// returned too, for inspection).
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
                    seen.push(serde_json::from_str(t.as_str()).unwrap())
                }
                Some(Ok(WsMessage::Close(frame))) => return (seen, frame),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return (seen, None),
            }
        }
    }

    /// Read until the server closes; the socket must have got exactly one `error` frame first.
    /// Returns its code and the close code (`None` when no close frame came).
    pub async fn refused(&mut self) -> (protocol::ErrorCode, Option<u16>) {
        let (frames, close) = self.until_close().await;
        match &frames[..] {
            [ServerMsg::Error { code, .. }] => (*code, close.map(|c| u16::from(c.code))),
            other => panic!("expected exactly one error before the close, got {other:?}"),
        }
    }

    /// The next raw WebSocket message, unbounded (callers bound it).
    pub async fn next_raw(&mut self) -> Option<Result<WsMessage, tungstenite::Error>> {
        self.ws.next().await
    }

    /// Assert nothing (but pings) arrives for `d`.
    pub async fn silent_for(&mut self, d: Duration) {
        loop {
            match tokio::time::timeout(d, self.ws.next()).await {
                Err(_) => return,
                Ok(Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_)))) => continue,
                Ok(other) => panic!("expected silence, got {other:?}"),
            }
        }
    }

    pub async fn hello(
        &mut self,
        token: &str,
        cursors: Vec<Cursor>,
    ) -> (Vec<Conversation>, Vec<(i64, Vec<Message>)>) {
        self.send(&ClientMsg::Hello {
            protocol: PROTOCOL_VERSION,
            token: token.into(),
            cursors,
        })
        .await;
        let ServerMsg::Welcome { conversations, .. } = self.recv().await else {
            panic!("expected welcome")
        };
        let mut histories = Vec::new();
        for _ in &conversations {
            match self.recv().await {
                ServerMsg::History {
                    conversation_id,
                    messages,
                } => histories.push((conversation_id, messages)),
                other => panic!("expected history, got {other:?}"),
            }
        }
        (conversations, histories)
    }

    pub async fn say(&mut self, client_id: &str, conversation_id: Option<i64>, body: &str) {
        self.send(&ClientMsg::Send {
            client_id: client_id.into(),
            conversation_id,
            body: body.into(),
        })
        .await;
    }

    /// Send and expect the `ack` (skipping `conversation` frames before it).
    pub async fn say_acked(
        &mut self,
        client_id: &str,
        conversation_id: Option<i64>,
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
                other => panic!("expected ack for {client_id}, got {other:?}"),
            }
        }
    }

    pub async fn expect_error(&mut self) -> (protocol::ErrorCode, String, Option<String>) {
        match self.recv().await {
            ServerMsg::Error {
                code,
                message,
                client_id,
            } => (code, message, client_id),
            other => panic!("expected error, got {other:?}"),
        }
    }
}

pub fn write_file(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
}
