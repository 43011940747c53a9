//! The command line `connectsocket-conformance` ([`command`]; `main.rs`
//! only calls it): its arguments ([`args`]), the `run`, `compare`,
//! `merge` (the parts of a sharded run) and `scenarios export`
//! subcommands, the consumers of the suite's event stream ([`console`]) and
//! the conversion of a run into the `report` crate's model ([`reporting`]).
//!
//! Must not touch: running or judging scenarios; it only presents what
//! `execute` and `verdict` produced.

mod args;
pub mod command;
mod compare;
pub mod console;
mod interrupt;
mod merge;
mod output;
mod outputs;
pub mod reporting;
mod run;
mod scenario_args;
