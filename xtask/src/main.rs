//! `cargo xtask`: the project's build glue, in Rust rather than shell.
//!
//! It owns the steps no single `cargo` command does: installing the tools the widget and the
//! browser tests need (idempotently, from the package registries only), building the wasm
//! bundles into `dist/`, checking their byte budgets, running every test layer in order, and
//! running the demo (chat server + shop site on a second origin).
//!
//! Commands:
//! - `cargo xtask demo`  build everything and run server + demo site until Ctrl-C
//! - `cargo xtask test`  lint, then every test layer (unit, golden, integration, widget in
//!   Chromium, size budget, end-to-end in Chromium)
//! - `cargo xtask dist`  build the widget, console and loader into `dist/`
//! - `cargo xtask size`  print the exact brotli sizes and check the budgets
//! - `cargo xtask tools` install what the build and tests need
//! - `cargo xtask bench` the chat server's throughput and latency as ratios against a minimal
//!   relay measured in the same process (`cargo bench -p livechat-server --bench chat`)
//! - `cargo xtask fuzz [seconds]` every fuzz target in `fuzz/` for `seconds` each (default
//!   60) over its committed corpus, failing on a crash (not part of `test`: the instrumented
//!   build alone takes minutes)

mod dist;
mod fuzz;
mod proc;
mod strip;
mod tools;

use anyhow::{Result, bail};
use std::path::PathBuf;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprintln!("usage: cargo xtask <demo|test|dist [bundle…]|size|tools|bench|fuzz [seconds]>");
        std::process::exit(2);
    };
    match command.as_str() {
        "tools" => tools::ensure_all(tools::Need::Everything),
        "dist" => {
            tools::ensure_all(tools::Need::Build)?;
            dist::build(&args[1..])
        }
        "size" => dist::check_size(),
        "demo" => demo(),
        "test" => test(),
        "bench" => proc::cargo(&["bench", "-p", "livechat-server", "--bench", "chat"]),
        "fuzz" => fuzz::run(args.get(1).map(String::as_str)),
        other => {
            bail!("unknown command `{other}`; try demo, test, dist, size, tools, bench or fuzz")
        }
    }
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}

/// The demo's shared secrets (the portal signs contacts' identities; it syncs its helpdesk
/// through the admin API). Demo values for localhost only: a real deployment generates its own.
const DEMO_IDENTITY_SECRET: &str = "demo-identity-secret-for-localhost-only";
const DEMO_ADMIN_API_KEY: &str = "demo-admin-api-key-for-localhost-only!!";

fn demo() -> Result<()> {
    tools::ensure_all(tools::Need::Build)?;
    dist::build(&[])?;
    proc::cargo(&["build", "-p", "livechat-server", "-p", "demo-site"])?;
    let bin = root().join("target/debug");
    let server_url = "http://127.0.0.1:8080";
    let site_url = "http://localhost:8081";
    let password =
        std::env::var("LIVECHAT_DEMO_PASSWORD").unwrap_or_else(|_| "demo-password".into());
    let data_dir = root().join("data");
    let mut server = proc::Child::spawn(
        "server",
        std::process::Command::new(bin.join("livechat-server"))
            .current_dir(root())
            // The shop, plus Trunk's dev page (Trunk.toml) for contributors who use it.
            .args(["--listen", "127.0.0.1:8080", "--assets-dir", "dist"])
            .args([
                "--allowed-origins",
                &format!("{site_url},http://127.0.0.1:8088"),
            ])
            .arg("--data-dir")
            .arg(&data_dir)
            .env("LIVECHAT_DEMO_PASSWORD", &password)
            .env("LIVECHAT_IDENTITY_SECRET", DEMO_IDENTITY_SECRET)
            .env("LIVECHAT_ADMIN_API_KEY", DEMO_ADMIN_API_KEY),
    )?;
    server.wait_for_listening()?;
    let mut site = proc::Child::spawn(
        "demo-site",
        std::process::Command::new(bin.join("demo-site"))
            .current_dir(root())
            .args(["--listen", "127.0.0.1:8081", "--server-url", server_url])
            .env("LIVECHAT_IDENTITY_SECRET", DEMO_IDENTITY_SECRET)
            .env("LIVECHAT_ADMIN_API_KEY", DEMO_ADMIN_API_KEY),
    )?;
    site.wait_for_listening()?;
    println!();
    println!("  Shop with the chat widget:  {site_url}/");
    println!("  Customer portal:            {site_url}/portal/");
    println!(
        "  Portal customers:           carla@acme.test, dan@acme.test (Acme Cafés), \
         gus@globex.test (Globex Hotels) / password portal-demo"
    );
    println!("  Agent console:              {server_url}/console/");
    println!("  Demo agents:                ada@example.com and grace@example.com");
    println!(
        "  Password:                   {password}  (only on first start; data in {})",
        data_dir.display()
    );
    println!();
    println!("  Ctrl-C stops both.");
    // Either process exiting ends the demo; Ctrl-C reaches both through the process group.
    loop {
        if let Some(status) = server.try_wait()? {
            bail!("server exited: {status}");
        }
        if let Some(status) = site.try_wait()? {
            bail!("demo site exited: {status}");
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
}

fn test() -> Result<()> {
    let started = std::time::Instant::now();
    tools::ensure_all(tools::Need::Everything)?;
    // In order: cheap checks first, so a formatting slip fails in seconds, not minutes.
    let layers: [(&str, &dyn Fn() -> Result<()>); 7] = [
        ("format", &|| {
            proc::cargo(&["fmt", "--all", "--check"])?;
            // The fuzz crate is outside the workspace, so `--all` does not reach it.
            proc::cargo(&["fmt", "--manifest-path", "fuzz/Cargo.toml", "--check"])
        }),
        ("clippy (host)", &|| {
            proc::cargo(&["clippy", "--all-targets", "--", "-D", "warnings"])?;
            // The fuzz crate is outside the workspace (its own build, see `fuzz.rs`); checking
            // it here keeps the server's API changes from silently breaking the fuzz targets.
            proc::cargo(&[
                "clippy",
                "--manifest-path",
                "fuzz/Cargo.toml",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ])
        }),
        ("clippy (widget apps, wasm32)", &|| {
            for bundle in &dist::BUNDLES {
                let mut args = vec!["clippy"];
                args.extend(bundle.cargo_args());
                args.extend([
                    "--target",
                    tools::WASM_TARGET,
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ]);
                proc::cargo(&args)?;
            }
            Ok(())
        }),
        (
            "unit (incl. widget client) + protocol golden + server integration",
            &|| proc::cargo(&["test"]),
        ),
        ("widget app components (headless Chromium)", &|| {
            for bundle in &dist::BUNDLES {
                let mut args = vec!["test"];
                args.extend(bundle.cargo_args());
                args.extend(["--target", tools::WASM_TARGET]);
                // The runner's default bound (20 s for a crate's whole suite) is too tight for
                // the console's suite on a busy 2-core machine; a bound, not a sleep.
                proc::cargo_with_env(
                    &args,
                    &[
                        ("CHROMEDRIVER", tools::CHROMEDRIVER),
                        ("WASM_BINDGEN_TEST_TIMEOUT", "300"),
                    ],
                )?;
            }
            Ok(())
        }),
        ("release bundles + size budget", &|| {
            dist::build(&[])?;
            dist::check_size()
        }),
        ("end-to-end (two origins, headless Chromium)", &|| {
            proc::cargo(&["build", "-p", "livechat-server", "-p", "demo-site"])?;
            tools::npm_ci(&root().join("tests/e2e"))?;
            let bin = root().join("target/debug");
            proc::run(
                std::process::Command::new("node")
                    .current_dir(root().join("tests/e2e"))
                    .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
                    .env("LIVECHAT_SERVER_BIN", bin.join("livechat-server"))
                    .env("DEMO_SITE_BIN", bin.join("demo-site"))
                    .env("LIVECHAT_DIST", root().join("dist"))
                    .env("CHROMIUM", tools::CHROMIUM),
            )
        }),
    ];
    let mut timings = Vec::new();
    let mut failure = None;
    for (name, run) in layers {
        println!("\n=== {name} ===");
        let t = std::time::Instant::now();
        if let Err(e) = run() {
            failure = Some((name, e));
            break;
        }
        timings.push((name, t.elapsed()));
    }

    println!("\n=== summary ===");
    for (name, took) in &timings {
        println!("  {:<48} {:>6.1} s", name, took.as_secs_f64());
    }
    println!(
        "  {:<48} {:>6.1} s",
        "total",
        started.elapsed().as_secs_f64()
    );
    // One plain closing line over all layers (each runner above printed its own counts).
    let failed = usize::from(failure.is_some());
    println!("layers: {} passed, {failed} failed", timings.len());
    match failure {
        Some((name, e)) => Err(e.context(format!("test layer `{name}` failed"))),
        None => Ok(()),
    }
}
