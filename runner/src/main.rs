//! `connectsocket-conformance`: the conformance suite on the command line.
//! Glue over the `runner` library ([`runner::run_suite`]).

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use runner::{AdapterSpec, PlainReporter, SuiteOptions};

/// Checks an implementation of the mini-program socket API
/// (`my.connectSocket`) against the conformance scenarios.
///
/// With no arguments: every scenario against the bundled reference
/// implementation (in process) and the embedded mock server.
#[derive(Debug, Parser)]
#[command(name = "connectsocket-conformance", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the scenarios and prints the compliance summary (exit 0:
    /// compliant, 1: failures, 2: usage or configuration error).
    Run(RunArgs),
    /// Serves the reference implementation over the adapter protocol on
    /// stdin/stdout (an adapter process for `run --adapter`).
    ServeReference {
        /// A deliberately broken variant of the reference implementation.
        #[arg(long, value_name = "NAME")]
        mutant: Option<String>,
    },
}

#[derive(Debug, Default, clap::Args)]
struct RunArgs {
    /// `reference` (in process), or an adapter's command line, e.g.
    /// "node adapters/node/src/adapter.js".
    #[arg(long, default_value = "reference", value_name = "reference|COMMAND")]
    adapter: String,
    /// Runs a mutant of the reference implementation (with `--adapter reference`).
    #[arg(long, value_name = "NAME")]
    mutant: Option<String>,
    /// Only scenarios whose `<area>::<id>` contains this (repeatable).
    #[arg(long, value_name = "TEXT")]
    filter: Vec<String>,
    /// Scenarios at once (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    jobs: usize,
    /// How long the adapter may take to answer one request, in ms.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    request_timeout_ms: u64,
    /// Lists the selected scenarios instead of running them.
    #[arg(long)]
    list: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    match cli.command {
        Some(Command::ServeReference { mutant }) => {
            let mutant = match mutant
                .map(|m| m.parse::<runner::reference::Mutant>())
                .transpose()
            {
                Ok(m) => m,
                Err(e) => return fail(&e),
            };
            let served = runtime.block_on(reference_impl::serve_stdio(mutant));
            // Stdin may still be blocked in a read: exit rather than wait
            // for the runtime.
            std::process::exit(if served.is_ok() { 0 } else { 1 });
        }
        Some(Command::Run(args)) => run(&runtime, args),
        None => run(
            &runtime,
            RunArgs {
                adapter: "reference".into(),
                request_timeout_ms: 5000,
                ..RunArgs::default()
            },
        ),
    }
}

fn run(runtime: &tokio::runtime::Runtime, args: RunArgs) -> ExitCode {
    let adapter = match (args.adapter.as_str(), args.mutant) {
        ("reference", mutant) => AdapterSpec::Reference { mutant },
        (_, Some(_)) => {
            eprintln!("error: --mutant works with --adapter reference only");
            return ExitCode::from(2);
        }
        (command, None) => AdapterSpec::Command(command.to_string()),
    };
    let options = SuiteOptions::new(adapter)
        .with_filter(args.filter)
        .with_jobs(args.jobs)
        .with_request_timeout(Duration::from_millis(args.request_timeout_ms));
    if args.list {
        return match runner::select(&options) {
            Ok(scenarios) => {
                for s in scenarios {
                    println!("{}: {}", s.trial_name(), s.scenario.title);
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        };
    }
    let mut console = PlainReporter::new(std::io::stdout());
    match runtime.block_on(runner::run_suite(options, |event| console.event(event))) {
        Ok(result) => ExitCode::from(u8::try_from(result.exit_code()).unwrap_or(1)),
        Err(e) => fail(&e),
    }
}

/// Prints an error with its causes; exit status 2.
fn fail(e: &dyn std::error::Error) -> ExitCode {
    eprintln!("error: {e}");
    let mut source = e.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
    ExitCode::from(2)
}
