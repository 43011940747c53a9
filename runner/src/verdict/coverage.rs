//! `docs/spec-coverage.md`: which scenarios cover each rule id and each
//! error code, generated from the scenarios.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::scenario::loader::LoadedScenario;
use crate::scenario::model::{Expectation, Step};
use crate::scenario::profile::{not_applicable, Profile};
use crate::verdict::golden;
use spec::{rule_ids, ERROR_CODES};

/// The rule ids no scenario names in `spec`.
pub fn uncovered_rules(scenarios: &[LoadedScenario]) -> Vec<&'static str> {
    rule_ids()
        .iter()
        .copied()
        .filter(|rule| !spec::RUN_LEVEL_RULES.contains(rule))
        .filter(|rule| {
            !scenarios
                .iter()
                .any(|s| s.scenario.spec.iter().any(|r| r.as_str() == *rule))
        })
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
        if spec::RUN_LEVEL_RULES.contains(rule) {
            let columns = " run |".repeat(Profile::ALL.len());
            let _ = writeln!(
                md,
                "| `{rule}` | {source} | the run as a whole: every scenario's options, folded into the implementation's profile |{columns}"
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
        let cell = if names.is_empty() {
            "**none**".to_string()
        } else {
            names.join(", ")
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
