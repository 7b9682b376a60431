//! The `livechat-server` binary: parse flags, bind, print `listening on http://<addr>`, serve until
//! SIGINT/SIGTERM. Logs go to stderr (RUST_LOG, default `info`); stdout carries only the lines
//! harnesses parse.

use std::io::Write as _;

use anyhow::Context as _;
use clap::{CommandFactory as _, Parser as _};
use livechat_server::{Config, Server};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let config = Config::parse();
    // Refuse a bad combination before binding, in clap's words (usage, exit code 2);
    // `Server::new` checks again for embedders.
    if let Err(e) = config.validate() {
        Config::command()
            .error(clap::error::ErrorKind::ArgumentConflict, e)
            .exit();
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    let server = Server::new(config).await.context("starting the server")?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{addr}")?;
        out.flush()?;
    }
    tracing::info!(%addr, "serving");
    server.serve(listener, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
