//! Files and errors as the command line reads, writes and prints them.

use std::fmt::Display;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use adapter_protocol::error_chain;

/// Reads a text file; the error says why.
pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))
}

/// Writes `text` to `path`, creating its parent folders.
pub(crate) fn write_text(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write: {e}"))
}

/// A folder as the user can find it: absolute when it can be made so.
pub(crate) fn shown(dir: &Path) -> String {
    std::path::absolute(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .display()
        .to_string()
}

/// Prints an error with its causes; exit status 2.
pub(crate) fn fail(e: &(dyn std::error::Error + 'static)) -> ExitCode {
    eprintln!("error: {}", error_chain(e));
    ExitCode::from(2)
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
