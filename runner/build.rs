//! Embeds the scenario tree (`../scenarios/**`: the YAML files, their golden
//! snapshots, the schema and the README) in the runner, so that the command
//! line carries its scenarios wherever it is copied or installed.
//!
//! It writes `$OUT_DIR/embedded_scenarios.rs`: one `(relative path, bytes)`
//! pair per file, each with `include_bytes!`, sorted by path. Cargo reruns
//! it when anything under `scenarios/` changes (a directory given to
//! `rerun-if-changed` is scanned whole), so a new scenario or snapshot is
//! embedded by the next build. Left out: hidden files and insta's pending
//! snapshots (`*.snap.new`, `*.pending-snap`), which are never committed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("../scenarios");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../scenarios");

    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut code = String::from(
        "/// Every file of the scenario tree: its path under `scenarios/` \
         (`/`-separated) and its bytes, sorted by path.\n\
         pub(crate) static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (relative, absolute) in &files {
        let _ = writeln!(code, "    ({relative:?}, include_bytes!({absolute:?})),");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("embedded_scenarios.rs"), code)
        .expect("cannot write embedded_scenarios.rs in OUT_DIR");
}

/// Every file under `dir` worth embedding, as (path relative to `root` with
/// `/` separators, absolute path).
fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read the scenario folder {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a readable folder entry").path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with('.') || name.ends_with(".snap.new") || name.ends_with(".pending-snap") {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let relative = path
                .strip_prefix(root)
                .expect("under the root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let absolute = path
                .canonicalize()
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            out.push((relative, absolute.to_string_lossy().into_owned()));
        }
    }
}
