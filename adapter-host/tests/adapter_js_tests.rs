//! The adapters' own JavaScript tests, so that `cargo test` runs them:
//! `npm test` in `adapters/common` (what the adapters share), in
//! `adapters/node` (the Node.js implementation and adapter), in
//! `adapters/browser` (the browser adapter on headless Chromium), in
//! `adapters/miniprogram` (the frameworks' mini-program API layers over the
//! Node.js implementation) and in `adapters/clients` (mqtt.js's mini-program
//! transports against a broker on loopback).
//!
//! Their npm packages are installed first when missing (`npm ci` at the
//! root of the adapters' npm workspaces, as the conformance harnesses do). A failing JS test fails the Rust test with the
//! JS test output; a JS run that does not end within its time limit has its
//! whole process group killed and fails with the output so far. Without
//! Debian's `chromium` (and `certutil` from `libnss3-tools`) the browser
//! part is skipped with one line, as the conformance harness's browser rows
//! does; so are the mini-program layers and the clients when npm cannot
//! install their packages (third-party code fetched from the registry).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{mpsc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The longest the shared package's tests may take (well under a second).
const COMMON_LIMIT: Duration = Duration::from_secs(60);

/// The longest the node adapter's tests may take (about 7 s alone on two
/// cores; each test has its own 30 s limit).
const NODE_LIMIT: Duration = Duration::from_secs(240);

/// The longest the browser adapter's tests may take (about 20 s alone on
/// two cores; each wait in them is bounded at 15 s).
const BROWSER_LIMIT: Duration = Duration::from_secs(480);

/// The longest the mini-program layers' tests may take (about 4 s alone
/// on two cores; each wait in them is bounded at 5 s).
const MINIPROGRAM_LIMIT: Duration = Duration::from_secs(240);

/// The longest the real clients' tests may take (about 1 s alone on two
/// cores; each wait in them is bounded at 5 s).
const CLIENTS_LIMIT: Duration = Duration::from_secs(240);

/// One JS suite at a time: both start many processes, and the machine may
/// be running other test binaries' adapters too.
static ONE_SUITE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn common_package_js_tests_pass() {
    let root = testkit::repo_root();
    adapter_host::ensure_adapter_packages(&root).unwrap_or_else(|e| panic!("{e}"));
    let _one = ONE_SUITE_AT_A_TIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    npm_test(&root.join("adapters").join("common"), COMMON_LIMIT);
}

#[test]
fn node_adapter_js_tests_pass() {
    let root = testkit::repo_root();
    adapter_host::ensure_node_adapter(&root).unwrap_or_else(|e| panic!("{e}"));
    let _one = ONE_SUITE_AT_A_TIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    npm_test(&root.join("adapters").join("node"), NODE_LIMIT);
}

#[test]
fn browser_adapter_js_tests_pass() {
    if let Some(reason) = adapter_host::browser_adapter_missing() {
        // Straight to stderr: libtest hides what a passing test prints.
        let _ = writeln!(
            std::io::stderr(),
            "{reason} to run the browser adapter's JS tests (skipped)"
        );
        return;
    }
    let root = testkit::repo_root();
    adapter_host::ensure_adapter_packages(&root).unwrap_or_else(|e| panic!("{e}"));
    let dir = root.join("adapters").join("browser");
    let _one = ONE_SUITE_AT_A_TIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    npm_test(&dir, BROWSER_LIMIT);
}

#[test]
fn miniprogram_layers_js_tests_pass() {
    third_party_npm_test("miniprogram", MINIPROGRAM_LIMIT);
}

#[test]
fn real_clients_js_tests_pass() {
    third_party_npm_test("clients", CLIENTS_LIMIT);
}

/// `npm test` in `adapters/<folder>`, whose packages are third-party code
/// over the Node.js implementation: both are installed first (the folder's
/// own `npm ci` when it is a standalone project, else with the workspaces), and when they
/// cannot be (no `node` or `npm`, no registry) the test is skipped with one
/// line saying why.
fn third_party_npm_test(folder: &str, limit: Duration) {
    let root = testkit::repo_root();
    let dir = root.join("adapters").join(folder);
    let ready = adapter_host::ensure_node_adapter(&root).and_then(|_| {
        if adapter_host::STANDALONE_PROJECTS.contains(&folder) {
            adapter_host::ensure_npm_project(&dir)
        } else {
            Ok(())
        }
    });
    if let Err(e) = ready {
        let first_line = e.to_string().lines().next().unwrap_or_default().to_owned();
        let _ = writeln!(
            std::io::stderr(),
            "adapters/{folder}: its npm packages cannot be installed ({first_line}): JS tests skipped"
        );
        return;
    }
    let _one = ONE_SUITE_AT_A_TIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    npm_test(&dir, limit);
}

/// Runs `npm test` in `dir` in a process group of its own, its stdout and
/// stderr into one file; panics with that output when it fails or when it
/// has not ended after `limit` (its whole group is killed first).
fn npm_test(dir: &Path, limit: Duration) {
    let mut output = tempfile::tempfile().expect("a temporary file for the JS test output");
    let mut command = Command::new("npm");
    command
        .arg("test")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(output.try_clone().expect("the output file, twice"))
        .stderr(output.try_clone().expect("the output file, twice"));
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let started = Instant::now();
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `npm test` in {}: {e}", dir.display()));
    let group = child.id();
    let (exited, exit) = mpsc::channel::<std::io::Result<ExitStatus>>();
    let waiter = std::thread::spawn(move || {
        let _ = exited.send(child.wait());
    });
    let outcome = exit.recv_timeout(limit);
    // Whatever happened, nothing the JS tests started outlives them.
    adapter_host::kill_process_group(group);
    let status = match outcome {
        Ok(status) => Some(status.expect("waiting for `npm test`")),
        Err(_) => {
            // Killed: the waiter now reaps it at once.
            let _ = exit.recv();
            None
        }
    };
    let _ = waiter.join();
    let took = started.elapsed();
    let text = read_all(&mut output);
    match status {
        Some(status) if status.success() => {
            let _ = writeln!(
                std::io::stderr(),
                "`npm test` in {} passed in {:.1} s",
                dir.display(),
                took.as_secs_f64()
            );
        }
        Some(status) => panic!(
            "`npm test` in {} failed ({status}) after {:.1} s:\n{text}",
            dir.display(),
            took.as_secs_f64()
        ),
        None => panic!(
            "`npm test` in {} did not end within {} s: its process group was killed. Its output so far:\n{text}",
            dir.display(),
            limit.as_secs()
        ),
    }
}

fn read_all(file: &mut File) -> String {
    let mut bytes = Vec::new();
    let _ = file.seek(SeekFrom::Start(0));
    let _ = file.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}
