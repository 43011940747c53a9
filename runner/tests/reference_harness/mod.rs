//! Every scenario of `scenarios/` against the reference implementation and
//! the mock server, under one profile: one trial per scenario, named
//! `<area>::<id>` (the `conformance` harness, whose profile is
//! `CONFORMANCE_PROFILE`, default `alipay-2022-09`) or
//! `<profile>::<area>::<id>` (the harness of each other profile). A
//! scenario the profile does not cover is an ignored trial (the reason is
//! `cargo run -- run --profile P`'s to show).
//!
//! Under a profile other than the default, a trial's golden is the
//! profile's own (`snapshots/<id>@<profile>[+rule=option].snap`) where
//! there is one, else the default's of the same combination; insta writes
//! the profile's own only when the trace differs from that fallback.
//!
//! `cargo test -p runner --test conformance -- tls::` runs one area,
//! `-- --list` lists. A trial first checks the scenario's inline
//! expectations, then compares the normalised trace with the golden
//! snapshot `scenarios/<area>/snapshots/<id>.snap` (insta). New or changed
//! snapshots are reviewed with `cargo insta review`; CI never writes them.
//!
//! `CONFORMANCE_VARIANTS=rule=option,rule=option` runs the reference with
//! other conforming options (see `reference_impl::Variant`): each trial
//! then checks, and with `INSTA_UPDATE=always` writes, the golden trace of
//! that combination (`snapshots/<id>+rule=option.snap`) for the scenarios
//! that name the rule in `options`.
//!
//! `CONFORMANCE_MUTANT=<name>` runs the scenarios against a deliberately
//! broken reference implementation instead (see `reference_impl::Mutant`):
//! the trials that fail are the ones that catch that bug.

#![allow(dead_code, unreachable_pub)]

use std::sync::OnceLock;

use libtest_mimic::{Arguments, Failed, Trial};
use mock_server::{MockServer, Options};
use report::OptionChoice;
use runner::execute::reference::{run_on_reference_in, Behaviour, Mutant, Variant, Variants};
use runner::scenario::profile;
use runner::verdict::golden;
use runner::{judge, load_dir, scenarios_dir, LoadedScenario, Profile, Status};

struct Env {
    runtime: tokio::runtime::Runtime,
    server: MockServer,
    behaviour: Behaviour,
    /// The options the reference takes in this run: its variants.
    variants: Vec<OptionChoice>,
    /// The profile the run checks (and the reference serves).
    profile: Profile,
}

/// The profile `CONFORMANCE_PROFILE` names, else the default.
pub fn profile_from_env() -> Profile {
    std::env::var("CONFORMANCE_PROFILE")
        .ok()
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<Profile>()
                .unwrap_or_else(|e| panic!("CONFORMANCE_PROFILE: {e}"))
        })
        .unwrap_or_default()
}

static PROFILE: OnceLock<Profile> = OnceLock::new();

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
        let profile = *PROFILE.get().expect("main sets the profile");
        Env {
            runtime,
            server,
            behaviour: Behaviour::mutant(mutant)
                .with_variants(variants)
                .with_profile(profile),
            variants: choices,
            profile,
        }
    })
}

/// Runs the harness under `profile`; `prefix`: trial names start with
/// `<profile>::`.
pub fn main(profile: Profile, prefix: bool) {
    PROFILE.get_or_init(|| profile);
    if std::env::var_os("CI").is_some() && std::env::var_os("INSTA_UPDATE").is_none() {
        // CI never writes snapshots.
        std::env::set_var("INSTA_UPDATE", "no");
    }
    let args = Arguments::from_args();
    let scenarios = match load_dir(&scenarios_dir()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {}", adapter_protocol::error_chain(&e));
            std::process::exit(101);
        }
    };
    let trials = scenarios
        .into_iter()
        .map(|s| {
            let name = if prefix {
                format!("{profile}::{}", s.trial_name())
            } else {
                s.trial_name()
            };
            let not_applicable = profile::not_applicable(&s.scenario, profile).is_some();
            Trial::test(name, move || run(&s)).with_ignored_flag(not_applicable)
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

fn run(s: &LoadedScenario) -> Result<(), Failed> {
    let env = env();
    let execution = env.runtime.block_on(run_on_reference_in(
        &s.scenario,
        &env.server,
        env.behaviour.clone(),
        env.profile,
    ));
    // The combination of options this run of the reference takes for this
    // scenario's rules: its variant's where it has one, else the first.
    // A rule the profile fixes has only that option.
    let combination: Vec<OptionChoice> = golden::combinations_in(&s.scenario, env.profile)
        .into_iter()
        .find(|combo| {
            combo.iter().all(|choice| {
                if env.profile.fixed_option(&choice.rule).is_some() {
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
    let snapshot = golden::snapshot_name_in(&s.scenario.id, env.profile, &combination);
    let trace = execution.normalised();
    let trace_text = serde_yaml::to_string(&trace).unwrap_or_default();
    let rerun = if env.profile.is_default() {
        format!(
            "cargo test -p runner --test conformance -- --exact {}",
            s.trial_name()
        )
    } else {
        format!(
            "cargo test -p runner --test conformance_{} -- --exact {}::{}",
            env.profile.name().replace('-', "_"),
            env.profile,
            s.trial_name()
        )
    };
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
