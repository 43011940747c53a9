//! Runs one scenario: drives an [`Adapter`] and a [`ServerSession`],
//! records the two lanes, checks `expect` steps as they come.
//!
//! Every wait is bounded by the step's and the scenario's deadline; every
//! failure is a result with a reason, never a panic.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use adapter_protocol::{
    AdapterMessage, Call, Config, Event, HelloResult, NestedCall, Op, Request, Within,
    PROTOCOL_VERSION, TARGET_MY, TARGET_RETURNED,
};
use serde_json::Value;
use tokio::time::Instant;

use crate::check::{check, Lanes};
use crate::model::{
    default_call_name, AwaitDetail, CallStep, Expectation, Pattern, Scenario, ServerAction,
    ServerKind, ServerStep, ServerTarget, Step, DEFAULT_STEP_DEADLINE_MS,
};
use crate::normalise;
use crate::template::{expand_value, Endpoints};
use crate::trace::{connections, ClientRecord, ServerEvent, Trace};

/// Whom a server action is for, with connections by recorder id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActTarget {
    /// One connection, by the recorder's id.
    Conn(String),
    /// A broadcast room.
    Room(String),
    /// Every connection of the session.
    All,
}

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What went wrong talking to an adapter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AdapterError {
    /// Nothing arrived before the deadline.
    #[error("no message from the adapter before the deadline")]
    Timeout,
    /// The adapter is gone (channel closed, process exited).
    #[error("the adapter has gone away")]
    Closed,
    /// The adapter said something that is not protocol.
    #[error("adapter protocol violation: {0}")]
    Protocol(String),
    /// The adapter's process ended; the text says how (exit status, last
    /// stderr line).
    #[error("{0}")]
    Ended(String),
}

impl AdapterError {
    /// Whether the adapter is unusable after this error (all but a timeout).
    pub fn is_final(&self) -> bool {
        !matches!(self, AdapterError::Timeout)
    }
}

/// The transport to an implementation under test: in-process channels
/// (`reference::InProcessAdapter`) or a child process speaking JSON Lines
/// (`adapter_host::ProcessAdapter`).
pub trait Adapter: Send {
    /// Sends one request.
    fn send(&mut self, request: Request) -> Result<(), AdapterError>;
    /// The next message, or [`AdapterError::Timeout`] at `deadline`.
    fn recv(&mut self, deadline: Instant) -> BoxFuture<'_, Result<AdapterMessage, AdapterError>>;
}

/// One mock-server session as the executor sees it.
pub trait ServerSession: Send + Sync {
    /// The session id (part of its URLs).
    fn id(&self) -> String;
    /// The session URL of a listener and behaviour path.
    fn session_url(&self, listener: &str, behaviour: &str) -> Option<String>;
    /// A listener's base URL (no session).
    fn base_url(&self, listener: &str) -> Option<String>;
    /// `(listener name, base URL)` for every listener, for normalisation.
    fn listeners(&self) -> Vec<(String, String)>;
    /// What the session recorded so far, projected.
    fn recording(&self) -> Vec<ServerEvent>;
    /// The first event (already recorded or new) for which `pred` holds,
    /// or `None` after `timeout`.
    fn wait_for<'a>(
        &'a self,
        pred: Box<dyn Fn(&ServerEvent) -> bool + Send + Sync + 'a>,
        timeout: Duration,
    ) -> BoxFuture<'a, Option<ServerEvent>>;
    /// Performs an action on the session's connections.
    fn act<'a>(
        &'a self,
        target: ActTarget,
        action: &'a ServerAction,
    ) -> BoxFuture<'a, Result<(), String>>;
}

struct SessionEndpoints<'a>(&'a dyn ServerSession);

impl Endpoints for SessionEndpoints<'_> {
    fn session_url(&self, listener: &str, behaviour: &str) -> Option<String> {
        self.0.session_url(listener, behaviour)
    }
    fn base_url(&self, listener: &str) -> Option<String> {
        self.0.base_url(listener)
    }
    fn session_id(&self) -> String {
        self.0.id()
    }
}

/// Why a scenario did not pass while running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFailure {
    /// 1-based step number; `None` for set-up and tear-down.
    pub step: Option<usize>,
    /// What was expected and what happened.
    pub message: String,
}

/// The result of running one scenario.
#[derive(Debug, Clone)]
pub struct Execution {
    /// The recorded lanes.
    pub trace: Trace,
    /// The first failure, if any.
    pub failure: Option<StepFailure>,
    /// Set when the adapter cannot honour a config key the scenario needs.
    pub not_applicable: Option<String>,
    /// The adapter's `hello` result.
    pub hello: Option<HelloResult>,
    /// What the normaliser needs.
    pub context: normalise::Context,
    /// Wall time.
    pub elapsed: Duration,
    /// Set when the adapter itself misbehaved (gone, not protocol, no
    /// response to a request in time): it must not be used again.
    pub adapter_fault: Option<String>,
    /// The next request id that is free on this adapter.
    pub next_id: u64,
}

impl Execution {
    /// The golden form of the trace.
    pub fn normalised(&self) -> Value {
        normalise::normalise(&self.trace, &self.context)
    }
}

/// The config sent with `hello`: defaults, then the scenario's overrides,
/// then the mock server's CA.
pub fn config_for(scenario: &Scenario, ca_pem: &str) -> Config {
    let mut config = scenario.config.apply(Config::default());
    config.ca_certificates_pem = ca_pem.to_string();
    config
}

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
    execute(
        scenario,
        adapter,
        session,
        Prelude::Hello(config_for(scenario, ca_pem)),
        1,
        DEFAULT_REQUEST_TIMEOUT,
    )
    .await
}

/// Runs `scenario` on an adapter that has already answered `hello` (with
/// [`config_for`] the scenario) and has been reset since its last
/// scenario, then sends `reset`. Request ids start at `first_id` (they are
/// unique for the adapter's lifetime); [`Execution::next_id`] is the next
/// free one. Each request waits at most `request_timeout` for its
/// response (and never past the scenario's deadline).
pub async fn run_scenario_after_hello(
    scenario: &Scenario,
    adapter: &mut dyn Adapter,
    session: &dyn ServerSession,
    hello: &HelloResult,
    first_id: u64,
    request_timeout: Duration,
) -> Execution {
    execute(
        scenario,
        adapter,
        session,
        Prelude::Done(hello.clone()),
        first_id,
        request_timeout,
    )
    .await
}

/// What happens before the steps, and so after them.
enum Prelude {
    /// Send `hello` with this config; `shutdown` at the end.
    Hello(Config),
    /// `hello` was answered earlier; `reset` at the end.
    Done(HelloResult),
}

async fn execute(
    scenario: &Scenario,
    adapter: &mut dyn Adapter,
    session: &dyn ServerSession,
    prelude: Prelude,
    first_id: u64,
    request_timeout: Duration,
) -> Execution {
    let started = Instant::now();
    let deadline = started + scenario.deadline();
    let mut run = Run {
        adapter,
        session,
        deadline,
        request_timeout,
        fault: None,
        next_id: first_id,
        call_names: HashMap::new(),
        task_names: HashMap::new(),
        handle_names: HashMap::new(),
        name_handles: HashMap::new(),
        client: Vec::new(),
        lanes: Vec::new(),
        call_lanes: HashMap::new(),
        call_tasks: HashMap::new(),
        consumed: Vec::new(),
        consumed_server: HashSet::new(),
        logs: Vec::new(),
    };
    let mut hello = None;
    let mut not_applicable = None;
    let (hello_result, end_op) = match prelude {
        Prelude::Hello(config) => (run.hello(config).await, Op::Shutdown),
        Prelude::Done(hello) => (Ok(hello), Op::Reset),
    };
    let failure = match hello_result {
        Err(message) => Some(StepFailure {
            step: None,
            message,
        }),
        Ok(result) => {
            let needed = scenario.config.keys();
            let missing: Vec<&String> = result
                .unsupported
                .iter()
                .filter(|k| needed.contains(&k.as_str()))
                .collect();
            hello = Some(result.clone());
            if !missing.is_empty() {
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
    // A connection's end is recorded some time after the client saw it
    // close: only ends the scenario awaited are part of the trace.
    let server = session
        .recording()
        .into_iter()
        .filter(|e| !e.matches(ServerKind::End) || run.consumed_server.contains(&e.seq))
        .collect();
    let context = context_for(scenario, session);
    let client = std::mem::take(&mut run.client);
    let client_sockets = std::mem::take(&mut run.lanes);
    // End (or reset) the adapter; what it says now is not part of the
    // trace, and the wait is bounded.
    if run.fault.is_none() {
        let is_reset = matches!(end_op, Op::Reset);
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
    Execution {
        trace: Trace {
            client,
            client_sockets,
            server,
            logs: run.logs,
        },
        failure,
        not_applicable,
        hello,
        context,
        elapsed: started.elapsed(),
        adapter_fault: run.fault,
        next_id: run.next_id,
    }
}

fn context_for(scenario: &Scenario, session: &dyn ServerSession) -> normalise::Context {
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
    normalise::Context {
        replacements,
        session: session.id(),
        headers,
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
    /// Request id -> the call's stable name.
    call_names: HashMap<u64, String>,
    /// Request id -> the `as` name of the task it returns.
    task_names: HashMap<u64, String>,
    /// Adapter handle -> scenario name.
    handle_names: HashMap<String, String>,
    /// Scenario name -> adapter handle.
    name_handles: HashMap<String, String>,
    client: Vec<ClientRecord>,
    /// The socket (`my` or a task name) of each client record.
    lanes: Vec<String>,
    /// Request id -> where its events go.
    call_lanes: HashMap<u64, LaneOf>,
    /// Request id -> the task it returned.
    call_tasks: HashMap<u64, String>,
    consumed: Vec<bool>,
    consumed_server: HashSet<u64>,
    logs: Vec<String>,
}

type StepResult = Result<(), StepFailure>;

/// Where a call's events go, before its task (if any) is known.
enum LaneOf {
    /// `my` or a task name.
    Fixed(String),
    /// The task the enclosing call (this id) returned.
    Returned(u64),
}

impl Run<'_> {
    fn step_deadline(&self, ms: u64) -> Instant {
        (Instant::now() + Duration::from_millis(ms)).min(self.deadline)
    }

    fn request_deadline(&self) -> Instant {
        (Instant::now() + self.request_timeout).min(self.deadline)
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

    fn send(&mut self, request: Request) -> Result<(), String> {
        self.adapter.send(request).map_err(|e| {
            let text = e.to_string();
            self.fault.get_or_insert(text.clone());
            text
        })
    }

    /// Adds one adapter message to the client lane; a message that breaks
    /// the protocol marks the adapter as faulty.
    fn record(&mut self, message: AdapterMessage) -> Result<(), String> {
        let result = self.record_message(message);
        if let Err(e) = &result {
            self.fault.get_or_insert(e.clone());
        }
        result
    }

    async fn hello(&mut self, config: Config) -> Result<HelloResult, String> {
        let deadline = self.request_deadline();
        let result = self
            .request_plain(
                Op::Hello {
                    protocol: PROTOCOL_VERSION,
                    config,
                    profile: None,
                },
                deadline,
            )
            .await
            .map_err(|e| format!("hello: {e}"))?;
        serde_json::from_value(result).map_err(|e| format!("hello: unexpected result: {e}"))
    }

    /// A request that is not a call: events that arrive meanwhile are
    /// recorded like any other.
    async fn request_plain(&mut self, op: Op, deadline: Instant) -> Result<Value, String> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(Request { id, op })?;
        loop {
            match self.next(deadline).await {
                Ok(AdapterMessage::Response(r)) if r.id == id => {
                    return if r.ok {
                        Ok(r.result.unwrap_or(Value::Null))
                    } else {
                        Err(format!("adapter refused: {}", r.error.unwrap_or_default()))
                    };
                }
                Ok(message) => self.record(message)?,
                Err(AdapterError::Timeout) => {
                    let text = "no response before the request deadline".to_string();
                    self.fault.get_or_insert(text.clone());
                    return Err(text);
                }
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    async fn steps(&mut self, scenario: &Scenario) -> StepResult {
        for (index, step) in scenario.steps.iter().enumerate() {
            let fail = |message: String| StepFailure {
                step: Some(index + 1),
                message,
            };
            if Instant::now() >= self.deadline {
                return Err(fail(format!(
                    "scenario deadline ({} ms) passed before this step",
                    scenario.deadline().as_millis()
                )));
            }
            let result = match step {
                Step::Call(call) => self.call(call, default_call_name(index)).await,
                Step::Await(a) => {
                    let (items, ms) = a.items();
                    self.await_items(&items, ms).await
                }
                Step::Server(s) => self.server(s).await,
                Step::Expect(items) => self.expect(items).await,
            };
            result.map_err(fail)?;
        }
        Ok(())
    }

    fn build_call(
        &mut self,
        step: &CallStep,
        name: String,
        parent: Option<u64>,
    ) -> Result<(u64, Call), String> {
        let id = self.next_id;
        self.next_id += 1;
        self.call_names.insert(id, name.clone());
        let lane = match (step.target.as_str(), parent) {
            (TARGET_RETURNED, Some(parent)) => LaneOf::Returned(parent),
            (target, _) => LaneOf::Fixed(target.to_string()),
        };
        self.call_lanes.insert(id, lane);
        if let Some(task) = &step.as_name {
            self.task_names.insert(id, task.clone());
        }
        let target = if step.target == TARGET_MY || step.target == TARGET_RETURNED {
            step.target.clone()
        } else {
            self.name_handles
                .get(&step.target)
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "task `{}` does not exist: its connectSocket returned no task",
                        step.target
                    )
                })?
        };
        let args = match &step.args {
            Some(a) => Some(expand_value(a, &SessionEndpoints(self.session))?),
            None => None,
        };
        let then = self.build_nested(&step.then, &format!("{name}-then"), id)?;
        let mut within = Within::default();
        for (slot, calls) in step.within.slots() {
            *match slot {
                "success" => &mut within.success,
                "fail" => &mut within.fail,
                "complete" => &mut within.complete,
                _ => &mut within.listener,
            } = self.build_nested(calls, &format!("{name}-{slot}"), id)?;
        }
        Ok((
            id,
            Call {
                target,
                method: step.method.clone(),
                args,
                no_argument: step.no_argument,
                listener: step.listener.clone(),
                then,
                within,
            },
        ))
    }

    /// The nested calls of call `parent`, named `<prefix><k>` (1-based)
    /// unless they have a name of their own.
    fn build_nested(
        &mut self,
        calls: &[CallStep],
        prefix: &str,
        parent: u64,
    ) -> Result<Vec<NestedCall>, String> {
        let mut out = Vec::with_capacity(calls.len());
        for (k, nested) in calls.iter().enumerate() {
            let nested_name = nested.name.clone().unwrap_or(format!("{prefix}{}", k + 1));
            let (id, call) = self.build_call(nested, nested_name, Some(parent))?;
            out.push(NestedCall { id, call });
        }
        Ok(out)
    }

    async fn call(&mut self, step: &CallStep, default_name: String) -> Result<(), String> {
        let name = step.name.clone().unwrap_or(default_name);
        let (id, call) = self.build_call(step, name.clone(), None)?;
        let then_ids: Vec<u64> = call.then.iter().map(|n| n.id).collect();
        self.send(Request {
            id,
            op: Op::Call(call),
        })?;
        let deadline = self.request_deadline();
        let mut waiting: HashSet<u64> = then_ids.into_iter().chain([id]).collect();
        while !waiting.is_empty() {
            match self.next(deadline).await {
                Ok(message) => {
                    if let AdapterMessage::Response(r) = &message {
                        waiting.remove(&r.id);
                    }
                    self.record(message)?;
                }
                Err(AdapterError::Timeout) => {
                    let text = format!(
                        "call `{name}` ({}): no response before the deadline",
                        step.method
                    );
                    // A hung adapter: past the request deadline it is not
                    // trusted again (unless the scenario's own deadline cut it short).
                    if Instant::now() < self.deadline {
                        self.fault.get_or_insert(text.clone());
                    }
                    return Err(text);
                }
                Err(e) => return Err(format!("call `{name}` ({}): {e}", step.method)),
            }
        }
        Ok(())
    }

    fn record_message(&mut self, message: AdapterMessage) -> Result<(), String> {
        let (record, lane) = match message {
            AdapterMessage::Response(r) => {
                let call = self.call_names.get(&r.id).cloned().ok_or_else(|| {
                    format!(
                        "adapter protocol violation: response to unknown id {}",
                        r.id
                    )
                })?;
                if !r.ok {
                    let error = r.error.unwrap_or_default();
                    let lane = self.lane_of(r.id);
                    self.push(
                        ClientRecord::ProtocolError {
                            call: call.clone(),
                            error: error.clone(),
                        },
                        lane,
                    );
                    return Err(format!("the adapter refused call `{call}`: {error}"));
                }
                let handle = r
                    .result
                    .as_ref()
                    .and_then(|v| v.get("returned"))
                    .and_then(|v| v.get("task"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let task = handle.map(|handle| {
                    let name = self
                        .task_names
                        .get(&r.id)
                        .cloned()
                        .unwrap_or(handle.clone());
                    self.handle_names.insert(handle.clone(), name.clone());
                    self.name_handles.insert(name.clone(), handle);
                    self.call_tasks.insert(r.id, name.clone());
                    name
                });
                (ClientRecord::Returned { call, task }, self.lane_of(r.id))
            }
            AdapterMessage::Event(Event::Callback {
                call,
                kind,
                res,
                sync,
            }) => {
                let name = self.call_names.get(&call).cloned().ok_or_else(|| {
                    format!("adapter protocol violation: callback for unknown call {call}")
                })?;
                (
                    ClientRecord::Callback {
                        call: name,
                        kind,
                        res,
                        sync,
                    },
                    self.lane_of(call),
                )
            }
            AdapterMessage::Event(Event::Listener {
                target,
                listener,
                event_type,
                res,
            }) => {
                let target = if target == TARGET_MY {
                    target
                } else {
                    self.handle_names.get(&target).cloned().ok_or_else(|| {
                        format!("adapter protocol violation: listener event for unknown task `{target}`")
                    })?
                };
                (
                    ClientRecord::Listener {
                        target: target.clone(),
                        listener,
                        event_type,
                        res,
                    },
                    target,
                )
            }
            AdapterMessage::Event(Event::Log { text }) => {
                self.logs.push(text);
                return Ok(());
            }
        };
        self.push(record, lane);
        Ok(())
    }

    fn push(&mut self, record: ClientRecord, lane: String) {
        self.client.push(record);
        self.lanes.push(lane);
        self.consumed.push(false);
    }

    /// The socket a call's events belong to: the task it returned, else
    /// its target (`$returned` resolved through the enclosing call).
    fn lane_of(&self, id: u64) -> String {
        let mut id = id;
        for _ in 0..64 {
            if let Some(task) = self.call_tasks.get(&id) {
                return task.clone();
            }
            match self.call_lanes.get(&id) {
                Some(LaneOf::Fixed(target)) => return target.clone(),
                Some(LaneOf::Returned(parent)) => id = *parent,
                None => break,
            }
        }
        TARGET_MY.to_string()
    }

    /// Finds `count` unconsumed matches for every client item; on success
    /// marks them consumed.
    fn try_consume(&mut self, items: &[&AwaitDetail]) -> bool {
        let mut consumed = self.consumed.clone();
        for item in items {
            let mut need = item.count.unwrap_or(1);
            for (i, record) in self.client.iter().enumerate() {
                if need == 0 {
                    break;
                }
                if !consumed[i] && record.matches(&item.event, item.listener.as_deref()) {
                    consumed[i] = true;
                    need -= 1;
                }
            }
            if need > 0 {
                return false;
            }
        }
        self.consumed = consumed;
        true
    }

    async fn await_items(&mut self, items: &[AwaitDetail], ms: u64) -> Result<(), String> {
        let deadline = self.step_deadline(ms);
        let client: Vec<&AwaitDetail> = items.iter().filter(|d| !d.event.is_server()).collect();
        while !self.try_consume(&client) {
            match self.next(deadline).await {
                Ok(message) => self.record(message)?,
                Err(AdapterError::Timeout) => {
                    return Err(format!(
                        "await {}: not seen within {ms} ms; client lane so far: {}",
                        describe_items(&client),
                        self.lane_summary()
                    ))
                }
                Err(e) => return Err(format!("await {}: {e}", describe_items(&client))),
            }
        }
        for item in items.iter().filter(|d| d.event.is_server()) {
            let Pattern::Server(kind) = item.event else {
                continue;
            };
            for _ in 0..item.count.unwrap_or(1) {
                let consumed = self.consumed_server.clone();
                let remaining = deadline.saturating_duration_since(Instant::now());
                let found = self
                    .session
                    .wait_for(
                        Box::new(move |e: &ServerEvent| {
                            e.matches(kind) && !consumed.contains(&e.seq)
                        }),
                        remaining,
                    )
                    .await;
                match found {
                    Some(e) => {
                        self.consumed_server.insert(e.seq);
                    }
                    None => {
                        return Err(format!(
                            "await `{}`: not seen on the server within {ms} ms; server lane: {}",
                            item.event,
                            serde_json::to_string(&self.session.recording()).unwrap_or_default()
                        ))
                    }
                }
            }
        }
        Ok(())
    }

    fn lane_summary(&self) -> String {
        if self.client.is_empty() {
            return "(empty)".into();
        }
        self.client
            .iter()
            .map(|r| match r.res() {
                Some(res) => format!("{} {}", r.label(), normalise::shorten(&res.to_string())),
                None => r.label(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn server(&mut self, step: &ServerStep) -> Result<(), String> {
        let target = match &step.target {
            ServerTarget::All => ActTarget::All,
            ServerTarget::Room(room) => ActTarget::Room(room.clone()),
            ServerTarget::Conn(n) => {
                let conns = connections(&self.session.recording());
                ActTarget::Conn(
                    conns
                        .get((*n as usize).wrapping_sub(1))
                        .cloned()
                        .ok_or_else(|| {
                            format!(
                                "server: no connection #{n} (the session has {})",
                                conns.len()
                            )
                        })?,
                )
            }
        };
        self.session
            .act(target, &step.action)
            .await
            .map_err(|e| format!("server: {e}"))
    }

    /// Checks the lanes as recorded so far. It reads nothing new from the
    /// adapter (what the lane holds must not depend on timing), except in
    /// `settle`, which reads for a fixed window to assert that nothing comes.
    async fn expect(&mut self, items: &[Expectation]) -> Result<(), String> {
        for (k, item) in items.iter().enumerate() {
            if let Expectation::Settle(ms) = item {
                let until = self.step_deadline(*ms);
                let before = self.client.len();
                loop {
                    match self.next(until).await {
                        Ok(message) => {
                            self.record(message)?;
                            if self.client.len() > before {
                                return Err(format!(
                                    "expect[{}] settle {ms} ms: unexpected event {}",
                                    k + 1,
                                    self.lane_summary_from(before)
                                ));
                            }
                        }
                        Err(AdapterError::Timeout) => break,
                        Err(e) => return Err(format!("expect[{}] settle: {e}", k + 1)),
                    }
                }
                continue;
            }
            let server = self.session.recording();
            check(
                item,
                Lanes {
                    client: &self.client,
                    server: &server,
                },
            )
            .map_err(|m| {
                format!(
                    "expect[{}]: {m}\nclient lane: {}",
                    k + 1,
                    self.lane_summary()
                )
            })?;
        }
        Ok(())
    }

    fn lane_summary_from(&self, from: usize) -> String {
        self.client[from..]
            .iter()
            .map(|r| match r.res() {
                Some(res) => format!("{} {}", r.label(), normalise::shorten(&res.to_string())),
                None => r.label(),
            })
            .collect::<Vec<_>>()
            .join("; ")
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

#[cfg(test)]
mod tests;
