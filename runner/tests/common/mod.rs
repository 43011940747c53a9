//! What the process-adapter harnesses share: one trial per scenario that
//! runs it through a [`Suite`] and requires it to pass.

#![allow(dead_code, unreachable_pub)]

use std::sync::OnceLock;

use libtest_mimic::{Arguments, Failed, Trial};
use runner::scenario::profile::not_applicable;
use runner::{
    load_dir, scenarios_dir, AdapterSpec, LoadedScenario, Profile, ScenarioReport, Status, Suite,
    SuiteOptions,
};

/// One runtime and the suites of a harness, started by the first trial
/// that needs them (so `--list` starts nothing).
pub struct Env {
    pub runtime: tokio::runtime::Runtime,
    pub suite: Suite,
    /// The in-process reference, to compare traces with.
    pub reference: Option<Suite>,
}

/// The workspace root.
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("runner/ has a parent")
        .to_path_buf()
}

/// A command line word, quoted for `split_command_line`.
pub fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// Runs every scenario as a trial `<prefix>::<area>::<id>` against the
/// adapter `command()` gives (called once, before the first trial);
/// `compare_with_reference`: each trial also runs the scenario in process
/// and requires the same normalised trace, and a difference on
/// impl-defined rules fails like any other (the reference makes the
/// reference choice); otherwise such a difference passes the trial.
pub fn main(
    prefix: &'static str,
    command: fn() -> Result<String, String>,
    compare_with_reference: bool,
) {
    main_in(prefix, command, compare_with_reference, Profile::default());
}

/// [`main`] under `profile`: `hello` names it, the goldens are its own,
/// and a scenario it does not cover is an ignored trial.
pub fn main_in(
    prefix: &'static str,
    command: fn() -> Result<String, String>,
    compare_with_reference: bool,
    profile: Profile,
) {
    main_expecting(
        prefix,
        command,
        compare_with_reference,
        profile,
        Vec::new(),
        None,
    );
}

/// [`main_in`] for an implementation with known, documented failures
/// (`known_failures`, trial names `<area>::<id>`): such a trial passes when
/// its scenario fails, and fails when it passes (the list must shrink).
/// With `skip`, every trial is ignored and that one line says why.
pub fn main_expecting(
    prefix: &'static str,
    command: fn() -> Result<String, String>,
    compare_with_reference: bool,
    profile: Profile,
    known_failures: Vec<String>,
    skip: Option<String>,
) {
    let args = Arguments::from_args();
    if let Some(why) = &skip {
        eprintln!("{prefix}: skipped: {why}");
    }
    let scenarios = match load_dir(&scenarios_dir()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {}", adapter_protocol::error_chain(&e));
            std::process::exit(101);
        }
    };
    static ENV: OnceLock<Result<Env, String>> = OnceLock::new();
    let env = move || -> Result<&'static Env, Failed> {
        ENV.get_or_init(|| {
            let command = command()?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            let options = SuiteOptions::new(AdapterSpec::Command(command)).with_profile(profile);
            let suite = runtime
                .block_on(Suite::start(options))
                .map_err(|e| format!("{e}"))?;
            let reference = if compare_with_reference {
                let options = SuiteOptions::new(AdapterSpec::reference()).with_profile(profile);
                Some(
                    runtime
                        .block_on(Suite::start(options))
                        .map_err(|e| e.to_string())?,
                )
            } else {
                None
            };
            Ok(Env {
                runtime,
                suite,
                reference,
            })
        })
        .as_ref()
        .map_err(|e| Failed::from(e.clone()))
    };
    let trials = scenarios
        .into_iter()
        .map(|s| {
            let ignored = skip.is_some() || not_applicable(&s.scenario, profile).is_some();
            let known = known_failures.contains(&s.trial_name());
            Trial::test(format!("{prefix}::{}", s.trial_name()), move || {
                run(env()?, &s, known)
            })
            .with_ignored_flag(ignored)
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if let Some(Ok(env)) = ENV.get() {
        // Every adapter process ends before the harness exits.
        env.runtime.block_on(env.suite.finish());
    }
    conclusion.exit();
}

fn run(env: &Env, s: &LoadedScenario, known_failure: bool) -> Result<(), Failed> {
    let result = env.runtime.block_on(env.suite.run_one(s));
    if known_failure {
        return match result.status {
            Status::Pass => Err(format!(
                "{}: listed as a known failure, but it passes now: remove it from the list",
                s.trial_name()
            )
            .into()),
            _ => Ok(()),
        };
    }
    if !matches!(result.status, Status::Pass) {
        return Err(describe(&result).into());
    }
    if let Some(reference) = &env.reference {
        let in_process = env.runtime.block_on(reference.run_one(s));
        if in_process.trace != result.trace {
            let diff = runner::verdict::golden::compare(&in_process.trace, &result.trace)
                .unwrap_or_default();
            return Err(format!(
                "{}: the trace over stdio differs from the in-process trace (in-process {}):\n{diff}",
                s.path.display(),
                in_process.status
            )
            .into());
        }
    }
    Ok(())
}

/// A failed trial's text: why, the golden difference, the trace and the
/// adapter's stderr tail.
pub fn describe(r: &ScenarioReport) -> String {
    let file = r.path.as_deref().unwrap_or(&r.id);
    let mut text = format!("{file}: {} — {}\n", r.title, r.status);
    if let Some(m) = &r.message {
        text.push_str(&format!("\n{m}\n"));
    }
    if let Some(d) = &r.golden_diff {
        text.push_str(&format!("\ngolden difference:\n{d}\n"));
    }
    text.push_str(&format!(
        "\ntrace (normalised):\n{}",
        runner::verdict::golden::render(&r.trace)
    ));
    if let Some(t) = &r.adapter_stderr {
        text.push_str(&format!("\nadapter stderr (tail):\n{t}\n"));
    }
    text
}
