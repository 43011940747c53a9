//! Failures under the rule they break: a reference mutant that breaks one
//! of the rules every trace keeps (`runner::verdict::invariants`) fails
//! every scenario it fails under that rule, whatever rules the scenario
//! names; and the run-level rule `options.consistent` acts on a mutant
//! that takes two options of one [impl-defined] rule.

use reference_impl::Mutant;
use runner::{run_suite, AdapterSpec, RunReport, Status, SuiteOptions};

/// Runs every scenario against the reference with `mutant`.
async fn run_mutant(mutant: Mutant) -> RunReport {
    let options = SuiteOptions::new(AdapterSpec::Reference {
        mutant: Some(mutant.name().to_string()),
        variants: Vec::new(),
    })
    .with_jobs(4);
    run_suite(options, |_| {}).await.expect("the suite runs")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The mutants that break a rule every trace keeps, each with that rule
/// (`Mutant::rule`): every scenario each fails must be reported under it.
const BREAKING_TRACE_RULES: [Mutant; 4] = [
    // `success` (and every callback decided inside a call) run inside
    // `connectSocket` and the other calls, before they return.
    Mutant::CallbackInsideCall,
    // `onClose` twice.
    Mutant::CloseFiredTwice,
    // `complete` before `success` / `fail`.
    Mutant::CompleteBeforeSuccess,
    // `onError` 6 from a connect timer left running, behind `onClose`.
    Mutant::ConnectTimerNotCleared,
];

#[test]
fn a_mutant_breaking_a_trace_rule_fails_every_scenario_under_that_rule() {
    let runtime = runtime();
    let mut problems = Vec::new();
    for mutant in BREAKING_TRACE_RULES {
        let rule = mutant.rule();
        let report = runtime.block_on(run_mutant(mutant));
        let failed: Vec<_> = report
            .scenarios
            .iter()
            .filter(|s| s.status == Status::Fail)
            .collect();
        println!("{mutant} ({rule}): {} failing scenarios", failed.len());
        if failed.is_empty() {
            problems.push(format!("{mutant}: no scenario fails"));
        }
        for s in failed {
            if s.broken_rule.as_deref() != Some(rule) {
                problems.push(format!(
                    "{mutant}: {} fails under {:?}, not `{rule}`: {}",
                    s.id,
                    s.broken_rule,
                    s.headline().unwrap_or_default()
                ));
            } else if !s
                .first_difference
                .as_deref()
                .is_some_and(|f| f.starts_with(&format!("breaks `{rule}`: ")))
            {
                problems.push(format!(
                    "{mutant}: {}: the first difference does not name `{rule}`: {:?}",
                    s.id, s.first_difference
                ));
            }
        }
        // The views per rule count the failures under that rule.
        let row = report::rule_rows(&report)
            .into_iter()
            .find(|r| r.rule == rule)
            .unwrap();
        let fails = report
            .scenarios
            .iter()
            .filter(|s| s.status == Status::Fail)
            .count();
        if row.counts.fail != fails {
            problems.push(format!(
                "{mutant}: the row of `{rule}` counts {} failures of {fails}",
                row.counts.fail
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// rule: options.consistent (run level: a test makes it act, not a scenario)
#[test]
fn a_mutant_with_two_options_of_one_rule_breaks_options_consistent() {
    let report = runtime().block_on(run_mutant(Mutant::OutcomeSettledForTasksOnly));
    let inconsistent: Vec<_> = report
        .options
        .iter()
        .filter(|e| e.is_inconsistent())
        .map(|e| e.rule.as_str())
        .collect();
    assert_eq!(inconsistent, ["connect.outcome"], "{:#?}", report.options);
    assert!(!report.is_compliant());
    // Each scenario matched one of its options: none of them fails.
    let failed: Vec<_> = report
        .scenarios
        .iter()
        .filter(|s| s.status.is_failure())
        .map(|s| s.id.as_str())
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
}
