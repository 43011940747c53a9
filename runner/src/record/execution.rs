//! What running one scenario produced ([`Execution`]): the recorded
//! [`Trace`], the first [`StepFailure`], the adapter's `hello` and what
//! the normaliser needs to know about the run ([`NormaliseContext`]).
//!
//! `execute` writes it, `verdict` reads it; the methods that judge or
//! normalise it (`Execution::normalised`, `NormaliseContext::scrub`) live
//! in `verdict::normalise`, so this module depends on neither.

use std::collections::BTreeSet;
use std::time::Duration;

use adapter_protocol::{Face, HelloResult, Profile};

use crate::record::trace::Trace;

/// Why a scenario did not pass while running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFailure {
    /// 1-based step number; `None` for set-up and tear-down.
    pub step: Option<usize>,
    /// What was expected and what happened.
    pub message: String,
    /// The suite's own mistake, not the implementation's (a template the
    /// mock-server session cannot serve): the scenario is `error`, never
    /// `fail`.
    pub suite_fault: bool,
}

/// The result of running one scenario.
#[derive(Debug, Clone)]
pub struct Execution {
    /// The recorded lanes.
    pub trace: Trace,
    /// The first failure, if any.
    pub failure: Option<StepFailure>,
    /// Set when the adapter cannot honour a config key the scenario needs,
    /// or the profile does not cover the scenario: the reason.
    pub not_applicable: Option<String>,
    /// The profile the scenario ran under (its goldens are that profile's).
    pub profile: Profile,
    /// The adapter's `hello` result.
    pub hello: Option<HelloResult>,
    /// What the normaliser needs.
    pub context: NormaliseContext,
    /// Wall time.
    pub elapsed: Duration,
    /// Set when the adapter itself misbehaved (gone, not protocol, no
    /// response to a request in time): it must not be used again.
    pub adapter_fault: Option<String>,
    /// The next request id that is free on this adapter.
    pub next_id: u64,
}

/// What the normaliser needs to know about the run (`verdict::normalise`
/// scrubs with it).
#[derive(Debug, Clone, Default)]
pub struct NormaliseContext {
    /// `(text, token)` replacements applied to every string, longest first:
    /// listener base URLs (`ws://127.0.0.1:4711` -> `<ws>`).
    pub replacements: Vec<(String, String)>,
    /// The session id, replaced by `<session>` where it stands as a word.
    pub session: String,
    /// Request header names (lowercase) the scenario set: the only headers
    /// the server lane keeps.
    pub headers: BTreeSet<String>,
    /// The face of the API the run checks: where its payloads are
    /// `{errMsg}` (`wx`), `errMsg` is the documented field
    /// (`verdict::normalise::errmsg_form`).
    pub face: Face,
}
