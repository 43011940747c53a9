//! How many adapter processes a run starts: an adapter that declares one
//! instance (or none) gets a process per scenario running at once, as
//! before instances existed; one that declares many runs them all over
//! the one process that answered the start-up `hello` (`SharedPool`).
//! Every process a run starts has ended when it returns. The adapter is `connectsocket-conformance serve-reference
//! --instances N` behind a shell that writes its pid to a file.

use std::path::Path;
use std::time::Duration;

use runner::{run_suite, AdapterSpec, Status, SuiteOptions};

/// Scenarios at once.
const JOBS: usize = 4;

/// The connect scenarios: enough for every job to start at once.
fn options(command: String) -> SuiteOptions {
    SuiteOptions::new(AdapterSpec::Command(command))
        .with_jobs(JOBS)
        .with_filter(vec!["connect::".to_string()])
}

/// `serve-reference --instances N` that first appends its pid to `pids`.
fn logging_adapter(pids: &Path, instances: u32) -> String {
    let quote = |word: &str| format!("'{}'", word.replace('\'', r"'\''"));
    format!(
        "sh -c 'echo $$ >> \"$0\"; exec \"$1\" serve-reference --instances \"$2\"' {} {} {instances}",
        quote(&pids.display().to_string()),
        quote(env!("CARGO_BIN_EXE_connectsocket-conformance")),
    )
}

/// Runs the connect scenarios over a `serve-reference --instances N`,
/// requires every one to pass, and returns the pids of the processes the
/// run started (the one `Suite::start` asks `hello` first included).
fn pids_of_a_run(instances: u32) -> Vec<u32> {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let result = runtime
        .block_on(run_suite(
            options(logging_adapter(&pids, instances)),
            |_| {},
        ))
        .expect("the suite runs");
    assert!(result.scenarios.len() > JOBS, "{}", result.scenarios.len());
    for scenario in &result.scenarios {
        assert!(
            matches!(scenario.status, Status::Pass | Status::NotApplicable),
            "{}: {:?}",
            scenario.trial_name(),
            scenario.message
        );
    }
    let pids: Vec<u32> = std::fs::read_to_string(&pids)
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    for &pid in &pids {
        assert_gone(pid);
    }
    pids
}

/// Whether `pid` is a live process (not gone, not a zombie).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => false,
    }
}

/// Waits (bounded) until `pid` is no longer a live process (a killed
/// process is reaped asynchronously).
fn assert_gone(pid: u32) {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while alive(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "adapter process {pid} outlived the run"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn an_adapter_with_one_instance_gets_a_process_per_scenario_running_at_once() {
    let pids = pids_of_a_run(1);
    // The one asked `hello` at start, then one per job at least.
    assert!(pids.len() > JOBS, "{pids:?}");
}

#[test]
fn an_adapter_with_many_instances_runs_them_all_over_one_process() {
    let pids = pids_of_a_run(64);
    // The one asked `hello` at start serves every scenario.
    assert_eq!(pids.len(), 1, "{pids:?}");
}
