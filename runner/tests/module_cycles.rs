//! No import cycle between the modules of any crate of the workspace:
//! neither between files nor between folders.
//!
//! Longer than 600 lines because a test target is one file: the small
//! parser, the graph, the checks and the synthetic crates that show each
//! check fails belong together and serve no other test.
//!
//! Each file of a crate's library (`src/`, less `main.rs` and `src/bin/`,
//! which are crates of their own) is a module; a file imports another
//! when it names it in a `use crate::…` / `use super::…` statement (braces
//! expanded) or in a `crate::…` / `super::…` path in its code. The path's
//! longest prefix that is a module file is the one imported (so
//! `crate::Scenario` imports `lib.rs`, whose re-exports import the rest:
//! files must import from the module that owns an item). Inline
//! `#[cfg(test)] mod tests { … }` blocks are left out: test code may
//! import what it likes.
//!
//! A module's children are part of it: what a child takes from its parent
//! (`use super::*`, the parent's private helpers) is no edge, what a
//! parent takes from its children is. Two checks on that graph:
//!
//! - **files**: no module reaches itself again;
//! - **folders**: under each module, its children (a file, or a folder
//!   with everything in it: `execute/executor.rs` and `execute/executor/`
//!   are one child, `executor`) import each other without a cycle. An
//!   import of `a/x.rs` from `b/y.rs` is an import of folder `a` by
//!   folder `b`, so two folders that import each other fail even when no
//!   two files do.
//!
//! No maintained crate does this as a library a test can call
//! (`cargo-cycles` and `cargo-modules` are cargo subcommands to install),
//! hence the small parser here (`docs/decisions.md`).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

/// A module, by its path inside its crate (`[]` is the crate root).
type Module = Vec<String>;

/// Which modules each module imports.
type Graph = BTreeMap<Module, BTreeSet<Module>>;

/// `src/a/b.rs` -> `["a", "b"]`, `src/a/mod.rs` -> `["a"]`, `src/lib.rs` -> `[]`.
fn module_path(src: &Path, file: &Path) -> Module {
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

/// Expands one use tree (`a::{b, c::{d}}`) into its paths, each with the
/// name it brings into scope (its last segment, or its `as` alias).
fn expand(tree: &str) -> Vec<(String, String)> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let mut parts = tree.split(" as ");
        let path = parts.next().unwrap_or("").trim().to_string();
        let name = match parts.next() {
            Some(alias) => alias.trim().to_string(),
            None => path.rsplit("::").next().unwrap_or("").to_string(),
        };
        return vec![(path, name)];
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
        .map(|(p, name)| {
            if p == "self" {
                let name = if name == "self" {
                    prefix.rsplit("::").next().unwrap_or("").to_string()
                } else {
                    name
                };
                (prefix.to_string(), name)
            } else {
                (format!("{prefix}::{p}"), name)
            }
        })
        .collect()
}

/// What one file names: the paths its code uses, and what it re-exports
/// (`pub use`), by the name it exports them under.
#[derive(Debug, Default)]
struct Named {
    /// Paths of `use` statements (not `pub use`) and `crate::` /
    /// `super::` paths in code.
    uses: Vec<String>,
    /// `(exported name, path)` of each `pub use`.
    exports: Vec<(String, String)>,
}

/// Every path a file's `use` statements name, and every `crate::` /
/// `super::` path in its code; `pub use` items are re-exports, not uses
/// (a module that re-exports an item does not depend on it: whoever
/// names it through the re-export depends on its owner).
fn paths_named(code: &str) -> Named {
    let mut named = Named::default();
    // Use statements, braces expanded; the rest of the code without them.
    let mut rest_of_code = String::new();
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        let after = &rest[i + 4..];
        let starts_word = before.is_none_or(|c| !c.is_alphanumeric() && c != '_');
        match after.find(';') {
            Some(end) if starts_word => {
                let line_start = rest[..i].rfind(['\n', ';', '}', '{']).map_or(0, |j| j + 1);
                let is_pub = rest[line_start..i].trim_start().starts_with("pub");
                rest_of_code.push_str(&rest[..line_start]);
                let tree: String = after[..end]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                for (path, name) in expand(&tree) {
                    if is_pub {
                        named.exports.push((name, path));
                    } else {
                        named.uses.push(path);
                    }
                }
                rest = &after[end + 1..];
            }
            _ => {
                rest_of_code.push_str(&rest[..i + 4]);
                rest = after;
            }
        }
    }
    rest_of_code.push_str(rest);
    // Paths in code.
    for start in ["crate::", "super::"] {
        let mut rest = rest_of_code.as_str();
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            let tail = &rest[i..];
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            if before.is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != ':') {
                named
                    .uses
                    .push(tail[..end].trim_end_matches(':').to_string());
            }
            rest = &rest[i + start.len()..];
        }
    }
    named
}

/// What each module re-exports: exported name -> path (as written there).
type Exports = BTreeMap<Module, BTreeMap<String, String>>;

/// The module that owns what a path names, from the module `from`: the
/// path's longest prefix that is a module, then through that module's
/// re-exports to the owner of the item (a few hops at most).
fn resolve(
    path: &str,
    from: &[String],
    modules: &BTreeSet<Module>,
    exports: &Exports,
) -> Option<Module> {
    resolve_within(path, from, modules, exports, 8)
}

fn resolve_within(
    path: &str,
    from: &[String],
    modules: &BTreeSet<Module>,
    exports: &Exports,
    hops: usize,
) -> Option<Module> {
    let mut segments = path.split("::").filter(|s| !s.is_empty());
    let mut base: Module = match segments.next()? {
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
            continue;
        }
        // Not a module: an item, perhaps re-exported by the module so far.
        base.pop();
        let reexported = found
            .as_ref()
            .filter(|m| *m == &base && hops > 0)
            .and_then(|m| exports.get(m))
            .and_then(|e| e.get(s));
        if let Some(target) = reexported {
            if let Some(owner) = resolve_within(target, &base, modules, exports, hops - 1) {
                return Some(owner);
            }
        }
        break;
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

/// The file graph of a crate given as `(module, source text)` pairs.
fn file_graph(files: &[(Module, String)]) -> Graph {
    let modules: BTreeSet<Module> = files.iter().map(|(m, _)| m.clone()).collect();
    let named: Vec<(&Module, Named)> = files
        .iter()
        .map(|(m, text)| (m, paths_named(&code_of(text))))
        .collect();
    let exports: Exports = named
        .iter()
        .map(|(m, n)| ((*m).clone(), n.exports.iter().cloned().collect()))
        .collect();
    let mut edges = Graph::new();
    for (from, named) in &named {
        let targets = edges.entry((*from).clone()).or_default();
        for path in &named.uses {
            if let Some(to) = resolve(path, from, &modules, &exports) {
                // A module's children are part of it: what they take from
                // it (or from its ancestors) is no import between files.
                if !from.starts_with(&to) {
                    targets.insert(to);
                }
            }
        }
    }
    edges
}

/// The folder graph: each import between two modules becomes one between
/// the children of their deepest common ancestor that hold them (none when
/// one is the other's ancestor: a module and its own children are one
/// folder).
fn folder_graph(files: &Graph) -> Graph {
    let mut edges = Graph::new();
    for (from, targets) in files {
        for to in targets {
            let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
            if from.len() > common && to.len() > common {
                edges
                    .entry(from[..=common].to_vec())
                    .or_default()
                    .insert(to[..=common].to_vec());
            }
        }
    }
    edges
}

/// One shortest cycle through each module that is on one, each cycle
/// once (by its set of modules), from its first module back to it.
fn cycles(graph: &Graph) -> Vec<Vec<Module>> {
    let mut found = Vec::new();
    let mut reported: BTreeSet<BTreeSet<Module>> = BTreeSet::new();
    for start in graph.keys() {
        // Breadth-first from `start` until an edge leads back to it.
        let mut came_from: BTreeMap<&Module, &Module> = BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        let mut last = None;
        'search: while let Some(at) = queue.pop_front() {
            for next in graph.get(at).into_iter().flatten() {
                if next == start {
                    last = Some(at);
                    break 'search;
                }
                if !came_from.contains_key(next) {
                    came_from.insert(next, at);
                    queue.push_back(next);
                }
            }
        }
        let Some(mut at) = last else { continue };
        let mut trail = vec![start.clone()];
        while at != start {
            trail.push(at.clone());
            at = came_from[at];
        }
        trail.push(start.clone());
        trail.reverse();
        if reported.insert(trail.iter().cloned().collect()) {
            found.push(trail);
        }
    }
    found
}

/// `a -> b -> a`.
fn show(cycle: &[Module]) -> String {
    cycle
        .iter()
        .map(|m| name(m))
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// The file cycles and the folder cycles of a crate given as
/// `(module, text)`: a cycle between the children of one module is a
/// folder cycle when one of them is a folder (has modules of its own).
fn crate_cycles(files: &[(Module, String)]) -> (Vec<String>, Vec<String>) {
    let graph = file_graph(files);
    let is_folder = |m: &Module| {
        files
            .iter()
            .any(|(other, _)| other.len() > m.len() && other.starts_with(m))
    };
    let folder_cycles = cycles(&folder_graph(&graph))
        .into_iter()
        .filter(|c| c.iter().any(is_folder))
        .map(|c| show(&c))
        .collect();
    (
        cycles(&graph).iter().map(|c| show(c)).collect(),
        folder_cycles,
    )
}

/// File cycles that were there when the check came to every crate, each
/// `crate: cycle`: a ratchet, to be emptied (the test fails when one
/// listed is gone, so that the list only shrinks). Folder cycles have no
/// such list.
const KNOWN_FILE_CYCLES: &[&str] = &[
    "report: baseline -> model -> baseline",
    "report: json -> model -> baseline -> json",
    "report: triage -> model -> triage",
    "spec: face -> method -> face",
];

/// The crates of the workspace, from the root `Cargo.toml`'s `members`.
fn workspace_members(root: &Path) -> Vec<String> {
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("members"))
        .expect("the workspace manifest lists its members on one line");
    let list = &line[line.find('[').unwrap() + 1..line.rfind(']').unwrap()];
    list.split(',')
        .map(|m| m.trim().trim_matches('"').to_string())
        .filter(|m| !m.is_empty())
        .collect()
}

/// The library modules of the crate in `dir`, with their text.
fn library_files(dir: &Path) -> Vec<(Module, String)> {
    let src = dir.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let has_lib = src.join("lib.rs").exists();
    files.retain(|f| {
        let in_bin = f.strip_prefix(src.join("bin")).is_ok();
        let is_main = f == &src.join("main.rs");
        let is_other_crate = in_bin || (has_lib && is_main);
        !is_other_crate
    });
    files
        .iter()
        .map(|f| {
            let mut module = module_path(&src, f);
            if module == ["main"] {
                module.clear();
            }
            (module, std::fs::read_to_string(f).unwrap())
        })
        .collect()
}

#[test]
fn no_crate_of_the_workspace_has_a_file_or_folder_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let members = workspace_members(&root);
    assert!(members.len() >= 7, "members: {members:?}");
    let mut problems = Vec::new();
    let mut known_seen = BTreeSet::new();
    for member in &members {
        let files = library_files(&root.join(member));
        assert!(!files.is_empty(), "{member}: no source file");
        let (file_cycles, folder_cycles) = crate_cycles(&files);
        for c in file_cycles {
            let entry = format!("{member}: {c}");
            if KNOWN_FILE_CYCLES.contains(&entry.as_str()) {
                known_seen.insert(entry);
            } else {
                problems.push(format!("{member}: files {c}"));
            }
        }
        for c in folder_cycles {
            problems.push(format!("{member}: folders {c}"));
        }
    }
    for known in KNOWN_FILE_CYCLES {
        if !known_seen.contains(*known) {
            problems.push(format!(
                "{known}: gone (or changed): take it out of KNOWN_FILE_CYCLES"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "import cycles (`docs/architecture.md`: modules and folders form layers):\n{}",
        problems.join("\n")
    );
}

#[test]
fn no_file_of_runner_imports_the_crate_root() {
    // The runner's files import from the module that owns an item, never
    // through `lib.rs`'s re-exports (which are for other crates).
    let files = library_files(Path::new(env!("CARGO_MANIFEST_DIR")));
    let modules: BTreeSet<Module> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut problems = Vec::new();
    for (from, text) in files.iter().filter(|(m, _)| !m.is_empty()) {
        for path in paths_named(&code_of(text)).uses {
            if resolve(&path, from, &modules, &Exports::new()) == Some(Vec::new()) {
                problems.push(format!("{}: {path}", name(from)));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "runner files that import the crate root:\n{}",
        problems.join("\n")
    );
}

/// A crate from `(file, code)` pairs, files as in `src/`.
fn synthetic(files: &[(&str, &str)]) -> Vec<(Module, String)> {
    files
        .iter()
        .map(|(f, code)| {
            (
                module_path(Path::new("src"), &Path::new("src").join(f)),
                code.to_string(),
            )
        })
        .collect()
}

#[test]
fn two_folders_that_import_each_other_fail_without_a_file_cycle() {
    // a/x uses b/y, b/z uses a/w: no file reaches itself, the folders do.
    let files = synthetic(&[
        ("lib.rs", "mod a;\nmod b;\n"),
        ("a/mod.rs", "mod w;\nmod x;\n"),
        ("a/w.rs", "pub struct W;\n"),
        ("a/x.rs", "use crate::b::y::Y;\n"),
        ("b/mod.rs", "mod y;\nmod z;\n"),
        ("b/y.rs", "pub struct Y;\n"),
        ("b/z.rs", "fn f() { let _ = crate::a::w::W; }\n"),
    ]);
    let (file_cycles, folder_cycles) = crate_cycles(&files);
    assert!(file_cycles.is_empty(), "{file_cycles:?}");
    assert_eq!(folder_cycles, ["a -> b -> a"]);
}

#[test]
fn layered_folders_pass_and_a_file_cycle_inside_a_folder_fails() {
    // c uses b, b uses a, a's files use each other one way: layers.
    let layered = synthetic(&[
        ("lib.rs", "pub use c::Top;\n"),
        ("a/mod.rs", ""),
        ("a/x.rs", "use super::y::Y;\n"),
        ("a/y.rs", "pub struct Y;\n"),
        ("b.rs", "use crate::a::x;\n"),
        ("c/mod.rs", "use crate::b;\npub struct Top;\n"),
        ("c/deep/mod.rs", "use crate::c::Top;\n"),
    ]);
    assert_eq!(crate_cycles(&layered), (vec![], vec![]));
    // x and y inside a use each other: a file cycle, not a folder one.
    let mut cyclic = layered.clone();
    cyclic[3].1 = "use crate::a::x;\npub struct Y;\n".into();
    let (file_cycles, folder_cycles) = crate_cycles(&cyclic);
    assert_eq!(file_cycles, ["a::x -> a::y -> a::x"]);
    assert!(folder_cycles.is_empty(), "{folder_cycles:?}");
    // Deep inside folder c, a file uses b, which uses c: folders b and c.
    let mut cyclic = layered.clone();
    cyclic[4].1 = "use crate::a::x;\nuse crate::c::deep::Deep;\n".into();
    cyclic[6].1 = "pub struct Deep;\n".into();
    let (file_cycles, folder_cycles) = crate_cycles(&cyclic);
    assert!(file_cycles.is_empty(), "{file_cycles:?}");
    assert_eq!(folder_cycles, ["b -> c -> b"]);
}

#[test]
fn items_named_through_a_re_export_are_imports_of_their_owner() {
    // lib re-exports a::A; b names crate::A, which is a's: b -> a, and
    // lib's own re-exports are not imports of lib.
    let files = synthetic(&[
        ("lib.rs", "pub use a::A;\npub use b::B;\npub struct Root;\n"),
        ("a.rs", "pub struct A;\nfn f() { let _ = crate::Root; }\n"),
        ("b.rs", "use crate::A;\npub struct B;\n"),
    ]);
    let graph = file_graph(&files);
    assert_eq!(
        graph[&vec!["b".to_string()]],
        BTreeSet::from([vec!["a".to_string()]])
    );
    assert!(graph[&Vec::<String>::new()].is_empty(), "{graph:?}");
    assert_eq!(crate_cycles(&files), (vec![], vec![]));
    // a names b's item through the root: a folder-free file cycle.
    let mut cyclic = files.clone();
    cyclic[1].1 = "use crate::B;\npub struct A;\n".into();
    assert_eq!(crate_cycles(&cyclic).0, ["a -> b -> a"]);
}

#[test]
fn a_module_and_its_own_children_are_one() {
    // executor.rs uses its child awaits, which uses it back (`super::*`):
    // a child may take what its parent owns, so no cycle.
    let files = synthetic(&[
        ("lib.rs", ""),
        ("executor.rs", "mod awaits;\nuse awaits::g;\n"),
        (
            "executor/awaits.rs",
            "use super::*;\nuse crate::executor::Run;\n",
        ),
        ("suite.rs", "use crate::executor::Run;\n"),
    ]);
    assert_eq!(crate_cycles(&files), (vec![], vec![]));
    // But a child that uses a module that uses its parent closes a cycle,
    // of files and between the parent's folder and that module.
    let mut cyclic = files.clone();
    cyclic[2].1 = "use crate::suite::S;\n".into();
    cyclic[3].1 = "use crate::executor::Run;\npub struct S;\n".into();
    let (file_cycles, folder_cycles) = crate_cycles(&cyclic);
    assert_eq!(
        file_cycles,
        ["executor -> executor::awaits -> suite -> executor"]
    );
    assert_eq!(folder_cycles, ["executor -> suite -> executor"]);
}

#[test]
fn the_parser_sees_braced_uses_and_inline_paths() {
    let code = code_of(
        "pub use x::Y;\nuse crate::a::{b::{C, D}, e};\nfn f() { crate::g::h(); }\n#[cfg(test)]\nmod tests {\n    use crate::z;\n}\n",
    );
    let named = paths_named(&code);
    assert_eq!(named.exports, [("Y".to_string(), "x::Y".to_string())]);
    let paths = named.uses;
    for p in [
        "crate::a::b::C",
        "crate::a::b::D",
        "crate::a::e",
        "crate::g::h",
    ] {
        assert!(paths.contains(&p.to_string()), "{p} in {paths:?}");
    }
    assert!(!paths.iter().any(|p| p.contains('z')), "{paths:?}");
}
