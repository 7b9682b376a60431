//! Building the browser bundles into `dist/` and holding them to their byte budgets.
//!
//! The visitor widget and the agent console are two app crates (`widget/visitor`,
//! `widget/console`) over one shared library (`widget/client`), so each bundle carries only its
//! own app. Each goes through wasm-bindgen (`--target web`, renamed to the file names the loader
//! and the console page import), minus the dead exports a dependency forces in (`strip.rs`),
//! and wasm-opt `-Oz`. The budget applies to the visitor bundle
//! alone and is an exact byte count of the brotli-compressed files, since that is what a
//! visitor's browser downloads; the console has none.

use crate::{proc, root, strip, tools};
use anyhow::{Context, Result, bail};
use std::{path::Path, process::Command};

/// wasm + JS glue of the visitor widget (its CSS is compiled into the wasm), brotli.
pub const WIDGET_BUDGET: usize = 100_000;
/// The facade loader every host page downloads up front, brotli.
pub const LOADER_BUDGET: usize = 3_000;

/// The on-demand panels (wasm + glue), brotli: fetched only when a visitor needs one (outside
/// office hours, after the unanswered wait, a contact's past chats), so never part of a first
/// open; held to the anonymous widget's own budget (a second Leptos app, so most of it is the
/// runtime both carry).
pub const PANELS_BUDGET: usize = 100_000;

pub struct Bundle {
    /// Output name: `dist/<dir>/<name>.js` and `<name>_bg.wasm`.
    pub name: &'static str,
    /// Where under `dist/` it goes (served from there by the chat server).
    pub dir: &'static str,
    /// The app crate (a cdylib) it is built from.
    pub package: &'static str,
    /// Cargo features of that crate for this bundle.
    pub features: &'static str,
}

/// The identified visitor's whole bundle (wasm + glue), brotli: the anonymous widget plus
/// what only contacts use.
pub const CONTACT_BUDGET: usize = 130_000;

pub const BUNDLES: [Bundle; 4] = [
    Bundle {
        name: "widget",
        dir: "widget/pkg",
        package: "livechat-visitor",
        features: "",
    },
    // Built after the anonymous one: both write `livechat_visitor.wasm`, and each is copied
    // out by wasm-bindgen before the next build.
    Bundle {
        name: "widget",
        dir: "widget/contact",
        package: "livechat-visitor",
        features: "contact",
    },
    // The on-demand panels (when nobody answers; a contact's past chats), fetched by the
    // loader only when a visitor needs one.
    Bundle {
        name: "panels",
        dir: "widget/panels",
        package: "livechat-panels",
        features: "",
    },
    Bundle {
        name: "console",
        dir: "console/pkg",
        package: "livechat-console",
        features: "",
    },
];

impl Bundle {
    /// `cargo` arguments selecting this bundle's crate and features.
    pub fn cargo_args(&self) -> Vec<&'static str> {
        let mut args = vec!["-p", self.package];
        if !self.features.is_empty() {
            args.extend(["--features", self.features]);
        }
        args
    }
}

/// Rust flags for the bundles: each dependency's source directory under Cargo's registry
/// (`$CARGO_HOME/registry/src/index.crates.io-…/`) remapped to nothing. Panic locations keep
/// naming a crate and file (`tachys-0.2.19/src/html/event.rs`) without the ~60-byte prefix
/// that dozens of them repeat: ~200 B brotli of the visitor's budget. The same on every
/// machine with the same `$CARGO_HOME` layout, so the byte count stays exact. Separated by
/// 0x1f, as `CARGO_ENCODED_RUSTFLAGS` wants.
fn remap_registry_paths() -> Result<String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .context("neither CARGO_HOME nor HOME is set")?;
    let mut flags = Vec::new();
    if let Ok(dirs) = std::fs::read_dir(cargo_home.join("registry").join("src")) {
        for dir in dirs.flatten() {
            flags.push(format!("--remap-path-prefix={}/=", dir.path().display()));
        }
    }
    flags.sort();
    Ok(flags.join("\u{1f}"))
}

/// Builds every bundle into `dist/`, or only those named in `only` (by output directory or
/// package, e.g. `widget/pkg` or `livechat-panels`: a quicker loop while one bundle changes).
pub fn build(only: &[String]) -> Result<()> {
    let dist = root().join("dist");
    let rustflags = remap_registry_paths()?;
    let chosen = |b: &Bundle| only.is_empty() || only.iter().any(|o| o == b.dir || o == b.package);
    if let Some(unknown) = only
        .iter()
        .find(|o| !BUNDLES.iter().any(|b| b.dir == *o || b.package == *o))
    {
        bail!("no bundle {unknown}: name one by its dist directory or package");
    }
    for bundle in BUNDLES.iter().filter(|b| chosen(b)) {
        let mut args = vec!["build"];
        args.extend(bundle.cargo_args());
        args.extend(["--target", tools::WASM_TARGET, "--profile", "wasm-release"]);
        proc::cargo_with_env(&args, &[("CARGO_ENCODED_RUSTFLAGS", &rustflags)])?;
        let wasm = root()
            .join("target")
            .join(tools::WASM_TARGET)
            .join("wasm-release")
            .join(format!("{}.wasm", bundle.package.replace('-', "_")));
        let pkg = dist.join(bundle.dir);
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
        let glue = pkg.join(format!("{}.js", bundle.name));
        strip::dead_stream_exports(&bg, &glue)?;
        // `--converge` repeats -Oz until it stops shrinking: a few hundred bytes for seconds.
        // `--low-memory-unused` lets it fold constant offsets into loads and stores (~440 B
        // brotli): it may assume the lowest 1 KiB of memory is never accessed, which holds for
        // Rust on wasm32, whose linker puts the 1 MiB stack first, growing down from 1 MiB
        // towards 0, and the data above it; only a stack overflow of ~1 MiB would reach it.
        proc::run(
            Command::new(tools::wasm_opt())
                .args(["-Oz", "--converge", "--low-memory-unused"])
                .arg(&bg)
                .arg("-o")
                .arg(&bg),
        )?;
        minify_js(&glue)?;
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
    // The locales' catalogues, fetched by the loader for a visitor whose language is not
    // English (one file each, as written: `widget/locales/<code>.json`).
    let locales = root().join("widget/locales");
    for entry in
        std::fs::read_dir(&locales).with_context(|| format!("reading {}", locales.display()))?
    {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let name = path.file_name().context("a file name")?;
            copy(&path, &dist.join("widget/locales").join(name))?;
        }
    }
    // Every host page downloads the loader up front: minified (a classic script, so not as a
    // module; its `/*!` header with the usage stays).
    proc::run(
        Command::new(tools::node_bin("terser"))
            .arg(dist.join("widget/loader.js"))
            .args(["--compress", "--mangle", "--comments", "some", "--output"])
            .arg(dist.join("widget/loader.js")),
    )?;
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
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::copy(from, to)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(())
}

/// The size a browser downloads: [`brotli`]'s output length.
pub fn brotli_len(bytes: &[u8]) -> usize {
    brotli(bytes).len()
}

/// Brotli at the settings a CDN or server would use for static assets (quality 11).
fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)
        .expect("compressing into memory cannot fail");
    out
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
    let contact = brotli_len(&read(&dist.join("widget/contact/widget_bg.wasm"))?)
        + brotli_len(&read(&dist.join("widget/contact/widget.js"))?);
    let panels = brotli_len(&read(&dist.join("widget/panels/panels_bg.wasm"))?)
        + brotli_len(&read(&dist.join("widget/panels/panels.js"))?);
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
    println!("  contact widget total               {contact:>10}   budget {CONTACT_BUDGET}");
    println!("  panels (on demand)                 {panels:>10}   budget {PANELS_BUDGET}");
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
    if contact > CONTACT_BUDGET {
        over.push(format!(
            "the contact widget is {contact} B brotli, budget {CONTACT_BUDGET} B"
        ));
    }
    if panels > PANELS_BUDGET {
        over.push(format!(
            "the on-demand panels are {panels} B brotli, budget {PANELS_BUDGET} B"
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

    fn unbrotli(compressed: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &compressed[..], &mut out).expect("valid brotli stream");
        out
    }

    #[test]
    fn counts_the_bytes_of_a_stream_that_decodes_to_the_input() {
        let text = "hello hello hello hello ".repeat(100);
        let compressed = brotli(text.as_bytes());
        assert_eq!(
            unbrotli(&compressed),
            text.as_bytes(),
            "a real brotli stream"
        );
        let n = brotli_len(text.as_bytes());
        assert_eq!(n, compressed.len());
        // Cutting the counted stream short must break it: the count is not an overestimate.
        let mut short = Vec::new();
        let cut = brotli::BrotliDecompress(&mut &compressed[..n - 1], &mut short);
        assert!(
            cut.is_err() || short != text.as_bytes(),
            "{n} bytes are all needed"
        );
        assert!(n < text.len() / 10, "{n}");
    }

    #[test]
    fn known_vectors() {
        // RFC 7932 by hand: the empty stream is one byte. LSB first: WBITS=22 is the bit 1 then
        // 5 in three bits (0b1011), then ISLAST=1 and ISLASTEMPTY=1: 0b11_1011 = 0x3b.
        assert_eq!(brotli(b""), [0x3b]);
        assert_eq!(brotli_len(b""), 1);
        assert_eq!(unbrotli(&brotli(b"a")), b"a");
    }
}
