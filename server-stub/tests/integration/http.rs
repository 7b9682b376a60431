//! REST and static assets: status codes, CORS, security headers.

use protocol::{ErrorBody, ErrorCode};

use crate::support::*;

#[tokio::test]
async fn visitor_sessions_validate_names_and_enforce_origins() {
    let srv = TestServer::start_with(|c| c.sessions_per_minute = 100).await;
    let r = srv
        .http
        .post(srv.url("/api/visitor/session"))
        .json(&serde_json::json!({"name": "  "}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<protocol::ErrorBody>().await.unwrap().code,
        ErrorCode::InvalidInput
    );
    let r = srv
        .http
        .post(srv.url("/api/visitor/session"))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // allowed origin: CORS headers; foreign origin: refused outright
    let r = srv
        .http
        .post(srv.url("/api/visitor/session"))
        .header("origin", "http://shop.test:8081")
        .json(&serde_json::json!({"name": "Cors"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://shop.test:8081"
    );
    let r = srv
        .http
        .post(srv.url("/api/visitor/session"))
        .header("origin", "http://evil.test")
        .json(&serde_json::json!({"name": "Evil"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = srv
        .http
        .request(reqwest::Method::OPTIONS, srv.url("/api/visitor/session"))
        .header("origin", "http://shop.test:8081")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "http://shop.test:8081"
    );
    srv.stop().await;
}

#[tokio::test]
async fn scenario_7_visitor_session_creation_is_rate_limited_per_ip() {
    let srv = TestServer::start_with(|c| c.sessions_per_minute = 3).await;
    for _ in 0..3 {
        srv.visitor("V").await;
    }
    let r = srv
        .http
        .post(srv.url("/api/visitor/session"))
        .json(&serde_json::json!({"name": "V"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    // The limiter's wait, in whole seconds (3 a minute: the next one is at most 20 s away).
    let wait = retry_after(&r);
    assert!((1..=20).contains(&wait), "Retry-After: {wait}");
    assert_eq!(
        r.json::<protocol::ErrorBody>().await.unwrap().code,
        ErrorCode::RateLimited
    );
    srv.stop().await;
}

#[tokio::test]
async fn assets_are_served_with_the_right_headers() {
    let srv = TestServer::start().await;
    let dist = srv.assets_dir();
    write_file(&dist.join("widget/loader.js"), "console.log('loader')");
    write_file(&dist.join("widget/pkg/widget_bg.wasm"), "\0asm");
    write_file(
        &dist.join("console/index.html"),
        "<!doctype html><title>console</title>",
    );
    write_file(&dist.join("secret.txt"), "not routed");

    let r = srv
        .http
        .get(srv.url("/widget/loader.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert_eq!(r.headers()["cache-control"], "no-cache");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    let r = srv
        .http
        .get(srv.url("/widget/pkg/widget_bg.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/wasm");

    let r = srv.http.get(srv.url("/console/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("'wasm-unsafe-eval'")
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.text().await.unwrap().contains("console"));

    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["/", "/console"] {
        let r = no_redirect.get(srv.url(path)).send().await.unwrap();
        assert!(r.status().is_redirection());
        assert_eq!(r.headers()["location"], "/console/");
    }
    for path in [
        "/secret.txt",
        "/widget/../secret.txt",
        "/widget/%2e%2e/secret.txt",
        "/widget/missing.js",
    ] {
        let r = srv.http.get(srv.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
    let r = srv.http.get(srv.url("/healthz")).send().await.unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    srv.stop().await;
}

#[tokio::test]
async fn visitor_names_are_refused_with_the_reason_and_stored_in_nfc() {
    let srv = TestServer::start_with(|c| c.sessions_per_minute = 100).await;
    for (name, why) in [
        ("Ada\nLovelace", "name must not contain control characters"),
        (
            "Ada\u{202E}ecalevoL",
            "name must not contain control characters",
        ),
        ("\u{2067}Bob", "name must not contain control characters"),
        (
            "\u{200B}\u{2060}\u{FEFF}",
            "name must contain visible characters",
        ),
        ("\u{3164}", "name must contain visible characters"),
        (" \t ", "name must not be empty"),
    ] {
        let r = srv.rest.try_visitor_session(name).await.unwrap();
        assert_eq!(r.status(), 400, "{name:?}");
        let body = r.json::<protocol::ErrorBody>().await.unwrap();
        assert_eq!(body.code, ErrorCode::InvalidInput, "{name:?}");
        assert_eq!(body.message, why, "{name:?}");
    }
    // "Zoé" typed as e + combining acute is kept as the one precomposed character.
    let zoe = srv.visitor("Zoe\u{301}").await;
    assert_eq!(zoe.me.name, "Zo\u{E9}");
    srv.stop().await;
}

/// `r` is a JSON `ErrorBody` with `status` and `code`.
async fn error_body(r: reqwest::Response, status: u16, code: ErrorCode) {
    let what = format!("{} {}", r.status(), r.url());
    assert_eq!(r.status(), status, "{what}");
    let ty = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(ty.as_deref(), Some("application/json"), "{what}");
    let text = r.text().await.unwrap();
    let body: ErrorBody = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{what}: not an ErrorBody ({e}): {text:?}"));
    assert_eq!(body.code, code, "{what}");
}

#[tokio::test]
async fn every_api_refusal_is_an_error_body() {
    let srv = TestServer::start_with(|c| c.sessions_per_minute = 100).await;
    // No such route under /api: 404 not_found.
    for path in [
        "/api",
        "/api/",
        "/api/nope",
        "/api/agent/login/x",
        "/api/conversations/1",
    ] {
        let r = srv.http.get(srv.url(path)).send().await.unwrap();
        error_body(r, 404, ErrorCode::NotFound).await;
    }
    // A route that exists, with a method it does not take: 405, still an ErrorBody, and
    // `Allow` names the method that would work.
    for (method, path, allowed) in [
        (reqwest::Method::GET, "/api/agent/login", "POST"),
        (reqwest::Method::PUT, "/api/agent/logout", "POST"),
        (
            reqwest::Method::DELETE,
            "/api/conversations/1/messages",
            "GET",
        ),
        (reqwest::Method::GET, "/api/visitor/session", "POST"),
    ] {
        let r = srv
            .http
            .request(method, srv.url(path))
            .send()
            .await
            .unwrap();
        let allow = r
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_owned());
        assert!(
            allow.as_deref().is_some_and(|a| a.contains(allowed)),
            "{path}: Allow {allow:?}"
        );
        error_body(r, 405, ErrorCode::NotFound).await;
    }
    // A body far beyond the REST limit: 413 (not 400), with an ErrorBody.
    let huge = format!(r#"{{"name":"{}"}}"#, "x".repeat(3 * 1024 * 1024));
    for path in ["/api/visitor/session", "/api/agent/login"] {
        let r = srv
            .http
            .post(srv.url(path))
            .header("content-type", "application/json")
            .body(huge.clone())
            .send()
            .await
            .unwrap();
        error_body(r, 413, ErrorCode::InvalidInput).await;
    }
    // Outside /api nothing changes: a missing asset is a plain 404.
    let r = srv.http.get(srv.url("/nope")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    srv.stop().await;
}

#[tokio::test]
async fn console_and_rest_answers_send_no_referrer_and_the_console_connects_only_home() {
    let srv = TestServer::start().await;
    write_file(
        &srv.assets_dir().join("console/index.html"),
        "<!doctype html><title>console</title>",
    );
    let r = srv.http.get(srv.url("/console/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let connect: Vec<&str> = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("connect-src "))
        .unwrap_or_else(|| panic!("no connect-src in {csp}"))
        .split_whitespace()
        .collect();
    assert_eq!(connect, ["'self'"], "{csp}");
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");

    let visitor = srv.visitor("Vi").await;
    let answers = [
        srv.http.get(srv.url("/healthz")).send().await.unwrap(),
        srv.rest.try_visitor_session("Vo").await.unwrap(),
        srv.login("ada@example.com", "wrong").await,
        srv.rest.logout(None).await.unwrap(),
        srv.rest
            .history(Some(&visitor.token), protocol::ConversationId(1), "0")
            .await
            .unwrap(),
        srv.http.get(srv.url("/api/nope")).send().await.unwrap(),
    ];
    for r in answers {
        assert_eq!(
            r.headers()
                .get("referrer-policy")
                .map(|v| v.to_str().unwrap()),
            Some("no-referrer"),
            "{} {}",
            r.status(),
            r.url()
        );
    }
    srv.stop().await;
}

#[tokio::test]
async fn demo_agents_have_their_own_salts() {
    let srv = TestServer::start().await;
    let db = srv.db();
    let mut salts = Vec::new();
    for email in ["ada@example.com", "grace@example.com"] {
        let (_, phc) = db
            .call(move |s| s.agent_password_hash(email))
            .await
            .unwrap()
            .unwrap();
        assert!(livechat_server::credentials::verify_password(
            PASSWORD, &phc
        ));
        // $argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>
        salts.push(phc.split('$').nth(4).unwrap().to_owned());
    }
    assert_ne!(salts[0], salts[1], "one salt shared by both demo agents");
    srv.stop().await;
}
