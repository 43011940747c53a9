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
//!
//! It also names the commit the runner is built from, for the reports'
//! `suite.commit`: `CONNECTSOCKET_SUITE_COMMIT` is `git rev-parse
//! --short=12 HEAD`, with `+changes` when tracked files differ from it
//! (`git status`), and unset outside a git checkout. Cargo reruns this when
//! HEAD moves (a commit, a checkout) or the index changes (`git add`), and
//! when a scenario changes; an edit to a tracked file that is neither
//! staged nor a scenario is seen at the next of those.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("../scenarios");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../scenarios");
    if let Some(commit) = git_commit(&manifest) {
        println!("cargo:rustc-env=CONNECTSOCKET_SUITE_COMMIT={commit}");
    }

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

/// The commit of the checkout `dir` is in, `+changes` when its tracked
/// files differ from it; nothing when git or the checkout is missing.
fn git_commit(dir: &Path) -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir)
            // `git status` must not rewrite the index it is watched by.
            .env("GIT_OPTIONAL_LOCKS", "0")
            .output()
            .ok()
            .filter(|o| o.status.success())?;
        Some(String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    let head = git(&["rev-parse", "--short=12", "HEAD"])?;
    for file in ["HEAD", "logs/HEAD", "index"] {
        // Relative to `dir`, the package's folder, as cargo reads it.
        if let Some(path) = git(&["rev-parse", "--git-path", file]) {
            if dir.join(&path).exists() {
                println!("cargo:rerun-if-changed={path}");
            }
        }
    }
    let changed =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if changed {
        format!("{head}+changes")
    } else {
        head
    })
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
