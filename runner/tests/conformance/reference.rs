//! The reference rows: every scenario against the reference implementation
//! in process and the mock server, under the row's profile. A trial first
//! checks the scenario's inline expectations, then compares the normalised
//! trace with the golden snapshot `scenarios/<area>/snapshots/<id>.snap`
//! (insta). New or changed snapshots are reviewed with `cargo insta
//! review`; CI never writes them.
//!
//! Under a profile other than the default, a trial's golden is the
//! profile's own (`snapshots/<id>@<profile>[+rule=option].snap`) where
//! there is one, else the default's of the same combination; insta writes
//! the profile's own only when the trace differs from that fallback.
//!
//! `CONFORMANCE_PROFILE=<profile>` runs the first reference row under that
//! profile instead of the default.
//!
//! `CONFORMANCE_VARIANTS=rule=option,rule=option` runs the reference with
//! other conforming options (see `reference_impl::Variant`): each trial
//! then checks, and with `INSTA_UPDATE=always` writes, the golden trace of
//! that combination (`snapshots/<id>+rule=option.snap`) for the scenarios
//! that name the rule in `options`.
//!
//! `CONFORMANCE_MUTANT=<name>` runs the scenarios against a deliberately
//! broken reference implementation instead (see `reference_impl::Mutant`):
//! the `reference@…` trials that fail are the ones that catch that bug.

use std::sync::OnceLock;

use libtest_mimic::{Failed, Trial};
use mock_server::{MockServer, Options};
use report::OptionChoice;
use runner::execute::reference::{run_on_reference_in, Behaviour, Mutant, Variant, Variants};
use runner::scenario::profile::not_applicable;
use runner::verdict::golden;
use runner::{judge, LoadedScenario, Profile, Status};

use crate::Row;

/// What every reference row shares: one runtime, one mock server, and
/// what the reference runs (a mutant and variants; each row adds its
/// profile).
struct Env {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
    behaviour: Behaviour,
    /// The options the reference takes in this run: its variants.
    variants: Vec<OptionChoice>,
}

/// The profile `CONFORMANCE_PROFILE` names, else the default.
pub(crate) fn profile_from_env() -> Profile {
    std::env::var("CONFORMANCE_PROFILE")
        .ok()
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<Profile>()
                .unwrap_or_else(|e| panic!("CONFORMANCE_PROFILE: {e}"))
        })
        .unwrap_or_default()
}

/// One runtime and one mock server for the whole run, started by the first
/// trial that needs them (so `--list` starts nothing).
fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let server = runtime
            .block_on(MockServer::start(Options::default()))
            .expect("the mock server starts");
        let mutant = std::env::var("CONFORMANCE_MUTANT")
            .ok()
            .filter(|m| !m.is_empty())
            .map(|name| {
                name.parse::<Mutant>()
                    .unwrap_or_else(|e| panic!("CONFORMANCE_MUTANT: {e}"))
            });
        let variants: Vec<Variant> = std::env::var("CONFORMANCE_VARIANTS")
            .unwrap_or_default()
            .split(',')
            .filter(|v| !v.trim().is_empty())
            .map(|v| {
                v.trim()
                    .parse::<Variant>()
                    .unwrap_or_else(|e| panic!("CONFORMANCE_VARIANTS: {e}"))
            })
            .collect();
        let choices = variants
            .iter()
            .map(|v| OptionChoice {
                rule: v.rule().to_string(),
                option: v.option().to_string(),
            })
            .collect();
        let variants =
            Variants::new(variants).unwrap_or_else(|e| panic!("CONFORMANCE_VARIANTS: {e}"));
        Env {
            runtime,
            server,
            behaviour: Behaviour::mutant(mutant).with_variants(variants),
            variants: choices,
        }
    })
}

/// One trial per scenario under `row`'s profile.
pub(crate) fn trials(row: Row, scenarios: &[LoadedScenario]) -> Vec<Trial> {
    let prefix = row.prefix();
    scenarios
        .iter()
        .map(|s| {
            let ignored = not_applicable(&s.scenario, row.profile).is_some();
            let name = format!("{prefix}::{}", s.trial_name());
            let s = s.clone();
            Trial::test(name.clone(), move || run(&s, row.profile, &name))
                .with_ignored_flag(ignored)
        })
        .collect()
}

fn run(s: &LoadedScenario, profile: Profile, trial: &str) -> Result<(), Failed> {
    let env = env();
    let execution = env.runtime.block_on(run_on_reference_in(
        &s.scenario,
        &env.server,
        env.behaviour.clone().with_profile(profile),
        profile,
    ));
    // The combination of options this run of the reference takes for this
    // scenario's rules: its variant's where it has one, else the first.
    // A rule the profile fixes has only that option.
    let combination: Vec<OptionChoice> = golden::combinations_in(&s.scenario, profile)
        .into_iter()
        .find(|combo| {
            combo.iter().all(|choice| {
                if profile.fixed_option(&choice.rule).is_some() {
                    return true;
                }
                match env.variants.iter().find(|v| v.rule == choice.rule) {
                    Some(v) => v.option == choice.option,
                    None => {
                        spec::option_rule(&choice.rule).map(|r| r.reference_option())
                            == Some(choice.option.as_str())
                    }
                }
            })
        })
        .unwrap_or_default();
    let snapshot = golden::snapshot_name_in(&s.scenario.id, profile, &combination);
    let trace = execution.normalised();
    let trace_text = serde_yaml::to_string(&trace).unwrap_or_default();
    let rerun = format!("cargo test -p runner --test conformance -- --exact {trial}");
    // The suite's judge, strict as for the reference; a golden difference
    // (or a missing snapshot) is left to insta below, which shows the diff
    // and can write the snapshot for review.
    let result = judge(s, &execution);
    match result.status {
        // A pass must be a pass on this run's own combination, not on
        // another option's golden.
        Status::Pass if result.options.iter().all(|o| combination.contains(o)) => return Ok(()),
        Status::NotApplicable => {
            let why = result.message.unwrap_or_default();
            return Err(format!("not applicable to the reference implementation: {why}").into());
        }
        _ if execution.failure.is_some() => {
            let why = result.message.unwrap_or_default();
            return Err(format!(
                "{}: {}\n\n{why}\n\ntrace (normalised):\n{trace_text}\nadapter log: {:?}\nrerun: {rerun}",
                s.path.display(),
                s.scenario.title,
                execution.trace.logs
            )
            .into());
        }
        _ => {}
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(
        s.path
            .parent()
            .expect("a scenario file has a folder")
            .join("snapshots"),
    );
    settings.set_prepend_module_to_snapshot(false);
    settings.set_input_file(&s.path);
    settings.set_description(s.scenario.title.clone());
    settings.set_omit_expression(true);
    let golden = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_yaml_snapshot!(snapshot.clone(), trace));
    }));
    golden.map_err(|_| {
        Failed::from(format!(
            "{}: the trace differs from the golden snapshot scenarios/{}/snapshots/{snapshot}.snap (diff above).\n\
             If the new trace is right (read it against behaviour.md), accept it with `cargo insta review` \
             or `INSTA_UPDATE=always {rerun}`.",
            s.path.display(),
            s.area,
        ))
    })
}
