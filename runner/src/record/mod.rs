//! What a run recorded, shared by the folder that records it (`execute`)
//! and the one that judges it (`verdict`): the two-lane [`trace`] and the
//! [`execution`] of one scenario around it.
//!
//! Owns: the recorded data types only. Must not touch: running scenarios
//! or judging them; it depends on the scenario model and nothing else of
//! the runner, so that `execute` → `verdict` → `record` has no cycle.

pub mod execution;
pub mod trace;
