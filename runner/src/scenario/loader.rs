//! Reads scenario files: YAML to a typed [`Scenario`], or an error that
//! names the file, the line and column, the scenario and what was expected.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use adapter_protocol::{Method, MethodTarget, TARGET_MY, TARGET_RETURNED};

use crate::scenario::embedded;
use crate::scenario::model::{default_call_name, CallStep, Expectation, Pattern, Scenario, Step};
use crate::scenario::template;

/// A scenario with where it came from.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The folder under the scenarios root (`connect`, `tls`, …).
    pub area: String,
    /// The file.
    pub path: PathBuf,
    /// The scenario.
    pub scenario: Scenario,
}

impl LoadedScenario {
    /// `<area>::<id>`, the trial name.
    pub fn trial_name(&self) -> String {
        format!("{}::{}", self.area, self.scenario.id)
    }
}

/// Why scenarios could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file or folder could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The YAML does not match the scenario format.
    #[error("{path}:{line}:{column}: {scenario}{message}", scenario = scenario_prefix(.scenario))]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// The scenario id, when it could be read.
        scenario: Option<String>,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The scenario parsed but is inconsistent (unknown call name, method, …).
    #[error("{path}: {scenario}{at}: {message}", scenario = scenario_prefix(&Some(.scenario.clone())))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The scenario id.
        scenario: String,
        /// Where in the scenario (`steps[3].call`).
        at: String,
        /// What was wrong.
        message: String,
    },
    /// Several files do not load: each error, in path order.
    #[error("{} scenario files do not load:\n  {}", .0.len(), list_errors(.0))]
    Several(Vec<LoadError>),
    /// Two files use the same id.
    #[error("{second}: scenario `{id}`: duplicate id, already used by {first}")]
    DuplicateId {
        /// The id.
        id: String,
        /// The file that used it first.
        first: PathBuf,
        /// The file that used it again.
        second: PathBuf,
    },
}

fn list_errors(errors: &[LoadError]) -> String {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| e.to_string().replace('\n', "\n    "))
        .collect();
    lines.join("\n  ")
}

fn scenario_prefix(scenario: &Option<String>) -> String {
    match scenario {
        Some(id) => format!("scenario `{id}`: "),
        None => String::new(),
    }
}

/// The workspace's `scenarios/` folder.
pub fn scenarios_dir() -> std::path::PathBuf {
    let runner = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    runner.parent().unwrap_or(runner).join("scenarios")
}

/// Parses one scenario from YAML text; `path` is used in errors.
pub fn parse_scenario(path: &Path, text: &str) -> Result<Scenario, LoadError> {
    // Steps are single-key maps (`- call: {...}`), not YAML tags.
    let de = serde_yaml::Deserializer::from_str(text);
    let scenario: Scenario =
        serde_yaml::with::singleton_map_recursive::deserialize(de).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            LoadError::Syntax {
                path: path.to_path_buf(),
                line,
                column,
                scenario: peek_id(text),
                message: strip_location(&e.to_string()),
            }
        })?;
    validate(&scenario).map_err(|(at, message)| LoadError::Invalid {
        path: path.to_path_buf(),
        scenario: scenario.id.clone(),
        at,
        message,
    })?;
    check_runnable(&scenario).map_err(|(needle, message)| {
        let (line, column) = locate(text, &needle);
        LoadError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            scenario: Some(scenario.id.clone()),
            message,
        }
    })?;
    Ok(scenario)
}

/// The shortest `deadlineMs` of a scenario: below it no scenario can
/// connect, exchange and close, and the implementation would be blamed.
pub const MIN_SCENARIO_DEADLINE_MS: u64 = 1_000;

/// Checks what would otherwise only fail at run time and be blamed on the
/// implementation: every `{{…}}` template of every call's arguments
/// against the mock server's catalogue, and deadlines that leave time to
/// run. On error: a piece of text to locate in the file, and the message.
fn check_runnable(s: &Scenario) -> Result<(), (String, String)> {
    if let Some(ms) = s.deadline_ms.filter(|ms| *ms < MIN_SCENARIO_DEADLINE_MS) {
        return Err((
            "deadlineMs".into(),
            format!(
                "deadlineMs: {ms} ms leaves no time to run: at least {MIN_SCENARIO_DEADLINE_MS} ms"
            ),
        ));
    }
    for (index, step) in s.steps.iter().enumerate() {
        if let Step::Await(a) = step {
            let zero_item = a.items().0.iter().any(|d| d.within_ms == Some(0));
            if zero_item || a.items().1 == 0 {
                return Err((
                    "withinMs".into(),
                    format!(
                        "steps[{}].await: withinMs: 0 waits for nothing: give at least 1 ms",
                        index + 1
                    ),
                ));
            }
        }
    }
    for (name, call) in s.calls() {
        let Some(args) = &call.args else { continue };
        let mut strings = Vec::new();
        collect_strings(args, &mut strings);
        for string in strings {
            if let Err((offset, message)) = template::check(string) {
                let bad = &string[offset..];
                let needle = bad.split("}}").next().unwrap_or(bad).to_string();
                return Err((needle, format!("call `{name}` args: {message}")));
            }
        }
    }
    Ok(())
}

/// Every string of `value`, object keys included.
fn collect_strings<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k);
                collect_strings(v, out);
            }
        }
        _ => {}
    }
}

/// 1-based line and column of the first `needle` in `text` ((0, 0) when
/// it is not there verbatim).
fn locate(text: &str, needle: &str) -> (usize, usize) {
    let Some(at) = text.find(needle) else {
        return (0, 0);
    };
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// The error text without yaml_serde's own " at line L column C" suffix.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn peek_id(text: &str) -> Option<String> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
    value.get("id")?.as_str().map(str::to_string)
}

/// Loads every `*.yaml` under `root` (one folder level: `root/<area>/*.yaml`
/// and deeper; the embedded set when `root` is `embedded::root()`), sorted
/// by path; ids must be unique. Every file is read even
/// after a bad one, so that the error names all of them at once
/// ([`LoadError::Several`] when there is more than one).
pub fn load_dir(root: &Path) -> Result<Vec<LoadedScenario>, LoadError> {
    let mut files = Vec::new();
    collect_yaml(root, &mut files)?;
    files.sort();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        let loaded = embedded::read_to_string(&path)
            .map_err(|source| LoadError::Io {
                path: path.clone(),
                source,
            })
            .and_then(|text| parse_scenario(&path, &text));
        let scenario = match loaded {
            Ok(scenario) => scenario,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Some(first) = seen.get(&scenario.id) {
            errors.push(LoadError::DuplicateId {
                id: scenario.id.clone(),
                first: first.clone(),
                second: path,
            });
            continue;
        }
        seen.insert(scenario.id.clone(), path.clone());
        let area = path
            .strip_prefix(root)
            .ok()
            .and_then(|rel| rel.components().next())
            .filter(|_| path.parent() != Some(root))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_else(|| "root".into());
        out.push(LoadedScenario {
            area,
            path,
            scenario,
        });
    }
    match errors.len() {
        0 => Ok(out),
        1 => Err(errors.remove(0)),
        _ => Err(LoadError::Several(errors)),
    }
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    if dir == embedded::root() {
        out.extend(embedded::yaml_paths());
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| LoadError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "snapshots") {
                continue;
            }
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

type Invalid = (String, String);

/// Checks what the types cannot: names, targets, methods, patterns.
fn validate(s: &Scenario) -> Result<(), Invalid> {
    let top = |m: String| ("scenario".to_string(), m);
    if s.id.is_empty()
        || !s
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
    {
        return Err(top(format!(
            "id `{}`: expected lowercase letters, digits, `-` and `.` (it names the snapshot file)",
            s.id
        )));
    }
    if s.spec.is_empty() {
        return Err(top(
            "`spec` names no rule: expected at least one rule id".into()
        ));
    }
    for (k, rule) in s.options.iter().enumerate() {
        if s.options[..k].contains(rule) {
            return Err(top(format!("options: `{rule}` is named twice")));
        }
    }
    for (name, marks) in &s.profiles {
        let at = format!("profiles.{name}");
        name.parse::<adapter_protocol::Profile>()
            .map_err(|e| (at.clone(), e.to_string()))?;
        match &marks.not_applicable {
            Some(reason) if reason.trim().is_empty() => {
                return Err((at, "notApplicable: give the reason".into()))
            }
            None => {
                return Err((
                    at,
                    "says nothing: expected `notApplicable: <reason>`".into(),
                ))
            }
            Some(_) => {}
        }
    }
    let mut names = Names::default();
    for (index, step) in s.steps.iter().enumerate() {
        let at = format!("steps[{}]", index + 1);
        match step {
            Step::Call(call) => {
                let name = call.name_or(default_call_name(index));
                names.call(call, name, false, &format!("{at}.call"))?;
            }
            Step::Await(a) => {
                for item in a.items().0 {
                    names.pattern(&item.event, &format!("{at}.await"))?;
                    if item.count == Some(0) {
                        return Err((
                            format!("{at}.await"),
                            "count 0: use `expect: absent`".into(),
                        ));
                    }
                }
            }
            Step::Expect(items) => {
                for (k, e) in items.iter().enumerate() {
                    let at = format!("{at}.expect[{}]", k + 1);
                    match e {
                        Expectation::Present { event, .. } | Expectation::Absent { event, .. } => {
                            names.pattern(event, &at)?
                        }
                        Expectation::Order(ps) => {
                            for p in ps {
                                names.pattern(p, &at)?;
                            }
                        }
                        Expectation::Settle(_) | Expectation::Server(_) => {}
                    }
                }
            }
            Step::Server(_) => {}
        }
    }
    Ok(())
}

#[derive(Default)]
struct Names {
    calls: HashSet<String>,
    tasks: HashSet<String>,
}

impl Names {
    fn call(
        &mut self,
        call: &CallStep,
        name: String,
        nested: bool,
        at: &str,
    ) -> Result<(), Invalid> {
        let err = |m: String| Err((at.to_string(), m));
        if name == "server" || name == TARGET_MY || name.contains('.') {
            return err(format!("call name `{name}` is reserved or contains `.`"));
        }
        if !self.calls.insert(name.clone()) || self.tasks.contains(&name) {
            return err(format!("call name `{name}` is used twice"));
        }
        let is_my = call.target == TARGET_MY;
        if call.target == TARGET_RETURNED {
            if !nested {
                return err("target `$returned` only works in `then` / `within`".into());
            }
        } else if !is_my && !self.tasks.contains(&call.target) {
            return err(format!(
                "target `{}`: expected `my` or a task named earlier with `as`",
                call.target
            ));
        }
        let target = if is_my {
            MethodTarget::Global
        } else {
            MethodTarget::Task
        };
        let Some(method) = Method::parse(target, &call.method) else {
            let names: Vec<&str> = Method::all()
                .filter(|m| m.target() == target)
                .map(Method::name)
                .collect();
            return err(format!(
                "method `{}` on `{}`: expected one of {}",
                call.method,
                call.target,
                names.join(", ")
            ));
        };
        let is_listener_method = method.event_type().is_some();
        if call.listener.is_some() && !is_listener_method {
            return err(format!(
                "`listener` only goes with on*/off* methods, not `{method}`"
            ));
        }
        if method.adds_listener() && call.listener.is_none() {
            return err(format!("`{method}` needs a `listener` name"));
        }
        if is_listener_method && call.args.is_some() {
            return err(format!("`{method}` takes a `listener`, not `args`"));
        }
        if let Some(task) = &call.as_name {
            if method != Method::ConnectSocket {
                return err(format!(
                    "`as` names a task returned by connectSocket, not by `{method}`"
                ));
            }
            if task == TARGET_MY
                || task == "server"
                || task.contains('.')
                || !self.tasks.insert(task.clone())
                || self.calls.contains(task)
            {
                return err(format!(
                    "task name `{task}` is reserved, contains `.` or is used twice"
                ));
            }
        }
        if !call.within.listener.is_empty() && (!method.adds_listener() || call.listener.is_none())
        {
            return err(format!(
                "`within.listener` needs an `on*` method with a `listener` (this call is `{method}`)"
            ));
        }
        for nested in call.nested(&name) {
            let at = format!("{at}.{}[{}]", nested.slot.yaml_key(), nested.index);
            self.call(nested.call, nested.name(), true, &at)?;
        }
        Ok(())
    }

    fn pattern(&self, p: &Pattern, at: &str) -> Result<(), Invalid> {
        match p {
            Pattern::Callback { call, .. } if !self.calls.contains(call) => Err((
                at.to_string(),
                format!("`{p}`: no call named `{call}` before this step"),
            )),
            Pattern::Listener { target, .. }
                if target != TARGET_MY && !self.tasks.contains(target) =>
            {
                Err((
                    at.to_string(),
                    format!("`{p}`: expected `my` or a task named with `as` before this step"),
                ))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
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
}
