//! Each format parsed back, the Markdown snapshot, the HTML's
//! self-containment, the derived views, comparisons and baselines.
//!
//! Comparisons and baselines are in [`baselines`].

#[path = "formats/baselines.rs"]
mod baselines;

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

#[test]
fn a_failure_under_a_broken_rule_counts_under_it_and_every_format_says_so() {
    let mut r = sample_report();
    let index = r
        .scenarios
        .iter()
        .position(|s| s.id == "send::send-too-large")
        .unwrap();
    let s = &mut r.scenarios[index];
    s.broken_rule = Some("order.async".to_string());
    s.message = Some("breaks `order.async`: c1.fail (sync) ran inside the call `c1`".to_string());
    s.first_difference = s.message.clone();
    let rows = rule_rows(&r);
    let get = |id: &str| rows.iter().find(|row| row.rule == id).unwrap();
    assert_eq!(get("order.async").status, Some(Status::Fail));
    assert_eq!(get("order.async").counts.fail, 1);
    // Not under the rule the scenario names: it broke another one.
    assert_eq!(get("send.too-large").status, None);
    assert_eq!(code_rows(&r)[10].status, None, "11: send.too-large's code");

    let json = write_json(&r);
    assert!(json.contains("\"brokenRule\": \"order.async\""), "{json}");
    assert_eq!(read_json(&json).unwrap(), r);
    assert!(write_markdown(&r).contains("fails under: `order.async`"));
    assert!(write_html(&r).contains("fails under <code>order.async</code>"));
    assert!(write_junit(&r).contains("fails under: order.async"));
    assert!(write_terminal_summary(&r).contains("fail send::send-too-large under order.async"));
    // A report without it writes no field: older readers see what they saw.
    assert!(!write_json(&sample_report()).contains("brokenRule"));
}
