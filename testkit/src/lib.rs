//! Helpers the workspace's integration tests share, so that no test file
//! carries its own copy: whether a process is gone ([`process`]), events
//! until a quiet spell ([`events`]), the workspace's paths and command
//! lines ([`paths`]), what a command wrote ([`output`]).
//!
//! A dev-dependency only (`publish = false`): nothing here is part of any
//! crate's interface.

pub mod events;
pub mod paths;
pub mod process;

pub use events::{then, until_quiet};
pub use paths::{quote, repo_root};
pub use process::{alive, assert_gone, assert_gone_blocking, output, processes_with};
