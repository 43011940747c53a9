//! The command line `connectsocket-conformance` ([`command`]; `main.rs`
//! only calls it): its arguments ([`args`]), the `run` and `compare`
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
mod output;
mod outputs;
pub mod reporting;
mod run;
