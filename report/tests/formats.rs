//! Each format parsed back, the Markdown snapshot, the HTML's
//! self-containment, the derived views, comparisons and baselines.

use quick_xml::events::Event;
use report::*;
use spec::rule_ids;

/// The sample report with text that needs escaping everywhere.
fn hostile_report() -> RunReport {
    let mut r = sample_report();
    r.implementation.name = "evil <script>alert('x')</script> & \"co\"".to_string();
    let s = &mut r.scenarios[4];
    s.title = "title with <b>tags</b> | pipes & ]]> end".to_string();
    s.message =
        Some("message </details><details> <img src=x onerror=alert(1)>\u{1b}[31mred".to_string());
    s.golden_diff = Some("-<a>\n+</pre>\n@@ ``` fence".to_string());
    r
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().map(|a| {
        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .unwrap()
            .into_owned()
    })
}

#[derive(Default, Debug)]
struct JunitCounts {
    suites: usize,
    cases: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    names: Vec<(String, String)>,
    declared_tests: usize,
    declared_failures: usize,
}

/// Parses JUnit XML with a generic XML reader, as a CI consumer would.
fn parse_junit(xml: &str) -> JunitCounts {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut counts = JunitCounts::default();
    let mut depth = 0usize;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                depth += 1;
                count(&mut counts, &e);
            }
            Event::Empty(e) => count(&mut counts, &e),
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "every element is closed");
    counts
}

fn count(counts: &mut JunitCounts, e: &quick_xml::events::BytesStart<'_>) {
    match e.name().as_ref() {
        b"testsuites" => {
            counts.declared_tests = attr(e, "tests").unwrap().parse().unwrap();
            counts.declared_failures = attr(e, "failures").unwrap().parse().unwrap();
        }
        b"testsuite" => counts.suites += 1,
        b"testcase" => {
            counts.cases += 1;
            counts.names.push((
                attr(e, "name").unwrap_or_default(),
                attr(e, "classname").unwrap_or_default(),
            ));
        }
        b"failure" => counts.failures += 1,
        b"error" => counts.errors += 1,
        b"skipped" => counts.skipped += 1,
        _ => {}
    }
}

#[test]
fn junit_parses_back_with_one_named_testcase_per_scenario() {
    for r in [sample_report(), hostile_report()] {
        let xml = write_junit(&r);
        let c = parse_junit(&xml);
        // One suite per area, and one `options` suite whose one case is
        // `options.consistent`.
        assert_eq!(c.suites, r.areas().len() + 1);
        assert_eq!(c.cases, r.scenarios.len() + 1);
        assert_eq!(c.declared_tests, r.scenarios.len() + 1);
        assert_eq!(c.failures, r.totals.fail);
        assert_eq!(c.declared_failures, r.totals.fail);
        assert_eq!(c.errors, r.totals.error);
        assert_eq!(c.skipped, r.totals.not_applicable);
        for ((name, classname), s) in c.names.iter().zip(&r.scenarios) {
            assert!(!name.is_empty(), "every testcase has a name");
            assert_eq!(name, &s.id);
            assert_eq!(classname, &s.area);
        }
    }
}

#[test]
fn junit_failures_carry_the_difference_and_impl_defined_differences_pass_with_a_note() {
    let r = sample_report();
    let parsed = quick_junit::Report::deserialize_from_str(&write_junit(&r)).unwrap();
    let cases: Vec<_> = parsed
        .test_suites
        .iter()
        .flat_map(|s| s.test_cases.iter())
        .collect();
    let fail = cases
        .iter()
        .find(|c| c.name.as_str() == "handshake::handshake-status-200")
        .unwrap();
    match &fail.status {
        quick_junit::TestCaseStatus::NonSuccess {
            message,
            description,
            ..
        } => {
            assert_eq!(
                message.as_ref().unwrap().as_str(),
                "golden trace differs: client lane, event 4"
            );
            let description = description.as_ref().unwrap().as_str();
            assert!(description.contains("First difference:"), "{description}");
            assert!(
                description.contains("+    - my.open@O: {}"),
                "{description}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(fail
        .system_out
        .as_ref()
        .unwrap()
        .as_str()
        .contains("trace:"));
    let option = cases
        .iter()
        .find(|c| c.name.as_str() == "close::close-invalid-code-2999")
        .unwrap();
    assert!(matches!(
        option.status,
        quick_junit::TestCaseStatus::Success { .. }
    ));
    assert!(option
        .system_out
        .as_ref()
        .unwrap()
        .as_str()
        .starts_with("options: close.invalid-code.code=2"));
    let error = cases
        .iter()
        .find(|c| c.name.as_str() == "handshake::handshake-timeout-never-answer")
        .unwrap();
    assert!(error
        .system_err
        .as_ref()
        .unwrap()
        .as_str()
        .contains("<timeout> & no callback"));
}

#[test]
fn json_round_trips_into_the_model() {
    for r in [sample_report(), hostile_report()] {
        let json = write_json(&r);
        assert_eq!(read_json(&json).unwrap(), r);
    }
    let json = write_json(&sample_report());
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["schemaVersion"], 2);
    assert!(value["totals"].get("differsImplDefined").is_none());
    assert_eq!(value["profile"], "alipay-2022-09");
    let profile = value["options"].as_array().unwrap();
    let invalid = profile
        .iter()
        .find(|e| e["rule"] == "close.invalid-code.code")
        .unwrap();
    assert_eq!(invalid["observed"][0]["option"], "2");
    assert_eq!(value["totals"]["notApplicable"], 1);
    assert_eq!(value["scenarios"][4]["status"], "fail");
    assert!(value["scenarios"][4]["goldenDiff"].is_string());
    assert!(value["scenarios"][0]["adapterStderr"].is_null());
    assert!(value["implementation"]["adapter"].is_string());
}

#[test]
fn json_of_another_schema_version_is_refused() {
    let json =
        write_json(&sample_report()).replacen("\"schemaVersion\": 2", "\"schemaVersion\": 1", 1);
    let err = read_json(&json).unwrap_err();
    assert!(err.to_string().contains("schemaVersion 1"), "{err}");
    assert!(read_json("{").is_err());
}

#[test]
fn markdown_summary_of_the_sample_report() {
    insta::assert_snapshot!("sample_markdown", write_markdown(&sample_report()));
}

#[test]
fn markdown_escapes_report_text() {
    let md = write_markdown(&hostile_report());
    assert!(!md.contains("<script>"));
    assert!(!md.contains("<img"));
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
}

/// Checks that the tags of `html` (outside `<script>` and `<style>`) are
/// balanced, void elements aside.
fn assert_balanced(html: &str) {
    const VOID: &[&str] = &["meta", "input", "br", "hr", "img", "link", "!doctype"];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("tag closed") + start;
        let tag = &rest[start + 1..end];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &rest[end + 1..];
        if name == "script" || name == "style" {
            let close = format!("</{name}>");
            let at = rest.find(&close).expect("raw text element closed");
            rest = &rest[at + close.len()..];
            continue;
        }
        if VOID.contains(&name.as_str()) {
            continue;
        }
        if tag.starts_with('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.as_str()),
                "closing </{name}>"
            );
        } else {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

/// The tags of `html`, outside `<script>` and `<style>`, with their
/// attributes (`details class="sc"`).
fn tags(html: &str) -> Vec<&str> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("tag closed") + start;
        let tag = &rest[start + 1..end];
        tags.push(tag);
        rest = &rest[end + 1..];
        for raw in ["script", "style"] {
            if tag == raw || tag.starts_with(&format!("{raw} ")) {
                let close = format!("</{raw}>");
                rest = &rest[rest.find(&close).expect("raw text element closed")..];
            }
        }
    }
    tags
}

fn assert_self_contained(html: &str) {
    let lower = html.to_ascii_lowercase();
    for forbidden in ["http://", "https://", "://", "@import", "url(", "//cdn"] {
        assert!(!lower.contains(forbidden), "the page contains {forbidden}");
    }
    for tag in tags(&lower) {
        let name = tag.split_whitespace().next().unwrap_or("");
        for element in [
            "link", "img", "iframe", "object", "embed", "audio", "video", "source", "base", "a",
        ] {
            assert_ne!(name, element, "the page has a <{tag}>");
        }
        for attribute in ["src=", "href=", "srcset=", "action="] {
            assert!(!tag.contains(attribute), "the page has <{tag}>");
        }
    }
}

#[test]
fn html_loads_nothing_and_is_well_formed() {
    for r in [sample_report(), hostile_report()] {
        let html = write_html(&r);
        assert_self_contained(&html);
        assert_balanced(&html);
        assert_eq!(html.matches("<details").count(), r.scenarios.len());
        assert_eq!(html.matches("</details>").count(), r.scenarios.len());
        assert_eq!(html.matches("<script>").count(), 1);
    }
}

#[test]
fn html_escapes_report_text() {
    let html = write_html(&hostile_report());
    assert!(
        html.contains("evil &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;")
    );
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn html_has_the_matrix_filters_and_coloured_diff() {
    let html = write_html(&sample_report());
    for rule in rule_ids() {
        assert!(html.contains(&format!("data-rule=\"{rule}\"")), "{rule}");
    }
    for code in 1..=12 {
        assert!(
            html.contains(&format!("<span class=\"code\">{code}</span>")),
            "code {code}"
        );
    }
    for filter in ["all", "notpass", "fail", "error", "na", "pass"] {
        assert!(
            html.contains(&format!("data-filter=\"{filter}\"")),
            "{filter}"
        );
    }
    assert!(html.contains("<span class=\"l add\">+    - my.open@O: {}</span>"));
    assert!(html.contains("<span class=\"l del\">-    - my.error@E:</span>"));
    assert!(html.contains("<span class=\"l hunk\">"));
}

#[test]
fn a_rule_shows_the_worst_status_of_its_scenarios_and_uncovered_without_any() {
    let r = sample_report();
    let rows = rule_rows(&r);
    assert_eq!(rows.len(), rule_ids().len());
    let get = |id: &str| rows.iter().find(|row| row.rule == id).unwrap();
    // connect.success: pass, fail, error and notApplicable scenarios.
    assert_eq!(get("connect.success").status, Some(Status::Fail));
    assert_eq!(get("connect.success").counts.total(), 4);
    assert_eq!(get("error.6.timeout").status, Some(Status::Error));
    assert_eq!(get("close.invalid-code").status, Some(Status::Pass));
    assert_eq!(get("error.7.cert").status, Some(Status::NotApplicable));
    assert_eq!(get("send.text").status, Some(Status::Pass));
    assert_eq!(get("task.broadcast").status, None);
    assert_eq!(cell_label(None), "uncovered");

    let codes = code_rows(&r);
    assert_eq!(
        codes.iter().map(|c| c.code.code()).collect::<Vec<_>>(),
        (1..=12).collect::<Vec<_>>()
    );
    assert_eq!(codes[0].status, Some(Status::Pass)); // close.invalid-code
    assert_eq!(codes[7].status, Some(Status::Fail)); // 8: handshake-status-200
    assert_eq!(codes[10].status, Some(Status::Fail)); // 11: send-too-large
    assert_eq!(codes[8].status, None); // 9: no scenario in the sample
}

#[test]
fn an_unknown_rule_id_is_listed_not_hidden() {
    let mut r = sample_report();
    r.scenarios[0].rules.push("made.up".to_string());
    let rows = rule_rows(&r);
    let last = rows.last().unwrap();
    assert_eq!(
        (last.rule.as_str(), last.known, last.status),
        ("made.up", false, Some(Status::Pass))
    );
}

#[test]
fn worst_status_ordering() {
    use Status::*;
    assert_eq!(Pass.worst(NotApplicable), NotApplicable);
    assert_eq!(NotApplicable.worst(Error), Error);
    assert_eq!(Fail.worst(Error), Fail);
    assert!(Fail.is_failure() && Error.is_failure() && !NotApplicable.is_failure());
}

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
