//! `run`: the scenarios against an adapter, then the summary, the reports
//! and the baseline verdict.

use std::process::ExitCode;
use std::time::Duration;

use crate::cli::args::RunArgs;
use crate::cli::console::{progress_wanted, PlainReporter, ProgressBarReporter};
use crate::cli::error::CliError;
use crate::cli::interrupt::{received, Interrupts};
use crate::cli::output::{read_baseline, say, say_raw, shown, write_text};
use crate::cli::outputs::Outputs;
use crate::execute::options::{select, AdapterSpec, SuiteOptions};
use crate::execute::suite::run_suite_until;
use crate::scenario::profile::not_applicable;

/// Runs `run` on `runtime`; the exit status (an error is one, 2, as soon
/// as it stops the run).
pub(crate) fn run(runtime: &tokio::runtime::Runtime, args: RunArgs) -> Result<ExitCode, CliError> {
    if args.adapter.trim().is_empty() {
        return Err(CliError::Usage(
            "--adapter is empty: give `reference` or an adapter's command line, \
             e.g. \"node adapters/node/src/adapter.js\""
                .into(),
        ));
    }
    let adapter = match (args.adapter.as_str(), args.mutant.clone()) {
        ("reference", mutant) => AdapterSpec::Reference {
            mutant,
            variants: args.variant.clone(),
        },
        (_, Some(_)) => {
            return Err(CliError::Usage(
                "--mutant works with --adapter reference only".into(),
            ))
        }
        (_, None) if !args.variant.is_empty() => {
            return Err(CliError::Usage(
                "--variant works with --adapter reference only".into(),
            ))
        }
        (command, None) => match agent_address(command)? {
            Some(listen) => AdapterSpec::Agent(start_agent_endpoint(
                runtime,
                listen,
                args.advertise_host.clone(),
            )?),
            None => {
                if args.advertise_host.is_some() {
                    return Err(CliError::Usage(
                        "--advertise-host works with --adapter agent only".into(),
                    ));
                }
                AdapterSpec::Command(command.to_string())
            }
        },
    };
    // Read the baseline before running: a bad one is a usage error, not a
    // run's worth of waiting.
    let baseline = args.baseline.as_deref().map(read_baseline).transpose()?;
    // Every output path before the first scenario: a run whose results
    // cannot be written is not worth waiting for.
    let outputs = Outputs::from_args(&args).map_err(CliError::Outputs)?;
    if !args.list {
        let errors = outputs.check();
        if !errors.is_empty() {
            return Err(CliError::Outputs(errors));
        }
    }
    let set = args.set.set();
    let set_line = args.set.describe(&set);
    let options = SuiteOptions::new(adapter)
        .with_scenarios_dir(set.root())
        .with_partition(args.set.partition)
        .with_filter(args.filter.clone())
        .with_jobs(args.jobs)
        .with_request_timeout(Duration::from_millis(args.request_timeout_ms))
        .with_hello_timeout(Duration::from_millis(args.hello_timeout_ms))
        .with_profile(args.profile);
    if args.list {
        for s in select(&options)? {
            // Under a profile, a scenario it does not cover says so.
            let line = match not_applicable(&s.scenario, args.profile) {
                Some(why) => format!(
                    "{}: {} (not applicable: {why})",
                    s.trial_name(),
                    s.scenario.title
                ),
                None => format!("{}: {}", s.trial_name(), s.scenario.title),
            };
            if !say(format_args!("{line}")) {
                break;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }

    // The progress consumes the event stream: a bar on a terminal, else
    // plain lines.
    let mut bar = progress_wanted().then(ProgressBarReporter::new);
    let mut lines = bar.is_none().then(|| PlainReporter::new(std::io::stdout()));
    // Ctrl-C and SIGTERM stop the run; its reports are still written.
    let interrupts = runtime
        .block_on(async { Interrupts::install() })
        .map_err(CliError::failed)?;
    let signalled = interrupts.exit_status();
    let mut report = runtime.block_on(run_suite_until(options, interrupts.first(), |event| {
        if let Some(bar) = &mut bar {
            bar.event(event);
        }
        if let Some(lines) = &mut lines {
            lines.event(event);
        }
    }))?;
    if let Some(baseline) = &baseline {
        report.judge_against(baseline);
    }
    say_raw(&report::write_terminal_summary(&report));
    say(&set_line);
    let mut status = u8::from(!report.passed());

    // The reports.
    let targets = outputs.report_targets();
    let mut written = Vec::new();
    for target in &targets {
        match write_text(&target.what, &target.path, &target.format.render(&report)) {
            Ok(()) => written.push(target.path.clone()),
            Err(e) => {
                e.print();
                status = e.exit_code();
            }
        }
    }
    if !written.is_empty() {
        say("");
        match &outputs.dir {
            Some(dir) if written.len() == 4 && outputs.files.is_empty() => {
                say(format_args!("reports written to {}:", shown(&dir.path)));
            }
            _ => {
                say("reports written:");
            }
        }
        for path in &written {
            say(format_args!("  {}", path.display()));
        }
    }

    if let (Some(path), true) = (&args.write_baseline, report.interrupted) {
        eprintln!(
            "--write-baseline {}: not written, the run was interrupted",
            path.display()
        );
    } else if let Some(path) = &args.write_baseline {
        let new = report::baseline_from(&report);
        let what = format!("--write-baseline {}", path.display());
        match write_text(&what, path, &report::write_baseline(&new)) {
            Ok(()) => {
                say(format_args!(
                    "baseline written to {} ({} expected failures)",
                    path.display(),
                    new.expected.len()
                ));
            }
            Err(e) => {
                e.print();
                status = e.exit_code();
            }
        }
    }

    if let Some(signal_status) = received(&signalled) {
        return Ok(ExitCode::from(signal_status));
    }
    Ok(ExitCode::from(status))
}

/// The address `--adapter agent[:ADDR]` listens on (`127.0.0.1:0` for
/// `agent`), or `None` for any other adapter.
fn agent_address(adapter: &str) -> Result<Option<std::net::SocketAddr>, CliError> {
    let default = adapter_host::AgentOptions::default().listen;
    match adapter.trim() {
        "agent" => Ok(Some(default)),
        other => match other.strip_prefix("agent:") {
            None => Ok(None),
            Some(addr) => addr.parse().map(Some).map_err(|e| {
                CliError::Usage(format!(
                    "--adapter agent:{addr}: not an address to listen on ({e}); \
                     give IP:PORT, e.g. agent:0.0.0.0:7357"
                ))
            }),
        },
    }
}

/// Serves the agent's endpoint on `listen` and prints what an agent needs
/// (its URL and one-time token).
fn start_agent_endpoint(
    runtime: &tokio::runtime::Runtime,
    listen: std::net::SocketAddr,
    advertise_host: Option<String>,
) -> Result<adapter_host::AgentServer, CliError> {
    let options = adapter_host::AgentOptions {
        listen,
        advertise_host,
        ..adapter_host::AgentOptions::default()
    };
    let server = runtime
        .block_on(adapter_host::AgentServer::start(options))
        .map_err(CliError::failed)?;
    say(format_args!(
        "waiting for an agent (agent/agent.js; see README, \"Running on a device or in the IDE simulator\"):\n  \
         url:   {}\n  token: {}",
        server.url(),
        server.token()
    ));
    Ok(server)
}
