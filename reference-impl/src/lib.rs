//! The reference implementation of the Alipay mini-program WebSocket API:
//! `my.connectSocket`, its SocketTask and the `my.*Socket*` family, as a
//! Rust library on tokio, tokio-tungstenite and rustls. It is the executable
//! form of `behaviour.md`; every rule id of that file is named in the code
//! that implements it.
//!
//! What it does:
//!
//! - [`My`] is one JavaScript context: the global socket, the
//!   [`SocketTask`]s, their listeners and one ordered event queue. Methods
//!   are the JavaScript names in snake case (`connect_socket`,
//!   `send_socket_message`, `on_socket_open`, …).
//! - Callbacks (`success`, `fail`, `complete`) are identified by a
//!   [`CallId`] and listeners by a [`ListenerName`]; both come back as
//!   [`Event`]s, the adapter protocol's own type, taken from the queue with
//!   [`My::next_event`]: never inside the call that caused them.
//! - Validation and error codes 1–12 as behaviour.md's tables say, with the
//!   seed's descriptions as `errorMessage` ([`ErrorCode`]); RFC 6455
//!   client-side handshake checks; certificate verification by rustls
//!   against the webpki roots plus the configured CAs; a connect deadline
//!   over TCP, TLS and the upgrade; `maxMessageBytes` both ways; a close
//!   deadline.
//! - [`spawn_in_process`] serves the adapter protocol in-process, over
//!   channels of the protocol's own types; the `reference-adapter` binary
//!   serves it as JSON Lines on stdio.
//!
//! Choices where behaviour.md leaves room (besides its own
//! [impl-defined] rows, which this crate follows):
//!
//! - A socket's state follows its events as [`My`] hands them out: OPEN when
//!   the open event is taken, CLOSED when the close event is taken (as a
//!   browser changes `readyState` in the task that fires the event).
//! - `multiple` and `isBuffer` are tested for JavaScript truthiness; a `data`
//!   or `header` that is not an object is ignored; header values are strings
//!   as they are, other values in their JSON form; header names or values
//!   HTTP cannot carry are skipped; `protocols` (an array of strings, or a
//!   string) wins over a `Sec-WebSocket-Protocol` entry of `header`.
//! - `code` must be an integer-valued number and `reason` a string (else
//!   error 1, as for an out-of-range code).
//! - A close answer without a code is reported as 1005; a connection that
//!   ends while our close waits for its answer gives `onClose` 1006 without
//!   `onError`; after error 12 the client closes with 1009 and waits (up to
//!   `closeTimeoutMs`) for the answer, delivering nothing more.
//! - A send accepted while the transport is already gone (its close event
//!   still queued) fails with 11; a close accepted then succeeds.
//!
//! Profiles: [`Behaviour::profile`] chooses the edition served:
//! `alipay-2022-09` (the default, behaviour.md as written),
//! `alipay-current` (the vendor's revision of 2022-11-24: codes 3, 2 and
//! 20, `protocols` honoured, a `timeout` argument) or `wechat` (the `wx`
//! face: every connect returns a task, `{errMsg}` payloads, binary as
//! ArrayBuffer, no `isBuffer`, `data` or `off*`). Each difference is an
//! answer at a seam, as variants are; `reference-adapter --profile NAME`
//! and a `hello` with `profile` choose it.
//!
//! Mutants: [`Mutant`] (the table is in [`mutant`]) lists deliberately
//! non-conforming variants, each one realistic bug planted at the one place
//! where it would live (a wrong error code, callbacks in the wrong order or
//! inside the call, no task limit, an expired certificate accepted, …), to
//! show that the suite catches them. Each entry point ([`My::new`],
//! [`spawn_in_process`], [`serve_lines`], [`serve_stdio`]) takes one
//! [`Behaviour`]; `Behaviour::default()` is the reference itself, and a
//! mutant runs only when asked for (`Behaviour::mutant(Some(m))`,
//! `reference-adapter --mutant NAME`).
//!
//! Layers (each module `use`s only modules of the layers below it, so the
//! graph of `use crate::…` is acyclic):
//!
//! 1. Vocabulary: the `spec` crate's facts ([`ErrorCode`], [`Face`],
//!    [`Profile`]), `options` (the argument
//!    objects), `types` ([`CallId`], [`ReadyState`], [`Error`], …),
//!    [`mutant`] (the names of the deliberate bugs), [`variant`] (the
//!    names of the conforming variants).
//! 2. `seams`: [`Behaviour`] (a profile, variants and a mutant) and one decision
//!    function per rule that a mutant breaks or a variant answers
//!    otherwise; the code paths ask these questions and never name a
//!    mutant or a variant.
//! 3. Mechanisms: `validate` (checks made inside a call), `head` (the
//!    response-head rewriting transport), `tls` (the rustls client).
//! 4. `socket`: the I/O task of one socket; it reports through the narrow
//!    `Outbox` interface it is handed.
//! 5. `context`: [`My`] and [`SocketTask`], the queue, the listeners and
//!    the state of every socket; it hands each I/O task its outbox.
//! 6. `adapter` (the protocol bridge in process), then `stdio` (the same
//!    as JSON Lines).
//!
//! What it does not do: it runs no JavaScript, has no notion of a mini
//! program's domain allow-list, offers no way to skip certificate checks,
//! and does not negotiate WebSocket extensions (no compression).

mod adapter;
mod context;
mod head;
pub mod mutant;
mod options;
mod seams;
mod socket;
mod stdio;
mod tls;
mod types;
mod validate;
pub mod variant;

pub use adapter::{spawn_in_process, AdapterChannels};
pub use adapter_protocol::{CallbackKind, Config, Event, EventType, Face, Profile};
pub use context::{My, SocketTask};
pub use mutant::{Mutant, UnknownMutant};
pub use options::{CloseSocketOptions, ConnectSocketOptions, SendSocketMessageOptions};
pub use seams::Behaviour;
pub use spec::ErrorCode;
pub use stdio::{serve_lines, serve_stdio, DEFAULT_INSTANCES};
pub use types::{CallId, Error, ListenerName, ReadyState};
pub use variant::{Variant, VariantError, Variants};
