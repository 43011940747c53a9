//! Runs one scenario: drives an [`Adapter`] and a [`ServerSession`],
//! records the two lanes, checks `expect` steps as they come.
//!
//! Every wait is bounded by the step's and the scenario's deadline; every
//! failure is a result with a reason, never a panic.
//!
//! It reads as the order of a scenario's life (hello or reset, each step,
//! the end, the trace); the call step lives in `calls.rs`, the waiting
//! steps in `awaits.rs`. A step that fails says why with a `StepError`:
//! the implementation's doing, or the scenario's own mistake.

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use adapter_host::{Adapter, AdapterError};
use adapter_protocol::{
    AdapterMessage, Call, Config, Event, HelloResult, NestedCall, Op, Profile, Request, Within,
    PROTOCOL_VERSION, TARGET_MY, TARGET_RETURNED,
};
use serde_json::Value;
use tokio::time::Instant;

use crate::execute::naming::{LaneOf, Naming};
use crate::execute::patience;
use crate::execute::recording::{Recording, Unrecorded};
use crate::execute::session::SessionEndpoints;
use crate::execute::session::{ActTarget, ServerSession};
use crate::record::execution::{Execution, NormaliseContext, StepFailure};
use crate::record::trace::{connections, ServerEvent, Trace};
use crate::scenario::model::{
    default_call_name, AwaitDetail, CallStep, Expectation, Pattern, Scenario, ServerKind,
    ServerStep, ServerTarget, Slot, Step, DEFAULT_STEP_DEADLINE_MS,
};
use crate::scenario::profile;
use crate::scenario::template::expand_value;
use crate::verdict::check::{check, Lanes};

/// The config sent with `hello`: defaults, then the scenario's overrides,
/// then the mock server's CA.
pub fn config_for(scenario: &Scenario, ca_pem: &str) -> Config {
    let mut config = scenario.config.apply(Config::default());
    config.ca_certificates_pem = ca_pem.to_string();
    config
}

/// The widest an adapter's `quietMs` widens a `settle` window. Scenarios
/// act within windows of the implementation's own (a handshake held for
/// 1000 ms): a wider settle would let them close first.
pub const MAX_QUIET_MS: u64 = 300;

/// The default deadline for an adapter's response to one request.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_millis(DEFAULT_STEP_DEADLINE_MS);

/// Runs `scenario` on a fresh adapter and a fresh session: `hello` with
/// the scenario's config, the steps, then `shutdown`.
pub async fn run_scenario(
    scenario: &Scenario,
    adapter: &mut dyn Adapter,
    session: &dyn ServerSession,
    ca_pem: &str,
) -> Execution {
    run_scenario_in(scenario, adapter, session, ca_pem, Profile::default()).await
}

/// [`run_scenario`] under `profile`: `hello` names it (when it is not the
/// default), an adapter whose `api` is not the profile's fails, a scenario
/// the profile does not cover is not applicable, and calls, inline checks
/// and the normalised trace take the profile's face of the API.
pub async fn run_scenario_in(
    scenario: &Scenario,
    adapter: &mut dyn Adapter,
    session: &dyn ServerSession,
    ca_pem: &str,
    profile: Profile,
) -> Execution {
    execute(
        scenario,
        adapter,
        session,
        Prelude::Hello(config_for(scenario, ca_pem)),
        Settings {
            first_id: 1,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            profile,
        },
    )
    .await
}

/// The `hello` request of a run under `profile`: the profile is named
/// only when it is not the default, so that every other `hello` is as it
/// was before profiles.
pub fn hello_op(config: Config, profile: Profile) -> Op {
    Op::Hello {
        protocol: PROTOCOL_VERSION,
        config,
        profile: (!profile.is_default()).then(|| profile.name().to_string()),
    }
}

/// Why an adapter that answered `hello` with `hello` cannot be run under
/// `profile` (its face of the API is not the profile's), if it cannot.
pub fn face_mismatch(hello: &HelloResult, profile: Profile) -> Option<String> {
    let (has, needs) = (hello.api, profile.face);
    (has != needs).then(|| {
        format!(
            "the adapter serves the `{has}` face of the API (its hello result's `api`), and profile {profile} checks `{needs}`: run it under a profile of its face{}",
            if needs.is_default() {
                String::new()
            } else {
                format!(", or have it serve `{needs}` when hello.profile is `{profile}`")
            }
        )
    })
}

/// Runs `scenario` on an adapter that has already answered `hello` (with
/// [`config_for`] the scenario) and has been reset since its last
/// scenario, then sends `reset`. Request ids start at `first_id` (they are
/// unique for the adapter's lifetime); [`Execution::next_id`] is the next
/// free one. Each request waits at most `request_timeout` for its
/// response (and never past the scenario's deadline).
/// `profile` is the one the `hello` named.
pub async fn run_scenario_after_hello(
    scenario: &Scenario,
    adapter: &mut dyn Adapter,
    session: &dyn ServerSession,
    hello: &HelloResult,
    first_id: u64,
    request_timeout: Duration,
    profile: Profile,
) -> Execution {
    execute(
        scenario,
        adapter,
        session,
        Prelude::Done(hello.clone()),
        Settings {
            first_id,
            request_timeout,
            profile,
        },
    )
    .await
}

/// How a scenario runs: request ids, the request deadline, the profile.
pub(crate) struct Settings {
    /// The first request id (ids are unique for the adapter's lifetime).
    pub(crate) first_id: u64,
    /// How long the adapter may take to answer one request.
    pub(crate) request_timeout: Duration,
    /// The profile the run checks.
    pub(crate) profile: Profile,
}

/// What happens before the steps, and so after them.
pub(crate) enum Prelude {
    /// Send `hello` with this config; `shutdown` at the end.
    Hello(Config),
    /// `hello` was answered earlier; `reset` at the end.
    Done(HelloResult),
}

/// Runs `scenario` on `adapter`: `prelude` says whether it is introduced
/// first (and shut down after) or was already (and is reset after).
pub(crate) async fn execute(
    scenario: &Scenario,
    adapter: &mut dyn Adapter,
    session: &dyn ServerSession,
    prelude: Prelude,
    settings: Settings,
) -> Execution {
    let Settings {
        first_id,
        request_timeout,
        profile,
    } = settings;
    let started = Instant::now();
    let deadline = started + scenario.deadline();
    let mut run = Run {
        adapter,
        session,
        deadline,
        request_timeout,
        fault: None,
        next_id: first_id,
        profile,
        quiet_ms: 0,
        watch_until: None,
        nested_timers: Vec::new(),
        naming: Naming::default(),
        recording: Recording::default(),
    };
    let mut hello = None;
    let mut not_applicable = None;
    let (hello_result, end_op) = match prelude {
        Prelude::Hello(config) => (run.hello(config, profile).await, Op::Shutdown),
        Prelude::Done(hello) => (Ok(hello), Op::Reset { config: None }),
    };
    let failure = match hello_result {
        Err(e) => Some(e.at(None)),
        Ok(result) => {
            let needed = scenario.config.keys();
            let missing: Vec<&String> = result
                .unsupported
                .iter()
                .filter(|k| needed.contains(&k.as_str()))
                .collect();
            hello = Some(result.clone());
            run.quiet_ms = result.quiet_ms.min(MAX_QUIET_MS);
            if let Some(message) = face_mismatch(&result, profile) {
                Some(StepError::Implementation(message).at(None))
            } else if let Some(reason) = profile::not_applicable(scenario, profile) {
                not_applicable = Some(reason);
                None
            } else if !missing.is_empty() {
                not_applicable = Some(format!(
                    "the adapter cannot honour config {}",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                None
            } else {
                run.steps(scenario).await.err()
            }
        }
    };
    // After the steps, what a closed socket still emits before the
    // configured timers ran out is watched for (`watch.rs`), apart from
    // the lanes.
    let watch_from = if failure.is_none() && not_applicable.is_none() && run.fault.is_none() {
        Some(run.watch_after_steps().await)
    } else {
        None
    };
    // A connection's end is recorded some time after the client saw it
    // close: only ends the scenario awaited are part of the trace.
    let server = session
        .recording()
        .into_iter()
        .filter(|e| !e.matches(ServerKind::End) || run.recording.consumed_server().contains(&e.seq))
        .collect();
    let context = context_for(scenario, session, profile);
    // What arrives while the adapter ends is not part of the lanes (its
    // log lines are kept).
    let (mut client, mut client_sockets, mut logs) =
        std::mem::take(&mut run.recording).into_parts();
    let watch_from = watch_from.unwrap_or(client.len()).min(client.len());
    let after_steps = client.split_off(watch_from);
    let after_steps_sockets = client_sockets.split_off(watch_from);
    // End (or reset) the adapter; what it says now is not part of the
    // trace, and the wait is bounded.
    if run.fault.is_none() {
        let is_reset = matches!(end_op, Op::Reset { .. });
        let until = Instant::now()
            + if is_reset {
                request_timeout
            } else {
                Duration::from_secs(1)
            };
        if let Err(e) = run.request_plain(end_op, until).await {
            if is_reset {
                run.fault.get_or_insert(format!("reset: {e}"));
            }
        }
    }
    logs.extend(run.recording.into_parts().2);
    Execution {
        trace: Trace {
            client,
            client_sockets,
            server,
            logs,
            after_steps,
            after_steps_sockets,
        },
        failure,
        not_applicable,
        profile,
        hello,
        context,
        elapsed: started.elapsed(),
        adapter_fault: run.fault,
        next_id: run.next_id,
    }
}

fn context_for(
    scenario: &Scenario,
    session: &dyn ServerSession,
    profile: Profile,
) -> NormaliseContext {
    let replacements: Vec<(String, String)> = session
        .listeners()
        .into_iter()
        .map(|(name, base)| (base, format!("<{name}>")))
        .collect();
    let mut headers = BTreeSet::new();
    for (_, call) in scenario.calls() {
        if let Some(Value::Object(h)) = call.args.as_ref().and_then(|a| a.get("header")) {
            for name in h.keys() {
                let lower = name.to_ascii_lowercase();
                if lower != "sec-websocket-protocol" {
                    headers.insert(lower);
                }
            }
        }
    }
    NormaliseContext {
        replacements,
        session: session.id(),
        headers,
        face: profile.face,
    }
}

struct Run<'a> {
    adapter: &'a mut dyn Adapter,
    session: &'a dyn ServerSession,
    deadline: Instant,
    request_timeout: Duration,
    /// The adapter's own misbehaviour, once seen.
    fault: Option<String>,
    next_id: u64,
    /// The profile the scenario runs under.
    profile: Profile,
    /// The shortest `settle` window: the adapter's `quietMs`, at most
    /// [`MAX_QUIET_MS`].
    quiet_ms: u64,
    /// When the configured timers started by the calls so far have run out
    /// (`watch.rs`), if any ends before the scenario's deadline.
    watch_until: Option<Instant>,
    /// The configured timers of nested calls, counted from the last step.
    nested_timers: Vec<Duration>,
    /// Request ids and task handles with their scenario names.
    naming: Naming,
    /// The lanes so far.
    recording: Recording,
}

/// Why one step failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum StepError {
    /// The implementation did not do what the step expects, or its
    /// adapter broke the protocol or went away.
    #[error("{0}")]
    Implementation(String),
    /// The scenario's own mistake (a template the mock-server session
    /// cannot serve): the scenario is `error`, never `fail`.
    #[error("the scenario's own mistake, not the implementation's: {0}")]
    Suite(String),
}

impl StepError {
    /// The failure of step `step` (1-based; `None` for set-up and
    /// tear-down), as the execution records it.
    fn at(&self, step: Option<usize>) -> StepFailure {
        StepFailure {
            step,
            message: self.to_string(),
            suite_fault: matches!(self, StepError::Suite(_)),
        }
    }
}

type StepResult = Result<(), StepFailure>;

impl Run<'_> {
    fn step_deadline(&self, ms: u64) -> Instant {
        (Instant::now() + Duration::from_millis(ms)).min(self.deadline)
    }

    /// The deadline of a request: the request timeout, or, once the
    /// adapter has left requests unanswered in this run, a short one (see
    /// [`patience`]).
    fn request_deadline(&self) -> Instant {
        let timeout = match patience::current() {
            Some(p) if p.adapter_hangs() => self.request_timeout.min(patience::SHORT_REQUEST),
            _ => self.request_timeout,
        };
        (Instant::now() + timeout).min(self.deadline)
    }

    /// The next adapter message; an error other than a timeout marks the
    /// adapter as faulty.
    async fn next(&mut self, deadline: Instant) -> Result<AdapterMessage, AdapterError> {
        let result = self.adapter.recv(deadline).await;
        if let Err(e) = &result {
            if e.is_final() {
                self.fault.get_or_insert(e.to_string());
            }
        }
        result
    }

    fn send(&mut self, request: Request) -> Result<(), StepError> {
        self.adapter.send(request).map_err(|e| {
            let text = e.to_string();
            self.fault.get_or_insert(text.clone());
            StepError::Implementation(text)
        })
    }

    /// Adds one adapter message to the client lane; a message that breaks
    /// the protocol marks the adapter as faulty, a refused call only fails
    /// the step (the adapter answered as the protocol has it).
    fn record(&mut self, message: AdapterMessage) -> Result<(), StepError> {
        self.record_outcome(message)
            .map_err(|e| StepError::Implementation(e.into_message()))
    }

    /// [`record`](Self::record), telling a refusal from a violation.
    fn record_outcome(&mut self, mut message: AdapterMessage) -> Result<(), Unrecorded> {
        // The trace names the global object as the scenario does (`my`),
        // whatever the face's name for it.
        if let AdapterMessage::Event(Event::Listener { target, .. }) = &mut message {
            if *target == self.profile.face.name {
                *target = TARGET_MY.to_string();
            }
        }
        let before = self.recording.client().len();
        let result = self.recording.record(&mut self.naming, message);
        if let Err(Unrecorded::Violation(e)) = &result {
            self.fault.get_or_insert(e.clone());
        }
        if let Some(patience) = patience::current() {
            for record in &self.recording.client()[before..] {
                patience.saw(record);
            }
        }
        result
    }

    async fn hello(&mut self, config: Config, profile: Profile) -> Result<HelloResult, StepError> {
        let deadline = self.request_deadline();
        let result = self
            .request_plain(hello_op(config, profile), deadline)
            .await
            .map_err(|e| StepError::Implementation(format!("hello: {e}")))?;
        serde_json::from_value(result)
            .map_err(|e| StepError::Implementation(format!("hello: unexpected result: {e}")))
    }

    /// A request that is not a call: events that arrive meanwhile are
    /// recorded like any other.
    async fn request_plain(&mut self, op: Op, deadline: Instant) -> Result<Value, StepError> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(Request { id, op })?;
        loop {
            match self.next(deadline).await {
                Ok(AdapterMessage::Response(r)) if r.id == id => {
                    return if r.ok {
                        Ok(r.result.unwrap_or(Value::Null))
                    } else {
                        Err(StepError::Implementation(format!(
                            "adapter refused: {}",
                            r.error.unwrap_or_default()
                        )))
                    };
                }
                // A call of the scenario refused late (a nested call after
                // the step that failed) is no reason to refuse the request.
                Ok(message) => match self.record_outcome(message) {
                    Err(Unrecorded::Violation(e)) => return Err(StepError::Implementation(e)),
                    Ok(()) | Err(Unrecorded::Refused(_)) => {}
                },
                Err(AdapterError::Timeout) => {
                    let text = "no response before the request deadline".to_string();
                    self.fault.get_or_insert(text.clone());
                    return Err(StepError::Implementation(text));
                }
                Err(e) => return Err(StepError::Implementation(e.to_string())),
            }
        }
    }

    async fn steps(&mut self, scenario: &Scenario) -> StepResult {
        for (index, step) in scenario.steps.iter().enumerate() {
            let at = Some(index + 1);
            if Instant::now() >= self.deadline {
                return Err(StepError::Implementation(format!(
                    "scenario deadline ({} ms) passed before this step",
                    scenario.deadline().as_millis()
                ))
                .at(at));
            }
            let result = match step {
                Step::Call(call) => {
                    let (own, nested) = watch::configured_timers(scenario, call);
                    self.timers_started(&own);
                    self.nested_timers.extend(nested);
                    self.call(call, default_call_name(index)).await
                }
                Step::Await(a) => {
                    let (items, ms) = a.items();
                    if a.is_any() {
                        self.await_any(&items, ms).await
                    } else {
                        self.await_items(&items, ms).await
                    }
                }
                Step::Server(s) => self.server(s).await,
                Step::Expect(items) => self.expect(items).await,
            };
            result.map_err(|e| e.at(at))?;
        }
        Ok(())
    }

    fn lane_summary(&self) -> String {
        self.recording.summary_from(0)
    }

    async fn server(&mut self, step: &ServerStep) -> Result<(), StepError> {
        let target = match &step.target {
            ServerTarget::All => ActTarget::All,
            ServerTarget::Room(room) => ActTarget::Room(room.clone()),
            ServerTarget::Conn(n) => {
                let conns = connections(&self.session.recording());
                ActTarget::Conn(
                    conns
                        .get((*n as usize).wrapping_sub(1))
                        .copied()
                        .ok_or_else(|| {
                            StepError::Implementation(format!(
                                "server: no connection #{n} (the session has {})",
                                conns.len()
                            ))
                        })?,
                )
            }
        };
        self.session
            .act(target, &step.action)
            .await
            .map_err(|e| StepError::Implementation(format!("server: {e}")))
    }
}

/// An inline expectation as it reads under `profile`
/// ([`profile::expected_res`]).
fn profile_expectation(item: &Expectation, profile: Profile) -> Expectation {
    match item {
        Expectation::Present {
            event,
            listener,
            res: Some(res),
            count,
        } if !profile.is_default() => Expectation::Present {
            event: event.clone(),
            listener: listener.clone(),
            res: Some(profile::expected_res(profile, res)),
            count: *count,
        },
        other => other.clone(),
    }
}

fn describe_items(items: &[&AwaitDetail]) -> String {
    items
        .iter()
        .map(|d| match d.count {
            Some(n) if n != 1 => format!("{n} × {}", d.event),
            _ => d.event.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

mod awaits;
mod calls;
#[cfg(test)]
mod tests;
mod watch;
