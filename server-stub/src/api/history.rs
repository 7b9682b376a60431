//! Reading a conversation's messages over REST, a page at a time, under the same rule as the
//! socket's `sync`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use protocol::{HISTORY_PAGE, HistoryPage, Seq};
use serde::Deserialize;

use crate::auth::Caller;
use crate::error::RestError;
use crate::state::AppState;

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
    let conversation_id = super::conversation_id(&id)?;
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
                    options: Vec::new(),
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
