//! The command line `connectsocket-conformance` ([`command`]; `main.rs`
//! only calls it): its arguments ([`args`]), the `run`, `compare`,
//! `merge` (the parts of a sharded run) and `scenarios export`
//! subcommands, and the progress that consumes the suite's event stream
//! ([`console`]). Its summary and reports are the `report` crate's renderers
//! of the run's report; its errors are one type with an exit status
//! (`error`), printed in one place.
//!
//! Must not touch: running or judging scenarios; it only presents what
//! `execute` and `verdict` produced.

mod args;
pub mod command;
mod compare;
pub mod console;
mod error;
mod interrupt;
mod merge;
mod output;
mod outputs;
mod run;
mod scenario_args;
