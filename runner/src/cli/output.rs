//! Files and errors as the command line reads, writes and prints them.

use std::fmt::Display;
use std::io::Write;
use std::path::Path;

use adapter_protocol::error_chain;
use report::{Baseline, RunReport};

use crate::cli::error::CliError;

/// Reads a text file (named by `flag`, if any); the error says which and
/// why.
pub(crate) fn read_text(flag: Option<&str>, path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::input(flag, path, format!("cannot read: {e}")))
}

/// Reads and parses the file at `path` (named by `flag`, if any) with
/// `parse`; the error says which and why.
pub(crate) fn read_parsed<T, E: std::error::Error + 'static>(
    flag: Option<&str>,
    path: &Path,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, CliError> {
    let text = read_text(flag, path)?;
    parse(&text).map_err(|e| CliError::input(flag, path, error_chain(&e)))
}

/// The JSON report at `path`.
pub(crate) fn read_report(path: &Path) -> Result<RunReport, CliError> {
    read_parsed(None, path, report::read_json)
}

/// The baseline `--baseline` names.
pub(crate) fn read_baseline(path: &Path) -> Result<Baseline, CliError> {
    read_parsed(Some("--baseline"), path, report::read_baseline)
}

/// Writes `text` to `path`, creating its parent folders; the error names
/// the output as `what` (a flag and its path, or the path).
pub(crate) fn write_text(what: &str, path: &Path, text: &str) -> Result<(), CliError> {
    let fail = |message: String| CliError::Output {
        what: what.to_string(),
        message,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| fail(format!("cannot create {}: {e}", parent.display())))?;
    }
    std::fs::write(path, text).map_err(|e| fail(format!("cannot write: {e}")))
}

/// A folder as the user can find it: absolute when it can be made so.
pub(crate) fn shown(dir: &Path) -> String {
    std::path::absolute(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .display()
        .to_string()
}

/// Prints `text` and a newline on stdout; false when stdout is closed
/// (`run --list | head -1`), which is not an error: what the command
/// writes to files and its exit status are what count, so it goes on
/// quietly (`println!` would panic).
pub(crate) fn say(text: impl Display) -> bool {
    say_raw(&format!("{text}\n"))
}

/// Prints `text` as it is on stdout; false when stdout is closed (see
/// [`say`]).
pub(crate) fn say_raw(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_ok()
}
