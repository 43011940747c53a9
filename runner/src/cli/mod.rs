//! The command line's side of a run: the consumers of the suite's event
//! stream ([`console`]) and the conversion of a run into the `report`
//! crate's model ([`reporting`]).
//!
//! Must not touch: running or judging scenarios; it only presents what
//! `execute` and `verdict` produced.

pub mod console;
pub mod reporting;
