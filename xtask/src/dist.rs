//! Building the browser bundles into `dist/` and holding them to their byte budgets.
//!
//! The visitor widget and the agent console are two builds of the `widget` crate (the console
//! behind a feature), so the visitor bundle never carries agent code. Each goes through
//! wasm-bindgen (`--target web`) and wasm-opt `-Oz`. The budgets are exact byte counts of the
//! brotli-compressed files, since that is what a visitor's browser downloads.

use crate::{proc, root, tools};
use anyhow::{Context, Result, bail};
use std::{path::Path, process::Command};

/// wasm + JS glue of the visitor widget (its CSS is compiled into the wasm), brotli.
pub const WIDGET_BUDGET: usize = 100_000;
/// The facade loader every host page downloads up front, brotli.
pub const LOADER_BUDGET: usize = 3_000;

struct Bundle {
    /// Output name: `dist/<name>/pkg/<name>.js` and `<name>_bg.wasm`.
    name: &'static str,
    features: Option<&'static str>,
}

const BUNDLES: [Bundle; 2] = [
    Bundle {
        name: "widget",
        features: None,
    },
    Bundle {
        name: "console",
        features: Some("console"),
    },
];

pub fn build() -> Result<()> {
    let dist = root().join("dist");
    for bundle in &BUNDLES {
        let mut args = vec![
            "build",
            "-p",
            "widget",
            "--target",
            tools::WASM_TARGET,
            "--profile",
            "wasm-release",
        ];
        if let Some(f) = bundle.features {
            args.extend(["--features", f]);
        }
        proc::cargo(&args)?;
        let wasm = root()
            .join("target")
            .join(tools::WASM_TARGET)
            .join("wasm-release/widget.wasm");
        let pkg = dist.join(bundle.name).join("pkg");
        std::fs::create_dir_all(&pkg)?;
        proc::run(
            Command::new("wasm-bindgen")
                .args([
                    "--target",
                    "web",
                    "--no-typescript",
                    "--out-name",
                    bundle.name,
                    "--out-dir",
                ])
                .arg(&pkg)
                .arg(&wasm),
        )?;
        let bg = pkg.join(format!("{}_bg.wasm", bundle.name));
        // `--converge` repeats -Oz until it stops shrinking: a few hundred bytes for seconds.
        proc::run(
            Command::new(tools::wasm_opt())
                .args(["-Oz", "--converge"])
                .arg(&bg)
                .arg("-o")
                .arg(&bg),
        )?;
        minify_js(&pkg.join(format!("{}.js", bundle.name)))?;
    }
    // Plain files beside the bundles (the console page loads `boot.js` rather than an inline
    // script because its CSP allows scripts from 'self' only).
    let statics = root().join("widget/static");
    for (from, to) in [
        ("loader.js", "widget/loader.js"),
        ("console.html", "console/index.html"),
        ("console-boot.js", "console/boot.js"),
        ("favicon.svg", "console/favicon.svg"),
    ] {
        copy(&statics.join(from), &dist.join(to))?;
    }
    println!("built {}", dist.display());
    Ok(())
}

/// The wasm-bindgen glue is readable JS full of long names; terser roughly halves it, which is
/// ~1.8 KB of the visitor's brotli budget. `--module` keeps the ES exports intact.
fn minify_js(file: &Path) -> Result<()> {
    proc::run(
        Command::new(tools::node_bin("terser"))
            .arg(file)
            .args(["--module", "--compress", "--mangle", "--output"])
            .arg(file),
    )
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(())
}

/// Brotli at the settings a CDN or server would use for static assets (quality 11).
pub fn brotli_len(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)
        .expect("compressing into memory cannot fail");
    out.len()
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path)
        .with_context(|| format!("reading {} (run `cargo xtask dist` first)", path.display()))
}

pub fn check_size() -> Result<()> {
    let dist = root().join("dist");
    let wasm = read(&dist.join("widget/pkg/widget_bg.wasm"))?;
    let glue = read(&dist.join("widget/pkg/widget.js"))?;
    let loader = read(&dist.join("widget/loader.js"))?;
    let console = read(&dist.join("console/pkg/console_bg.wasm"))?;
    let (wasm_br, glue_br, loader_br) = (brotli_len(&wasm), brotli_len(&glue), brotli_len(&loader));
    let widget_br = wasm_br + glue_br;
    println!("size (bytes)                     raw     brotli");
    println!(
        "  widget_bg.wasm          {:>10} {:>10}",
        wasm.len(),
        wasm_br
    );
    println!(
        "  widget.js (glue)        {:>10} {:>10}",
        glue.len(),
        glue_br
    );
    println!(
        "  widget total            {:>10} {:>10}   budget {WIDGET_BUDGET}",
        wasm.len() + glue.len(),
        widget_br
    );
    println!(
        "  loader.js               {:>10} {:>10}   budget {LOADER_BUDGET}",
        loader.len(),
        loader_br
    );
    println!(
        "  console_bg.wasm         {:>10} {:>10}   (agents only, no budget)",
        console.len(),
        brotli_len(&console)
    );
    let mut over = Vec::new();
    if widget_br > WIDGET_BUDGET {
        over.push(format!(
            "widget is {widget_br} B brotli, budget {WIDGET_BUDGET} B"
        ));
    }
    if loader_br > LOADER_BUDGET {
        over.push(format!(
            "loader is {loader_br} B brotli, budget {LOADER_BUDGET} B"
        ));
    }
    if !over.is_empty() {
        bail!("over budget: {}", over.join("; "));
    }
    println!("size: 2 passed, 0 failed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brotli_shrinks_repetitive_input_and_counts_exactly() {
        let text = "hello hello hello hello ".repeat(100);
        let n = brotli_len(text.as_bytes());
        assert!(n < text.len() / 10, "{n}");
        assert_eq!(n, brotli_len(text.as_bytes()), "deterministic");
    }
}
