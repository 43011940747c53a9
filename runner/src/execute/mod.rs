//! Running scenarios: one scenario against one adapter and one mock-server
//! session ([`executor`]), and a whole suite of them ([`suite`]) with the
//! bundled reference implementation and mock server ([`reference`]).
//!
//! Owns: the server-session trait (the adapter trait and its error are
//! `adapter_host`'s), request ids, the
//! recording of the two lanes while a scenario runs, adapter pooling and
//! restarts.
//!
//! Must not touch: how a trace is normalised or judged against its golden
//! snapshot (`verdict`), nor how results are shown (`cli`).

pub mod executor;
mod pool;
pub mod reference;
pub mod results;
pub mod suite;
