//! Starting an adapter process is never a verdict: `hello` has a deadline
//! of its own (30 s unless `--hello-timeout-ms` says otherwise), processes
//! start one after another, a start that fails is tried once more, and
//! then the scenarios that needed it are `error` with the adapter's stderr,
//! never `fail`; a scenario its profile rules out is not applicable
//! without any process being started for it. The adapters are shells that
//! append their pid to a file, then wait, burn CPU or never answer before
//! `exec`ing `connectsocket-conformance serve-reference --instances 1`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use runner::{run_suite, AdapterSpec, RunReport, Status, SuiteOptions};
use testkit::quote;

const CLI: &str = env!("CARGO_BIN_EXE_connectsocket-conformance");

/// Two scenarios that open no socket and one that does.
const FILTER: &[&str] = &[
    "url::url-scheme-ftp",
    "url::url-scheme-http",
    "url::url-scheme-case-insensitive",
];

/// A scenario the default profile (alipay-2022-09) rules out: the seed's
/// `connectSocket` has no `timeout` argument.
const RULED_OUT: &str = "connect::connect-timeout-argument";

/// An adapter that appends its pid to `pids`, runs `before` (shell), then
/// becomes `serve-reference` with one instance (so that each scenario at
/// once needs a process of its own). `$2` in `before` is `arg`.
fn adapter(pids: &Path, before: &str, arg: &str) -> String {
    let script = format!(r#"echo $$ >> "$0"; {before} exec "$1" serve-reference --instances 1"#);
    format!(
        "sh -c {} {} {} {}",
        quote(&script),
        quote(&pids.display().to_string()),
        quote(CLI),
        quote(arg)
    )
}

/// The pids written to `file` (none when it was never written), once each
/// has ended.
fn ended_pids(file: &Path) -> Vec<u32> {
    let pids: Vec<u32> = std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    for &pid in &pids {
        testkit::assert_gone_blocking(pid);
    }
    pids
}

/// Runs a suite on a runtime of its own.
fn run(options: SuiteOptions) -> RunReport {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(run_suite(options, |_| {}))
        .expect("the suite runs")
}

fn filter(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Every scenario passed; the ruled-out one, if selected, did not apply.
fn assert_all_pass(result: &RunReport) {
    for s in &result.scenarios {
        let expected = if s.id == RULED_OUT {
            Status::NotApplicable
        } else {
            Status::Pass
        };
        assert_eq!(s.status, expected, "{}: {:?}", s.id, s.message);
    }
}

#[test]
fn an_adapter_that_answers_hello_after_six_seconds_runs_its_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let options = SuiteOptions::new(AdapterSpec::Command(adapter(&pids, "sleep 6;", "")))
        .with_filter(filter(FILTER))
        .with_jobs(2);
    let result = run(options);
    assert_eq!(result.scenarios.len(), FILTER.len());
    assert_all_pass(&result);
    let pids = ended_pids(&pids);
    // The one started up front serves the first scenario; the second job
    // starts one more at most. Nothing was retried.
    assert!(!pids.is_empty() && pids.len() <= 2, "{pids:?}");
}

/// Runs the command line in `dir` with `args`: its exit code, its output
/// and its JSON report.
fn cli(dir: &Path, args: &[&str]) -> (i32, String, serde_json::Value) {
    let json = dir.join("report.json");
    let (code, text) = testkit::output(
        std::process::Command::new(CLI)
            .args(args)
            .arg("--report")
            .arg(format!("json={}", json.display()))
            .current_dir(dir),
    );
    let report = std::fs::read_to_string(&json)
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or_else(|e| panic!("no report ({e}): {text}"));
    (code, text, report)
}

#[test]
fn an_adapter_that_never_answers_hello_makes_its_scenarios_errors_after_one_retry() {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let command = adapter(&pids, "echo 'loading, forever' >&2; exec sleep 300;", "");
    let mut args = vec!["run", "--adapter", &command, "--jobs", "2"];
    args.extend(["--hello-timeout-ms", "500"]);
    for f in FILTER.iter().chain([&RULED_OUT]) {
        args.extend(["--filter", f]);
    }
    let started = Instant::now();
    let (code, text, report) = cli(dir.path(), &args);
    let took = started.elapsed();
    assert_eq!(code, 1, "{text}");
    let scenarios = report["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), FILTER.len() + 1, "{text}");
    for s in scenarios {
        let id = s["id"].as_str().unwrap();
        let message = s["message"].as_str().unwrap_or_default();
        if id == RULED_OUT {
            assert_eq!(s["status"], "notApplicable", "{id}: {message}");
            continue;
        }
        assert_eq!(s["status"], "error", "{id}: {message}");
        assert!(
            message.starts_with("the adapter did not start")
                && message.contains("no answer within 500 ms (the hello deadline)"),
            "{id}: {message}"
        );
        let stderr = s["adapterStderr"].as_str().unwrap_or_default();
        assert!(stderr.contains("loading, forever"), "{id}: {stderr}");
    }
    assert_eq!(report["totals"]["fail"], 0, "{text}");
    // The start up front and its one retry; no scenario started another.
    assert_eq!(ended_pids(&pids).len(), 2, "{text}");
    assert!(took < Duration::from_secs(30), "{took:?}: {text}");
}

#[test]
fn a_start_that_fails_mid_run_makes_only_the_scenarios_that_needed_it_errors() {
    // The first process answers; every later one never does. The wss-only
    // scenario's config needs a process of its own: it is `error`, after
    // one retry, and the scenarios with the first process's config go on
    // on it (one job: in the order of their names).
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let command = adapter(
        &pids,
        r#"if [ "$(wc -l < "$0")" -gt 1 ]; then echo 'stuck' >&2; exec sleep 300; fi;"#,
        "",
    );
    let options = SuiteOptions::new(AdapterSpec::Command(command))
        .with_filter(filter(&[
            "url::url-scheme-ftp",
            "url::url-wss-only-refuses-ws",
        ]))
        .with_jobs(1)
        .with_hello_timeout(Duration::from_millis(500));
    let result = run(options);
    let status = |id: &str| {
        let s = result.scenarios.iter().find(|s| s.id == id).unwrap();
        (s.status, s.message.clone().unwrap_or_default())
    };
    let (ftp, message) = status("url::url-scheme-ftp");
    assert_eq!(ftp, Status::Pass, "{message}");
    let (wss, message) = status("url::url-wss-only-refuses-ws");
    assert_eq!(wss, Status::Error, "{message}");
    assert!(
        message.contains("started twice and failed both times")
            && message.contains("no answer within 500 ms")
            && message.contains("stuck"),
        "{message}"
    );
    // The first, then the wss-only scenario's and its retry.
    assert_eq!(ended_pids(&pids).len(), 3);
}

#[test]
fn a_scenario_the_profile_rules_out_is_not_applicable_and_starts_no_process() {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    // Were it started, it would never answer.
    let command = adapter(&pids, "exec sleep 300;", "");
    let options = SuiteOptions::new(AdapterSpec::Command(command))
        .with_filter(filter(&[RULED_OUT]))
        .with_hello_timeout(Duration::from_millis(500));
    let result = run(options);
    assert_eq!(result.scenarios.len(), 1);
    let s = &result.scenarios[0];
    assert_eq!(s.status, Status::NotApplicable, "{:?}", s.message);
    assert!(
        s.message
            .as_deref()
            .unwrap_or_default()
            .contains("not in profile"),
        "{:?}",
        s.message
    );
    assert_eq!(ended_pids(&pids), Vec::<u32>::new());
}

/// A Python script that burns a second of CPU time.
const BURN: &str =
    "import time\nt = time.process_time()\nwhile time.process_time() - t < 1: pass\n";

#[test]
fn eight_adapters_that_take_a_second_of_cpu_to_load_pass_with_eight_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let burn: PathBuf = dir.path().join("burn.py");
    std::fs::write(&burn, BURN).unwrap();
    let command = adapter(&pids, r#"python3 "$2";"#, &burn.display().to_string());
    let options = SuiteOptions::new(AdapterSpec::Command(command))
        .with_filter(filter(&["url::"]))
        .with_jobs(8);
    let result = run(options);
    assert!(result.scenarios.len() >= 8, "{}", result.scenarios.len());
    assert_all_pass(&result);
    let pids = ended_pids(&pids);
    // Kept between scenarios: fewer than one per scenario.
    assert!(
        !pids.is_empty() && pids.len() < result.scenarios.len(),
        "{pids:?}"
    );
}
