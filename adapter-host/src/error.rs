//! The two failure domains: starting an adapter ([`HostError`]) and talking
//! to one ([`AdapterError`], and [`ResetError`] for a reset it refuses).

use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;

/// Starting an adapter, or preparing one (`npm ci`), failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    /// The command line holds no word.
    #[error("the adapter command line is empty")]
    EmptyCommandLine,
    /// A quote was opened and never closed (or the line ends in a backslash).
    #[error("unterminated {quote} in the adapter command line: {command_line}")]
    UnterminatedQuote {
        /// The quote character, or `\` for a trailing backslash.
        quote: char,
        /// The whole command line.
        command_line: String,
    },
    /// The operating system refused to start the program.
    #[error("cannot start the adapter `{command_line}`")]
    Spawn {
        /// The command line as given.
        command_line: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// `node` could not be run.
    #[error("Node.js is needed for the node adapter, but `{program} --version` cannot run; install Node.js 20 or later")]
    NodeMissing {
        /// The program that was tried.
        program: String,
        /// Why it did not run.
        #[source]
        source: io::Error,
    },
    /// `node` runs but is older than the adapter needs.
    #[error("the node adapter needs Node.js 20 or later, `{program}` is {version}")]
    NodeTooOld {
        /// The program that was tried.
        program: String,
        /// What `node --version` printed.
        version: String,
    },
    /// `npm` could not be run.
    #[error("npm is needed to install the JavaScript adapters' packages, but `{program}` cannot run; install npm (it ships with Node.js)")]
    NpmMissing {
        /// The program that was tried.
        program: String,
        /// Why it did not run.
        #[source]
        source: io::Error,
    },
    /// `npm ci` ran and failed.
    #[error("`npm ci` failed in {dir} ({status}):\n{output}")]
    NpmFailed {
        /// Where it ran.
        dir: PathBuf,
        /// Its exit status.
        status: ExitStatus,
        /// The tail of its stdout and stderr.
        output: String,
    },
    /// The node adapter is not where it should be.
    #[error("the node adapter is missing: {path} does not exist")]
    NodeAdapterMissing {
        /// The expected path of `adapter.js`.
        path: PathBuf,
    },
    /// Taking the lock that serialises `npm ci`, or checking `node_modules`, failed.
    #[error("cannot lock or inspect {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
}

/// Talking to an adapter, a process or in process ([`Adapter`](crate::Adapter)),
/// failed: the reason a scenario fails.
///
/// Every error except [`Timeout`](Self::Timeout) is final: the adapter is
/// finished, later `send` / `recv` calls return the same error, and the
/// runner should start a fresh adapter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterError {
    /// Nothing arrived before the deadline. The adapter may still answer
    /// later; calling `recv` again is allowed.
    #[error("no message from the adapter before the deadline")]
    Timeout,
    /// The adapter's process exited, or closed its stdout or stdin.
    #[error(
        "the adapter has gone away ({}){}",
        describe_exit(exit),
        describe_tail(stderr_tail)
    )]
    Closed {
        /// How the process ended, if it did (`None`: it closed its pipes but
        /// its exit status could not be collected).
        exit: Option<ExitStatus>,
        /// The last bytes of its stderr.
        stderr_tail: String,
    },
    /// The adapter wrote something that is not protocol: a line that is not
    /// JSON or not a known message, a response to an id that is not
    /// outstanding, an event for an unknown call or task, an over-long line.
    /// The text names the fault and quotes the line (truncated).
    #[error("adapter protocol violation: {0}")]
    Protocol(String),
    /// An in-process adapter's channels closed (it has no process, so no
    /// exit status nor stderr).
    #[error("the adapter has gone away")]
    Disconnected,
    /// The agent (`agent/agent.js`, over HTTP) has gone away, or its
    /// endpoint ended: it stopped polling, or the run let it go.
    #[error("the agent has gone away: {0}")]
    Gone(String),
    /// The caller sent a request id that was already used on this adapter
    /// (ids are unique for the adapter's lifetime). The request was not sent.
    #[error("request id {0} was already used on this adapter")]
    RequestIdReused(u64),
}

impl AdapterError {
    /// The adapter's stderr tail, for [`Closed`](Self::Closed).
    pub fn stderr_tail(&self) -> Option<&str> {
        match self {
            AdapterError::Closed { stderr_tail, .. } => Some(stderr_tail),
            _ => None,
        }
    }

    /// Whether the adapter is finished after this error (all but
    /// [`Timeout`](Self::Timeout) and [`RequestIdReused`](Self::RequestIdReused)).
    pub fn is_final(&self) -> bool {
        !matches!(
            self,
            AdapterError::Timeout | AdapterError::RequestIdReused(_)
        )
    }
}

/// Resetting an implementation between scenarios
/// ([`Adapter::reset`](crate::Adapter::reset)) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResetError {
    /// The request or its answer did not get through.
    #[error(transparent)]
    Adapter(#[from] AdapterError),
    /// The implementation answered `ok: false`, with this error text.
    #[error("{0}")]
    Refused(String),
}

fn describe_exit(exit: &Option<ExitStatus>) -> String {
    match exit {
        Some(status) => status.to_string(),
        None => "exit status unknown".to_owned(),
    }
}

fn describe_tail(tail: &str) -> String {
    let last = tail.trim_end().lines().last().unwrap_or("");
    if last.is_empty() {
        String::new()
    } else {
        format!("; last stderr line: {}", truncate(last, 300))
    }
}

/// `text` cut to at most `max` bytes (on a char boundary), with a marker
/// saying how much was left out.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}
