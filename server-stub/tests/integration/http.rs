//! REST and static assets: status codes, CORS, security headers.

use protocol::ErrorCode;

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
