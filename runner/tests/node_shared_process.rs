//! The Node.js adapter serves a whole run from one process: it declares
//! instances (64 by default), the runner runs its scenarios at once over
//! them, and a crash of that process fails the scenarios it was running
//! with its stderr while the run goes on with a new one. The adapter runs
//! under a `sh` wrapper that appends a line to a file each time it starts.

use std::path::{Path, PathBuf};
use std::time::Duration;

use runner::{run_suite, AdapterSpec, RunReport, Status, SuiteOptions};

/// A fresh, empty folder under the system's temp dir for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("node-shared-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

/// The node adapter's command line, run by `sh` after it appends its pid
/// to `starts` (`exec` keeps the pid: the wrapper becomes node); `preload`
/// is a script `node -r` loads first.
fn counted_command(starts: &Path, preload: Option<&Path>) -> String {
    let script = adapter_host::ensure_node_adapter(&testkit::repo_root())
        .unwrap_or_else(|e| panic!("the node adapter cannot run: {e}"));
    let preload = preload.map_or(String::new(), |p| {
        format!("-r {} ", testkit::quote(&p.to_string_lossy()))
    });
    let inner = format!(
        "echo $$ >> {}; exec node {preload}{}",
        testkit::quote(&starts.to_string_lossy()),
        testkit::quote(&script.to_string_lossy())
    );
    format!("sh -c {}", testkit::quote(&inner))
}

/// The pids the wrapper wrote, one per start.
fn starts(path: &Path) -> Vec<u32> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().parse().expect("a pid"))
        .collect()
}

fn summary(result: &RunReport) -> String {
    result
        .scenarios
        .iter()
        .filter(|s| !matches!(s.status, Status::Pass | Status::NotApplicable))
        .map(|s| format!("{}: {} {:?}", s.id, s.status, s.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_full_suite_runs_in_one_node_process_without_a_failure() {
    let dir = temp_dir("full");
    let starts_file = dir.join("starts");
    let options = SuiteOptions::new(AdapterSpec::Command(counted_command(&starts_file, None)));
    let result = run_suite(options, |_| {}).await.expect("the suite runs");
    let started = starts(&starts_file);
    assert!(result.scenarios.len() > 100, "the full suite ran");
    let failed = summary(&result);
    assert!(failed.is_empty(), "every scenario passes:\n{failed}");
    assert_eq!(
        result
            .scenarios
            .iter()
            .filter(|s| s.status == Status::Pass)
            .count()
            + result
                .scenarios
                .iter()
                .filter(|s| s.status == Status::NotApplicable)
                .count(),
        result.scenarios.len()
    );
    assert_eq!(
        started.len(),
        1,
        "one node process served the run (the first hello included): {started:?}"
    );
    assert!(
        !testkit::alive(started[0]),
        "the process ended with the run"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Loaded by `node -r` before the adapter: the first request line that
/// holds `ftp://` (only `url::url-scheme-ftp` sends one) is followed, on
/// the next turn of the event loop, by an exception nothing catches.
const CRASH_PRELOAD: &str = r#"
let armed = true;
process.stdin.on('data', (chunk) => {
  if (armed && String(chunk).includes('ftp://')) {
    armed = false;
    setImmediate(() => { throw new Error('boom: an uncaught exception in the adapter'); });
  }
});
"#;

#[tokio::test]
async fn a_crash_fails_the_scenarios_in_the_process_with_its_stderr_and_the_run_goes_on() {
    let dir = temp_dir("crash");
    let starts_file = dir.join("starts");
    let preload = dir.join("crash.js");
    std::fs::write(&preload, CRASH_PRELOAD).expect("the preload script");
    // In this order, 3 at once: two scenarios that wait 1 s for their
    // handshake and the crashing one start together on one process; the
    // last two start after the crash.
    let in_flight = [
        "multiple::task-send-while-connecting",
        "send::send-not-open-connecting",
        "url::url-scheme-ftp",
    ];
    let after = ["url::url-scheme-http", "url::url-scheme-case-insensitive"];
    let filter = in_flight.iter().chain(&after).map(|f| f.to_string());
    let options = SuiteOptions::new(AdapterSpec::Command(counted_command(
        &starts_file,
        Some(&preload),
    )))
    .with_filter(filter.collect())
    .with_jobs(3)
    .with_request_timeout(Duration::from_secs(5));
    let result = run_suite(options, |_| {}).await.expect("the suite runs");
    let started = starts(&starts_file);
    let status = |trial: &str| {
        result
            .scenarios
            .iter()
            .find(|s| s.id == trial)
            .unwrap_or_else(|| panic!("{trial} has a result: {}", summary(&result)))
    };
    for trial in in_flight {
        let s = status(trial);
        let message = s.message.as_deref().unwrap_or_default();
        assert_eq!(s.status, Status::Fail, "{trial}: {message}");
        assert!(
            message.contains("boom: an uncaught exception"),
            "{trial}: the reason quotes the adapter's stderr: {message}"
        );
        assert!(s.adapter_fault.is_some(), "{trial}: an adapter fault");
    }
    for trial in after {
        let s = status(trial);
        assert_eq!(s.status, Status::Pass, "{trial}: {:?}", s.message);
    }
    assert_eq!(
        started.len(),
        2,
        "the run went on in a second process: {started:?}"
    );
    for pid in started {
        assert!(!testkit::alive(pid), "process {pid} outlived the run");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
