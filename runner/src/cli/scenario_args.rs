//! Which scenarios a run uses, as arguments: `--scenarios DIR`,
//! `--embedded` and `--partition K/N` (flattened into `run`), and the
//! `scenarios export DIR` subcommand.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cli::error::CliError;
use crate::execute::partition::Partition;
use crate::scenario::embedded;
use crate::scenario::set::ScenarioSet;

/// `run`'s choice of scenario tree and of a part of it.
#[derive(Debug, Args)]
pub(crate) struct ScenarioSetArgs {
    /// Runs the scenario tree in DIR (the layout of `scenarios/`: YAML
    /// files in area folders, golden traces in `<area>/snapshots/`) with
    /// the same checks, instead of the scenarios built into the binary.
    #[arg(long, value_name = "DIR", conflicts_with = "embedded")]
    pub(crate) scenarios: Option<PathBuf>,
    /// Runs the scenarios built into the binary even when cargo started
    /// it from the source tree (whose `scenarios/` folder is the default
    /// there).
    #[arg(long)]
    pub(crate) embedded: bool,
    /// Only part K of N of the selected scenarios, to shard a run across
    /// machines: `count:K/N` (round-robin by scenario id; plain `K/N` is
    /// the same) or `hash:K/N` (by a hash of the id). `merge` joins the
    /// parts' JSON reports.
    #[arg(long, value_name = "[count:|hash:]K/N")]
    pub(crate) partition: Option<Partition>,
}

impl ScenarioSetArgs {
    /// The tree these arguments choose.
    pub(crate) fn set(&self) -> ScenarioSet {
        match (&self.scenarios, self.embedded) {
            (Some(dir), _) => ScenarioSet::Dir(dir.clone()),
            (None, true) => ScenarioSet::Embedded,
            (None, false) => ScenarioSet::default_for_process(),
        }
    }

    /// The line the summary ends with: which tree ran, and which part.
    pub(crate) fn describe(&self, set: &ScenarioSet) -> String {
        match &self.partition {
            Some(p) => format!("scenarios: {}, part {p}", set.describe()),
            None => format!("scenarios: {}", set.describe()),
        }
    }
}

/// `scenarios …`: the embedded scenario set.
#[derive(Debug, Subcommand)]
pub(crate) enum ScenariosCommand {
    /// Writes the scenarios built into the binary (YAML files, golden
    /// traces, schema, README) into DIR, for reading, or for editing and
    /// running with `run --scenarios DIR`. Refuses to overwrite a file.
    Export {
        /// The folder (created when missing).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

/// Runs a `scenarios` subcommand.
pub(crate) fn scenarios_command(command: &ScenariosCommand) -> Result<ExitCode, CliError> {
    match command {
        ScenariosCommand::Export { dir } => {
            let files = embedded::export(dir).map_err(CliError::failed)?;
            println!(
                "{} scenarios ({files} files) written to {}",
                embedded::scenario_count(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
