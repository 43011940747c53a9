//! The scenario format and how a file becomes one.
//!
//! Owns: the typed model of a `scenarios/**/*.yaml` file ([`model`]), the
//! YAML loader and its checks ([`loader`]), the `{{…}}` templates of call
//! arguments ([`template`]), the JSON Schema ([`schema`]) and the rule ids
//! a scenario may name ([`rules`]).
//!
//! Must not touch: adapters, the mock server, traces or verdicts. Nothing
//! here runs anything; `execute` and `verdict` read these types.

pub mod loader;
pub mod model;
pub mod rules;
pub mod schema;
pub mod template;
