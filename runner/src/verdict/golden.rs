//! The golden check: a scenario's normalised trace against its snapshot
//! `scenarios/<area>/snapshots/<id>.snap`, the oracle for every
//! implementation.
//!
//! Under a profile other than the default (`docs/profiles.md`), a
//! scenario's golden of one combination is
//! `snapshots/<id>@<profile>[+rule=option…].snap` where the profile's
//! trace differs from the default's, and the default's golden of the same
//! combination where it does not. A profile that fixes a rule's option
//! (`spec::Profile::fixed_options`) has only that option's golden.
//!
//! A snapshot is insta's format: a header block between two `---` lines,
//! then the trace as YAML. Both sides are compared as data (so quoting
//! and layout do not matter) and, when they differ, shown as a unified
//! diff of their YAML renderings.

use std::path::{Path, PathBuf};

use serde_json::Value;

use report::OptionChoice;

use crate::scenario::embedded;
use crate::scenario::loader::LoadedScenario;
use crate::scenario::model::Scenario;
use crate::scenario::profile::Profile;

/// Why a snapshot could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GoldenError {
    /// There is no snapshot (a new scenario: accept one with insta).
    #[error("{path}: no golden snapshot; write one with `INSTA_UPDATE=always cargo test -p runner --test conformance -- --exact reference@alipay-2022-09::{trial}` and review it")]
    Missing {
        /// Where it should be.
        path: PathBuf,
        /// The in-process trial that writes it.
        trial: String,
    },
    /// The file could not be read.
    #[error("{path}: cannot read the golden snapshot")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an insta snapshot of YAML.
    #[error("{path}: not a golden snapshot: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// One combination of options of a scenario's [impl-defined] rules: one
/// option for each rule the scenario names in `options`, in that order.
pub type Combination = Vec<OptionChoice>;

/// Every combination of options of the scenario's `options` rules, the
/// reference's (every first option) first. A scenario that names no rule
/// has one, empty, combination.
pub fn combinations(scenario: &Scenario) -> Vec<Combination> {
    combinations_in(scenario, Profile::default())
}

/// [`combinations`] under `profile`: a rule whose option the profile
/// fixes has only that option.
pub fn combinations_in(scenario: &Scenario, profile: Profile) -> Vec<Combination> {
    let mut out: Vec<Combination> = vec![Vec::new()];
    for rule in &scenario.options {
        let rule = rule.rule();
        let options: Vec<&'static str> = match profile.fixed_option(rule.id) {
            Some(fixed) => vec![fixed],
            None => rule.options.to_vec(),
        };
        out = out
            .into_iter()
            .flat_map(|combo| {
                options.clone().into_iter().map(move |option| {
                    let mut next = combo.clone();
                    next.push(OptionChoice {
                        rule: rule.id.to_string(),
                        option: option.to_string(),
                    });
                    next
                })
            })
            .collect();
    }
    out
}

/// The snapshot name of a combination: the scenario id, then `+rule=option`
/// for each choice that is not the reference's (`close-drop+close.drop-error=close-only`).
pub fn snapshot_name(id: &str, combination: &[OptionChoice]) -> String {
    let mut name = id.to_string();
    for choice in combination {
        let reference = spec::option_rule(&choice.rule).map(|r| r.reference_option());
        if reference != Some(choice.option.as_str()) {
            name.push('+');
            name.push_str(&choice.to_string());
        }
    }
    name
}

/// The snapshot name of a combination under `profile`: `<id>@<profile>`
/// then the choices as in [`snapshot_name`]; the default profile's is
/// [`snapshot_name`]'s.
pub fn snapshot_name_in(id: &str, profile: Profile, combination: &[OptionChoice]) -> String {
    if profile.is_default() {
        return snapshot_name(id, combination);
    }
    snapshot_name(&format!("{id}@{profile}"), combination)
}

/// The snapshot file of a scenario under one combination of options.
pub fn snapshot_path_for(scenario: &LoadedScenario, combination: &[OptionChoice]) -> PathBuf {
    snapshot_path_in(scenario, Profile::default(), combination)
}

/// The profile's own snapshot file of a scenario under one combination
/// (it may not exist: see [`read_goldens_in`]).
pub fn snapshot_path_in(
    scenario: &LoadedScenario,
    profile: Profile,
    combination: &[OptionChoice],
) -> PathBuf {
    scenario
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .join("snapshots")
        .join(format!(
            "{}.snap",
            snapshot_name_in(&scenario.scenario.id, profile, combination)
        ))
}

/// The snapshot file of a scenario under the reference's options.
pub fn snapshot_path(scenario: &LoadedScenario) -> PathBuf {
    snapshot_path_for(scenario, &[])
}

/// One golden trace of a scenario: the trace every implementation that
/// takes `combination` must produce.
#[derive(Debug, Clone)]
pub struct Golden {
    /// The options it stands for.
    pub combination: Combination,
    /// Its file.
    pub path: PathBuf,
    /// The trace, as data.
    pub trace: Value,
}

/// Every golden trace of a scenario, one per combination of options; a
/// missing one is an error (the suite cannot judge that option).
pub fn read_goldens(scenario: &LoadedScenario) -> Result<Vec<Golden>, GoldenError> {
    read_goldens_in(scenario, Profile::default())
}

/// Every golden trace of a scenario under `profile`, one per combination
/// of the options it leaves open: the profile's own file where there is
/// one, else the default profile's of that combination.
pub fn read_goldens_in(
    scenario: &LoadedScenario,
    profile: Profile,
) -> Result<Vec<Golden>, GoldenError> {
    combinations_in(&scenario.scenario, profile)
        .into_iter()
        .map(|combination| {
            let own = snapshot_path_in(scenario, profile, &combination);
            let path = if embedded::exists(&own) || profile.is_default() {
                own
            } else {
                snapshot_path_for(scenario, &combination)
            };
            let trace = read_snapshot(&path, scenario)?;
            Ok(Golden {
                combination,
                path,
                trace,
            })
        })
        .collect()
}

/// The golden trace of a scenario under the reference's options, as data.
pub fn read_golden(scenario: &LoadedScenario) -> Result<Value, GoldenError> {
    read_snapshot(&snapshot_path(scenario), scenario)
}

fn read_snapshot(path: &Path, scenario: &LoadedScenario) -> Result<Value, GoldenError> {
    let path = path.to_path_buf();
    let text = match embedded::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(GoldenError::Missing {
                path,
                trial: scenario.trial_name(),
            })
        }
        Err(source) => return Err(GoldenError::Io { path, source }),
    };
    parse_snapshot(&text).map_err(|message| GoldenError::Malformed { path, message })
}

/// How a trace stands against a scenario's golden traces.
#[derive(Debug, Clone)]
pub enum GoldenVerdict {
    /// It equals the golden traces of these combinations (at least one).
    Matches(Vec<Combination>),
    /// It equals none; `closest` is the golden with the smallest diff.
    Differs {
        /// The closest golden's options.
        combination: Combination,
        /// Its file.
        path: PathBuf,
        /// The diff from it to the trace.
        diff: String,
    },
}

/// Compares a trace with every golden of its scenario.
pub fn judge_trace(goldens: &[Golden], actual: &Value) -> GoldenVerdict {
    let mut matched = Vec::new();
    let mut closest: Option<(usize, &Golden, String)> = None;
    for golden in goldens {
        match compare(&golden.trace, actual) {
            None => matched.push(golden.combination.clone()),
            Some(diff) => {
                let size = diff
                    .lines()
                    .filter(|l| l.starts_with('+') || l.starts_with('-'))
                    .count();
                if closest.as_ref().is_none_or(|(best, _, _)| size < *best) {
                    closest = Some((size, golden, diff));
                }
            }
        }
    }
    // A golden that pins the trace exactly says more than one that leaves a
    // part open with `<any>`: where both match, the exact one names the option.
    let exact: Vec<Combination> = goldens
        .iter()
        .filter(|g| matched.contains(&g.combination) && !holds_any(&g.trace))
        .map(|g| g.combination.clone())
        .collect();
    if !exact.is_empty() {
        matched = exact;
    }
    match closest {
        Some((_, golden, diff)) if matched.is_empty() => GoldenVerdict::Differs {
            combination: golden.combination.clone(),
            path: golden.path.clone(),
            diff,
        },
        _ => GoldenVerdict::Matches(matched),
    }
}

/// Whether a golden leaves some part open with [`ANY`].
fn holds_any(value: &Value) -> bool {
    match value {
        Value::String(s) => s == ANY,
        Value::Array(items) => items.iter().any(holds_any),
        Value::Object(map) => map.values().any(holds_any),
        _ => false,
    }
}

/// The options a set of matching combinations shows: for each rule, its
/// option when every matching combination agrees on it (a rule whose
/// options all match is not distinguished by this trace, so not observed).
pub fn observed_options(matched: &[Combination]) -> Vec<OptionChoice> {
    let Some(first) = matched.first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|choice| {
            matched
                .iter()
                .all(|combo| combo.iter().any(|c| c == *choice))
        })
        .cloned()
        .collect()
}

/// The content of an insta snapshot (after its `---` header block), as data.
pub fn parse_snapshot(text: &str) -> Result<Value, String> {
    let body = match text.strip_prefix("---\n") {
        Some(rest) => match rest.find("\n---\n") {
            Some(end) => &rest[end + 5..],
            None => return Err("the header block has no closing `---`".into()),
        },
        None => text,
    };
    serde_yaml::from_str(body).map_err(|e| format!("the trace is not YAML: {e}"))
}

/// The trace as the harness serialises it (YAML).
pub fn render(trace: &Value) -> String {
    serde_yaml::to_string(trace).unwrap_or_else(|e| format!("<unserialisable trace: {e}>"))
}

/// What a golden leaves open: the value `<any>` in a golden stands for any
/// value (an option whose form no source fixes, e.g. `connect.data.nested`
/// option `other`).
pub const ANY: &str = "<any>";

/// The name under which a payload lists the fields an implementation adds
/// beyond the documented ones: shown in a trace, never compared.
pub const EXTRA: &str = "extra";

/// `None` when `actual` is the golden trace; otherwise a unified diff from
/// the golden (`-`) to the actual (`+`) trace. Fields under [`EXTRA`] are
/// not compared, and [`ANY`] in the golden matches anything.
pub fn compare(golden: &Value, actual: &Value) -> Option<String> {
    // Compare as YAML data, as the snapshot holds it.
    let actual: Value = serde_yaml::from_str(&render(actual)).unwrap_or_else(|_| actual.clone());
    let golden = comparable(golden, None);
    let actual = comparable(&actual, Some(&golden));
    if golden == actual {
        return None;
    }
    let (expected, got) = (render(&golden), render(&actual));
    let diff = similar::TextDiff::from_lines(&expected, &got);
    Some(
        diff.unified_diff()
            .context_radius(3)
            .header("golden", "actual")
            .to_string(),
    )
}

/// `value` without its [`EXTRA`] fields, and, where `golden` says [`ANY`],
/// with [`ANY`] in place of what it holds.
fn comparable(value: &Value, golden: Option<&Value>) -> Value {
    if golden.and_then(Value::as_str) == Some(ANY) {
        return Value::String(ANY.to_string());
    }
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != EXTRA)
                .map(|(k, v)| (k.clone(), comparable(v, golden.and_then(|g| g.get(k)))))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| comparable(v, golden.and_then(|g| g.get(i))))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The first changed lines of a diff (for one-line summaries).
pub fn first_difference(diff: &str) -> String {
    let mut lines = diff.lines().filter(|l| {
        (l.starts_with('-') || l.starts_with('+')) && !l.starts_with("---") && !l.starts_with("+++")
    });
    let first: Vec<&str> = lines.by_ref().take(2).collect();
    first.join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_header_is_skipped_and_its_trace_read_as_data() {
        let text =
            "---\nsource: x\ndescription: \"a: b\"\n---\nclient:\n  my:\n    - c1: returned\n";
        let v = parse_snapshot(text).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"client": {"my": [{"c1": "returned"}]}})
        );
    }

    #[test]
    fn a_difference_is_a_unified_diff() {
        let golden = serde_json::json!({"client": {"my": [{"c1": "returned"}, {"my.close@C": {"code": 4000}}]}});
        let actual = serde_json::json!({"client": {"my": [{"c1": "returned"}, {"my.close@C": {"code": 1006}}]}});
        assert_eq!(compare(&golden, &golden), None);
        let diff = compare(&golden, &actual).unwrap();
        assert!(
            diff.contains("-      code: 4000") && diff.contains("+      code: 1006"),
            "{diff}"
        );
        assert_eq!(
            first_difference(&diff),
            "-      code: 4000 / +      code: 1006"
        );
    }

    #[test]
    fn extra_fields_are_never_compared_and_any_matches_anything() {
        let golden =
            serde_json::json!({"client": {"my": [{"c1.fail": {"error": 3, "q": "<any>"}}]}});
        let actual = serde_json::json!({"client": {"my": [{"c1.fail": {"error": 3, "q": {"a": 1}, "extra": {"errMsg": "x"}}}]}});
        assert_eq!(compare(&golden, &actual), None);
        let wrong = serde_json::json!({"client": {"my": [{"c1.fail": {"error": 4, "q": 1}}]}});
        assert!(compare(&golden, &wrong).is_some());
    }

    fn choice(text: &str) -> OptionChoice {
        OptionChoice::parse(text).unwrap()
    }

    #[test]
    fn a_snapshot_name_lists_only_the_choices_that_are_not_the_references() {
        let combo = [
            choice("connect.outcome=accepted"),
            choice("connect.failure-close=silent"),
        ];
        assert_eq!(snapshot_name("x", &combo), "x+connect.failure-close=silent");
        assert_eq!(snapshot_name("x", &combo[..1]), "x");
    }

    #[test]
    fn a_profile_golden_is_named_with_the_profile_and_a_fixed_option_has_one_golden() {
        let combo = [choice("connect.outcome=settled")];
        assert_eq!(
            snapshot_name_in("x", Profile::WECHAT, &combo),
            "x@wechat+connect.outcome=settled"
        );
        assert_eq!(
            snapshot_name_in("x", Profile::ALIPAY_CURRENT, &[]),
            "x@alipay-current"
        );
        assert_eq!(
            snapshot_name_in("x", Profile::ALIPAY_2022_09, &combo),
            "x+connect.outcome=settled"
        );
        let text = "id: x\ntitle: t\nspec: [connect.wss-only]\noptions: [connect.wss-only.code, connect.outcome]\nsteps: []\n";
        let s = crate::scenario::loader::parse_scenario(Path::new("x.yaml"), text).unwrap();
        assert_eq!(combinations(&s).len(), 4);
        let current = combinations_in(&s, Profile::ALIPAY_CURRENT);
        assert_eq!(current.len(), 2);
        assert!(current
            .iter()
            .all(|c| c.contains(&choice("connect.wss-only.code=20"))));
        // Its golden under alipay-current falls back to the default's of
        // that combination, which names the option.
        assert_eq!(
            snapshot_name("x", &current[0]),
            "x+connect.wss-only.code=20"
        );
    }

    #[test]
    fn observed_options_are_those_every_match_agrees_on() {
        let a = vec![
            choice("connect.outcome=accepted"),
            choice("connect.failure-close=fired"),
        ];
        let b = vec![
            choice("connect.outcome=accepted"),
            choice("connect.failure-close=silent"),
        ];
        assert_eq!(observed_options(std::slice::from_ref(&a)), a);
        assert_eq!(
            observed_options(&[a, b]),
            vec![choice("connect.outcome=accepted")]
        );
        assert!(observed_options(&[]).is_empty());
    }
}
