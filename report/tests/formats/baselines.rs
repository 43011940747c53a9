//! Comparisons of runs side by side, and baselines: expected failures,
//! what CI fails on, and the verdict kept in every format.

use super::*;

fn other_report() -> RunReport {
    let mut b = sample_report();
    b.implementation.name = "other-socket".to_string();
    b.implementation.version = "0.9.0".to_string();
    b.scenarios.retain(|s| s.id != "tls::tls-expired");
    for s in &mut b.scenarios {
        if s.id == "send::send-too-large" {
            s.status = Status::Pass;
        }
    }
    b.scenarios.push(ScenarioReport {
        id: "extra::only-here".to_string(),
        ..b.scenarios[0].clone()
    });
    b.totals = Totals::count(&b.scenarios);
    b
}

#[test]
fn comparison_puts_implementations_side_by_side() {
    let c = compare(&[sample_report(), other_report()]);
    assert_eq!(
        c.implementations,
        ["example-socket 2.3.1", "other-socket 0.9.0"]
    );
    assert_eq!(c.rules.len(), rule_ids().len());
    assert_eq!(c.error_codes.len(), 12);
    assert_eq!(c.scenarios.len(), 15);
    let row = |key: &str| c.rows().find(|r| r.key == key).unwrap().clone();
    assert_eq!(
        row("send::send-too-large").cells,
        [Some(Status::Fail), Some(Status::Pass)]
    );
    assert!(row("send::send-too-large").differs());
    assert_eq!(
        row("tls::tls-expired").cells,
        [Some(Status::NotApplicable), None]
    );
    assert_eq!(row("extra::only-here").cells, [None, Some(Status::Pass)]);
    assert_eq!(
        row("send.too-large").cells,
        [Some(Status::Fail), Some(Status::Pass)]
    );
    assert_eq!(row("11").cells, [Some(Status::Fail), Some(Status::Pass)]);
    assert!(!row("send.text").differs());

    let md = write_comparison_markdown(&c);
    assert!(md.contains("| rule | example-socket 2.3.1 | other-socket 0.9.0 |"));
    assert!(md.contains("| `send::send-too-large` ◆ | ❌ fail | ✅ pass |"));
    assert!(md.contains("| `tls::tls-expired` ◆ | ⏭️ not applicable | – not run |"));
    assert!(md.contains("| 11 message send failed ◆ |"));

    let html = write_comparison_html(&c);
    assert_self_contained(&html);
    assert_balanced(&html);
    assert_eq!(html.matches("<tr").count(), 1 + 3 + c.rows().count());
}

#[test]
fn two_runs_of_one_implementation_get_distinct_columns() {
    let c = compare(&[sample_report(), sample_report()]);
    assert_ne!(c.implementations[0], c.implementations[1]);
    assert!(c.rows().all(|r| !r.differs()));
}

#[test]
fn a_baseline_from_a_report_expects_its_failures() {
    let r = sample_report();
    let baseline = baseline_from(&r);
    let ids: Vec<_> = baseline.expected.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "handshake::handshake-status-200",
            "handshake::handshake-timeout-never-answer",
            "send::send-too-large"
        ]
    );
    assert_eq!(
        baseline.expected[0].reason.as_deref(),
        Some("golden trace differs: client lane, event 4")
    );
    let verdict = apply_baseline(&r, &baseline);
    assert!(verdict.passed());
    assert_eq!(verdict.expected_failures.len(), 3);
    assert!(
        verdict.new_failures.is_empty()
            && verdict.unexpected_passes.is_empty()
            && verdict.not_run.is_empty()
    );
    assert_eq!(read_baseline(&write_baseline(&baseline)).unwrap(), baseline);
}

#[test]
fn ci_fails_only_on_new_failures_and_reports_unexpected_passes() {
    let baseline = read_baseline(
        r#"{
          "schemaVersion": 1,
          "expected": [
            { "id": "send::send-too-large", "reason": "no size check yet" },
            { "id": "handshake::handshake-timeout-never-answer" },
            { "id": "gone::renamed-scenario" }
          ]
        }"#,
    )
    .unwrap();
    let mut r = sample_report();
    let verdict = apply_baseline(&r, &baseline);
    assert_eq!(verdict.new_failures, ["handshake::handshake-status-200"]);
    assert!(!verdict.passed());
    assert_eq!(verdict.not_run, ["gone::renamed-scenario"]);

    r.scenarios[4].status = Status::Pass; // status-200 fixed
    r.scenarios[8].status = Status::Pass; // send-too-large fixed
    let verdict = apply_baseline(&r, &baseline);
    assert!(verdict.passed());
    assert_eq!(
        verdict.expected_failures,
        ["handshake::handshake-timeout-never-answer"]
    );
    assert_eq!(
        verdict.unexpected_passes,
        [UnexpectedPass {
            id: "send::send-too-large".to_string(),
            status: Status::Pass,
            reason: Some("no size check yet".to_string())
        }]
    );
    let md = write_baseline_markdown(&verdict);
    assert!(md.contains("✅ no new failure"), "{md}");
    assert!(
        md.contains("- `send::send-too-large`: now pass (was: no size check yet)"),
        "{md}"
    );
}

#[test]
fn a_report_judged_against_a_baseline_keeps_the_verdict_in_every_format() {
    let baseline =
        read_baseline(r#"{"schemaVersion": 1, "expected": [{ "id": "send::send-too-large" }]}"#)
            .unwrap();
    let mut r = sample_report();
    assert!(!r.passed(), "no baseline: not compliant, so not passed");
    r.judge_against(&baseline);
    let verdict = r.baseline.clone().unwrap();
    assert_eq!(verdict, apply_baseline(&r, &baseline));
    assert!(!r.passed(), "two failures are not in the baseline");
    assert_eq!(read_json(&write_json(&r)).unwrap(), r);
    let md = write_markdown(&r);
    assert!(
        md.ends_with(&format!("\n\n{}", write_baseline_markdown(&verdict))),
        "{md}"
    );
    let html = write_html(&r);
    assert!(html.contains("<section id=\"baseline\"><h2>Baseline</h2>"));
    assert!(html.contains("<li>handshake::handshake-status-200</li>"));
    assert_balanced(&html);
    for other in [
        write_markdown(&sample_report()),
        write_html(&sample_report()),
    ] {
        assert!(!other.contains("Baseline"), "no baseline, no section");
    }
}

#[test]
fn a_report_without_the_newer_fields_still_reads() {
    let mut value: serde_json::Value = serde_json::from_str(&write_json(&sample_report())).unwrap();
    let object = value.as_object_mut().unwrap();
    for field in ["jobs", "host", "baseline"] {
        assert!(object.remove(field).is_some(), "{field} is written");
    }
    object["suite"].as_object_mut().unwrap().remove("commit");
    for s in object["scenarios"].as_array_mut().unwrap() {
        let s = s.as_object_mut().unwrap();
        assert!(s.remove("path").is_some() && s.remove("adapterFault").is_some());
    }
    let old = read_json(&value.to_string()).unwrap();
    assert_eq!(old.suite.commit, None);
    assert_eq!(old.scenarios[0].path, None);
    assert_eq!((old.jobs, old.host, old.baseline), (None, None, None));
}

#[test]
fn a_baseline_of_another_schema_version_is_refused() {
    let err = read_baseline(r#"{"schemaVersion": 7, "expected": []}"#).unwrap_err();
    assert!(
        err.to_string().contains("baseline schemaVersion 7"),
        "{err}"
    );
}

#[test]
fn write_all_writes_the_four_formats_into_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reports/nested");
    let paths = write_all(&sample_report(), &out).unwrap();
    let names: Vec<_> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        ["junit.xml", "report.json", "summary.md", "report.html"]
    );
    let json = std::fs::read_to_string(&paths[1]).unwrap();
    assert_eq!(read_json(&json).unwrap(), sample_report());
    assert_eq!(Format::from_name("md"), Some(Format::Markdown));
    assert_eq!(Format::from_name("pdf"), None);
    assert_eq!(Format::from_name("xml"), None);
    assert_eq!(Format::from_name("JUnit"), Some(Format::Junit));
    let err = write_report(
        &sample_report(),
        Format::Json,
        &paths[0].join("under-a-file.json"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("under-a-file.json"), "{err}");
}
