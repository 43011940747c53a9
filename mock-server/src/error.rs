//! The server's errors ([`Error`]) and [`WaitError`]. A bad path's error,
//! `PathError`, lives with the path parser (`route`).

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Why the mock server could not start or could not carry out a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A listener could not bind its address.
    #[error("cannot bind the {listener} listener on {addr}")]
    Bind {
        /// The listener's name, e.g. `wss.valid`.
        listener: String,
        /// The address it tried.
        addr: SocketAddr,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// [`Options::public_host`](crate::Options::public_host) is neither an
    /// IP address nor a host name.
    #[error("public host {host:?}: {reason}")]
    PublicHost {
        /// The host given.
        host: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A certificate of the catalogue could not be generated.
    #[error("cannot generate the {case} certificate")]
    Certificate {
        /// The certificate case, e.g. `expired`.
        case: String,
        /// rcgen's error.
        #[source]
        source: rcgen::Error,
    },
    /// A TLS server configuration could not be built for a certificate case.
    #[error("cannot build the TLS configuration of the {case} listener")]
    Tls {
        /// The certificate case.
        case: String,
        /// rustls's error.
        #[source]
        source: rustls::Error,
    },
    /// The CA PEM could not be written where it was asked to go.
    #[error("cannot write the CA PEM to {path}")]
    WriteCa {
        /// The path asked for.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
    /// An action asked for a generated message above
    /// [`MAX_GENERATED_BYTES`](crate::MAX_GENERATED_BYTES).
    #[error("{field} {value} is over the limit of {limit} bytes")]
    TooLarge {
        /// The payload field, as in JSON (`textBytes`, `binaryBytes`).
        field: &'static str,
        /// The size asked for.
        value: usize,
        /// The largest size allowed.
        limit: usize,
    },
    /// [`Options::max_sessions`](crate::Options::max_sessions) sessions are
    /// live: delete or drop one first.
    #[error("cannot create a session: {limit} sessions are live, the most Options::max_sessions allows; delete or drop one first")]
    TooManySessions {
        /// The limit.
        limit: usize,
    },
}

/// Why [`Session::wait_for`](crate::Session::wait_for) gave up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WaitError {
    /// No recorded event matched before the timeout.
    #[error("no recorded event matched within {timeout:?} ({seen} events recorded)")]
    Timeout {
        /// The timeout that passed.
        timeout: Duration,
        /// How many events the session had recorded by then.
        seen: usize,
    },
}
