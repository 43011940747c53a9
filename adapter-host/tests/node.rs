//! The bundled Node.js adapter through `ProcessAdapter`, and
//! `ensure_node_adapter`: packages installed when missing, a clear failure
//! when node or npm is missing.

mod common;

use std::fs;
use std::path::Path;

use adapter_host::{
    ensure_node_adapter, ensure_node_adapter_with, HostError, NodeTools, ProcessAdapter,
    SpawnOptions, NODE_ADAPTER_SCRIPT,
};
use adapter_protocol::Config;
use common::{bounded, soon};
use testkit::assert_gone;

/// A copy of the adapters' npm workspaces without `node_modules` (the root's
/// `package.json` and lock, each workspace's `package.json` and `src/`) and
/// `spec/spec.json`, in a fresh directory laid out like the repository.
fn copy_of_node_adapter() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let from = testkit::repo_root().join("adapters");
    let to = root.path().join("adapters");
    fs::create_dir_all(&to).unwrap();
    for file in ["package.json", "package-lock.json"] {
        fs::copy(from.join(file), to.join(file)).unwrap();
    }
    for entry in fs::read_dir(&from).unwrap() {
        let folder = entry.unwrap().path();
        if folder.join("package.json").is_file() {
            let name = folder.file_name().unwrap();
            fs::create_dir_all(to.join(name)).unwrap();
            fs::copy(
                folder.join("package.json"),
                to.join(name).join("package.json"),
            )
            .unwrap();
            if folder.join("src").is_dir() {
                copy_tree(&folder.join("src"), &to.join(name).join("src"));
            }
        }
    }
    // The facts the shared package reads (adapters/common/src/spec.js).
    fs::create_dir_all(root.path().join("spec")).unwrap();
    fs::copy(
        testkit::repo_root().join("spec/spec.json"),
        root.path().join("spec/spec.json"),
    )
    .unwrap();
    root
}

/// Copies the folder `from` (files and subfolders) to `to`.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

async fn hello_from_node_adapter(root: &Path) -> String {
    let options = SpawnOptions {
        cwd: Some(root.to_path_buf()),
        ..SpawnOptions::default()
    };
    let command_line = format!("node {NODE_ADAPTER_SCRIPT}");
    let mut adapter = ProcessAdapter::spawn(&command_line, options).unwrap();
    let pid = adapter.pid().unwrap();
    let hello = adapter
        .hello(1, Config::default(), soon(10_000))
        .await
        .unwrap();
    let report = adapter.shutdown(soon(5000)).await;
    assert!(report.is_clean(), "{report:?}");
    assert_gone(pid).await;
    hello.name
}

#[tokio::test]
async fn the_node_adapter_says_hello_as_node_ws() {
    bounded(async {
        let root = testkit::repo_root();
        let script = tokio::task::spawn_blocking({
            let root = root.clone();
            move || ensure_node_adapter(&root)
        })
        .await
        .unwrap()
        .unwrap();
        assert_eq!(script, root.join(NODE_ADAPTER_SCRIPT));
        assert_eq!(hello_from_node_adapter(&root).await, "node-ws");
    })
    .await;
}

#[tokio::test]
async fn missing_packages_are_installed_once_even_when_asked_twice_at_once() {
    bounded(async {
        let copy = copy_of_node_adapter();
        let modules = copy.path().join("adapters/node_modules");
        assert!(!modules.exists());
        let installs: Vec<_> = (0..2)
            .map(|_| {
                let root = copy.path().to_path_buf();
                tokio::task::spawn_blocking(move || ensure_node_adapter(&root))
            })
            .collect();
        for install in installs {
            install.await.unwrap().unwrap();
        }
        assert!(modules.join("ws").join("package.json").is_file());
        // Installed now: npm is not needed any more.
        let no_npm = NodeTools {
            npm: "/nonexistent/npm".into(),
            ..NodeTools::default()
        };
        ensure_node_adapter_with(copy.path(), &no_npm).unwrap();
        assert_eq!(hello_from_node_adapter(copy.path()).await, "node-ws");
    })
    .await;
}

#[test]
fn missing_node_is_a_clear_failure() {
    let tools = NodeTools {
        node: "/nonexistent/node".into(),
        ..NodeTools::default()
    };
    let error = ensure_node_adapter_with(&testkit::repo_root(), &tools).unwrap_err();
    assert!(matches!(error, HostError::NodeMissing { .. }), "{error:?}");
    assert!(error.to_string().contains("Node.js is needed"), "{error}");
    assert!(error.to_string().contains("/nonexistent/node"), "{error}");
}

#[test]
fn missing_npm_is_a_clear_failure_when_packages_are_missing() {
    let copy = copy_of_node_adapter();
    let tools = NodeTools {
        npm: "/nonexistent/npm".into(),
        ..NodeTools::default()
    };
    let error = ensure_node_adapter_with(copy.path(), &tools).unwrap_err();
    assert!(matches!(error, HostError::NpmMissing { .. }), "{error:?}");
    assert!(error.to_string().contains("npm is needed"), "{error}");
}

#[test]
fn a_missing_adapter_is_a_clear_failure() {
    let empty = tempfile::tempdir().unwrap();
    let error = ensure_node_adapter(empty.path()).unwrap_err();
    assert!(
        matches!(error, HostError::NodeAdapterMissing { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("adapter.js does not exist"),
        "{error}"
    );
}
