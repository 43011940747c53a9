//! A broken adapter process never breaks the run: each fault of the
//! protocol's last section (crash, hang, a line that is not JSON, a
//! response to an unknown id, a silent exit) fails the scenarios it hits
//! with a reason, the run goes on with a fresh adapter, and no process
//! the run started outlives `run_suite`.

use std::path::PathBuf;
use std::time::Duration;

use runner::{run_suite, AdapterSpec, RunReport, Status, SuiteError, SuiteOptions};

/// A Python adapter that answers `hello`, `reset` and `shutdown` and
/// misbehaves on every `call` as its first argument says. It starts a
/// grandchild that sleeps, to show the whole process group ends.
const BROKEN_ADAPTER: &str = r#"
import json, os, subprocess, sys
fault, marker = sys.argv[1], sys.argv[2]
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", marker],
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
def out(m):
    sys.stdout.write(json.dumps(m) + "\n")
    sys.stdout.flush()
for line in sys.stdin:
    req = json.loads(line)
    op, i = req["op"], req["id"]
    if op == "hello":
        unsupported = ["maxTasks"] if fault == "unsupported" else []
        out({"id": i, "ok": True, "result": {"name": "broken", "version": "0", "protocol": 1, "unsupported": unsupported}})
    elif op == "reset":
        out({"id": i, "ok": True, "result": {}})
    elif op == "shutdown":
        out({"id": i, "ok": True, "result": {}})
        sys.exit(0)
    elif fault == "crash":
        sys.stderr.write("boom: the adapter crashed\n")
        sys.stderr.flush()
        os._exit(3)
    elif fault == "hang":
        pass
    elif fault == "garbage":
        sys.stdout.write("this is not json\n")
        sys.stdout.flush()
    elif fault == "unknown-id":
        out({"id": i + 100000, "ok": True, "result": {"returned": None}})
    elif fault == "silent-exit":
        os._exit(0)
    else:
        out({"id": i, "ok": False, "error": "not implemented"})
"#;

/// The adapter's script, written once for all the tests of this binary:
/// tests run in parallel, and rewriting the file while another test's
/// adapter starts would hand Python a truncated script.
fn script() -> PathBuf {
    static SCRIPT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    SCRIPT
        .get_or_init(|| {
            let path = std::env::temp_dir()
                .join(format!("runner-broken-adapter-{}.py", std::process::id()));
            std::fs::write(&path, BROKEN_ADAPTER).unwrap();
            path
        })
        .clone()
}

async fn run_broken(fault: &str, filter: &[&str]) -> (RunReport, String) {
    let marker = format!("broken-{fault}-{}", std::process::id());
    let command = format!("python3 {} {fault} {marker}", script().display());
    let options = SuiteOptions::new(AdapterSpec::Command(command))
        .with_filter(filter.iter().map(|f| f.to_string()).collect())
        .with_jobs(2)
        .with_request_timeout(Duration::from_millis(500));
    let result = run_suite(options, |_| {}).await.expect("the suite runs");
    (result, marker)
}

const FILTER: &[&str] = &[
    "url::url-scheme-ftp",
    "url::url-scheme-http",
    "close::close-server-normal",
];

async fn check_fault(fault: &str, reason: &str) -> RunReport {
    let (result, marker) = run_broken(fault, FILTER).await;
    assert_eq!(
        result.scenarios.len(),
        3,
        "every selected scenario has a result"
    );
    for s in &result.scenarios {
        assert_eq!(s.status, Status::Fail, "{}: {:?}", s.id, s.message);
        let message = s.message.as_deref().unwrap_or_default();
        assert!(
            message.contains(reason),
            "{}: the reason names the fault ({reason}): {message}",
            s.id
        );
        assert!(
            s.adapter_fault.is_some(),
            "{}: the adapter was replaced",
            s.id
        );
    }
    let left = testkit::processes_with(&marker);
    assert!(left.is_empty(), "processes outlived run_suite: {left:?}");
    result
}

#[tokio::test]
async fn a_crashing_adapter_fails_each_scenario_with_its_stderr_and_the_run_goes_on() {
    let result = check_fault("crash", "gone away").await;
    for s in &result.scenarios {
        assert!(
            s.message.as_deref().unwrap_or_default().contains("boom"),
            "{:?}",
            s.message
        );
        assert!(
            s.adapter_stderr
                .as_deref()
                .unwrap_or_default()
                .contains("boom"),
            "{:?}",
            s.adapter_stderr
        );
    }
}

#[tokio::test]
async fn a_hanging_adapter_fails_past_the_request_deadline() {
    check_fault("hang", "no response before the deadline").await;
}

#[tokio::test]
async fn a_line_that_is_not_json_is_a_protocol_violation() {
    check_fault("garbage", "protocol violation").await;
}

#[tokio::test]
async fn a_response_to_an_unknown_id_is_a_protocol_violation() {
    check_fault("unknown-id", "protocol violation").await;
}

#[tokio::test]
async fn an_adapter_that_exits_silently_fails_the_scenario() {
    check_fault("silent-exit", "gone away").await;
}

#[tokio::test]
async fn a_scenario_needing_an_unsupported_config_key_is_not_applicable() {
    let (result, marker) =
        run_broken("unsupported", &["limits::task-limit-follows-max-tasks"]).await;
    assert_eq!(result.scenarios.len(), 1);
    assert_eq!(
        result.scenarios[0].status,
        Status::NotApplicable,
        "{:?}",
        result.scenarios[0].message
    );
    assert!(testkit::processes_with(&marker).is_empty());
}

#[tokio::test]
async fn an_adapter_that_cannot_start_is_a_configuration_error() {
    let options = SuiteOptions::new(AdapterSpec::Command("/nonexistent/adapter --x".into()));
    let err = run_suite(options, |_| {})
        .await
        .expect_err("no such program");
    assert!(matches!(err, SuiteError::AdapterStart { .. }), "{err}");
}

#[tokio::test]
async fn a_filter_that_matches_nothing_is_an_error() {
    let options =
        SuiteOptions::new(AdapterSpec::reference()).with_filter(vec!["no-such-scenario".into()]);
    let err = run_suite(options, |_| {})
        .await
        .expect_err("nothing matches");
    assert!(matches!(err, SuiteError::NoMatch(_)), "{err}");
}
