//! The command line against bad input and interruption: every output path
//! is checked before the first scenario, Ctrl-C and SIGTERM keep the run
//! and leave no process behind, values that cannot work are refused, and
//! a closed stdout ends the command quietly. `docs/fault-catalogue.md`
//! lists these cases with the tests that prove them.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Runs the command line in `cwd`: exit status, stdout and stderr together.
fn cli_in(cwd: &Path, args: &[&str]) -> (i32, String) {
    testkit::output(
        Command::new(env!("CARGO_BIN_EXE_connectsocket-conformance"))
            .args(args)
            .current_dir(cwd)
            // Plain lines, never a progress bar.
            .env("CI", "true"),
    )
}

/// Whether a run started: the summary is printed only after scenarios ran.
fn ran(text: &str) -> bool {
    text.contains("compliance summary") || text.contains("running ")
}

#[test]
fn a_report_dir_that_is_a_file_is_refused_before_the_run_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("taken"), "x").unwrap();
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--filter",
            "url::url-scheme",
            "--report-dir",
            "taken",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(!ran(&text), "refused before running: {text}");
    assert_eq!(text.matches("error:").count(), 1, "one error: {text}");
    assert!(text.contains("--report-dir taken"), "{text}");
}

#[test]
fn an_unwritable_report_path_is_refused_before_the_run_naming_each() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file"), "x").unwrap();
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--filter",
            "url::url-scheme",
            "--report",
            "json=/proc/nope/x.json",
            "--report",
            "md=file/under-a-file.md",
            "--report",
            "html=fine.html",
            "--write-baseline",
            "/proc/nope/b.json",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(!ran(&text), "refused before running: {text}");
    for named in [
        "--report json=/proc/nope/x.json",
        "--report md=file/under-a-file.md",
        "--write-baseline /proc/nope/b.json",
    ] {
        assert!(text.contains(named), "{named}: {text}");
    }
    assert!(!text.contains("fine.html"), "{text}");
    // The check leaves nothing behind.
    assert!(!dir.path().join("fine.html").exists());
}

#[test]
fn a_report_path_that_is_a_folder_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--filter",
            "url::url-scheme",
            "--report",
            "json=folder",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(!ran(&text), "{text}");
    assert!(text.contains("is a folder"), "{text}");
}

/// An adapter that answers `hello`, then on its first `call` stops reading
/// its stdin for good (it would outlive a runner that just died), after
/// starting a grandchild that sleeps. Its arguments: a marker that every
/// process it starts carries, and a file it creates when the call arrives.
const STUBBORN_ADAPTER: &str = r#"
import json, os, subprocess, sys, time
marker, called = sys.argv[1], sys.argv[2]
def out(m):
    sys.stdout.write(json.dumps(m) + "\n")
    sys.stdout.flush()
for line in sys.stdin:
    req = json.loads(line)
    op, i = req["op"], req["id"]
    if op == "hello":
        out({"id": i, "ok": True, "result": {"name": "stubborn", "version": "0", "protocol": 1, "unsupported": []}})
    elif op in ("reset", "shutdown"):
        out({"id": i, "ok": True, "result": {}})
    else:
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", marker],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        open(called, "a").close()
        while True:
            time.sleep(60)
"#;

/// Waits (bounded) until `ready` holds, checking every few milliseconds:
/// the thing waited for is another process's doing.
fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A running command line with its output collected by threads.
struct Running {
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Running {
    fn start(cwd: &Path, args: &[&str]) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_connectsocket-conformance"))
            .args(args)
            .current_dir(cwd)
            .env("CI", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        let streams: [Box<dyn Read + Send>; 2] = [
            Box::new(child.stdout.take().unwrap()),
            Box::new(child.stderr.take().unwrap()),
        ];
        for stream in streams {
            let output = Arc::clone(&output);
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut text = output.lock().unwrap();
                    text.push_str(&line);
                    text.push('\n');
                }
            });
        }
        Running { child, output }
    }

    fn text(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Its exit status, waited for (bounded); and all it printed.
    fn finish(mut self) -> (i32, String) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the command line did not exit: {}", self.text());
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        // The reader threads end with the pipes.
        wait_until("the output's end", || Arc::strong_count(&self.output) == 1);
        (status.code().unwrap_or(-1), self.text())
    }
}

/// Starts a run against the stubborn adapter in `dir` and waits until one
/// of its adapters hangs in a call; the marker its processes carry.
fn run_with_a_hanging_adapter(dir: &Path, marker: &str) -> Running {
    let script = dir.join("stubborn.py");
    std::fs::write(&script, STUBBORN_ADAPTER).unwrap();
    let called = dir.join("called");
    let adapter = format!(
        "python3 '{}' {marker} '{}'",
        script.display(),
        called.display()
    );
    let running = Running::start(
        dir,
        &[
            "run",
            "--adapter",
            &adapter,
            "--filter",
            "url::",
            "--jobs",
            "2",
            "--request-timeout-ms",
            "60000",
            "--report-dir",
            "out",
        ],
    );
    wait_until("an adapter to hang in a call", || called.exists());
    running
}

fn marker(name: &str) -> String {
    format!("cli-faults-{name}-{}", std::process::id())
}

fn assert_reports_marked_interrupted(dir: &Path, text: &str) -> report::RunReport {
    let out = dir.join("out");
    let json = std::fs::read_to_string(out.join("report.json"))
        .unwrap_or_else(|e| panic!("report.json: {e}: {text}"));
    let report = report::read_json(&json).unwrap();
    assert!(report.interrupted, "{json}");
    for file in ["junit.xml", "summary.md", "report.html"] {
        let written = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(
            written.to_lowercase().contains("interrupted"),
            "{file}: {written}"
        );
    }
    report
}

#[test]
fn ctrl_c_ends_every_adapter_and_writes_the_reports_marked_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let marker = marker("sigint");
    let running = run_with_a_hanging_adapter(dir.path(), &marker);
    assert!(
        !testkit::processes_with(&marker).is_empty(),
        "the grandchild runs"
    );
    running.signal("INT");
    let (code, text) = running.finish();
    assert_eq!(code, 130, "{text}");
    assert!(text.contains("result: interrupted"), "{text}");
    assert_reports_marked_interrupted(dir.path(), &text);
    wait_until("no process of the run left", || {
        testkit::processes_with(&marker).is_empty()
    });
}

#[test]
fn sigterm_is_an_interruption_too() {
    let dir = tempfile::tempdir().unwrap();
    let marker = marker("sigterm");
    let running = run_with_a_hanging_adapter(dir.path(), &marker);
    running.signal("TERM");
    let (code, text) = running.finish();
    assert_eq!(code, 143, "{text}");
    assert_reports_marked_interrupted(dir.path(), &text);
    wait_until("no process of the run left", || {
        testkit::processes_with(&marker).is_empty()
    });
}

#[test]
fn a_second_ctrl_c_exits_at_once_and_still_leaves_no_process() {
    let dir = tempfile::tempdir().unwrap();
    let marker = marker("twice");
    let running = run_with_a_hanging_adapter(dir.path(), &marker);
    running.signal("INT");
    running.signal("INT");
    let (code, text) = running.finish();
    assert_eq!(code, 130, "{text}");
    wait_until("no process of the run left", || {
        testkit::processes_with(&marker).is_empty()
    });
}

#[test]
fn an_interrupted_run_reports_the_scenarios_that_ended() {
    let dir = tempfile::tempdir().unwrap();
    let running = Running::start(dir.path(), &["run", "--jobs", "1", "--report-dir", "out"]);
    wait_until("a scenario to end", || running.text().contains("[  1/"));
    running.signal("INT");
    let (code, text) = running.finish();
    assert_eq!(code, 130, "{text}");
    let report = assert_reports_marked_interrupted(dir.path(), &text);
    assert!(!report.scenarios.is_empty(), "{text}");
    let selected = text
        .lines()
        .find_map(|l| l.strip_prefix("running "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("no `running N scenarios` line: {text}"));
    assert!(report.scenarios.len() < selected, "{text}");
}

#[test]
fn numeric_flags_that_cannot_work_are_refused_with_the_allowed_range() {
    let dir = tempfile::tempdir().unwrap();
    for (args, says) in [
        (["--request-timeout-ms", "0"], "at least 500 ms"),
        (["--request-timeout-ms", "499"], "at least 500 ms"),
        (
            ["--request-timeout-ms", "18446744073709551615"],
            "at most 3600000 ms",
        ),
        (["--request-timeout-ms", "soon"], "not a whole number"),
        (["--hello-timeout-ms", "99"], "at least 100 ms"),
        (["--hello-timeout-ms", "3600001"], "at most 3600000 ms"),
        (["--hello-timeout-ms", "later"], "not a whole number"),
        (["--jobs", "100000"], "at most 128"),
        (["--jobs", "many"], "not a whole number"),
    ] {
        let mut all = vec!["run", "--filter", "url::url-scheme"];
        all.extend(args);
        let (code, text) = cli_in(dir.path(), &all);
        assert_eq!(code, 2, "{args:?}: {text}");
        assert!(!ran(&text), "{args:?}: {text}");
        assert!(
            text.contains(args[0]) && text.contains(says),
            "{args:?}: {text}"
        );
    }
    // The floor itself works.
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--filter",
            "url::url-scheme",
            "--request-timeout-ms",
            "500",
            "--report-dir",
            "out",
        ],
    );
    assert_eq!(code, 0, "{text}");
}

/// Runs the command line with its stdout a pipe nobody reads: every write
/// to it fails with a broken pipe.
fn cli_with_closed_stdout(cwd: &Path, args: &[&str]) -> (i32, String) {
    // The write end of a pipe whose only reader has exited: `true` gets
    // the read end as its stdin and ends without reading.
    let mut reader = Command::new("true").stdin(Stdio::piped()).spawn().unwrap();
    let writer = reader.stdin.take().unwrap();
    reader.wait().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_connectsocket-conformance"))
        .args(args)
        .current_dir(cwd)
        .env("CI", "true")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = cli_with_closed_stdout(dir.path(), &["run", "--list"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    // A run goes on and writes its reports.
    let (code, stderr) = cli_with_closed_stdout(
        dir.path(),
        &["run", "--filter", "url::url-scheme", "--report-dir", "out"],
    );
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(dir.path().join("out/report.json").is_file());
}

#[test]
fn a_bad_baseline_says_once_what_is_wrong_and_where() {
    let dir = tempfile::tempdir().unwrap();
    for (content, says) in [
        (
            "{\"schemaVersion\": 1, \"expected\": [\n",
            "EOF while parsing a list at line 2",
        ),
        (
            "{\"a\": 1}",
            "not a baseline: no top-level \"schemaVersion\"",
        ),
        (
            "{\"schemaVersion\": 1, \"expected\": [{\"id\": \"url::a\"}, {\"status\": \"fail\"}]}",
            "expected[1]: missing field `id`",
        ),
        (
            "{\"schemaVersion\": 1, \"expected\": [{\"id\": \"url::a\", \"status\": \"bad\"}]}",
            "expected[0] (id \"url::a\"): unknown variant `bad`",
        ),
    ] {
        std::fs::write(dir.path().join("b.json"), content).unwrap();
        let (code, text) = cli_in(
            dir.path(),
            &[
                "run",
                "--filter",
                "url::url-scheme-ftp",
                "--baseline",
                "b.json",
            ],
        );
        assert_eq!(code, 2, "{content}: {text}");
        assert!(text.contains(says), "{content}: {text}");
        assert_eq!(text.matches(says).count(), 1, "said once: {text}");
        assert_eq!(text.lines().count(), 1, "one line: {text}");
    }
}

#[test]
fn one_path_given_twice_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--report", "json=a.json", "--report", "md=./a.json"][..],
        &["--report-dir", "out", "--report", "json=out/report.json"][..],
        &["--report", "json=r.json", "--write-baseline", "r.json"][..],
    ] {
        let mut all = vec!["run", "--filter", "url::url-scheme-ftp"];
        all.extend(args);
        let (code, text) = cli_in(dir.path(), &all);
        assert_eq!(code, 2, "{args:?}: {text}");
        assert!(!ran(&text), "{args:?}: {text}");
        assert!(text.contains("is also written by"), "{args:?}: {text}");
    }
}

#[test]
fn one_scenario_is_one_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--filter",
            "url::url-scheme-ftp",
            "--report-dir",
            "out",
        ],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("running 1 scenario against"), "{text}");
    assert!(text.contains(", 1 scenario in "), "{text}");
    assert!(!text.contains("1 scenarios"), "{text}");
}

#[test]
fn an_empty_adapter_command_is_named_without_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    for adapter in ["", "  "] {
        let (code, text) = cli_in(
            dir.path(),
            &[
                "run",
                "--filter",
                "url::url-scheme-ftp",
                "--adapter",
                adapter,
            ],
        );
        assert_eq!(code, 2, "{text}");
        assert!(text.contains("--adapter is empty"), "{text}");
        assert!(!text.contains("  "), "{text}");
    }
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--filter",
            "url::url-scheme-ftp",
            "--adapter",
            "/nonexistent/adapter",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("the adapter `/nonexistent/adapter` cannot start"),
        "{text}"
    );
}
