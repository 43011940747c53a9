//! How many adapter processes a run starts: an adapter that declares one
//! instance (or none) gets up to a process per scenario running at once
//! (started one at a time, as scenarios wait for them), as before
//! instances existed; one that declares many runs them all over the one
//! process that answered the start-up `hello` (`SharedPool`).
//! Every process a run starts has ended when it returns. The adapter is `connectsocket-conformance serve-reference
//! --instances N` behind a shell that writes its pid to a file.

use std::path::Path;

use runner::{run_suite, AdapterSpec, RunReport, Status, SuiteOptions};

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
    let result = run(options(logging_adapter(&pids, instances)));
    assert!(result.scenarios.len() > JOBS, "{}", result.scenarios.len());
    for scenario in &result.scenarios {
        assert!(
            matches!(scenario.status, Status::Pass | Status::NotApplicable),
            "{}: {:?}",
            scenario.id,
            scenario.message
        );
    }
    ended_pids(&pids)
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

/// The pids written to `file`, once each has ended.
fn ended_pids(file: &Path) -> Vec<u32> {
    let pids: Vec<u32> = std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    for &pid in &pids {
        testkit::assert_gone_blocking(pid);
    }
    pids
}

#[test]
fn an_adapter_with_one_instance_gets_a_process_per_scenario_running_at_once() {
    let pids = pids_of_a_run(1);
    // The one asked `hello` at start serves the first scenario; the
    // second job, which cannot share it, starts another.
    assert!(pids.len() > 1, "{pids:?}");
}

#[test]
fn an_adapter_with_many_instances_runs_them_all_over_one_process() {
    let pids = pids_of_a_run(64);
    // The one asked `hello` at start serves every scenario.
    assert_eq!(pids.len(), 1, "{pids:?}");
}

/// An adapter holding `instances` instances that refuses every call and
/// every call nested in it (error responses, as for a method the
/// implementation lacks: those after the first come after the scenario
/// has failed, before its `reset` is answered) and answers
/// `hello`, `reset` and `shutdown`; it first appends its pid to `pids`.
const REFUSING_ADAPTER: &str = r#"
import json, os, sys
with open(sys.argv[1], "a") as pids:
    pids.write(f"{os.getpid()}\n")
instances = int(sys.argv[2])
def out(request, message):
    if "instance" in request:
        message["instance"] = request["instance"]
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()
for line in sys.stdin:
    request = json.loads(line)
    op, i = request["op"], request["id"]
    if op == "hello":
        result = {"name": "refusing", "version": "0", "protocol": 1}
        if instances > 1:
            result["instances"] = instances
        out(request, {"id": i, "ok": True, "result": result})
    elif op == "call":
        # The call and the calls nested to follow it (`then`), each refused.
        calls = [request]
        while calls:
            call = calls.pop(0)
            out(request, {"id": call["id"], "ok": False, "error": "unknown method " + call.get("method", "")})
            calls.extend(call.get("then", []))
    else:
        out(request, {"id": i, "ok": True, "result": {}})
        if op == "shutdown":
            sys.exit(0)
"#;

/// Runs the connect scenarios over the refusing adapter; every scenario
/// must fail on the refusal. Returns the pids the run started.
fn pids_of_a_refused_run(instances: u32) -> (Vec<u32>, usize) {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("refusing.py");
    std::fs::write(&script, REFUSING_ADAPTER).unwrap();
    let pids = dir.path().join("pids");
    let command = format!(
        "python3 '{}' '{}' {instances}",
        script.display(),
        pids.display()
    );
    // The task scenarios nest calls (`then`).
    let result =
        run(options(command).with_filter(vec!["connect::".into(), "multiple::task-".into()]));
    assert!(result.scenarios.len() > JOBS, "{}", result.scenarios.len());
    let mut failed = 0;
    for scenario in &result.scenarios {
        if scenario.status == Status::NotApplicable {
            continue;
        }
        let message = scenario.message.as_deref().unwrap_or_default();
        assert!(
            scenario.status == Status::Fail && message.contains("the adapter refused call"),
            "{}: {:?} {message}",
            scenario.id,
            scenario.status
        );
        assert_eq!(scenario.adapter_fault, None, "{}", scenario.id);
        failed += 1;
    }
    (ended_pids(&pids), failed)
}

#[test]
fn a_refused_call_fails_its_scenario_and_the_shared_process_serves_on() {
    // A refusal is an answer, not a broken adapter: the instance is reset
    // and takes the next scenario, so the run stays one process.
    let (pids, _) = pids_of_a_refused_run(8);
    assert_eq!(pids.len(), 1, "{pids:?}");
}

#[test]
fn a_refused_call_fails_its_scenario_and_the_process_is_reused() {
    // Processes are reused after a refusal (a scenario with another
    // config still needs a process of its own): far fewer than one per
    // scenario, which a refusal taken for a broken adapter gives.
    let (pids, failed) = pids_of_a_refused_run(1);
    assert!(
        pids.len() * 2 < failed,
        "{} processes for {failed} scenarios",
        pids.len()
    );
}
