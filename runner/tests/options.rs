//! Verdicts that hold for every reading of the sources.
//!
//! - The reference passes every scenario, and its profile names its own
//!   option (the first) of every [impl-defined] rule.
//! - Every variant of the reference (another conforming option of one rule,
//!   `reference_impl::Variant::ALL`) passes every scenario, and the run's
//!   profile names that option.
//! - An implementation that answers every request and never calls back
//!   fails every scenario that expects a callback or an event: no marking
//!   hides a difference.
//! - Every scenario has a golden trace for every combination of the options
//!   of the rules it names.

use runner::verdict::golden;
use runner::{load_dir, run_suite, scenarios_dir, AdapterSpec, RunReport, Status, SuiteOptions};

/// Variant runs at once (each runs 8 scenarios at once); the scenarios
/// mostly wait on the network and timers, so this stays light on 2 cores.
const RUNS_AT_ONCE: usize = 2;

/// The tests of this file that run whole suites take turns: together they
/// would load 2 cores enough to stretch the scenarios' own timings.
static ONE_SUITE_TEST_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    ONE_SUITE_TEST_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// What is wrong with a run that should pass with `expected` options:
/// scenarios that did not pass, and rules whose option is not the
/// expected one.
fn problems(result: &RunReport, expected: &[(&str, &str)]) -> Vec<String> {
    let mut out: Vec<String> = result
        .scenarios
        .iter()
        .filter(|s| !matches!(s.status, Status::Pass | Status::NotApplicable))
        .map(|s| {
            format!(
                "{} {}: {}",
                s.status,
                s.id,
                s.headline().unwrap_or_default()
            )
        })
        .collect();
    for (rule, option) in expected {
        let entry = result.options.iter().find(|e| e.rule == *rule);
        let shown = entry.map(|e| e.describe()).unwrap_or_default();
        if entry.and_then(|e| e.option()) != Some(option) {
            out.push(format!("profile: expected {rule} = {option}, got {shown}"));
        }
    }
    out
}

#[test]
fn the_reference_passes_every_scenario_and_its_profile_names_its_own_options() {
    let _turn = turn();
    let result = runtime()
        .block_on(run_suite(
            SuiteOptions::new(AdapterSpec::reference()).with_jobs(8),
            |_| {},
        ))
        .expect("the suite runs");
    let expected: Vec<(&str, &str)> = spec::OPTION_RULES
        .iter()
        .map(|r| (r.id, r.reference_option()))
        .collect();
    let problems = problems(&result, &expected);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(result.is_compliant());
}

#[test]
fn every_variant_passes_every_scenario_with_its_option_named() {
    let _turn = turn();
    let rows = runtime().block_on(async {
        let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(RUNS_AT_ONCE));
        let mut runs = tokio::task::JoinSet::new();
        for variant in reference_impl::Variant::ALL.iter().copied() {
            let limit = std::sync::Arc::clone(&limit);
            runs.spawn(async move {
                let _permit = limit.acquire_owned().await.expect("the semaphore is open");
                // A variant runs under the first profile, the default
                // first, that leaves its rule open or fixes it to the
                // variant's option (`error.1.network.code=50`: under
                // `alipay-current`).
                let profile = runner::Profile::ALL
                    .into_iter()
                    .find(|p| {
                        p.fixed_option(variant.rule())
                            .is_none_or(|fixed| fixed == variant.option())
                    })
                    .expect("a profile leaves each variant's option open");
                let options = SuiteOptions::new(AdapterSpec::Reference {
                    mutant: None,
                    variants: vec![variant.to_string()],
                })
                .with_jobs(8)
                .with_profile(profile);
                let result = run_suite(options, |_| {}).await.expect("the suite runs");
                let found = problems(&result, &[(variant.rule(), variant.option())]);
                (variant.to_string(), found)
            });
        }
        let mut rows = Vec::new();
        while let Some(row) = runs.join_next().await {
            rows.push(row.expect("a variant run"));
        }
        rows.sort();
        rows
    });
    for (variant, found) in &rows {
        println!(
            "{variant:<40} {}",
            if found.is_empty() { "passes" } else { "FAILS" }
        );
    }
    let failing: Vec<String> = rows
        .into_iter()
        .filter(|(_, found)| !found.is_empty())
        .map(|(variant, found)| format!("{variant}:\n  {}", found.join("\n  ")))
        .collect();
    assert!(failing.is_empty(), "{}", failing.join("\n"));
}

/// Every variant names a rule and an option of `docs/behaviour.md`'s table,
/// and every option but the reference's has a variant, except those the
/// reference cannot take (their goldens are written by hand).
#[test]
fn the_variants_are_the_options_of_the_normative_table() {
    const WITHOUT_VARIANT: [&str; 1] = ["connect.data.nested=other"];
    for variant in reference_impl::Variant::ALL {
        let rule = spec::option_rule(variant.rule())
            .unwrap_or_else(|| panic!("{variant}: no such [impl-defined] rule"));
        assert!(
            rule.options[1..].contains(&variant.option()),
            "{variant}: not a non-reference option of {}",
            rule.id
        );
    }
    for rule in spec::OPTION_RULES {
        for option in &rule.options[1..] {
            let name = format!("{}={option}", rule.id);
            let has = reference_impl::Variant::ALL
                .iter()
                .any(|v| v.to_string() == name);
            assert!(
                has || WITHOUT_VARIANT.contains(&name.as_str()),
                "{name}: no variant of the reference takes it"
            );
        }
    }
}

#[test]
fn every_combination_of_options_has_a_golden_trace() {
    let scenarios = load_dir(&scenarios_dir()).expect("the scenarios load");
    let mut missing = Vec::new();
    for profile in runner::Profile::ALL {
        for s in &scenarios {
            if runner::scenario::profile::not_applicable(&s.scenario, profile).is_some() {
                continue;
            }
            if let Err(e) = golden::read_goldens_in(s, profile) {
                missing.push(format!("{profile}: {e}"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// An adapter that answers every request and never calls back.
const DO_NOTHING: &str = r#"
const rl = require('readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const req = JSON.parse(line);
  const result = req.op === 'hello'
    ? { name: 'do-nothing', version: '0', protocol: 1, unsupported: [] }
    : req.op === 'call' ? { returned: null } : {};
  process.stdout.write(JSON.stringify({ id: req.id, ok: true, result }) + '\n');
  if (req.op === 'shutdown') process.exit(0);
});
"#;

#[test]
fn an_implementation_that_never_calls_back_fails_every_scenario_that_expects_a_callback() {
    let _turn = turn();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let script = dir.path().join("do-nothing.js");
    std::fs::write(&script, DO_NOTHING).expect("the script is written");
    let command = format!("node {}", script.display());
    let result = runtime()
        .block_on(run_suite(
            SuiteOptions::new(AdapterSpec::Command(command)).with_jobs(16),
            |_| {},
        ))
        .expect("the suite runs");
    // The scenarios whose golden trace holds a callback or an event: an
    // entry of a client lane other than a call's `returned`.
    let scenarios = load_dir(&scenarios_dir()).expect("the scenarios load");
    let expects_something = |trial: &str| {
        let s = scenarios
            .iter()
            .find(|s| s.trial_name() == trial)
            .expect("a scenario of the run");
        let Ok(golden) = golden::read_golden(s) else {
            return false;
        };
        golden["client"]
            .as_object()
            .into_iter()
            .flat_map(|lanes| lanes.values())
            .filter_map(|lane| lane.as_array())
            .flatten()
            .any(|entry| {
                entry.as_object().is_some_and(|e| {
                    e.values()
                        .any(|v| v != "returned" && v.get("returned").is_none())
                })
            })
    };
    let not_failed: Vec<String> = result
        .scenarios
        .iter()
        .filter(|s| s.status != Status::NotApplicable)
        .filter(|s| expects_something(&s.id))
        .filter(|s| s.status != Status::Fail)
        .map(|s| format!("{} {}", s.status, s.id))
        .collect();
    assert!(
        not_failed.is_empty(),
        "scenarios a do-nothing implementation did not fail:\n{}",
        not_failed.join("\n")
    );
    assert!(!result.is_compliant());
    // Events that never come are not waited for in full again and again:
    // once a kind has been missed in a few scenarios, later awaits for it
    // are cut short, and say so.
    let cut = result
        .scenarios
        .iter()
        .filter(|s| {
            s.message
                .as_deref()
                .is_some_and(|m| m.contains("cut short"))
        })
        .count();
    assert!(
        cut * 2 > result.scenarios.len(),
        "only {cut} of {} scenarios were cut short",
        result.scenarios.len()
    );
}
