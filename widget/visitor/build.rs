//! Minifies this app's stylesheet into `OUT_DIR`, where `include_str!` picks it up.

#[path = "../minify_css.rs"]
mod minify_css;

fn main() {
    println!("cargo::rerun-if-changed=../minify_css.rs");
    minify_css::build("widget.css");
}
