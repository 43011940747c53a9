//! The suite's power: every mutant of the reference implementation
//! (`reference_impl::Mutant::every()`, each a realistic bug) must be caught
//! by at least one scenario, or, for a mutant that takes two options of one
//! [impl-defined] rule, by the run's `options.consistent` check. Each
//! mutant runs under its profile (`Mutant::profile`: the default, or
//! `wechat` for a bug only a `wx` face has). Prints mutant → killing
//! scenarios and the kill rate; anything below 100% fails.

use runner::{run_suite, AdapterSpec, Status, SuiteOptions};

/// Mutant runs at once (each runs 4 scenarios at once); the scenarios
/// mostly wait on the network and timers, so this stays light on 2 cores.
const MUTANTS_AT_ONCE: usize = 3;

#[test]
fn every_mutant_is_caught_by_at_least_one_scenario() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let rows = runtime.block_on(async {
        let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(MUTANTS_AT_ONCE));
        let mut runs = tokio::task::JoinSet::new();
        for (index, mutant) in reference_impl::Mutant::every().enumerate() {
            let limit = std::sync::Arc::clone(&limit);
            runs.spawn(async move {
                let _permit = limit.acquire_owned().await.unwrap();
                let options = SuiteOptions::new(AdapterSpec::Reference {
                    mutant: Some(mutant.name().to_string()),
                    variants: Vec::new(),
                })
                .with_jobs(4)
                .with_profile(mutant.profile());
                let result = run_suite(options, |_| {}).await.expect("the suite runs");
                let mut killers: Vec<String> = result
                    .scenarios
                    .iter()
                    .filter(|s| !matches!(s.status, Status::Pass | Status::NotApplicable))
                    .map(|s| s.id.clone())
                    .collect();
                killers.extend(
                    result
                        .options
                        .iter()
                        .filter(|e| e.is_inconsistent())
                        .map(|e| format!("options.consistent ({})", e.describe())),
                );
                (index, mutant.name(), mutant.rule(), killers)
            });
        }
        let mut rows = Vec::new();
        while let Some(row) = runs.join_next().await {
            rows.push(row.unwrap());
        }
        rows.sort_by_key(|r| r.0);
        rows.into_iter()
            .map(|(_, n, r, k)| (n, r, k))
            .collect::<Vec<_>>()
    });
    let killed = rows.iter().filter(|(_, _, k)| !k.is_empty()).count();
    println!("{:<34} {:<28} killing scenarios", "mutant", "rule");
    for (name, rule, killers) in &rows {
        let shown = if killers.is_empty() {
            "SURVIVED".to_string()
        } else if killers.len() > 4 {
            format!("{} (+{} more)", killers[..4].join(", "), killers.len() - 4)
        } else {
            killers.join(", ")
        };
        println!("{name:<34} {rule:<28} {shown}");
    }
    let rate = 100.0 * killed as f64 / rows.len() as f64;
    println!("kill rate: {killed}/{} = {rate:.1}%", rows.len());
    let survivors: Vec<&str> = rows
        .iter()
        .filter(|(_, _, k)| k.is_empty())
        .map(|(n, _, _)| *n)
        .collect();
    assert!(
        survivors.is_empty(),
        "kill rate {rate:.1}% < 100%: survivors {survivors:?}"
    );
}
