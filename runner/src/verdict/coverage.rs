//! `docs/spec-coverage.md`: which scenarios cover each rule id and each
//! error code, generated from the scenarios.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::scenario::loader::LoadedScenario;
use crate::scenario::model::{Expectation, Step};
use crate::scenario::profile::{not_applicable, Profile};
use crate::verdict::golden;
use crate::verdict::invariants::TRACE_RULES;
use spec::{rule_ids, ERROR_CODES};

/// The rules that tests make act, beside or instead of the scenarios that
/// name them, each with those tests as `path::function` from the
/// workspace root: the rule checked over the run as a whole
/// (`options.consistent`), and the rules every trace keeps
/// ([`TRACE_RULES`]), each with the test that breaks it.
pub const RULE_TESTS: &[(&str, &[&str])] = &[
    (
        "options.consistent",
        &["runner/tests/invariants.rs::a_mutant_with_two_options_of_one_rule_breaks_options_consistent"],
    ),
    (
        "order.async",
        &[
            "runner/src/verdict/invariants/tests.rs::a_callback_inside_its_call_breaks_order_async",
            "runner/tests/invariants.rs::a_mutant_breaking_a_trace_rule_fails_every_scenario_under_that_rule",
        ],
    ),
    (
        "order.callbacks-first",
        &[
            "runner/src/verdict/invariants/tests.rs::a_close_event_before_its_close_calls_success_breaks_callbacks_first",
            "runner/src/verdict/invariants/tests.rs::an_echo_before_its_send_calls_success_breaks_callbacks_first",
        ],
    ),
    (
        "callbacks.one-outcome",
        &["runner/src/verdict/invariants/tests.rs::success_and_fail_of_one_call_break_one_outcome"],
    ),
    (
        "callbacks.complete-once",
        &[
            "runner/src/verdict/invariants/tests.rs::complete_twice_or_before_the_outcome_breaks_complete_once",
            "runner/src/verdict/invariants/tests.rs::complete_without_an_outcome_before_it_breaks_complete_once",
            "runner/tests/invariants.rs::a_mutant_breaking_a_trace_rule_fails_every_scenario_under_that_rule",
        ],
    ),
    (
        "close.nothing-after",
        &[
            "runner/src/verdict/invariants/tests.rs::a_listener_after_the_close_event_breaks_nothing_after",
            "runner/src/verdict/invariants/tests.rs::an_event_after_the_last_step_on_a_closed_socket_breaks_nothing_after",
            "runner/src/verdict/invariants/tests.rs::a_message_the_server_sent_behind_its_close_frame_breaks_nothing_after",
            "runner/tests/invariants.rs::a_mutant_breaking_a_trace_rule_fails_every_scenario_under_that_rule",
        ],
    ),
    (
        "receive.order",
        &["runner/src/verdict/invariants/tests.rs::messages_out_of_the_servers_order_break_receive_order"],
    ),
];

/// The tests of [`RULE_TESTS`] that make `rule` act.
pub fn rule_tests(rule: &str) -> &'static [&'static str] {
    RULE_TESTS
        .iter()
        .find(|(r, _)| *r == rule)
        .map_or(&[], |(_, tests)| tests)
}

/// The rule ids that no scenario names in `spec` and no test of
/// [`RULE_TESTS`] makes act.
pub fn uncovered_rules(scenarios: &[LoadedScenario]) -> Vec<&'static str> {
    rule_ids()
        .iter()
        .copied()
        .filter(|rule| rule_tests(rule).is_empty())
        .filter(|rule| {
            !scenarios
                .iter()
                .any(|s| s.scenario.spec.iter().any(|r| r.as_str() == *rule))
        })
        .collect()
}

/// The tests of [`RULE_TESTS`] that do not exist: no `fn <function>(` in
/// the file at `<root>/<path>`, or no such file.
pub fn missing_rule_tests(root: &Path) -> Vec<String> {
    RULE_TESTS
        .iter()
        .flat_map(|(_, tests)| tests.iter())
        .filter(|test| {
            let Some((path, function)) = test.split_once("::") else {
                return true;
            };
            std::fs::read_to_string(root.join(path))
                .map_or(true, |text| !text.contains(&format!("fn {function}(")))
        })
        .map(|test| test.to_string())
        .collect()
}

/// The error codes (1–12) that no scenario asserts with `error: N`.
pub fn uncovered_codes(scenarios: &[LoadedScenario]) -> Vec<u32> {
    let by_code = scenarios_by_code(scenarios);
    ERROR_CODES
        .iter()
        .map(|c| c.code())
        .filter(|c| !by_code.contains_key(c))
        .collect()
}

/// Error code -> trial names of the scenarios that assert it in an
/// `expect` (`res: {error: N}`) or whose golden traces show it.
pub fn scenarios_by_code(scenarios: &[LoadedScenario]) -> BTreeMap<u32, Vec<String>> {
    let mut out: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for s in scenarios {
        let mut codes = Vec::new();
        for step in &s.scenario.steps {
            if let Step::Expect(items) = step {
                for item in items {
                    if let Expectation::Present { res: Some(res), .. } = item {
                        collect_codes(res, &mut codes);
                    }
                }
            }
        }
        if let Ok(goldens) = golden::read_goldens(s) {
            for g in &goldens {
                collect_codes_deep(&g.trace, &mut codes);
            }
        }
        codes.sort_unstable();
        codes.dedup();
        for code in codes {
            out.entry(code).or_default().push(s.trial_name());
        }
    }
    out
}

fn collect_codes_deep(value: &Value, out: &mut Vec<u32>) {
    match value {
        Value::Object(map) => {
            collect_codes(value, out);
            map.values().for_each(|v| collect_codes_deep(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_codes_deep(v, out)),
        _ => {}
    }
}

fn collect_codes(res: &Value, out: &mut Vec<u32>) {
    if let Some(code) = res.get("error").and_then(Value::as_u64) {
        if (1..=12).contains(&code) {
            out.push(code as u32);
        }
    }
}

/// The Markdown text of `docs/spec-coverage.md`.
pub fn render(scenarios: &[LoadedScenario]) -> String {
    let mut md = String::new();
    md.push_str("# Spec coverage\n\n");
    md.push_str(
        "Generated from `scenarios/` by the runner's tests: do not edit by hand; \
         regenerate with `UPDATE_COVERAGE=1 cargo test -p runner --lib coverage`.\n\n",
    );
    md.push_str(
        "Rule ids and sources are those of [`behaviour.md`](behaviour.md); a `fail` on a \
         scenario rests on the sources of the rules it names.\n\n",
    );
    md.push_str(
        "## Rules\n\nA profile's column counts the scenarios of the rule that apply \
         under that profile (`docs/profiles.md`).\n\n| rule | source | scenarios |",
    );
    for profile in Profile::ALL {
        let _ = write!(md, " {profile} |");
    }
    md.push_str("\n| --- | --- | --- |");
    md.push_str(&" --- |".repeat(Profile::ALL.len()));
    md.push('\n');
    for rule in rule_ids() {
        let source = spec::source_tags(rule).join(" ");
        let tests: Vec<String> = rule_tests(rule).iter().map(|t| format!("`{t}`")).collect();
        let tests = if tests.is_empty() {
            String::new()
        } else {
            format!("; tests: {}", tests.join(", "))
        };
        if spec::RUN_LEVEL_RULES.contains(rule) {
            let columns = " run |".repeat(Profile::ALL.len());
            let _ = writeln!(
                md,
                "| `{rule}` | {source} | the run as a whole: every scenario's options, folded into the implementation's profile{tests} |{columns}"
            );
            continue;
        }
        let of_rule: Vec<&LoadedScenario> = scenarios
            .iter()
            .filter(|s| s.scenario.spec.iter().any(|r| r.as_str() == *rule))
            .collect();
        let names: Vec<String> = of_rule
            .iter()
            .map(|s| format!("`{}`", s.trial_name()))
            .collect();
        if TRACE_RULES.contains(rule) {
            let every: String = Profile::ALL
                .iter()
                .map(|p| {
                    let applies = scenarios
                        .iter()
                        .filter(|s| not_applicable(&s.scenario, *p).is_none())
                        .count();
                    format!(" {applies} |")
                })
                .collect();
            let about = if names.is_empty() {
                String::new()
            } else {
                format!("; about it: {}", names.join(", "))
            };
            let _ = writeln!(
                md,
                "| `{rule}` | {source} | every trace of every scenario (`verdict::invariants`){about}{tests} |{every}"
            );
            continue;
        }
        let columns: String = Profile::ALL
            .iter()
            .map(|p| {
                let applies = of_rule
                    .iter()
                    .filter(|s| not_applicable(&s.scenario, *p).is_none())
                    .count();
                format!(" {applies} |")
            })
            .collect();
        let cell = if names.is_empty() && tests.is_empty() {
            "**none**".to_string()
        } else {
            format!("{}{tests}", names.join(", "))
        };
        let _ = writeln!(md, "| `{rule}` | {source} | {cell} |{columns}");
    }
    md.push_str(
        "\n## [impl-defined] rules and their options\n\nEach scenario below has one golden trace \
         per combination of the options of the rules it names; the first option is the reference's.\n\n\
         | rule | options | scenarios |\n| --- | --- | --- |\n",
    );
    for rule in spec::OPTION_RULES {
        let names: Vec<String> = scenarios
            .iter()
            .filter(|s| s.scenario.options.iter().any(|r| r.as_str() == rule.id))
            .map(|s| format!("`{}`", s.trial_name()))
            .collect();
        let options: Vec<String> = rule.options.iter().map(|o| format!("`{o}`")).collect();
        let cell = if names.is_empty() {
            "**none**".to_string()
        } else {
            names.join(", ")
        };
        let _ = writeln!(md, "| `{}` | {} | {cell} |", rule.id, options.join(", "));
    }
    md.push_str("\n## Error codes\n\nA scenario counts for a code when one of its `expect` items asserts `error: N` or one of its golden traces shows it.\n\n");
    md.push_str("| code | meaning | rules | scenarios |\n| --- | --- | --- | --- |\n");
    let by_code = scenarios_by_code(scenarios);
    for error_code in ERROR_CODES {
        let (code, meaning, rules) = (error_code.code(), error_code.meaning(), error_code.rules());
        let names = by_code
            .get(&code)
            .map(|v| {
                v.iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "**none**".into());
        let rules = rules
            .iter()
            .map(|r| format!("`{r}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(md, "| {code} | {meaning} | {rules} | {names} |");
    }
    render_profiles(&mut md, scenarios);
    let _ = writeln!(md, "\n{} scenarios.", scenarios.len());
    md
}

/// Per profile: how many scenarios apply, and each one that does not,
/// with the reason.
fn render_profiles(md: &mut String, scenarios: &[LoadedScenario]) {
    md.push_str("\n## Profiles\n\n| profile | scenarios that apply | not applicable |\n| --- | --- | --- |\n");
    for profile in Profile::ALL {
        let out = scenarios
            .iter()
            .filter(|s| not_applicable(&s.scenario, profile).is_some())
            .count();
        let _ = writeln!(md, "| {profile} | {} | {out} |", scenarios.len() - out);
    }
    for profile in Profile::ALL {
        let _ = writeln!(md, "\n### Not applicable under {profile}\n");
        let mut any = false;
        for s in scenarios {
            if let Some(reason) = not_applicable(&s.scenario, profile) {
                any = true;
                let reason = reason
                    .strip_prefix(&format!("not in profile {profile}: "))
                    .unwrap_or(&reason)
                    .replace('|', "\\|");
                let _ = writeln!(md, "- `{}`: {reason}", s.trial_name());
            }
        }
        if !any {
            md.push_str("(none)\n");
        }
    }
}
