//! The command line: exit statuses (0 compliant, 1 failures, 2 usage or
//! configuration errors), the reports it writes, baselines and `compare`.
//!
//! Every run is in a fresh temporary folder (the default report folder is
//! relative to the current one) and filtered to a few fast scenarios.

use std::path::Path;
use std::process::Command;

use quick_xml::events::Event;

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

fn cli(args: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    cli_in(dir.path(), args)
}

const FOUR: [&str; 4] = ["junit.xml", "report.json", "summary.md", "report.html"];

#[test]
fn a_passing_run_exits_0_and_prints_the_summary() {
    let (code, text) = cli(&["run", "--filter", "url::url-scheme"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("compliance summary") && text.contains("result: compliant"),
        "{text}"
    );
}

#[test]
fn a_run_with_failures_exits_1_and_names_them() {
    let (code, text) = cli(&[
        "run",
        "--mutant",
        "url-scheme-code",
        "--filter",
        "url::url-scheme",
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("fail url::url-scheme-ftp"), "{text}");
}

#[test]
fn usage_and_configuration_errors_exit_2() {
    assert_eq!(cli(&["run", "--filter", "no-such-scenario"]).0, 2);
    assert_eq!(cli(&["run", "--adapter", "/nonexistent/adapter"]).0, 2);
    assert_eq!(cli(&["run", "--mutant", "no-such-mutant"]).0, 2);
    assert_eq!(cli(&["run", "--bogus"]).0, 2);
}

#[test]
fn list_prints_the_selected_trials() {
    let (code, text) = cli(&["run", "--list", "--filter", "tls::"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.lines().all(|l| l.starts_with("tls::")), "{text}");
}

#[test]
fn a_bad_report_spec_exits_2_naming_the_argument() {
    for (spec, says) in [
        ("xml=foo", "unknown report format `xml`"),
        ("pdf=out.pdf", "unknown report format `pdf`"),
        ("junit", "expected FORMAT=PATH"),
        ("json=", "no PATH"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (code, text) = cli_in(
            dir.path(),
            &["run", "--filter", "url::url-scheme-ftp", "--report", spec],
        );
        assert_eq!(code, 2, "{spec}: {text}");
        assert!(
            text.contains("--report") && text.contains(says),
            "{spec}: {text}"
        );
        // Refused before running: nothing written.
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    }
}

#[test]
fn an_unreadable_baseline_exits_2_naming_the_argument() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--filter",
            "url::url-scheme-ftp",
            "--baseline",
            "missing.json",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("--baseline missing.json"), "{text}");
    std::fs::write(dir.path().join("bad.json"), "{\"schemaVersion\": 7}").unwrap();
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--filter",
            "url::url-scheme-ftp",
            "--baseline",
            "bad.json",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("--baseline bad.json") && text.contains("schemaVersion 7"),
        "{text}"
    );
}

/// Parses JUnit XML with a generic XML reader: (testcase names, failures).
fn parse_junit(xml: &str) -> (Vec<String>, usize) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut names, mut failures, mut depth) = (Vec::new(), 0, 0i32);
    let mut note = |e: &quick_xml::events::BytesStart<'_>| match e.name().as_ref() {
        b"testcase" => {
            let name = e
                .try_get_attribute("name")
                .unwrap()
                .expect("every testcase has a name")
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .unwrap()
                .into_owned();
            names.push(name);
        }
        b"failure" => failures += 1,
        _ => {}
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                depth += 1;
                note(&e);
            }
            Event::Empty(e) => note(&e),
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    (names, failures)
}

#[test]
fn each_report_format_is_written_and_parses_back() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--mutant",
            "url-scheme-code",
            "--filter",
            "url::url-scheme",
            "--report",
            "junit=out/j.xml",
            "--report",
            "json=out/r.json",
            "--report",
            "md=out/s.md",
            "--report",
            "html=out/r.html",
        ],
    );
    assert_eq!(code, 1, "{text}");
    let out = dir.path().join("out");
    for f in ["j.xml", "r.json", "s.md", "r.html"] {
        assert!(text.contains(&format!("out/{f}")), "{f} not named: {text}");
    }
    // Only the files asked for: no default report folder.
    assert!(!dir.path().join("target").exists());

    let json = std::fs::read_to_string(out.join("r.json")).unwrap();
    let report = report::read_json(&json).unwrap();
    assert_eq!(report.suite.name, "connectsocket-conformance");
    assert!(
        report.implementation.name.contains("reference"),
        "{report:?}"
    );
    assert!(report.implementation.adapter.contains("url-scheme-code"));
    assert!(report.started_at.ends_with('Z') && report.started_at.contains('T'));
    let ftp = report
        .scenarios
        .iter()
        .find(|s| s.id == "url::url-scheme-ftp")
        .expect("url::url-scheme-ftp in the report");
    assert_eq!(ftp.status, report::Status::Fail);
    assert!(ftp.first_difference.is_some() && ftp.message.is_some());
    assert!(ftp.trace.is_object(), "{:?}", ftp.trace);
    assert_eq!(report.totals.total(), report.scenarios.len());
    assert!(report.totals.fail >= 1);

    let xml = std::fs::read_to_string(out.join("j.xml")).unwrap();
    let (names, failures) = parse_junit(&xml);
    // One test case per scenario, and `options.consistent` for the run.
    assert_eq!(names.len(), report.scenarios.len() + 1);
    assert!(names.contains(&"options.consistent".to_string()));
    assert!(
        names.contains(&"url::url-scheme-ftp".to_string()),
        "{names:?}"
    );
    assert_eq!(failures, report.totals.fail);

    let md = std::fs::read_to_string(out.join("s.md")).unwrap();
    assert!(md.contains("url::url-scheme-ftp"), "{md}");
    let html = std::fs::read_to_string(out.join("r.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    assert!(!html.contains("http://") && !html.contains("https://"));
}

#[test]
fn report_dir_writes_all_four_and_no_arguments_uses_the_default_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--filter",
            "url::url-scheme-ftp",
            "--report-dir",
            "reports",
        ],
    );
    assert_eq!(code, 0, "{text}");
    for f in FOUR {
        assert!(dir.path().join("reports").join(f).is_file(), "{f}: {text}");
    }
    assert!(!dir.path().join("target").exists());

    // `run` without a report option: the default folder, and where it is.
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = cli_in(dir.path(), &["run", "--filter", "url::url-scheme-ftp"]);
    assert_eq!(code, 0, "{text}");
    let default = dir.path().join("target/conformance-report");
    for f in FOUR {
        assert!(default.join(f).is_file(), "{f}: {text}");
    }
    assert!(text.contains("reports written to"), "{text}");
    assert!(
        text.contains("target/conformance-report/report.html"),
        "{text}"
    );
}

/// The README's main-job command: no arguments at all (every scenario).
#[test]
fn no_arguments_runs_everything_and_writes_the_four_reports() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = cli_in(dir.path(), &[]);
    let default = dir.path().join("target/conformance-report");
    // A failure shows the whole Markdown report (the console line is cut).
    let details = || std::fs::read_to_string(default.join("summary.md")).unwrap_or_default();
    assert_eq!(code, 0, "{text}\n{}", details());
    assert!(text.contains("result: compliant"), "{text}");
    for f in FOUR {
        assert!(default.join(f).is_file(), "{f}: {text}");
    }
    let report =
        report::read_json(&std::fs::read_to_string(default.join("report.json")).unwrap()).unwrap();
    assert!(report.scenarios.len() > 100, "{}", report.scenarios.len());
    // Every scenario passes, but the two of arguments the seed has not and
    // the connection limit of faces whose every connect is a task (the
    // default profile does not cover them, with the reason).
    assert_eq!(report.totals.not_applicable, 3, "{text}");
    assert_eq!(
        report.totals.pass + report.totals.not_applicable,
        report.scenarios.len()
    );
    assert!(
        text.contains(&format!("reports written to {}", default.display())),
        "{text}"
    );
}

#[test]
fn a_baseline_fails_only_on_new_failures_and_reports_unexpected_passes() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--filter", "url::", "--report", "md=summary.md"];
        args.extend_from_slice(extra);
        cli_in(dir.path(), &args)
    };

    // Take a baseline from a run with failures (it still exits 1).
    let (code, text) = run(&[
        "--mutant",
        "url-scheme-code",
        "--write-baseline",
        "base.json",
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("baseline written to base.json"), "{text}");
    let baseline =
        report::read_baseline(&std::fs::read_to_string(dir.path().join("base.json")).unwrap())
            .unwrap();
    let ids: Vec<&str> = baseline.expected.iter().map(|e| e.id.as_str()).collect();
    assert!(ids.contains(&"url::url-scheme-ftp"), "{ids:?}");

    // The same failures with the baseline: exit 0.
    let (code, text) = run(&["--mutant", "url-scheme-code", "--baseline", "base.json"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("0 new failures") && text.contains("result: no new failure"),
        "{text}"
    );
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains("## Baseline"), "{md}");

    // Another mutant's failures are new: exit 1, listed.
    let (code, text) = run(&["--mutant", "url-empty-code", "--baseline", "base.json"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("new failure: url::url-empty-string"),
        "{text}"
    );
    assert!(text.contains("result: NEW failures"), "{text}");

    // The conforming reference: exit 0, the baselined scenarios reported
    // as unexpected passes.
    let (code, text) = run(&["--baseline", "base.json"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("unexpected pass: url::url-scheme-ftp"),
        "{text}"
    );
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains("Unexpected passes"), "{md}");
}

#[test]
fn compare_prints_a_matrix_of_two_reports() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--filter",
            "url::url-scheme",
            "--report",
            "json=good.json",
        ],
    );
    assert_eq!(code, 0, "{text}");
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--mutant",
            "url-scheme-code",
            "--filter",
            "url::url-scheme",
            "--report",
            "json=bad.json",
        ],
    );
    assert_eq!(code, 1, "{text}");

    let (code, md) = cli_in(dir.path(), &["compare", "good.json", "bad.json"]);
    assert_eq!(code, 0, "{md}");
    assert!(md.contains("reference-impl 0.1.0"), "{md}");
    assert!(md.contains("mutant"), "{md}");
    let row = md
        .lines()
        .find(|l| l.contains("url::url-scheme-ftp"))
        .unwrap_or_else(|| panic!("no row for url::url-scheme-ftp: {md}"));
    assert!(row.contains('◆'), "the reports disagree on it: {row}");

    let (code, text) = cli_in(
        dir.path(),
        &[
            "compare",
            "good.json",
            "bad.json",
            "--md",
            "c.md",
            "--html",
            "c.html",
        ],
    );
    assert_eq!(code, 0, "{text}");
    assert!(dir.path().join("c.md").is_file() && dir.path().join("c.html").is_file());
    assert!(
        !text.contains('◆'),
        "no Markdown on stdout with --md: {text}"
    );

    let (code, text) = cli_in(dir.path(), &["compare", "good.json", "missing.json"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("missing.json"), "{text}");
    assert_eq!(cli_in(dir.path(), &["compare"]).0, 2);
}

#[test]
fn compare_with_a_plan_lists_its_runs_and_writes_the_matrix_with_the_changes_since_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plan = |adapter: &str| {
        format!(
            r#"{{"introduction": ["The reference, twice."], "profiles": ["alipay-2022-09", "wechat"],
                "implementations": [{{"id": "ref", "title": "Reference", "adapter": "{adapter}", "source": "`reference-impl/`"}}]}}"#
        )
    };
    std::fs::write(
        d.join("mutant.json"),
        plan("reference mutant url-scheme-code (in-process)"),
    )
    .unwrap();
    std::fs::write(d.join("plan.json"), plan("reference (in-process)")).unwrap();
    let (code, text) = cli_in(d, &["compare", "--plan", "plan.json", "--list-runs"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        text,
        "ref\talipay-2022-09\treference (in-process)\nref\twechat\treference (in-process)\n"
    );
    let run = |extra: &[&str], json: &str| {
        let mut args = vec!["run", "--filter", "url::url-scheme", "--report"];
        let report = format!("json={json}");
        args.push(&report);
        args.extend_from_slice(extra);
        cli_in(d, &args).0
    };
    assert_eq!(run(&["--mutant", "url-scheme-code"], "bad.json"), 1);
    assert_eq!(run(&[], "good.json"), 0);
    assert_eq!(run(&["--profile", "wechat"], "good-wechat.json"), 0);

    // The first matrix: the mutant under one profile, none kept before it.
    let (code, text) = cli_in(
        d,
        &[
            "compare",
            "--plan",
            "mutant.json",
            "--matrix",
            "old/2026-01-01.md",
            "bad.json",
        ],
    );
    assert_eq!(code, 0, "{text}");
    let first = std::fs::read_to_string(d.join("old/2026-01-01.md")).unwrap();
    assert!(first.contains("- Previous matrix: none kept"), "{first}");
    assert!(
        first.contains("| Reference | – | wechat | – | – | – | – | no report | – |"),
        "{first}"
    );
    assert!(report::MatrixVerdicts::read(
        &std::fs::read_to_string(d.join("old/2026-01-01.json")).unwrap()
    )
    .is_ok());

    // The next: the reference as it is, compared with the first.
    let (code, text) = cli_in(
        d,
        &[
            "compare",
            "--plan",
            "plan.json",
            "--matrix",
            "out/compatibility.md",
            "--previous",
            "old/2026-01-01.md",
            "--about",
            "Node.js v0",
            "--notes",
            "notes.md",
            "good.json",
            "good-wechat.json",
        ],
    );
    assert_eq!(code, 2, "a missing --notes file: {text}");
    assert!(text.contains("--notes notes.md: cannot read"), "{text}");
    std::fs::write(d.join("notes.md"), "Read by hand.\n").unwrap();
    let (code, text) = cli_in(
        d,
        &[
            "compare",
            "--plan",
            "plan.json",
            "--matrix",
            "out/compatibility.md",
            "--previous",
            "old/2026-01-01.md",
            "--about",
            "Node.js v0",
            "--notes",
            "notes.md",
            "good.json",
            "good-wechat.json",
        ],
    );
    assert_eq!(code, 0, "{text}");
    let md = std::fs::read_to_string(d.join("out/compatibility.md")).unwrap();
    let date = &md[md.find("- Date: ").unwrap() + 8..][..10];
    assert!(md.contains(&format!("| changed since {date} |")), "{md}");
    assert!(
        md.contains("- Previous matrix: `old/2026-01-01.md`"),
        "{md}"
    );
    assert!(md.contains("; Node.js v0\n"), "{md}");
    assert!(
        md.contains("- **Reference, alipay-2022-09**: fail → pass (2): `url::url-scheme-ftp`, `url::url-scheme-http`.\n- **Reference, wechat**: new in this matrix.\n"),
        "{md}"
    );
    assert!(md.ends_with("Read by hand.\n"), "{md}");
    assert!(d.join("out/compatibility.json").is_file());

    // A report of no run of the plan is refused, naming it.
    let (code, text) = cli_in(
        d,
        &[
            "compare",
            "--plan",
            "plan.json",
            "--matrix",
            "x.md",
            "bad.json",
        ],
    );
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("is of no run of the plan"), "{text}");
    let (code, text) = cli_in(d, &["compare", "--plan", "plan.json", "good.json"]);
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("--plan needs --matrix"), "{text}");
}

#[test]
fn profile_chooses_what_applies_and_an_unknown_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = cli_in(dir.path(), &["run", "--profile", "wechat", "--list"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("connect::connect-single-exists-open: ")
            && text.contains("(not applicable: not in profile wechat: wx.connectSocket always makes a new SocketTask"),
        "{text}"
    );
    let (code, text) = cli_in(
        dir.path(),
        &[
            "run",
            "--profile",
            "alipay-current",
            "--filter",
            "connect-single-exists-open",
        ],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("result: compliant"), "{text}");
    let (code, text) = cli_in(dir.path(), &["run", "--profile", "wx", "--list"]);
    assert_ne!(code, 0);
    assert!(
        text.contains("invalid value 'wx' for '--profile <NAME>'")
            && text.contains("[possible values: alipay-2022-09, alipay-current, wechat, douyin]"),
        "{text}"
    );
}
