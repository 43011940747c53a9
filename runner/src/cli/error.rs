//! Why a command stops, or ends with an error after doing what it could
//! ([`CliError`]): each says where (a flag, a file) and what, has its exit
//! status ([`CliError::exit_code`]), and is printed in one place
//! ([`CliError::print`]); and why reports cannot be merged
//! ([`MergeError`]).

use std::path::Path;
use std::process::ExitCode;

use adapter_protocol::error_chain;

use crate::execute::options::SuiteError;

/// The exit status of a usage, input or output error (1 is a run that is
/// not compliant, 0 one that is).
const ERROR_STATUS: u8 = 2;

/// An error of the command line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum CliError {
    /// Arguments that do not fit together.
    #[error("{0}")]
    Usage(String),
    /// An input (a report, a baseline, a plan) cannot be read or does not
    /// parse.
    #[error("{what}: {message}")]
    Input {
        /// The flag and the path, or the path.
        what: String,
        /// Why.
        message: String,
    },
    /// An output cannot be written.
    #[error("{what}: {message}")]
    Output {
        /// The flag and the path, or the path.
        what: String,
        /// Why.
        message: String,
    },
    /// Output paths refused before a run, each its own line.
    #[error("{}", .0.join("; "))]
    Outputs(Vec<String>),
    /// The parts of a sharded run cannot be merged.
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// The suite cannot run.
    #[error("{}", error_chain(.0))]
    Suite(#[from] SuiteError),
    /// Something the command needs failed (the runtime, the signal
    /// handlers, a mutant's name, exporting the scenarios).
    #[error("{}", error_chain(.0.as_ref()))]
    Failed(Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl CliError {
    /// A failure of something the command needs.
    pub(crate) fn failed(e: impl std::error::Error + Send + Sync + 'static) -> CliError {
        CliError::Failed(Box::new(e))
    }

    /// An input at `path` (named by `flag`, if any) that cannot be read
    /// or does not parse.
    pub(crate) fn input(flag: Option<&str>, path: &Path, message: impl Into<String>) -> CliError {
        CliError::Input {
            what: located(flag, path),
            message: message.into(),
        }
    }

    /// The exit status it gives the command.
    pub(crate) fn exit_code(&self) -> u8 {
        ERROR_STATUS
    }

    /// Prints it on stderr, one `error:` line per problem.
    pub(crate) fn print(&self) {
        match self {
            CliError::Outputs(problems) => {
                for p in problems {
                    eprintln!("error: {p}");
                }
            }
            other => eprintln!("error: {other}"),
        }
    }

    /// Prints it; its exit status.
    pub(crate) fn exit(&self) -> ExitCode {
        self.print();
        ExitCode::from(self.exit_code())
    }
}

/// Why reports cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MergeError {
    /// Two reports are not of the same run.
    #[error("{second} and {first} are not parts of one run: their `{field}` differs ({second_value} vs {first_value}); merge only the parts of one run (same implementation, adapter and suite)")]
    DifferentRun {
        /// The first report.
        first: String,
        /// The report that differs.
        second: String,
        /// The field that differs.
        field: String,
        /// The first report's value.
        first_value: String,
        /// The other's.
        second_value: String,
    },
    /// A scenario is in two reports.
    #[error("scenario {id} is in both {first} and {second}: the parts of a run must not overlap (the same --partition given twice, or a full run among the parts?)")]
    Overlap {
        /// The scenario.
        id: String,
        /// The first report that has it.
        first: String,
        /// The second.
        second: String,
    },
}

/// `--flag path`, or `path`.
fn located(flag: Option<&str>, path: &Path) -> String {
    match flag {
        Some(flag) => format!("{flag} {}", path.display()),
        None => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_says_where_and_what() {
        let path = Path::new("out/run.json");
        assert_eq!(
            CliError::input(Some("--baseline"), path, "cannot read: gone").to_string(),
            "--baseline out/run.json: cannot read: gone"
        );
        let output = CliError::Output {
            what: "--report-dir out".into(),
            message: "cannot write: full".into(),
        };
        assert_eq!(output.to_string(), "--report-dir out: cannot write: full");
        assert_eq!(
            CliError::Suite(SuiteError::NoMatch(vec!["x".into()])).to_string(),
            "no scenario matches the filter [\"x\"]"
        );
        assert_eq!(CliError::Usage("no".into()).exit_code(), 2);
    }
}
