//! Test harness: an in-process server on 127.0.0.1:0 over a temp dir, plus the shared test
//! client (`livechat_testkit`: WebSocket [`Client`] and [`Rest`] helpers, the same code the
//! bench drives). Every await is bounded so a bug fails the test instead of hanging it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use livechat_server::Config;
use livechat_server::hub::Hub;
use livechat_server::store::{Db, SqliteStore};
use protocol::{
    ClientMsg, Conversation, ConversationId, Cursor, Identity, Message, ServerMsg, SessionResponse,
};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use livechat_testkit::{Client, NEVER_ISSUED, Rest, STEP, Welcome, within as bounded};

pub const PASSWORD: &str = "demo-password-for-tests";

pub struct TestServer {
    pub addr: SocketAddr,
    pub dir: Arc<TempDir>,
    pub rest: Rest,
    pub http: reqwest::Client,
    /// The running server's hub, to observe live sockets and presence.
    pub hub: Hub,
    /// The running server's password-hashing pool, to observe how many hashes run at once.
    pub passwords: livechat_server::passwords::PasswordPool,
    /// The running server's session services, to issue sessions without a login.
    pub sessions: livechat_server::sessions::Sessions,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), livechat_server::Error>>>,
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
        let server = bounded("server start", livechat_server::Server::new(config))
            .await
            .unwrap();
        let hub = server.hub();
        let passwords = server.passwords();
        let sessions = server.sessions();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.serve(listener, async move {
            let _ = stopped.await;
        }));
        let rest = Rest::new(addr);
        rest.wait_healthy().await.unwrap();
        TestServer {
            addr,
            dir,
            http: rest.http.clone(),
            rest,
            hub,
            passwords,
            sessions,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.rest.url(path)
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
        self.rest.visitor_session(name).await.unwrap()
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.rest.login(email, password).await.unwrap()
    }

    pub async fn ada(&self) -> SessionResponse {
        self.rest
            .agent_session("ada@example.com", PASSWORD)
            .await
            .unwrap()
    }

    pub async fn grace(&self) -> SessionResponse {
        self.rest
            .agent_session("grace@example.com", PASSWORD)
            .await
            .unwrap()
    }

    /// A second handle on the same database, as another process would have.
    pub fn db(&self) -> Db {
        Db::new(SqliteStore::open(&self.data_dir()).unwrap())
    }

    /// Every message of `conversation`, read straight from the database as `reader` would.
    pub async fn stored(&self, reader: &Identity, conversation: ConversationId) -> Vec<Message> {
        let reader = reader.clone();
        self.db()
            .call(move |s| s.messages_after(&reader, conversation, 0))
            .await
            .unwrap()
    }

    /// Create `n` extra agents through the real store and token code, bypassing the login
    /// rate limit (and argon2's cost, by hashing once).
    pub async fn extra_agents(&self, n: usize) -> Vec<SessionResponse> {
        let db = self.db();
        let phc = livechat_server::credentials::hash_password(PASSWORD);
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
            let token = self
                .sessions
                .issue(&me, "integration test".into())
                .await
                .unwrap();
            out.push(SessionResponse { token, me });
        }
        out
    }

    pub async fn client(&self) -> Client {
        Client::open(self.addr, None).await.unwrap()
    }

    /// Open a socket and complete `hello`; returns the client, its welcome conversations and
    /// the history frames that followed.
    /// `visitor`'s new conversation, accepted by `agent`, with both sockets read past the
    /// accept's frames: the bystander pair of the tests that hurt someone else.
    pub async fn accepted_chat(
        &self,
        visitor: &SessionResponse,
        agent: &SessionResponse,
    ) -> (Connected, Connected, ConversationId) {
        let mut v = self.connect(&visitor.token, vec![]).await;
        let conv =
            v.c.say_acked("opening", None, "hello")
                .await
                .conversation_id;
        let mut a = self.connect(&agent.token, vec![]).await;
        a.c.send(&ClientMsg::Accept {
            conversation_id: conv,
        })
        .await;
        assert!(matches!(a.c.recv().await, ServerMsg::Accepted { .. }));
        assert!(matches!(a.c.recv().await, ServerMsg::History { .. }));
        assert!(matches!(v.c.recv().await, ServerMsg::Conversation { .. }));
        assert!(matches!(v.c.recv().await, ServerMsg::Message { .. }));
        (v, a, conv)
    }

    pub async fn connect(&self, token: &str, cursors: Vec<Cursor>) -> Connected {
        let mut c = self.client().await;
        let Welcome {
            conversations,
            histories,
            reset,
            more,
        } = c.hello(token, cursors).await;
        Connected {
            c,
            conversations,
            histories,
            reset,
            more,
        }
    }
}

pub struct Connected {
    pub c: Client,
    pub conversations: Vec<Conversation>,
    pub histories: Vec<(ConversationId, Vec<Message>)>,
    /// Conversations whose cursor was reset (`history.reset`).
    pub reset: Vec<ConversationId>,
    /// Conversations with more history than the first page (`history.more`).
    pub more: Vec<ConversationId>,
}

/// `Retry-After` in whole seconds; panics when it is missing or not a number.
pub fn retry_after(r: &reqwest::Response) -> u64 {
    let value = r
        .headers()
        .get("retry-after")
        .unwrap_or_else(|| panic!("{} without Retry-After", r.status()));
    value.to_str().unwrap().parse().unwrap()
}

/// Poll `check` until it holds, for at most `limit`.
pub async fn eventually(what: &str, limit: Duration, check: impl Fn() -> bool) {
    tokio::time::timeout(limit, async {
        while !check() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{what} did not happen within {limit:?}"));
}

pub fn write_file(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
}

/// The admin API key the helpdesk, webhook and waiting tests give their servers.
pub const API_KEY: &str = "the helpdesk sync job's admin api key, 32+ bytes";

/// `method path` with an optional bearer token and JSON body: the status and the body as JSON
/// (`null` when it is not JSON).
pub async fn call(
    srv: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> (reqwest::StatusCode, serde_json::Value) {
    let mut req = srv.http.request(method, srv.url(path));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let r = bounded(path, req.send()).await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// Read until the server closes this socket; its close code and reason.
pub async fn closed_with(c: &mut Client) -> (u16, String) {
    let (_, close) = c.until_close().await;
    let close = close.expect("a close frame");
    (u16::from(close.code), close.reason.to_string())
}

/// Read frames until one says `conversation_id` has ended (what comes before is skipped).
pub async fn until_ended(c: &mut Client, conversation_id: ConversationId) {
    loop {
        if let ServerMsg::Conversation { conversation } = c.recv().await
            && conversation.id == conversation_id
            && conversation.status == protocol::ConversationStatus::Ended
        {
            return;
        }
    }
}

/// The identity secret the helpdesk and search tests share with their "portal".
pub const SECRET: &str = "the demo portal's identity secret, 32+ bytes";

/// A server with signed identity and the admin API on, and room for many sessions.
pub async fn helpdesk_server() -> TestServer {
    TestServer::start_with(|c| {
        c.identity_secret = Some(SECRET.into());
        c.admin_api_key = Some(API_KEY.into());
        c.sessions_per_minute = 1_000;
    })
    .await
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A statement about contact `sub` (of company `acme`) valid for `valid_for` seconds, signed
/// with `secret`.
pub fn statement(sub: &str, name: &str, valid_for: i64, secret: &str) -> String {
    statement_in(sub, name, ("acme", "Acme Ltd"), valid_for, secret)
}

/// [`statement`] for a contact of `company` (its id and name).
pub fn statement_in(
    sub: &str,
    name: &str,
    (company, company_name): (&str, &str),
    valid_for: i64,
    secret: &str,
) -> String {
    let claims = serde_json::json!({
        "sub": sub,
        "name": name,
        "email": format!("{sub}@{company}.test"),
        "company": company,
        "company_name": company_name,
        "exp": now_secs() + valid_for,
    });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// `POST /api/contact/session` with `identity` (and an anonymous visitor's token to adopt from).
pub async fn sign_in(
    srv: &TestServer,
    identity: &str,
    anonymous: Option<&str>,
) -> (reqwest::StatusCode, serde_json::Value) {
    call(
        srv,
        reqwest::Method::POST,
        "/api/contact/session",
        anonymous,
        Some(serde_json::json!({ "identity": identity })),
    )
    .await
}

/// A contact session from a successful [`sign_in`]'s body.
pub fn session(body: serde_json::Value) -> protocol::helpdesk::ContactSessionResponse {
    serde_json::from_value(body).unwrap()
}
