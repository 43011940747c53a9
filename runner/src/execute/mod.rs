//! Running scenarios: one scenario against one adapter and one mock-server
//! session ([`executor`]), and a whole suite of them ([`suite`]) with the
//! bundled reference implementation and mock server ([`reference`]).
//!
//! Owns: the server-session trait ([`session`]; the adapter trait and its
//! error are `adapter_host`'s), request ids and the names the scenario
//! gives them (`naming`), the recording of the client lane while a scenario
//! runs (`recording`), what a run runs ([`options`]), the one way a
//! scenario gets its adapter (`lease`, over the in-process reference and
//! the adapter processes and the run's agent: `agent`), adapter pooling (`pool`) and restarts, the
//! parts of a sharded run ([`partition`]), and what a
//! run produced ([`results`]).
//!
//! Must not touch: how a trace is normalised or judged against its golden
//! snapshot (`verdict`), nor how results are shown (`cli`).

mod agent;
pub mod executor;
mod lease;
mod naming;
pub mod options;
pub mod partition;
pub mod patience;
mod pool;
mod recording;
pub mod reference;
pub mod results;
pub mod session;
pub mod suite;
