//! The runner's side of the adapter protocol, version 1
//! (`docs/adapter-protocol.md`): start an adapter process from a command
//! line, talk JSON Lines to it, and survive whatever it does.
//!
//! [`ProcessAdapter`] starts the adapter in its own process group with piped
//! stdio, writes requests from a writer task, reads stdout and stderr from
//! reader tasks, and checks every line that comes back:
//!
//! - it is JSON and has a known message shape ([`adapter_protocol::AdapterMessage`]);
//! - a response answers an id that was sent and not yet answered (nested
//!   `then` / `within` calls included);
//! - a `callback` event names a `call` that was sent, a `listener` event
//!   names `my` or a task handle the adapter returned;
//! - no line is longer than [`SpawnOptions::max_line_bytes`].
//!
//! A broken check, the process exiting, or a silent adapter become an
//! [`AdapterError`] with a readable reason and the tail of the adapter's
//! stderr. After a fault other than [`AdapterError::Timeout`] the adapter is
//! finished: every later call returns the same error, and the runner starts
//! a fresh one. [`ProcessAdapter::shutdown`], [`ProcessAdapter::kill`] and
//! dropping the value all end the whole process group, so no process the
//! adapter started outlives it; [`kill_every_adapter`] ends every adapter
//! still alive, for a process that must exit at once.
//!
//! [`ensure_node_adapter`] and [`ensure_adapter_packages`] install the
//! JavaScript adapters' packages (`npm ci` at the root of their npm
//! workspaces) when they are missing.
//!
//! [`Adapter`] is the transport the runner's executor drives, whatever the
//! implementation: [`ProcessAdapter`] implements it, and so does the
//! runner's in-process reference; [`AdapterError`] is the one error of both.
//!
//! [`SharedAdapter`] drives one adapter process that holds several
//! instances of the implementation (`instances` in its `hello` result):
//! each [`Instance`] is an [`Adapter`] of its own, and a demultiplexer
//! routes each message to the instance it names.
//!
//! [`AgentServer`] serves the same protocol over HTTP to an agent
//! (`agent/agent.js`) inside a runtime the runner cannot start (a
//! mini-program on a phone or in an IDE simulator, a page, Node.js), and
//! [`AgentAdapter`] is the [`Adapter`] over it.
//!
//! What this crate does not do: run scenarios, apply scenario deadlines or
//! restart adapters. That is the runner's executor.

mod adapter;
mod agent;
mod command_line;
mod error;
mod live;
mod node;
mod process;
mod shared;

pub use adapter::{Adapter, BoxFuture};
pub use agent::{AgentAdapter, AgentOptions, AgentServer, AgentServerError, AGENT_PATH};
pub use command_line::split_command_line;
pub use error::{AdapterError, HostError, ResetError};
pub use live::{kill_every_adapter, kill_process_group};
pub use node::{
    browser_adapter_missing, ensure_adapter_packages, ensure_adapter_packages_with,
    ensure_node_adapter, ensure_node_adapter_with, ensure_npm_project, ensure_npm_project_with,
    NodeTools, ADAPTERS_WORKSPACE_ROOT, NODE_ADAPTER_SCRIPT, STANDALONE_PROJECTS,
    TESTED_WORKSPACES,
};
pub use process::{decode_line, ExitReport, ProcessAdapter, SpawnOptions};
pub use shared::{Instance, SharedAdapter};
