//! `cargo xtask fuzz [seconds]`: a bounded run of every fuzz target in `fuzz/`.
//!
//! Owns installing cargo-fuzz (idempotently, from crates.io, like `tools.rs` does for the
//! other tools) and running each target for a fixed time over its committed corpus, failing
//! on the first crash. The targets themselves and how to run them longer are in
//! `fuzz/README.md`.
//!
//! Why `--sanitizer none`: cargo-fuzz's default AddressSanitizer needs `-Zsanitizer`, i.e. a
//! nightly compiler, and this project builds on stable only. Without it cargo-fuzz passes
//! only stable `-C` flags (sancov instrumentation for libFuzzer), and safe Rust needs no
//! ASan to turn memory errors into crashes: panics and failed assertions are the findings.

use crate::proc;
use anyhow::{Context, Result};
use std::process::Command;

/// The cargo-fuzz this was tried with on the stable toolchain.
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// Every target in `fuzz/fuzz_targets/`, each with its corpus in `fuzz/corpus/<target>/`.
pub const TARGETS: [&str; 2] = ["protocol_decode", "hub_frames"];
/// Seconds per target when none are given: long enough to replay the corpus and mutate a
/// while, short enough for a routine check.
const DEFAULT_SECONDS: u64 = 60;

pub fn run(seconds: Option<&str>) -> Result<()> {
    let seconds = match seconds {
        Some(s) => s
            .parse::<u64>()
            .with_context(|| format!("`{s}` is not a number of seconds"))?,
        None => DEFAULT_SECONDS,
    };
    ensure_cargo_fuzz()?;
    for target in TARGETS {
        // New inputs go to a scratch corpus under fuzz/target (the first directory is the one
        // libFuzzer writes to); the committed corpus is only read, so a routine run leaves
        // the tree clean. Growing the committed corpus is a deliberate step (see the README).
        let scratch = crate::root().join("fuzz/target/corpus").join(target);
        std::fs::create_dir_all(&scratch)
            .with_context(|| format!("creating {}", scratch.display()))?;
        let committed = crate::root().join("fuzz/corpus").join(target);
        let (scratch, committed) = (scratch.to_string_lossy(), committed.to_string_lossy());
        let max_time = format!("-max_total_time={seconds}");
        proc::cargo(&[
            "fuzz",
            "run",
            "--sanitizer",
            "none",
            target,
            &scratch,
            &committed,
            "--",
            &max_time,
            // A single input taking this long is a hang, and a finding.
            "-timeout=10",
            "-print_final_stats=1",
        ])?;
    }
    Ok(())
}

fn ensure_cargo_fuzz() -> Result<()> {
    let have = proc::output(Command::new("cargo").args(["fuzz", "--version"])).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(CARGO_FUZZ_VERSION) {
        return Ok(());
    }
    proc::run(Command::new("cargo").args([
        "install",
        "cargo-fuzz",
        "--version",
        CARGO_FUZZ_VERSION,
    ]))
}
