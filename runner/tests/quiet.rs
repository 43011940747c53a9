//! `quietMs` in the `hello` result: an implementation whose callbacks can
//! come late (a page's timers on a busy machine) declares how late, and
//! every `settle` window is at least that long, so that what is due is
//! recorded before the scenario's next step.
//!
//! The implementation is the reference over stdio behind a Python proxy
//! that holds back every asynchronous event (a callback or listener event
//! not marked `sync`) for [`LATE_MS`] while responses and synchronous
//! callbacks pass at once: the reference as a slow page would run it.

use std::path::Path;

use runner::{run_suite, AdapterSpec, ScenarioReport, Status, SuiteOptions};

/// How late the proxy delivers asynchronous events.
const LATE_MS: u64 = 150;

/// The proxy: `python3 late.py LATE_MS QUIET_MS command…`. It runs the
/// command, passes the runner's lines to it, and adds `quietMs` (when not
/// 0) to the `hello` result.
const LATE_PROXY: &str = r#"
import json, subprocess, sys, threading, time
late, quiet, command = int(sys.argv[1]) / 1000.0, int(sys.argv[2]), sys.argv[3:]
child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
lock = threading.Lock()
def out(line):
    with lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
def later(line, at):
    time.sleep(max(0.0, at - time.monotonic()))
    out(line)
queue = []
cv = threading.Condition()
def deliver():
    while True:
        with cv:
            while not queue:
                cv.wait()
            line, at = queue.pop(0)
        later(line, at)
threading.Thread(target=deliver, daemon=True).start()
def forward():
    for line in sys.stdin:
        child.stdin.write(line)
        child.stdin.flush()
    child.stdin.close()
threading.Thread(target=forward, daemon=True).start()
for line in child.stdout:
    line = line.rstrip("\n")
    message = json.loads(line)
    if "event" in message and message["event"] != "log" and not message.get("sync"):
        with cv:
            queue.append((line, time.monotonic() + late))
            cv.notify()
        continue
    result = message.get("result")
    if quiet and isinstance(result, dict) and "protocol" in result:
        result["quietMs"] = quiet
        line = json.dumps(message)
    out(line)
child.wait()
time.sleep(late + 0.05)
"#;

/// Runs `close-connecting` (a `settle: 50` lets the connect call's
/// callbacks come before `closeSocket` is called) through the proxy.
fn run_late(dir: &Path, quiet_ms: u64) -> ScenarioReport {
    let script = dir.join(format!("late-{quiet_ms}.py"));
    std::fs::write(&script, LATE_PROXY).unwrap();
    let command = format!(
        "python3 '{}' {LATE_MS} {quiet_ms} '{}' serve-reference --instances 1",
        script.display(),
        env!("CARGO_BIN_EXE_connectsocket-conformance"),
    );
    let options = SuiteOptions::new(AdapterSpec::Command(command))
        .with_filter(vec!["close::close-connecting".to_string()]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut result = runtime
        .block_on(run_suite(options, |_| {}))
        .expect("the suite runs");
    assert_eq!(result.scenarios.len(), 1, "one scenario selected");
    result.scenarios.remove(0)
}

#[test]
fn late_callbacks_fail_a_settle_window_and_pass_once_the_adapter_declares_them() {
    let dir = tempfile::tempdir().unwrap();
    // Without quietMs the connect call's callbacks come after closeSocket
    // returned: the trace is not the golden's.
    let undeclared = run_late(dir.path(), 0);
    assert_eq!(
        undeclared.status,
        Status::Fail,
        "late callbacks passed a 50 ms settle window: {:?}",
        undeclared.message
    );
    // Declared, the window waits for them.
    let declared = run_late(dir.path(), 2 * LATE_MS);
    assert_eq!(
        declared.status,
        Status::Pass,
        "{:?}",
        declared.message.or(declared.golden_diff)
    );
}
