//! The scenario format and how a file becomes one.
//!
//! Owns: the typed model of a `scenarios/**/*.yaml` file ([`model`], with
//! its parts in [`call`], [`pattern`], [`server_step`] and
//! [`expectation`]; `model` re-exports them all), the
//! YAML loader and its checks ([`loader`]), the `{{…}}` templates of call
//! arguments ([`template`]), the JSON Schema ([`schema`]), what a profile
//! changes in a scenario ([`profile`]), the scenario tree embedded in the
//! binary ([`embedded`]) and which tree a run uses ([`set`]). The rule ids
//! a scenario may name are the `spec` crate's.
//!
//! Must not touch: adapters, the mock server, traces or verdicts. Nothing
//! here runs anything; `execute` and `verdict` read these types.

pub mod call;
pub mod embedded;
pub mod expectation;
pub mod loader;
pub mod model;
pub mod pattern;
pub mod profile;
pub mod schema;
pub mod server_step;
pub mod set;
pub mod template;
