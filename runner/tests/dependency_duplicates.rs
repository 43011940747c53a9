//! One version of each dependency: `cargo tree -d` over the workspace (every
//! kind of edge, the host's target) may list only the crates that
//! `duplicate-dependencies.txt` allows, each with its reason. A new
//! duplicate fails here with the crates that pull it in.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// The allow-list: crate names, each with a reason.
fn allowed(root: &Path) -> BTreeMap<String, String> {
    let path = root.join("duplicate-dependencies.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut allowed = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, reason) = line.split_once(':').unwrap_or((line, ""));
        assert!(
            !reason.trim().is_empty(),
            "{}:{}: `{name}` needs a reason after a colon",
            path.display(),
            number + 1
        );
        allowed.insert(name.trim().to_owned(), reason.trim().to_owned());
    }
    allowed
}

/// `cargo tree` with `args` in the workspace, its stdout.
fn cargo_tree(root: &Path, args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["tree", "--workspace", "--locked", "-e", "normal,build,dev"])
        .args(args)
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("cargo tree writes UTF-8")
}

/// The crates present in more than one version: name, and each version as
/// `name@version` (what `cargo tree -i` takes).
fn duplicated(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut duplicated: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let text = cargo_tree(
        root,
        &["-d", "--depth", "0", "--prefix", "none", "--format", "{p}"],
    );
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if let (Some(name), Some(version)) = (words.next(), words.next()) {
            let version = version.trim_start_matches('v');
            duplicated
                .entry(name.to_owned())
                .or_default()
                .insert(format!("{name}@{version}"));
        }
    }
    duplicated
}

#[test]
fn only_the_allowed_crates_come_in_two_versions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let allowed = allowed(root);
    let duplicated = duplicated(root);
    let new: Vec<&String> = duplicated
        .keys()
        .filter(|name| !allowed.contains_key(*name))
        .collect();
    if !new.is_empty() {
        let trees: Vec<String> = new
            .iter()
            .flat_map(|name| &duplicated[*name])
            .map(|spec| cargo_tree(root, &["-i", spec, "--depth", "2"]))
            .collect();
        panic!(
            "crates in more than one version that duplicate-dependencies.txt does not allow: \
             {new:?}; remove the duplicate (a feature or version choice) or add it there with \
             the reason. Who pulls them in:\n{}",
            trees.join("\n")
        );
    }
    let stale: Vec<&String> = allowed
        .keys()
        .filter(|name| !duplicated.contains_key(*name))
        .collect();
    assert!(
        stale.is_empty(),
        "duplicate-dependencies.txt allows {stale:?}, which now come in one version: remove the line"
    );
}

#[test]
fn tungstenite_may_never_come_in_two_versions() {
    // With this, the test above holds the workspace to one tungstenite
    // without asking cargo a second time.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let allowed = allowed(root);
    for name in ["tungstenite", "tokio-tungstenite"] {
        assert!(
            !allowed.contains_key(name),
            "duplicate-dependencies.txt must not allow {name}: one tungstenite is a rule (issue 23)"
        );
    }
}
