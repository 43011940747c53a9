//! A binary that works anywhere, and a run split across machines:
//!
//! - the command line copied into an empty folder outside the repository,
//!   started as an installed binary is (no `CARGO_MANIFEST_DIR`), runs the
//!   whole suite from the scenarios embedded in it and passes;
//! - `scenarios export DIR` writes that set out, and `run --scenarios DIR`
//!   runs an edited or extended copy with the same checks;
//! - `--partition 1/3`, `2/3` and `3/3` together run every scenario
//!   exactly once, and `merge` of their JSON reports gives a single run's
//!   verdicts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard, PoisonError};

use runner::{load_dir, scenarios_dir};

const BIN: &str = env!("CARGO_BIN_EXE_connectsocket-conformance");

/// One test's runs at a time in this file: a whole suite beside other
/// runs on a busy machine measures the machine, not the suite.
fn one_suite_at_a_time() -> MutexGuard<'static, ()> {
    static SUITE: Mutex<()> = Mutex::new(());
    SUITE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `bin` in `cwd` with `args`: exit status, stdout and stderr together.
fn run_in(bin: &Path, cwd: &Path, args: &[&str], installed: bool) -> (i32, String) {
    let mut command = Command::new(bin);
    command.args(args).current_dir(cwd).env("CI", "true");
    if installed {
        // As a binary started by hand or by CI, not by cargo.
        command.env_remove("CARGO_MANIFEST_DIR");
    }
    let out = command.output().unwrap();
    let text = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
    (out.status.code().unwrap_or(-1), text)
}

fn cli(cwd: &Path, args: &[&str]) -> (i32, String) {
    run_in(Path::new(BIN), cwd, args, false)
}

/// The trial names of the source tree, sorted.
fn all_trials() -> Vec<String> {
    let mut names: Vec<String> = load_dir(&scenarios_dir())
        .unwrap()
        .iter()
        .map(|s| s.trial_name())
        .collect();
    names.sort();
    names
}

/// The trial names `run --list` printed.
fn listed(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.contains("::"))
        .map(|l| l.split(": ").next().unwrap_or(l).to_string())
        .collect()
}

/// Scenario id → status of a JSON report.
fn verdicts(path: &Path) -> BTreeMap<String, report::Status> {
    let report = report::read_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    report
        .scenarios
        .into_iter()
        .map(|s| (s.id, s.status))
        .collect()
}

#[test]
fn a_copied_binary_runs_the_whole_suite_from_its_embedded_scenarios() {
    let home = tempfile::tempdir().unwrap();
    let bin_dir = home.path().join("bin");
    let work = home.path().join("work");
    std::fs::create_dir_all(&bin_dir).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    let bin: PathBuf = bin_dir.join("connectsocket-conformance");
    // Copied by another process: a copy made here would be open for
    // writing in this process while other test threads fork, and running
    // it could then fail with "text file busy".
    let copied = Command::new("cp").arg(BIN).arg(&bin).status().unwrap();
    assert!(copied.success());
    let _one = one_suite_at_a_time();

    let (code, text) = run_in(&bin, &work, &["run", "--report", "json=r.json"], true);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("result: compliant"), "{text}");
    let embedded = format!(
        "scenarios: the {} scenarios embedded in this binary",
        all_trials().len()
    );
    assert!(text.contains(&embedded), "{text}");
    let ran: Vec<String> = verdicts(&work.join("r.json")).into_keys().collect();
    assert_eq!(ran, all_trials());
    // Nothing but its reports was written where it ran.
    let left: Vec<_> = std::fs::read_dir(&work)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["r.json"]);

    // A profile's own golden traces are found in the embedded set as in
    // the source tree (a profile falls back to the default's goldens only
    // where it has none of its own).
    let profile = ["run", "--profile", "alipay-current", "--filter", "url::"];
    let (_, text) = run_in(
        &bin,
        &work,
        &[&profile[..], &["--report", "json=p-embedded.json"]].concat(),
        true,
    );
    let (_, source) = cli(
        &work,
        &[&profile[..], &["--report", "json=p-source.json"]].concat(),
    );
    assert!(source.contains("scenarios: the source tree's"), "{source}");
    assert_eq!(
        verdicts(&work.join("p-embedded.json")),
        verdicts(&work.join("p-source.json")),
        "{text}\n{source}"
    );

    // Under cargo, the source tree is the default; --embedded overrides it.
    let one = [
        "run",
        "--filter",
        "url::url-scheme-ftp",
        "--report",
        "json=one.json",
    ];
    let (code, text) = cli(&work, &one);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("scenarios: the source tree's"), "{text}");
    let (code, text) = cli(&work, &[&one[..], &["--embedded"]].concat());
    assert_eq!(code, 0, "{text}");
    assert!(text.contains(&embedded), "{text}");
}

#[test]
fn an_exported_set_runs_with_scenarios_dir_and_the_same_checks() {
    let dir = tempfile::tempdir().unwrap();
    let _one = one_suite_at_a_time();
    let set = dir.path().join("set");
    let set_arg = set.to_str().unwrap();
    let (code, text) = cli(dir.path(), &["scenarios", "export", set_arg]);
    assert_eq!(code, 0, "{text}");
    assert!(set.join("url/scheme-ftp.yaml").is_file(), "{text}");
    let (code, text) = cli(dir.path(), &["scenarios", "export", set_arg]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("exists already"), "{text}");

    // A vendor's extra scenario: a copy under another id, with its golden trace.
    let yaml = std::fs::read_to_string(set.join("url/scheme-ftp.yaml")).unwrap();
    let snap = std::fs::read_to_string(set.join("url/snapshots/url-scheme-ftp.snap")).unwrap();
    std::fs::create_dir_all(set.join("vendor/snapshots")).unwrap();
    std::fs::write(
        set.join("vendor/extra.yaml"),
        yaml.replace("id: url-scheme-ftp", "id: vendor-extra"),
    )
    .unwrap();
    std::fs::write(set.join("vendor/snapshots/vendor-extra.snap"), &snap).unwrap();
    let (code, text) = cli(
        dir.path(),
        &[
            "run",
            "--scenarios",
            set_arg,
            "--filter",
            "vendor::",
            "--filter",
            "url::url-scheme-ftp",
        ],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("2 scenarios in"), "{text}");
    assert!(
        text.contains(&format!("scenarios: {set_arg} (--scenarios)")),
        "{text}"
    );

    // The golden check applies: a changed golden trace fails the scenario.
    let edited = snap.replacen("error: 5", "error: 9", 1);
    assert_ne!(edited, snap, "the snapshot has an error code to change");
    std::fs::write(set.join("vendor/snapshots/vendor-extra.snap"), edited).unwrap();
    let (code, text) = cli(
        dir.path(),
        &["run", "--scenarios", set_arg, "--filter", "vendor::"],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("fail vendor::vendor-extra"), "{text}");
}

#[test]
fn partitions_run_every_scenario_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let _one = one_suite_at_a_time();
    let all = all_trials();
    for kind in ["", "count:", "hash:"] {
        let mut seen = Vec::new();
        for k in 1..=3 {
            let part = format!("{kind}{k}/3");
            let (code, text) = cli(dir.path(), &["run", "--list", "--partition", &part]);
            assert_eq!(code, 0, "{text}");
            let names = listed(&text);
            assert!(!names.is_empty(), "{part}: {text}");
            seen.extend(names);
        }
        seen.sort();
        assert_eq!(seen, all, "{kind}K/3");
    }
    let (code, text) = cli(dir.path(), &["run", "--list", "--partition", "4/3"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("expected K/N"), "{text}");
}

#[test]
fn merged_parts_give_a_single_runs_verdicts_and_all_four_reports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let _one = one_suite_at_a_time();
    let (code, text) = cli(d, &["run", "--report", "json=whole.json"]);
    assert_eq!(code, 0, "{text}");
    let mut parts = Vec::new();
    for k in 1..=3 {
        let json = format!("part{k}.json");
        let (code, text) = cli(
            d,
            &[
                "run",
                "--partition",
                &format!("{k}/3"),
                "--report",
                &format!("json={json}"),
            ],
        );
        assert_eq!(code, 0, "{text}");
        assert!(text.contains(&format!("part count:{k}/3")), "{text}");
        parts.push(json);
    }
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["--report-dir", "merged"]);
    let (code, text) = cli(d, &args);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("result: compliant"), "{text}");
    for file in ["junit.xml", "report.json", "summary.md", "report.html"] {
        assert!(d.join("merged").join(file).is_file(), "{file}: {text}");
    }
    let merged = verdicts(&d.join("merged/report.json"));
    assert_eq!(merged, verdicts(&d.join("whole.json")));
    assert_eq!(merged.len(), all_trials().len());

    // Overlapping parts, and parts of different runs, are refused.
    let (code, text) = cli(
        d,
        &["merge", "part1.json", "part1.json", "--report-dir", "x"],
    );
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("must not overlap"), "{text}");
    let other = std::fs::read_to_string(d.join("part2.json"))
        .unwrap()
        .replacen(
            "\"name\": \"reference-impl\"",
            "\"name\": \"another-impl\"",
            1,
        );
    assert!(
        other.contains("another-impl"),
        "the report names the implementation"
    );
    std::fs::write(d.join("other.json"), other).unwrap();
    let (code, text) = cli(
        d,
        &["merge", "part1.json", "other.json", "--report-dir", "x"],
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("are not parts of one run") && text.contains("implementation"),
        "{text}"
    );
    assert!(
        !d.join("x").exists(),
        "nothing is written for a refused merge"
    );
}

#[test]
fn merge_judges_the_merged_run_against_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let _one = one_suite_at_a_time();
    let d = dir.path();
    let failing = [
        "run",
        "--mutant",
        "url-scheme-code",
        "--filter",
        "url::url-scheme",
    ];
    let mut whole = failing.to_vec();
    whole.extend([
        "--write-baseline",
        "baseline.json",
        "--report",
        "json=whole.json",
    ]);
    let (code, text) = cli(d, &whole);
    assert_eq!(code, 1, "{text}");
    for k in 1..=2 {
        let mut part = failing.to_vec();
        let (p, r) = (format!("{k}/2"), format!("json=part{k}.json"));
        part.extend(["--partition", &p, "--report", &r]);
        cli(d, &part);
    }
    let merge = ["merge", "part1.json", "part2.json", "--report-dir", "out"];
    let (code, text) = cli(d, &merge);
    assert_eq!(code, 1, "failures without a baseline: {text}");
    let mut with_baseline = merge.to_vec();
    with_baseline.extend(["--baseline", "baseline.json"]);
    let (code, text) = cli(d, &with_baseline);
    assert_eq!(code, 0, "only expected failures: {text}");
    assert!(text.contains("0 new failures"), "{text}");
    let md = std::fs::read_to_string(d.join("out/summary.md")).unwrap();
    assert!(md.to_lowercase().contains("baseline"), "{md}");
}
