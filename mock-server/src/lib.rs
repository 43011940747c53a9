//! A controllable WebSocket server for the `my.connectSocket` conformance
//! suite: it misbehaves on purpose, precisely and repeatably, and tells
//! afterwards what it saw.
//!
//! - **Listeners**, all on 127.0.0.1 (with [`Options::with_public_host`],
//!   on the address a device reaches, their URLs naming that host): `ws`;
//!   one `wss.<case>` per certificate case of [`CERT_CASES`] (made with rcgen at start-up, in memory, under a
//!   test CA whose PEM is [`MockServer::ca_pem`]; its CRL, listing the
//!   `revoked` leaf, is [`MockServer::crl_pem`]); `wss.hang`, which accepts
//!   TCP and never answers the ClientHello; `tcp.closed`, a port with nothing
//!   listening.
//! - **Sessions** isolate scenarios: each has its own connections, rooms and
//!   recording. A connection's behaviour comes only from its path; the query
//!   string belongs to the client and is recorded, never interpreted.
//! - **Recorder**: [`Session::recording`] and [`Session::wait_for`].
//! - **Actions**: [`Session::act`] pushes frames, closes or drops connections.
//! - **Control API** (optional, [`Options::control`]): the same over HTTP.
//!
//! It does not do: TLS client authentication, HTTP/2, permessage-deflate,
//! anything off loopback unless asked ([`Options::with_public_host`]; the
//! control API stays on loopback).
//!
//! # Module layering
//!
//! Each module imports only modules on lower lines (no cycles):
//!
//! 1. `error` (the server's errors), `options` (configuration, endpoints).
//! 2. `action` (actions and payloads), `certs` (the certificate catalogue).
//! 3. `recorder` (events, per-session logs), `route` (the path scheme and
//!    its errors).
//! 4. `catalogue` (listener names and path checks without a server),
//!    `handshake` (the opening handshake as raw bytes), `session` (one
//!    session's connections, rooms and actions; the session registry).
//! 5. `shared`: the server-wide state (options, sessions, unrouted log).
//! 6. `conn` (one connection, accept to end), `control` (the HTTP API).
//! 7. `server`: [`MockServer`], which binds the listeners and runs the rest.
//!
//! # Load-time checks
//!
//! Without starting a server: [`listener_names`] lists the listeners,
//! [`check_listener`] checks one name and [`check_behaviour`] a behaviour
//! path (with the parser the server routes with), so that a scenario's URL
//! templates can be checked when it is loaded.
//!
//! # Path scheme
//!
//! `/s/{session}/{behaviour}/{arguments...}/{option=value...}`; segments are
//! percent-decoded. A bad path gets `400` (unknown session or not `/s/...`:
//! `404`) with a plain-text body saying what is wrong, and is recorded.
//!
//! | behaviour | what the server does after a good 101 |
//! | --- | --- |
//! | `echo` | echoes every message, text or binary, whole |
//! | `silent` | reads and records, never sends |
//! | `broadcast/{room}` | sends every message to every member of the room, the sender included |
//! | `broadcast-others/{room}` | the same, without the sender |
//! | `send-on-open/text/{text}` | sends the text on open, then echoes |
//! | `send-on-open/binary/{hex}` | sends the bytes on open, then echoes |
//! | `send-on-open/text-bytes/{n}`, `.../binary-bytes/{n}` | sends a message of `n` bytes |
//! | `send-on-open/fragmented/{n}/{text}`, `.../fragmented-binary/{n}/{hex}` | sends one message in `n` frames |
//! | `close-on-open/{code or none}[/{reason}]` | sends a close frame on open |
//! | `close-on-open-then-text/{code or none}[/{reason}[/{text}]]` | on open, a close frame and a text frame behind it (default [`TEXT_AFTER_CLOSE`]) in one write; answers nothing more |
//! | `drop-on-open/{fin or rst}` | drops TCP on open without a close frame |
//! | `stop-reading` | never reads (so never answers a close) |
//! | `fault/{name}` | a broken handshake, see below |
//!
//! Options (any behaviour): `delay-ms=N` (answer the upgrade after N ms),
//! `close-answer=same|never|none|{code}` with `close-answer-reason={text}`
//! (how to answer the client's close; default `same`; `none`: a close frame
//! without a body), `close-after=N` with `close-code={code or none}` (default
//! 1000) and `close-reason={text}`, `drop-after=N` with `drop=fin|rst`
//! (default `fin`), `protocol={name}` (the subprotocol a good 101 selects,
//! offered or not; default: the first offered), `connection={value}` (the
//! `Connection` value of a good 101, e.g. `keep-alive,%20Upgrade`; default
//! `Upgrade`).
//!
//! Faults: `never-answer`, `protocol-unrequested` (101 selecting
//! `x-unrequested`), `protocol-not-offered` (101 selecting `x-not-offered`),
//! `protocol-missing` (101 without `Sec-WebSocket-Protocol`), `wrong-accept`,
//! `missing-accept`, `no-upgrade`, `wrong-upgrade` (`Upgrade: h2c`),
//! `no-connection`, `wrong-connection` (`Connection: keep-alive`),
//! `status/{code}` (any status but 101), `not-http`. A good 101 selects the
//! first subprotocol the client offered, if any.
//!
//! ```no_run
//! # async fn demo() -> Result<(), mock_server::Error> {
//! use mock_server::{MockServer, Options};
//! let server = MockServer::start(Options::default()).await?;
//! let session = server.create_session();
//! let url = session.url("wss.valid", "echo/close-answer=4001");
//! // ... connect a client to `url`, then:
//! let ended = session
//!     .wait_for(|e| matches!(e.event, mock_server::Event::Ended { .. }), std::time::Duration::from_secs(5))
//!     .await;
//! server.shutdown().await;
//! # Ok(()) }
//! ```

mod error;
mod options;

mod action;
mod certs;

mod recorder;
mod route;

mod catalogue;
mod handshake;
mod session;

mod shared;

mod conn;
mod control;

mod server;

pub use action::{Action, ActionOutcome, DropMode, Payload, Target, MAX_GENERATED_BYTES};
pub use catalogue::{check_behaviour, check_listener, listener_names, UnknownListener};
pub use certs::CERT_CASES;
pub use control::SessionInfo;
pub use error::{Error, WaitError};
pub use handshake::{
    accept_key, parse_request_head, Request as RequestHead, NOT_HTTP, NOT_OFFERED_PROTOCOL,
    UNREQUESTED_PROTOCOL,
};
pub use options::{Endpoints, Options, MAX_SESSIONS};
pub use recorder::{EndReason, Event, MessageKind, RecordedEvent};
pub use route::{parse_route, PathError, Route, TEXT_AFTER_CLOSE};
pub use server::MockServer;
pub use session::Session;
