//! Installing what the build and the tests need, idempotently and from the package registries
//! only (nothing here may download a tool's own binary from elsewhere: the machines this runs
//! on reach the package registries and nothing else).
//!
//! - the `wasm32-unknown-unknown` target (rustup)
//! - `wasm-bindgen-cli` at exactly the version in Cargo.lock (crates.io)
//! - `wasm-opt` from npm's `binaryen` (Debian's binaryen 108 emits wasm Chromium rejects) and
//!   `terser` for the JS glue, both from `xtask/node/package.json`
//! - Chromium and chromedriver from Debian's packages (browser tests only)

use crate::proc;
use anyhow::{Context, Result, bail};
use std::{path::Path, process::Command};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// What `dist` needs: target, wasm-bindgen, wasm-opt.
    Build,
    /// Also the browser for the tests.
    Everything,
}

pub fn ensure_all(need: Need) -> Result<()> {
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    npm_ci(&crate::root().join("xtask/node"))?;
    if need == Need::Everything {
        ensure_chromium()?;
    }
    Ok(())
}

fn ensure_wasm_target() -> Result<()> {
    let installed = proc::output(Command::new("rustup").args(["target", "list", "--installed"]))
        .unwrap_or_default();
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(());
    }
    proc::run(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

/// The wasm-bindgen version pinned in Cargo.lock; the CLI must match it exactly or the glue
/// it writes does not fit the compiled module.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    let lock =
        std::fs::read_to_string(crate::root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    bail!("wasm-bindgen is not in Cargo.lock")
}

fn ensure_wasm_bindgen() -> Result<()> {
    let want = locked_wasm_bindgen_version()?;
    let have = proc::output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    let runner =
        proc::output(Command::new("wasm-bindgen-test-runner").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(want.as_str()) && runner.contains(&want) {
        return Ok(());
    }
    // No `--locked`: the CLI's own lockfile pins a webpki-roots the registry no longer has.
    proc::run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &want]))
}

/// `npm ci` in `dir` unless its node_modules already matches the lockfile.
pub fn npm_ci(dir: &Path) -> Result<()> {
    let lock = dir.join("package-lock.json");
    let stamp = dir.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&stamp)) {
        (Ok(l), Ok(s)) => s.modified()? >= l.modified()?,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    proc::run(Command::new("npm").current_dir(dir).args([
        "ci",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
    ]))
}

/// Path of npm's wasm-opt (see the module doc for why not Debian's).
pub fn wasm_opt() -> std::path::PathBuf {
    node_bin("wasm-opt")
}

/// A tool from xtask's own npm packages (`xtask/node/package.json`).
pub fn node_bin(name: &str) -> std::path::PathBuf {
    crate::root()
        .join("xtask/node/node_modules/.bin")
        .join(name)
}

fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    let uid = proc::output(Command::new("id").arg("-u")).unwrap_or_default();
    if uid.trim() != "0" {
        bail!(
            "the browser tests need Debian's Chromium and chromedriver; as root run:\n    \
             apt-get update && apt-get install -y chromium chromium-driver"
        );
    }
    proc::run(Command::new("apt-get").arg("update"))?;
    proc::run(
        Command::new("apt-get")
            .args(["install", "-y", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}
