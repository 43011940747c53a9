//! What a scenario may name, checked without starting a server: the
//! listener names ([`listener_names`], [`check_listener`]) and behaviour
//! paths ([`check_behaviour`], through the very parser the server routes
//! with, so the check and the server cannot drift apart).

use crate::certs::CERT_CASES;
use crate::route::{parse_plan, PathError};

/// The plain WebSocket listener.
pub(crate) const PLAIN_LISTENER: &str = "ws";
/// The TLS listener that accepts TCP and never answers the ClientHello.
pub(crate) const HANG_LISTENER: &str = "wss.hang";
/// The port that was bound and released: connection refused.
pub(crate) const CLOSED_LISTENER: &str = "tcp.closed";

/// The name of the TLS listener of a certificate case, e.g. `wss.valid`.
pub(crate) fn tls_listener(case: &str) -> String {
    format!("wss.{case}")
}

/// Every listener name a server has, in the order it binds them: `ws`, one
/// `wss.<case>` per [`CERT_CASES`] entry, `wss.hang`, `tcp.closed`. These
/// are the keys of [`Endpoints::listeners`](crate::Endpoints::listeners) and
/// the names [`Session::url`](crate::Session::url) takes.
pub fn listener_names() -> Vec<String> {
    std::iter::once(PLAIN_LISTENER.to_owned())
        .chain(CERT_CASES.iter().map(|case| tls_listener(case)))
        .chain([HANG_LISTENER.to_owned(), CLOSED_LISTENER.to_owned()])
        .collect()
}

/// A listener name the server does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown listener {name:?} (known: {})", listener_names().join(", "))]
pub struct UnknownListener {
    /// The name as given.
    pub name: String,
}

/// Checks that a server has a listener of this name (see [`listener_names`]).
///
/// # Errors
///
/// [`UnknownListener`], whose message names the bad name and lists the
/// known ones.
pub fn check_listener(name: &str) -> Result<(), UnknownListener> {
    if listener_names().iter().any(|known| known == name) {
        Ok(())
    } else {
        Err(UnknownListener {
            name: name.to_owned(),
        })
    }
}

/// Checks a behaviour path, the part of a connection path after
/// `/s/{session}/`, as it would appear in the URL (percent-encoded), e.g.
/// `echo/delay-ms=1500`, `close-on-open/4002/going`, `fault/wrong-accept`.
/// A leading `/` is ignored, and so is a query (`?...`), which the server
/// records but never interprets. `Ok(())` means the server would route it
/// to a behaviour rather than answer `400`.
///
/// # Errors
///
/// The [`PathError`] the server would answer `400` with; its message names
/// the bad segment and what is allowed there, e.g. `unknown behaviour
/// "ehco" (known: echo, silent, ...)`, `invalid fault "wrong-acept":
/// expected never-answer, ...`, `unknown option "delay" (known: delay-ms,
/// ...)`, `behaviour broadcast needs a room name`.
pub fn check_behaviour(path: &str) -> Result<(), PathError> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    parse_plan(path).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listener_names_start_plain_and_end_with_hang_and_closed() {
        let names = listener_names();
        assert_eq!(names.first().map(String::as_str), Some("ws"));
        assert!(names.contains(&"wss.valid".to_owned()));
        assert_eq!(names[names.len() - 2..], ["wss.hang", "tcp.closed"]);
        assert_eq!(names.len(), CERT_CASES.len() + 3);
    }
}
