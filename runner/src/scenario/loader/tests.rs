//! The text of every loading error, pinned.

use super::*;

const GOOD: &str = r#"# yaml-language-server: $schema=../scenario.schema.json
id: open-on-ws
title: a connection to a ws echo server opens
spec: [connect.success, connect.open]
steps:
  - call: { target: my, method: onSocketOpen, listener: O }
  - call: { method: connectSocket, args: { url: "{{ws:echo}}" } }
  - await: [c2.complete, my.open]
  - expect:
      - { event: c2.success, res: {} }
      - { order: [c2.success, c2.complete, my.open] }
      - settle: 50
"#;

fn parse(text: &str) -> Result<Scenario, LoadError> {
    parse_scenario(Path::new("x/a.yaml"), text)
}

#[test]
fn a_good_scenario_loads() {
    let s = parse(GOOD).unwrap();
    assert_eq!(s.id, "open-on-ws");
    assert_eq!(s.steps.len(), 4);
    let names: Vec<_> = s.calls().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["c1", "c2"]);
}

#[test]
fn a_typo_in_a_field_name_names_the_field_line_and_column() {
    let text = GOOD.replace("method: connectSocket", "methd: connectSocket");
    let e = parse(&text).unwrap_err().to_string();
    assert!(e.starts_with("x/a.yaml:7:13:"), "{e}");
    assert!(e.contains("scenario `open-on-ws`"), "{e}");
    assert!(e.contains("unknown field `methd`"), "{e}");
    assert!(e.contains("expected one of"), "{e}");
}

#[test]
fn a_wrong_type_says_what_was_expected() {
    let text = GOOD.replace("settle: 50", "settle: soon");
    let e = parse(&text).unwrap_err().to_string();
    assert!(e.starts_with("x/a.yaml:12:17:"), "{e}");
    assert!(
        e.contains("steps[3].expect[2].settle: invalid type: string \"soon\", expected u64"),
        "{e}"
    );
}

#[test]
fn a_missing_id_is_refused() {
    let text = GOOD.replace("id: open-on-ws\n", "");
    let e = parse(&text).unwrap_err().to_string();
    assert!(e.contains("missing field `id`"), "{e}");
    assert!(e.starts_with("x/a.yaml:"), "{e}");
}

#[test]
fn an_unknown_rule_id_is_refused_with_its_location() {
    let text = GOOD.replace("connect.open]", "connect.opened]");
    let e = parse(&text).unwrap_err().to_string();
    assert!(e.starts_with("x/a.yaml:4:"), "{e}");
    assert!(e.contains("unknown rule id `connect.opened`"), "{e}");
}

#[test]
fn a_bad_pattern_is_refused() {
    let text = GOOD.replace("my.open]\n", "my.opened]\n");
    let e = parse(&text).unwrap_err().to_string();
    assert!(e.starts_with("x/a.yaml:8:"), "{e}");
    assert!(
        e.contains("steps[2]: `my.opened` is not an event pattern"),
        "{e}"
    );
}

#[test]
fn an_unknown_call_name_or_method_is_refused() {
    let e = parse(&GOOD.replace("[c2.complete", "[c9.complete"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("steps[3].await") && e.contains("no call named `c9`"),
        "{e}"
    );
    let e = parse(&GOOD.replace("onSocketOpen", "onOpen"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("steps[1].call") && e.contains("method `onOpen` on `my`"),
        "{e}"
    );
}

#[test]
fn calls_inside_a_listener_need_an_on_method_with_a_listener() {
    let ok = GOOD.replace(
        "listener: O }",
        "listener: O, within: { listener: [ { method: offSocketOpen } ] } }",
    );
    let s = parse(&ok).unwrap();
    let names: Vec<_> = s.calls().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["c1", "c1-listener1", "c2"]);
    let e = parse(&GOOD.replace(
        "args: { url: \"{{ws:echo}}\" } }",
        "args: { url: \"{{ws:echo}}\" }, within: { listener: [ { method: offSocketOpen } ] } }",
    ))
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("steps[2].call") && e.contains("`within.listener` needs an `on*` method"),
        "{e}"
    );
}

#[test]
fn an_expectation_needs_exactly_one_kind() {
    let e = parse(&GOOD.replace(
        "- settle: 50",
        "- { settle: 50, order: [c2.success, my.open] }",
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("exactly one of"), "{e}");
}

#[test]
fn an_unknown_key_in_an_await_is_named() {
    for (from, to) in [
        (
            "await: [c2.complete, my.open]",
            "await: { event: c2.complete, cuont: 2 }",
        ),
        (
            "await: [c2.complete, my.open]",
            "await: [c2.complete, { event: my.open, withinMS: 9 }]",
        ),
        (
            "await: [c2.complete, my.open]",
            "await: { all: [c2.complete], within: 9 }",
        ),
    ] {
        let e = parse(&GOOD.replace(from, to)).unwrap_err().to_string();
        let bad = ["cuont", "withinMS", "within"]
            .into_iter()
            .find(|k| to.contains(&format!("{k}:")))
            .unwrap();
        assert!(e.contains(&format!("unknown field `{bad}`")), "{to}: {e}");
        assert!(e.starts_with("x/a.yaml:8:"), "{to}: {e}");
    }
    // A bad pattern inside still says what a pattern is.
    let e = parse(&GOOD.replace("my.open]\n", "my.opened]\n"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("an event pattern"), "{e}");
}

#[test]
fn a_template_the_mock_server_cannot_serve_is_a_load_error_with_its_place() {
    for (template, says) in [
        ("{{wss.bogus:silent}}", "unknown listener \"wss.bogus\""),
        ("{{ws:sielnt}}", "sielnt"),
        ("{{ws:echo", "unclosed"),
        ("{{bytes:x}}", "byte count"),
    ] {
        let text = GOOD.replace("{{ws:echo}}", template);
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.starts_with("x/a.yaml:7:"), "{template}: {e}");
        assert!(
            e.contains("call `c2` args") && e.contains(says),
            "{template}: {e}"
        );
    }
    // The column is the template's.
    let e = parse(&GOOD.replace("{{ws:echo}}", "{{ws:bogus}}"))
        .unwrap_err()
        .to_string();
    let column = GOOD.lines().nth(6).unwrap().find("{{ws:echo}}").unwrap() + 1;
    assert!(e.starts_with(&format!("x/a.yaml:7:{column}:")), "{e}");
    // Nested calls are checked too.
    let e = parse(&GOOD.replace(
            "listener: O }",
            "listener: O, within: { listener: [ { method: connectSocket, args: { url: \"{{nope}}\" } } ] } }",
        ))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("call `c1-listener1` args") && e.contains("\"nope\""),
        "{e}"
    );
}

#[test]
fn deadlines_that_leave_no_time_are_load_errors() {
    let e = parse(&GOOD.replace("steps:\n", "deadlineMs: 0\nsteps:\n"))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("x/a.yaml:5:1:") && e.contains("at least 1000 ms"),
        "{e}"
    );
    let e = parse(&GOOD.replace(
        "await: [c2.complete, my.open]",
        "await: { all: [c2.complete, my.open], withinMs: 0 }",
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("steps[3].await: withinMs: 0"), "{e}");
    let e = parse(&GOOD.replace(
        "await: [c2.complete, my.open]",
        "await: [c2.complete, { event: my.open, withinMs: 0 }]",
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("withinMs: 0"), "{e}");
}

#[test]
fn duplicate_ids_across_files_are_refused() {
    let dir = std::env::temp_dir().join(format!("runner-dup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(dir.join("a/one.yaml"), GOOD).unwrap();
    std::fs::write(dir.join("b/two.yaml"), GOOD).unwrap();
    let e = load_dir(&dir).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        e.contains("duplicate id") && e.contains("open-on-ws"),
        "{e}"
    );
    assert!(e.contains("a/one.yaml") && e.contains("b/two.yaml"), "{e}");
}

#[test]
fn every_bad_file_is_reported_at_once() {
    let dir = std::env::temp_dir().join(format!("runner-many-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("a/1-good.yaml"), GOOD).unwrap();
    std::fs::write(
        dir.join("a/2-typo.yaml"),
        GOOD.replace("open-on-ws", "typo")
            .replace("methd", "method")
            .replace("method: connectSocket", "methd: connectSocket"),
    )
    .unwrap();
    std::fs::write(dir.join("a/3-dup.yaml"), GOOD).unwrap();
    std::fs::write(
        dir.join("a/4-pattern.yaml"),
        GOOD.replace("open-on-ws", "pattern")
            .replace("my.open]\n", "my.opened]\n"),
    )
    .unwrap();
    let e = load_dir(&dir).unwrap_err().to_string();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(e.starts_with("3 scenario files do not load:"), "{e}");
    for named in [
        "a/2-typo.yaml:7:13:",
        "a/3-dup.yaml: scenario `open-on-ws`: duplicate id",
        "a/4-pattern.yaml:8:",
    ] {
        assert!(e.contains(named), "{named}: {e}");
    }
}

#[test]
fn areas_come_from_folders() {
    let dir = std::env::temp_dir().join(format!("runner-area-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("connect")).unwrap();
    std::fs::write(dir.join("connect/one.yaml"), GOOD).unwrap();
    let loaded = load_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(loaded[0].trial_name(), "connect::open-on-ws");
}
