//! The demo "third-party site": a small coffee shop whose pages carry nothing of the chat but
//! the one `<script>` tag a site owner would paste.
//!
//! It exists to prove the embed works across origins, so it is served by its own process on its
//! own origin. The only dynamic part is the server URL written into that script tag
//! (`{{LIVECHAT_SERVER}}` in the HTML files), because the chat server's port is chosen at start.

use anyhow::Context;
use axum::{
    Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use clap::Parser;
use std::{path::PathBuf, sync::Arc};

#[derive(Parser, Debug)]
#[command(about = "Serve the demo shop that embeds the live-chat widget")]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "DEMO_SITE_LISTEN", default_value = "127.0.0.1:8081")]
    listen: String,
    /// Base URL of the chat server whose widget the pages embed.
    #[arg(
        long,
        env = "LIVECHAT_SERVER_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    server_url: String,
    /// Directory with the pages.
    #[arg(long, env = "DEMO_SITE_DIR", default_value_os_t = default_dir())]
    dir: PathBuf,
}

fn default_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public")
}

struct Site {
    dir: PathBuf,
    server_url: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let site = Arc::new(Site {
        dir: args.dir,
        server_url: args.server_url.trim_end_matches('/').to_owned(),
    });
    let app = Router::new()
        .route("/", get(|state| page(state, Path("index.html".to_owned()))))
        .route("/{file}", get(page))
        .with_state(site);
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    // The e2e harness and `cargo xtask demo` read this line to learn the port.
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn page(State(site): State<Arc<Site>>, Path(file): Path<String>) -> Response {
    // Only plain file names from our own folder: no `..`, no sub-paths.
    let safe = !file.is_empty()
        && file
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !file.starts_with('.');
    if !safe {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Ok(body) = tokio::fs::read_to_string(site.dir.join(&file)).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = match file.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "text/plain; charset=utf-8",
    };
    let body = body.replace("{{LIVECHAT_SERVER}}", &site.server_url);
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}
