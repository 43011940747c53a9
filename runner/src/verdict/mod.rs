//! From a recorded trace (`crate::record`) to a verdict: inline
//! expectations ([`check`]), normalisation ([`normalise`]), the
//! golden snapshot ([`golden`]) and which rules and error codes the
//! scenarios cover ([`coverage`]), and the one judge that turns all that
//! into a scenario's status ([`judge`]).
//!
//! Must not touch: adapters, the mock server or the scenario files on
//! disk (other than golden snapshots); it judges what `execute` recorded.

pub mod check;
pub mod coverage;
pub mod golden;
pub mod invariants;
pub mod judge;
pub mod normalise;
