//! The CSS minifier both apps' build scripts use (each `build.rs` includes this file with
//! `#[path]`). The apps' stylesheets ship inside their wasm via `include_str!`, so for the
//! visitor they count against its byte budget; comments and indentation are ~15% of them.
//!
//! Deliberately conservative: it drops comments and collapses whitespace, and removes spaces
//! only next to `{ } ; ,` and `>` and after `:`, never before `:` (`.a :hover` and `.a:hover`
//! differ) nor around `+`/`-` (which `calc()` needs).

use std::{env, fs, path::Path};

/// Minifies `style/<name>` of the crate being built into `OUT_DIR/<name>`.
pub fn build(name: &str) {
    let out = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let src = Path::new("style").join(name);
    println!("cargo::rerun-if-changed={}", src.display());
    let css = fs::read_to_string(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
    fs::write(Path::new(&out).join(name), minify(&css)).expect("writing OUT_DIR");
}

pub fn minify(css: &str) -> String {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |end| &rest[start + 2 + end + 2..]);
    }
    text.push_str(rest);

    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        let tight = |c: char| matches!(c, '{' | '}' | ';' | ',' | '>');
        // A space *after* `:` never matters (`color: red`); one before it can (`.a :hover`).
        if pending_space && !tight(c) && !out.ends_with(tight) && !out.ends_with(':') {
            out.push(' ');
        }
        pending_space = false;
        if c == '}' && out.ends_with(';') {
            out.pop();
        }
        out.push(c);
    }
    out
}
