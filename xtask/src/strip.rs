//! Removing what a dependency exports into our bundles but nothing ever calls.
//!
//! Leptos depends on `server_fn` with its `browser` feature on, which pulls in `wasm-streams`.
//! That crate declares three `#[wasm_bindgen]` classes (`IntoUnderlyingByteSource`,
//! `IntoUnderlyingSink`, `IntoUnderlyingSource`, adapters between Rust streams and the
//! browser's ReadableStream/WritableStream for streaming server functions). A cdylib keeps every
//! export alive, so their code, and their JS classes in the glue, ship in both bundles although
//! neither app has a server function: about 1.1 KB brotli of the visitor's budget.
//!
//! [`dead_stream_exports`] deletes those exports from the wasm (wasm-opt then drops the code
//! only they reached) and un-exports the classes in the glue (terser then drops them). It checks
//! what it expects and fails the build if wasm-bindgen's output ever stops looking like that,
//! rather than silently shipping a bundle with a dangling class.

use anyhow::{Context, Result, bail};
use std::path::Path;

/// Export names of the wasm-streams classes: their methods (`intounderlyingsink_write`) and
/// destructors (`__wbg_intounderlyingsink_free`).
const WASM_PREFIXES: [&str; 2] = ["intounderlying", "__wbg_intounderlying"];
/// The JS classes wasm-bindgen writes for them.
const JS_CLASSES: [&str; 3] = [
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// Strip the wasm-streams exports from `wasm` and their classes from the `glue` beside it.
/// Both files are rewritten in place; run before wasm-opt and terser.
pub fn dead_stream_exports(wasm: &Path, glue: &Path) -> Result<()> {
    let mut module =
        walrus::Module::from_file(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let dead: Vec<_> = module
        .exports
        .iter()
        .filter(|e| WASM_PREFIXES.iter().any(|p| e.name.starts_with(p)))
        .map(|e| e.id())
        .collect();
    if dead.is_empty() {
        bail!(
            "{}: no wasm-streams exports to strip; if leptos no longer pulls them in, remove \
             xtask/src/strip.rs",
            wasm.display()
        );
    }
    for id in dead {
        module.exports.delete(id);
    }
    module
        .emit_wasm_file(wasm)
        .with_context(|| format!("writing {}", wasm.display()))?;

    let js =
        std::fs::read_to_string(glue).with_context(|| format!("reading {}", glue.display()))?;
    let js = unexport_classes(&js)?;
    std::fs::write(glue, js).with_context(|| format!("writing {}", glue.display()))
}

/// `export class X` becomes `class X`, and the statements wasm-bindgen writes outside each
/// class go: `if (Symbol.dispose) X.prototype[...] = ...;` and the (multi-line)
/// `const XFinalization = ... new FinalizationRegistry(...);`, which terser would keep because
/// constructing a registry might have effects. Nothing references the class then, and terser
/// removes it.
fn unexport_classes(js: &str) -> Result<String> {
    let mut out = String::with_capacity(js.len());
    let mut unexported = 0;
    let mut in_registry = false;
    for line in js.split_inclusive('\n') {
        if in_registry {
            in_registry = !line.trim_end().ends_with(';');
            continue;
        }
        let starts = |pattern: &dyn Fn(&str) -> String| {
            JS_CLASSES.iter().any(|c| line.starts_with(&pattern(c)))
        };
        if starts(&|c| format!("export class {c} ")) {
            out.push_str(line.trim_start_matches("export "));
            unexported += 1;
        } else if starts(&|c| format!("const {c}Finalization ")) {
            in_registry = !line.trim_end().ends_with(';');
        } else if !starts(&|c| format!("if (Symbol.dispose) {c}.prototype")) {
            out.push_str(line);
        }
    }
    if unexported != JS_CLASSES.len() {
        bail!(
            "expected to un-export {} wasm-streams classes in the glue, found {unexported}",
            JS_CLASSES.len()
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_lose_their_export_and_dispose_hook_and_nothing_else_changes() {
        let mut js = String::new();
        for c in JS_CLASSES {
            js += &format!(
                "export class {c} {{\n    free() {{}}\n}}\n\
                 if (Symbol.dispose) {c}.prototype[Symbol.dispose] = {c}.prototype.free;\n"
            );
        }
        for c in JS_CLASSES {
            js += &format!(
                "const {c}Finalization = (typeof FinalizationRegistry === 'undefined')\n    \
                 ? {{ register: () => {{}}, unregister: () => {{}} }}\n    \
                 : new FinalizationRegistry(ptr => wasm.free(ptr, 1));\n"
            );
        }
        js += "export function mount(root) {}\nif (Symbol.dispose) Other.prototype.x = 1;\n";
        js += "const OtherFinalization = new FinalizationRegistry(ptr => wasm.free(ptr));\n";
        let out = unexport_classes(&js).unwrap();
        for c in JS_CLASSES {
            assert!(
                out.contains(&format!("\nclass {c} {{"))
                    || out.starts_with(&format!("class {c} {{"))
            );
            assert!(!out.contains(&format!("export class {c}")));
            assert!(!out.contains(&format!("if (Symbol.dispose) {c}.")));
            assert!(!out.contains(&format!("{c}Finalization")));
        }
        assert!(
            !out.contains("register: "),
            "the registries' other lines went too"
        );
        assert!(out.contains("const OtherFinalization = new FinalizationRegistry"));
        assert!(out.contains("export function mount(root) {}\n"));
        assert!(out.contains("if (Symbol.dispose) Other.prototype.x = 1;\n"));
    }

    #[test]
    fn glue_without_the_classes_is_an_error() {
        assert!(unexport_classes("export function mount() {}\n").is_err());
    }
}
