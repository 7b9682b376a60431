//! The demo "third-party site": a small coffee shop whose pages carry nothing of the chat but
//! the one `<script>` tag a site owner would paste, and its customer portal (`portal.rs`),
//! which signs its logged-in contacts in to the chat as a real portal would.
//!
//! It exists to prove the embed works across origins, so it is served by its own process on its
//! own origin. The shop's only dynamic part is the server URL written into that script tag
//! (`{{LIVECHAT_SERVER}}` in the HTML files), because the chat server's port is chosen at start.
//! Besides the shop, pages that embed the chat in hard conditions (`embed-*.html`,
//! `hostile-*.html`, `strict-csp.html`: settings, hostile CSS and built-ins, a strict CSP),
//! which the end-to-end tests and anyone trying the embed can open.

mod portal;

use anyhow::Context;
use axum::{
    Router,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
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
    /// The secret shared with the chat server (its `--identity-secret`) to sign contacts'
    /// identities. Without it and `--admin-api-key` the portal is off.
    #[arg(long, env = "LIVECHAT_IDENTITY_SECRET", hide_env_values = true)]
    identity_secret: Option<String>,
    /// The chat server's `--admin-api-key`, to sync the demo helpdesk and read ticket notes.
    #[arg(long, env = "LIVECHAT_ADMIN_API_KEY", hide_env_values = true)]
    admin_api_key: Option<String>,
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
    let shop = Router::new()
        .route("/", get(|state| page(state, Path("index.html".to_owned()))))
        .route("/{file}", get(page))
        .with_state(Arc::clone(&site));
    let app = match (args.identity_secret, args.admin_api_key) {
        (Some(secret), Some(key)) => {
            let portal = Arc::new(portal::Portal::new(site.server_url.clone(), &secret, key));
            let sync = Arc::clone(&portal);
            tokio::spawn(async move {
                if let Err(e) = sync.sync().await {
                    eprintln!("demo-site: syncing the demo helpdesk failed: {e:#}");
                }
            });
            shop.merge(
                Router::new()
                    .route("/portal/", get(portal::home))
                    .route("/portal/login", post(portal::login))
                    .route("/portal/logout", post(portal::logout))
                    .route("/portal/tickets", get(portal::tickets))
                    .route("/portal/tickets/{number}", get(portal::ticket))
                    .with_state(portal),
            )
        }
        _ => shop.route(
            "/portal/",
            get(|| async {
                "The portal needs --identity-secret and --admin-api-key (cargo xtask demo sets both)."
            }),
        ),
    };
    let app = app.route(
        "/portal",
        get(|| async { axum::response::Redirect::to("/portal/") }),
    );
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
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "text/plain; charset=utf-8",
    };
    // The socket's URL too, for the strict-CSP page's connect-src (an http: source does not
    // cover ws:).
    let ws = site.server_url.replacen("http", "ws", 1);
    let body = body
        .replace("{{LIVECHAT_SERVER}}", &site.server_url)
        .replace("{{LIVECHAT_SOCKET}}", &ws);
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}
