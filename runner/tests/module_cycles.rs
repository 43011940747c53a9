//! No import cycle between the files of `runner/src`.
//!
//! Each file is a module; a file imports another when it names it in a
//! `use crate::…` / `use super::…` statement (braces expanded) or in a
//! `crate::…` / `super::…` path in its code. The path's longest prefix that
//! is a module file is the one imported (so `crate::Scenario` imports
//! `lib.rs`, whose re-exports import the rest: files must import from the
//! module that owns an item). Inline `#[cfg(test)] mod tests { … }`
//! blocks are left out: test code may import what it likes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// `src/a/b.rs` -> `["a", "b"]`, `src/a/mod.rs` -> `["a"]`, `src/lib.rs` -> `[]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code without comments, string contents and inline test modules.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut skip_depth: Option<i32> = None;
    let mut depth = 0i32;
    let mut pending_cfg_test = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        let line = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        if skip_depth.is_none()
            && pending_cfg_test
            && trimmed.starts_with("mod ")
            && line.contains('{')
        {
            skip_depth = Some(depth);
        }
        pending_cfg_test = trimmed.starts_with("#[cfg(test)]");
        let opens = line.matches('{').count() as i32;
        let closes = line.matches('}').count() as i32;
        depth += opens - closes;
        match skip_depth {
            Some(d) => {
                if depth <= d {
                    skip_depth = None;
                }
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// Expands one use tree (`a::{b, c::{d}}`) into its paths.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or("").trim();
        return vec![path.to_string()];
    };
    let prefix = tree[..open].trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(expand)
        .map(|p| {
            if p == "self" {
                prefix.to_string()
            } else {
                format!("{prefix}::{p}")
            }
        })
        .collect()
}

/// Every path a file's `use` statements name, and every `crate::` /
/// `super::` path in its code.
fn paths_named(code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    // Use statements, braces expanded.
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        let after = &rest[i + 4..];
        if before.is_none_or(|c| !c.is_alphanumeric() && c != '_') {
            if let Some(end) = after.find(';') {
                let tree: String = after[..end]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                paths.extend(expand(&tree));
            }
        }
        rest = after;
    }
    // Paths in code.
    for start in ["crate::", "super::"] {
        let mut rest = code;
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            let tail = &rest[i..];
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            if before.is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != ':') {
                paths.push(tail[..end].trim_end_matches(':').to_string());
            }
            rest = &rest[i + start.len()..];
        }
    }
    paths
}

/// The module file a path names, from the module `from`.
fn resolve(path: &str, from: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    let mut segments = path.split("::").filter(|s| !s.is_empty());
    let mut base: Vec<String> = match segments.next()? {
        "crate" => Vec::new(),
        "super" => from[..from.len().saturating_sub(1)].to_vec(),
        "self" => from.to_vec(),
        // A path relative to this module: one of its children.
        child => {
            let mut base = from.to_vec();
            base.push(child.to_string());
            if !modules.contains(&base) {
                return None;
            }
            base
        }
    };
    let mut found = modules.contains(&base).then(|| base.clone());
    for s in segments {
        if s == "super" {
            base.pop();
            found = modules.contains(&base).then(|| base.clone());
            continue;
        }
        base.push(s.to_string());
        if modules.contains(&base) {
            found = Some(base.clone());
        } else {
            break;
        }
    }
    found
}

fn name(m: &[String]) -> String {
    if m.is_empty() {
        "crate".into()
    } else {
        m.join("::")
    }
}

#[test]
fn no_two_files_of_runner_import_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    // main.rs is the binary, a crate of its own.
    files.retain(|f| f.file_name().is_some_and(|n| n != "main.rs"));
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_path(&src, f)).collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in &files {
        let from = module_path(&src, file);
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        let targets = edges.entry(from.clone()).or_default();
        for path in paths_named(&code) {
            if let Some(to) = resolve(&path, &from, &modules) {
                if to != from {
                    targets.insert(to);
                }
            }
        }
    }
    // Every module that reaches itself again is on a cycle.
    let mut cycles = Vec::new();
    for start in edges.keys() {
        let mut stack: Vec<(Vec<String>, Vec<Vec<String>>)> = vec![(start.clone(), vec![])];
        let mut seen = BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                let mut trail = trail.clone();
                trail.push(at.clone());
                if next == start {
                    trail.push(next.clone());
                    cycles.push(
                        trail
                            .iter()
                            .map(|m| name(m))
                            .collect::<Vec<_>>()
                            .join(" -> "),
                    );
                    stack.clear();
                    break;
                }
                if seen.insert(next.clone()) {
                    stack.push((next.clone(), trail));
                }
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "import cycles between files of runner/src:\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_parser_sees_braced_uses_and_inline_paths() {
    let code = code_of(
        "pub use x::Y;\nuse crate::a::{b::{C, D}, e};\nfn f() { crate::g::h(); }\n#[cfg(test)]\nmod tests {\n    use crate::z;\n}\n",
    );
    let paths = paths_named(&code);
    for p in [
        "x::Y",
        "crate::a::b::C",
        "crate::a::b::D",
        "crate::a::e",
        "crate::g::h",
    ] {
        assert!(paths.contains(&p.to_string()), "{p} in {paths:?}");
    }
    assert!(!paths.iter().any(|p| p.contains('z')), "{paths:?}");
}
