//! The REST surface: health, anonymous visitor sessions and their logout, agent login and
//! logout, an agent's own sessions (list, end one, end all others) and password change, and
//! reading a conversation's messages a page at a time.
//!
//! Owns request parsing and status codes, and the `/api/` fallbacks; credentials are issued
//! and checked in `sessions.rs`, who is calling (and whether their token is of the kind the
//! endpoint takes) is `auth.rs`, rate limits live in `limits.rs`, password hashing runs in
//! `passwords.rs`, who may read what is `policy.rs` (applied by the store, the same call the
//! socket's `sync` makes), and every non-2xx answer is a `protocol::ErrorBody` (see
//! `error.rs`), unknown routes and oversized bodies included.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use protocol::{
    ChangePasswordRequest, ConversationId, HISTORY_PAGE, HistoryPage, LoginRequest, Seq, SessionId,
    SessionList, SessionResponse, SessionsEnded, VisitorSessionRequest,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{AgentCaller, Caller, VisitorCaller};
use crate::error::RestError;
use crate::limits::ClientIp;
use crate::policy::Denied;
use crate::sessions::{self, LoginError, PasswordChangeError, device_label};
use crate::state::AppState;

/// Why a socket closes when its session ends (1008, with this reason).
pub mod close_reason {
    pub const SIGNED_OUT: &str = "signed out";
    pub const SESSION_ENDED: &str = "session ended";
    pub const PASSWORD_CHANGED: &str = "password changed";
}

/// The device label of a request (its `User-Agent`).
fn device(headers: &HeaderMap) -> String {
    device_label(
        headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok()),
    )
}

/// `GET /healthz`: answered only once the store is open (the router exists only then).
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `POST /api/visitor/session`: a new anonymous visitor and their token.
pub async fn visitor_session(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<Json<VisitorSessionRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<SessionResponse>), RestError> {
    // CORS only hides the answer from a foreign page; refuse the side effect as well.
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let origin = origin.to_str().unwrap_or("");
        if !app.origins.allows(origin, host) {
            return Err(RestError::OriginRefused);
        }
    }
    app.limits.session(ip)?;
    let req = json_body(body)?;
    let name = protocol::validate_name(&req.name)
        .map_err(|e| RestError::InvalidInput(format!("name {e}")))?
        .to_owned();
    let session = app.sessions.visitor(name, device(&headers)).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// `POST /api/agent/login`: limited per address, then per account, then by the hashing pool.
pub async fn login(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Json<SessionResponse>, RestError> {
    app.limits.login_from(ip)?;
    let req = json_body(body)?;
    if req.email.len() > protocol::MAX_EMAIL_BYTES
        || req.password.len() > protocol::MAX_PASSWORD_BYTES
    {
        return Err(RestError::BadCredentials);
    }
    app.limits
        .login_as(&sessions::normalise_email(&req.email))
        .inspect_err(|_| tracing::info!(%ip, "agent login refused: account rate limit"))?;
    let login = app
        .sessions
        .login(&app.passwords, &req.email, req.password, device(&headers));
    match login.await {
        Ok(session) => Ok(Json(session)),
        Err(LoginError::BadCredentials) => {
            tracing::info!(%ip, "failed agent login");
            Err(RestError::BadCredentials)
        }
        Err(LoginError::Hashing(e)) => {
            tracing::warn!(%ip, error = %e, "agent login not checked");
            Err(e.into())
        }
        Err(LoginError::Store(e)) => Err(e.into()),
    }
}

/// `POST /api/agent/logout` with an agent's `Authorization: Bearer <token>` (a visitor's is
/// refused, and stays valid).
pub async fn logout(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
) -> Result<StatusCode, RestError> {
    end_own_session(&app, &who).await
}

/// `POST /api/visitor/logout` with a visitor's token (an agent's is refused): the widget's
/// "forget me" and a site's sign-out.
pub async fn visitor_logout(
    State(app): State<AppState>,
    VisitorCaller(who): VisitorCaller,
) -> Result<StatusCode, RestError> {
    end_own_session(&app, &who).await
}

async fn end_own_session(
    app: &AppState,
    who: &sessions::Authenticated,
) -> Result<StatusCode, RestError> {
    // Revoked in the store first, so a socket racing to reconnect with it is refused.
    app.sessions.logout(who.credential).await?;
    app.hub.revoke(&who.credential, close_reason::SIGNED_OUT);
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/agent/sessions`: the caller's sessions (their own first, then the most recently
/// used), and which have a socket open.
pub async fn list_sessions(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
) -> Result<Json<SessionList>, RestError> {
    let hub = app.hub.clone();
    let sessions = app
        .sessions
        .list(&who, |credential| hub.has_socket_with(credential))
        .await?;
    Ok(Json(SessionList { sessions }))
}

/// `DELETE /api/agent/sessions/{id}`: end one of the caller's sessions (their current one
/// too); its sockets close with 1008 "session ended". Another agent's session, or one that
/// is already gone, is `404 not_found`.
pub async fn end_session(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, RestError> {
    let id = id
        .parse()
        .map(SessionId)
        .map_err(|_| RestError::InvalidInput("the session id must be an integer".into()))?;
    let ended = app.sessions.end(&who, id).await?;
    let credential = ended.ok_or(RestError::Denied(Denied::NotFound))?;
    app.hub.revoke(&credential, close_reason::SESSION_ENDED);
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/agent/sessions`: end every session of the caller but the one asking.
pub async fn end_other_sessions(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
) -> Result<Json<SessionsEnded>, RestError> {
    let ended = app.sessions.end_others(&who).await?;
    for credential in &ended {
        app.hub.revoke(credential, close_reason::SESSION_ENDED);
    }
    Ok(Json(SessionsEnded {
        ended: u32::try_from(ended.len()).unwrap_or(u32::MAX),
    }))
}

/// `POST /api/agent/password`: check the current password, set the new one, end every
/// session of the agent (their sockets close with 1008 "password changed") and answer with a
/// new session for this device. Attempts count against the account's login limit.
pub async fn change_password(
    State(app): State<AppState>,
    AgentCaller(who): AgentCaller,
    headers: HeaderMap,
    body: Result<Json<ChangePasswordRequest>, JsonRejection>,
) -> Result<Json<SessionResponse>, RestError> {
    let req = json_body(body)?;
    if req.current_password.len() > protocol::MAX_PASSWORD_BYTES {
        return Err(RestError::InvalidInput(
            PasswordChangeError::WrongPassword.to_string(),
        ));
    }
    app.limits.password_change(who.me.principal)?;
    let change = app.sessions.change_password(
        &app.passwords,
        &who,
        req.current_password,
        req.new_password,
        device(&headers),
    );
    let (session, ended) = match change.await {
        Ok(done) => done,
        Err(e @ (PasswordChangeError::WrongPassword | PasswordChangeError::Weak(_))) => {
            return Err(RestError::InvalidInput(e.to_string()));
        }
        Err(PasswordChangeError::Hashing(e)) => return Err(e.into()),
        Err(PasswordChangeError::Store(e)) => return Err(e.into()),
    };
    for credential in &ended {
        app.hub.revoke(credential, close_reason::PASSWORD_CHANGED);
    }
    tracing::info!(agent = ?who.me.principal, sessions_ended = ended.len(), "password changed");
    Ok(Json(session))
}

/// Any path under `/api/` nothing is routed at (axum's own 404 has an empty body).
pub async fn no_route() -> RestError {
    RestError::NoRoute
}

/// A routed `/api/` path asked with a method it does not take (axum adds `Allow`).
pub async fn method_not_allowed() -> RestError {
    RestError::MethodNotAllowed
}

/// The query of [`conversation_messages`].
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    /// Messages with a greater `seq` are returned; 0 (the default) for all.
    #[serde(default)]
    after_seq: Seq,
    /// At most this many (1 to [`HISTORY_PAGE`], the default).
    limit: Option<usize>,
}

/// `GET /api/conversations/{id}/messages?after_seq=N&limit=L` with `Authorization: Bearer
/// <token>` (a visitor's or an agent's): a page of the messages after `after_seq`, in order,
/// with `more` when it was cut. Who may read is decided by the same store call and policy as
/// the socket's `sync`, so a caller who may not read the conversation gets `404 not_found`
/// exactly as if it did not exist.
pub async fn conversation_messages(
    State(app): State<AppState>,
    // Who asks comes first (extractors run in order): without a valid token nothing else is
    // looked at.
    Caller(who): Caller,
    Path(id): Path<String>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<HistoryPage>, RestError> {
    let conversation_id = id
        .parse()
        .map(ConversationId)
        .map_err(|_| RestError::InvalidInput("the conversation id must be an integer".into()))?;
    let Query(PageQuery { after_seq, limit }) =
        query.map_err(|e| RestError::InvalidInput(e.body_text()))?;
    if after_seq < 0 {
        return Err(RestError::InvalidInput(
            "after_seq must be 0 or more".into(),
        ));
    }
    let limit = limit.unwrap_or(HISTORY_PAGE);
    if !(1..=HISTORY_PAGE).contains(&limit) {
        return Err(RestError::InvalidInput(format!(
            "limit must be between 1 and {HISTORY_PAGE}"
        )));
    }
    let me = who.me;
    let page = app
        .db
        .call(move |s| s.messages_page(&me, conversation_id, after_seq, limit))
        .await?;
    Ok(Json(HistoryPage {
        conversation_id,
        messages: page.messages,
        more: page.more,
    }))
}

/// A JSON body, or why not: too large is 413 (the limit is `lib.rs`'s `MAX_REST_BODY`),
/// anything else malformed 400.
fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, RestError> {
    match body {
        Ok(Json(value)) => Ok(value),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(RestError::TooLarge),
        Err(e) => Err(RestError::InvalidInput(e.body_text())),
    }
}

#[cfg(test)]
mod tests {
    //! The read path over real HTTP: a served router, data set up through the store.

    use protocol::{ErrorBody, ErrorCode, HistoryPage, Identity};
    use reqwest::StatusCode;

    use std::time::Duration;

    use crate::passwords::PasswordPool;
    use crate::sessions::Sessions;
    use crate::store::{Db, NewMessage, SqliteStore};
    use crate::{Config, Server, sessions};

    const SHOP: &str = "http://shop.test";

    struct Fixture {
        base: String,
        http: reqwest::Client,
        dir: tempfile::TempDir,
        _stop: tokio::sync::oneshot::Sender<()>,
    }

    impl Fixture {
        async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
            let mut req = self.http.get(format!("{}{path}", self.base));
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            req.send().await.unwrap()
        }
    }

    async fn person(db: &Db, agent: Option<&str>) -> (Identity, String) {
        let sessions = Sessions::new(db.clone(), Config::new(".", ".").lifetimes());
        let me = match agent {
            Some(name) => {
                let pool = PasswordPool::new(1, Duration::from_secs(60));
                sessions::add_agent(db, &pool, &format!("{name}@x.test"), name, "pw")
                    .await
                    .unwrap()
            }
            None => {
                let s = sessions.visitor("Vi".into(), "test".into()).await.unwrap();
                return (s.me, s.token);
            }
        };
        let token = sessions.issue(&me, "test".into()).await.unwrap();
        (me, token)
    }

    async fn error(r: reqwest::Response, status: StatusCode) -> ErrorBody {
        assert_eq!(r.status(), status);
        r.json().await.unwrap()
    }

    #[tokio::test]
    async fn messages_are_read_under_the_socket_policy() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::new(dir.path(), dir.path());
        config.allowed_origins = vec![SHOP.into()];
        let server = Server::new(config).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server.serve(listener, async {
            let _ = stopped.await;
        }));
        let f = Fixture {
            base,
            http: reqwest::Client::new(),
            dir,
            _stop: stop,
        };

        // A second handle on the same database sets the scene.
        let db = Db::new(SqliteStore::open(f.dir.path()).unwrap());
        let (vi, vi_token) = person(&db, None).await;
        let (_, other_token) = person(&db, None).await;
        let (ada, ada_token) = person(&db, Some("Ada")).await;
        let (_, bob_token) = person(&db, Some("Bob")).await;
        let id = {
            let (vi, ada) = (vi.clone(), ada.clone());
            db.call(move |s| {
                let msg = |c: &str| NewMessage {
                    client_id: c.into(),
                    conversation_id: None,
                    body: format!("hello {c}"),
                };
                s.append_message(&vi, msg("1"))?;
                s.append_message(&vi, msg("2"))?;
                let won = s.accept(&ada, s.waiting_requests()?[0].conversation_id)?;
                Ok(won.conversation.id)
            })
            .await
            .unwrap()
        };
        let path = format!("/api/conversations/{}/messages", id.0);

        // the visitor and the participating agent read it, after a seq or all of it
        for token in [&vi_token, &ada_token] {
            let r = f.get(&path, Some(token)).await;
            assert_eq!(r.status(), StatusCode::OK);
            let page: HistoryPage = r.json().await.unwrap();
            assert_eq!(page.conversation_id, id);
            let seqs: Vec<_> = page.messages.iter().map(|m| m.seq).collect();
            assert_eq!(seqs, [1, 2, 3]);
        }
        let r = f.get(&format!("{path}?after_seq=2"), Some(&vi_token)).await;
        let page: HistoryPage = r.json().await.unwrap();
        assert_eq!(page.messages.len(), 1);
        assert_eq!(page.messages[0].body, "Ada joined the chat");
        assert!(!page.more);

        // a page at a time: `limit` cuts it and `more` says so, until the last one
        let mut after = 0;
        let mut pages = Vec::new();
        loop {
            let r = f
                .get(
                    &format!("{path}?after_seq={after}&limit=2"),
                    Some(&vi_token),
                )
                .await;
            let page: HistoryPage = r.json().await.unwrap();
            pages.push(page.messages.iter().map(|m| m.seq).collect::<Vec<_>>());
            match page.messages.last() {
                Some(last) if page.more => after = last.seq,
                _ => break,
            }
        }
        assert_eq!(pages, [vec![1, 2], vec![3]]);
        for bad in ["0", "101", "x"] {
            let p = format!("{path}?limit={bad}");
            let e = error(f.get(&p, Some(&vi_token)).await, StatusCode::BAD_REQUEST).await;
            assert_eq!(e.code, ErrorCode::InvalidInput, "limit={bad}");
        }

        // strangers and a missing conversation get the very same 404
        let missing = format!("/api/conversations/{}/messages", id.0 + 1000);
        let mut bodies = Vec::new();
        for (p, token) in [
            (&path, &other_token),
            (&path, &bob_token),
            (&missing, &vi_token),
            (&missing, &bob_token),
        ] {
            let e = error(f.get(p, Some(token)).await, StatusCode::NOT_FOUND).await;
            assert_eq!(e.code, ErrorCode::NotFound);
            bodies.push(e.message);
        }
        assert!(bodies.iter().all(|b| *b == bodies[0]), "{bodies:?}");

        // no token, a token we never issued, or another scheme: 401
        let forged = format!("v_{}", "A".repeat(43));
        for token in [None, Some(forged.as_str()), Some("")] {
            let e = error(f.get(&path, token).await, StatusCode::UNAUTHORIZED).await;
            assert_eq!(e.code, ErrorCode::Unauthorized);
        }
        let r = f
            .http
            .get(format!("{}{path}", f.base))
            .header("authorization", format!("Basic {vi_token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

        // bad id or after_seq: 400
        for p in [
            "/api/conversations/abc/messages".to_owned(),
            format!("{path}?after_seq=-1"),
            format!("{path}?after_seq=x"),
        ] {
            let e = error(f.get(&p, Some(&vi_token)).await, StatusCode::BAD_REQUEST).await;
            assert_eq!(e.code, ErrorCode::InvalidInput, "{p}");
        }

        // CORS: an allowed origin may send the Authorization header; others get no grant
        let preflight = |origin: &'static str| {
            f.http
                .request(reqwest::Method::OPTIONS, format!("{}{path}", f.base))
                .header("origin", origin)
                .header("access-control-request-method", "GET")
                .header("access-control-request-headers", "authorization")
                .send()
        };
        let r = preflight(SHOP).await.unwrap();
        let allow = |r: &reqwest::Response, h: &str| {
            r.headers()
                .get(h)
                .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        };
        assert_eq!(
            allow(&r, "access-control-allow-origin").as_deref(),
            Some(SHOP)
        );
        assert!(allow(&r, "access-control-allow-methods").is_some_and(|m| m.contains("get")));
        assert!(
            allow(&r, "access-control-allow-headers").is_some_and(|h| h.contains("authorization"))
        );
        let r = preflight("http://evil.test").await.unwrap();
        assert_eq!(allow(&r, "access-control-allow-origin"), None);
    }
}
