//! The command line `connectsocket-conformance`: [`main`] parses the
//! arguments and runs a subcommand.

use std::process::ExitCode;

use clap::Parser;

use crate::cli::args::{Cli, Command};
use crate::cli::compare::compare;
use crate::cli::error::CliError;
use crate::cli::merge::merge;
use crate::cli::run::run;
use crate::cli::scenario_args::scenarios_command;
use crate::execute::reference::Mutant;

/// The command line's `main`: parses the arguments, runs the command and
/// returns its exit status; an error stops it here, printed with its own
/// status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or_else(|| {
        // No arguments: `run` with its defaults.
        match Cli::parse_from(["connectsocket-conformance", "run"]).command {
            Some(command) => command,
            None => unreachable!("`run` parses as a command"),
        }
    });
    command_main(command).unwrap_or_else(|e| e.exit())
}

/// Runs one command.
fn command_main(command: Command) -> Result<ExitCode, CliError> {
    match &command {
        Command::Compare(args) => return compare(args),
        Command::Merge(args) => return merge(args),
        Command::Scenarios { command } => return scenarios_command(command),
        Command::Run(_) | Command::ServeReference { .. } => {}
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::failed)?;
    match command {
        Command::ServeReference { mutant, instances } => {
            let mutant = mutant
                .map(|m| m.parse::<Mutant>())
                .transpose()
                .map_err(CliError::failed)?;
            let behaviour = reference_impl::Behaviour::mutant(mutant);
            let served = runtime.block_on(reference_impl::serve_stdio(behaviour, instances));
            // Stdin may still be blocked in a read: exit rather than wait
            // for the runtime.
            std::process::exit(if served.is_ok() { 0 } else { 1 });
        }
        Command::Run(args) => run(&runtime, args),
        Command::Compare(_) | Command::Merge(_) | Command::Scenarios { .. } => {
            unreachable!("handled above")
        }
    }
}
