//! Where each scenario's adapter comes from: one interface over the three
//! ways to reach an implementation ([`Adapters`]). A scenario takes a
//! [`Lease`] on a ready adapter, runs on it, and releases it; what a lease
//! is underneath (a fresh in-process reference, an adapter process kept
//! between scenarios, an instance of a shared process) is this module's
//! business only.

use std::time::Duration;

use adapter_host::{Adapter, ResetError};
use adapter_protocol::{error_chain, Config, HelloResult};
use report::ScenarioReport;
use tokio::time::Instant;

use crate::execute::agent::{AgentLink, AgentSlot};
use crate::execute::executor::{
    execute, face_mismatch, Prelude, Settings, DEFAULT_REQUEST_TIMEOUT,
};
use crate::execute::pool::{
    last_bytes, InstanceSlot, Launch, ProcSlot, ProcessPool, SharedPool, StartError, Starter,
};
use crate::execute::reference::{Behaviour, InProcessAdapter};
use crate::execute::session::ServerSession;
use crate::record::execution::Execution;
use crate::scenario::loader::LoadedScenario;
use crate::scenario::model::Scenario;
use crate::verdict::judge::{adapter_did_not_start, scenario_report, Status};

/// How much of an adapter's stderr a scenario's report keeps.
const REPORT_STDERR_BYTES: usize = 8000;

/// The implementation under test, as scenarios reach it.
pub(crate) enum Adapters {
    /// The reference in process: a fresh one per scenario, introduced by
    /// the scenario's own `hello` and shut down after it.
    Reference(Behaviour),
    /// Adapter processes running one scenario at a time, kept between
    /// scenarios with the same config.
    Processes(ProcessPool, Starter),
    /// Adapter processes holding several instances, each instance running
    /// one scenario at a time.
    Shared(SharedPool, Starter),
    /// The run's one agent (`agent/agent.js` over HTTP), one scenario at
    /// a time (boxed: it holds the agent's adapter and hello).
    Agent(Box<AgentLink>),
}

/// What starting the run's adapter up front learned: its `hello`, if it
/// answered.
pub(crate) struct Started {
    /// Where the scenarios' adapters come from.
    pub(crate) adapters: Adapters,
    /// The `hello` of the process started up front (none in process, or
    /// when it did not answer).
    pub(crate) hello: Option<HelloResult>,
}

/// Why an adapter process could not be started up front.
#[derive(Debug)]
pub(crate) enum StartFailure {
    /// Its program could not be started (twice).
    NoStart(StartError),
    /// It serves another face of the API than the profile checks.
    WrongFace(String),
}

impl Adapters {
    /// Adapter processes from `launch`, one started at once (introduced
    /// with `config`, and retried once): a program that cannot be started
    /// at all, or that serves another face of the API, is a configuration
    /// error, not a hundred failed scenarios. One that starts and does not
    /// answer `hello` is not: the run goes on, and each scenario that needs
    /// an adapter is an `error` saying why. The process serves the run's
    /// first scenarios (all of them at once if it holds several instances).
    /// Up to `capacity` processes are kept (the scenarios run at once).
    pub(crate) async fn processes(
        launch: Launch,
        config: Config,
        capacity: usize,
    ) -> Result<Started, StartFailure> {
        let starter = Starter::new(launch);
        let slot = match starter.start(config).await {
            Ok(slot) => slot,
            Err(e) if e.is_spawn() => return Err(StartFailure::NoStart(e)),
            // The starter gave up: every scenario's lease says why.
            Err(_) => {
                return Ok(Started {
                    adapters: Adapters::Processes(ProcessPool::new(capacity), starter),
                    hello: None,
                })
            }
        };
        if let Some(message) = face_mismatch(&slot.hello, starter.profile()) {
            slot.end().await;
            return Err(StartFailure::WrongFace(message));
        }
        let hello = Some(slot.hello.clone());
        let adapters = if slot.hello.instances > 1 {
            let shared = SharedPool::default();
            shared.adopt(slot).await;
            Adapters::Shared(shared, starter)
        } else {
            let pool = ProcessPool::new(capacity);
            pool.adopt(slot);
            Adapters::Processes(pool, starter)
        };
        Ok(Started { adapters, hello })
    }

    /// Adapter processes from `launch`, none started yet: for a run in
    /// which no scenario applies, so that none is.
    pub(crate) fn processes_when_needed(launch: Launch, capacity: usize) -> Adapters {
        Adapters::Processes(ProcessPool::new(capacity), Starter::new(launch))
    }

    /// A ready adapter for a scenario with `config` (a shared instance
    /// with another config takes it with a `reset`, answered within
    /// `request_timeout`).
    pub(crate) async fn lease(
        &self,
        config: Config,
        request_timeout: Duration,
    ) -> Result<Lease<'_>, LeaseError> {
        let held = match self {
            Adapters::Reference(behaviour) => Held::Reference {
                adapter: InProcessAdapter::spawn_as(behaviour.clone()),
                config,
            },
            Adapters::Processes(pool, starter) => Held::Process {
                slot: pool
                    .take(starter, config)
                    .await
                    .map_err(LeaseError::Start)?,
                pool,
            },
            Adapters::Shared(pool, starter) => {
                let mut slot = pool
                    .take(&config, || starter.start(config.clone()))
                    .await
                    .map_err(LeaseError::Start)?;
                if slot.config != config {
                    if let Err(error) = reconfigure(&mut slot, config, request_timeout).await {
                        let stderr_tail = slot.instance.stderr_tail();
                        pool.give_back(slot, true).await;
                        return Err(LeaseError::Reconfigure { error, stderr_tail });
                    }
                }
                Held::Instance { slot, pool }
            }
            Adapters::Agent(link) => Held::Agent(
                link.take(config, request_timeout)
                    .await
                    .map_err(LeaseError::AgentGone)?,
                request_timeout,
            ),
        };
        Ok(Lease { held })
    }

    /// Ends every idle adapter process (`shutdown`, then kill past a short
    /// deadline). Call it when no lease is held.
    pub(crate) async fn finish(&self) {
        match self {
            Adapters::Reference(_) => {}
            Adapters::Processes(pool, _) => pool.finish().await,
            Adapters::Shared(pool, _) => pool.finish().await,
            Adapters::Agent(link) => link.finish().await,
        }
    }

    /// Kills every idle adapter process (and its process group) at once,
    /// without `shutdown`: for a run that was interrupted.
    pub(crate) fn abandon(&self) {
        match self {
            Adapters::Reference(_) => {}
            Adapters::Processes(pool, _) => pool.abandon(),
            Adapters::Shared(pool, _) => pool.abandon(),
            Adapters::Agent(link) => link.abandon(),
        }
    }
}

/// Sends `reset` with `config` to a shared instance, so that it runs the
/// next scenario with it.
async fn reconfigure(
    slot: &mut InstanceSlot,
    config: Config,
    timeout: Duration,
) -> Result<(), ResetError> {
    let id = slot.next_id;
    slot.next_id += 1;
    let deadline = Instant::now() + timeout;
    slot.instance
        .reset(id, Some(config.clone()), deadline)
        .await?;
    slot.config = config;
    Ok(())
}

/// Why a scenario got no adapter.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LeaseError {
    /// The adapter process did not start or did not answer `hello`, on a
    /// retry either (the text has its stderr tail).
    #[error("the adapter did not start: {0}")]
    Start(#[from] StartError),
    /// A shared instance did not take the scenario's config.
    #[error("reset with the scenario's config: {}", error_chain(.error))]
    Reconfigure {
        /// Why.
        error: ResetError,
        /// The adapter's stderr then.
        stderr_tail: String,
    },
    /// The run's agent can run nothing more (it has gone away).
    #[error("{0}")]
    AgentGone(String),
}

impl LeaseError {
    /// The report of `scenario`, which could not run. An adapter that did
    /// not start is an `error`, never a `fail`: starting up says nothing
    /// about the behaviour under test, and on a loaded machine a
    /// conforming implementation can miss any deadline
    /// (`docs/decisions.md`). A shared instance that refused the
    /// scenario's config failed a request of the protocol: a `fail`.
    pub(crate) fn report(&self, scenario: &LoadedScenario) -> ScenarioReport {
        match self {
            LeaseError::AgentGone(reason) => agent_gone(scenario, reason),
            LeaseError::Start(error) => {
                let mut result = scenario_report(scenario, Status::Error);
                result.message = Some(self.to_string());
                result.first_difference = result.headline().map(str::to_string);
                if !matches!(error, StartError::GaveUp(_)) {
                    result.adapter_fault = Some(error.to_string());
                }
                result.adapter_stderr = error.stderr_tail().and_then(report_stderr);
                result
            }
            LeaseError::Reconfigure { stderr_tail, .. } => {
                let mut result = adapter_did_not_start(scenario, self.to_string());
                result.adapter_stderr = report_stderr(stderr_tail);
                result
            }
        }
    }
}

/// The report of `scenario`, which could not run: the run's agent is gone.
fn agent_gone(scenario: &LoadedScenario, reason: &str) -> ScenarioReport {
    let mut result = adapter_did_not_start(scenario, reason.to_string());
    result.status = report::Status::Error;
    result.message = Some(format!("the agent can run nothing more: {reason}"));
    result.first_difference = result.message.clone();
    result
}

/// The last bytes of a stderr tail for a report, if there is anything.
fn report_stderr(tail: &str) -> Option<String> {
    (!tail.trim().is_empty()).then(|| last_bytes(tail, REPORT_STDERR_BYTES).to_string())
}

/// A ready adapter, held by one scenario until [`Lease::release`].
pub(crate) struct Lease<'a> {
    held: Held<'a>,
}

/// What a lease holds. One per running scenario, so the size of the
/// in-process variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Held<'a> {
    Reference {
        adapter: InProcessAdapter,
        config: Config,
    },
    Process {
        slot: ProcSlot,
        pool: &'a ProcessPool,
    },
    Instance {
        slot: InstanceSlot,
        pool: &'a SharedPool,
    },
    /// The agent, and how long a reset after a fault may take.
    Agent(tokio::sync::MutexGuard<'a, AgentSlot>, Duration),
}

impl Lease<'_> {
    /// Runs `scenario` on the adapter, with `session`, under the run's
    /// settings: a fresh reference is introduced by the scenario's own
    /// `hello` (and shut down after), a process or instance already was
    /// (and is reset after).
    pub(crate) async fn run(
        &mut self,
        scenario: &Scenario,
        session: &dyn ServerSession,
        request_timeout: Duration,
        profile: adapter_protocol::Profile,
    ) -> Execution {
        let (adapter, prelude, first_id, request_timeout): (&mut dyn Adapter, _, _, _) =
            match &mut self.held {
                Held::Reference { adapter, config } => (
                    adapter,
                    Prelude::Hello(config.clone()),
                    1,
                    DEFAULT_REQUEST_TIMEOUT,
                ),
                Held::Process { slot, .. } => (
                    &mut slot.adapter,
                    Prelude::Done(slot.hello.clone()),
                    slot.next_id,
                    request_timeout,
                ),
                Held::Instance { slot, .. } => (
                    &mut slot.instance,
                    Prelude::Done(slot.hello.clone()),
                    slot.next_id,
                    request_timeout,
                ),
                Held::Agent(slot, _) => {
                    let slot = &mut **slot;
                    (
                        &mut slot.adapter,
                        Prelude::Done(slot.hello.clone()),
                        slot.next_id,
                        request_timeout,
                    )
                }
            };
        let settings = Settings {
            first_id,
            request_timeout,
            profile,
        };
        let execution = execute(scenario, adapter, session, prelude, settings).await;
        match &mut self.held {
            Held::Reference { .. } => {}
            Held::Process { slot, .. } => slot.next_id = execution.next_id,
            Held::Instance { slot, .. } => slot.next_id = execution.next_id,
            Held::Agent(slot, _) => slot.next_id = execution.next_id,
        }
        execution
    }

    /// The last bytes of the adapter's stderr, for a report (none in
    /// process, or when it wrote nothing).
    pub(crate) fn stderr_tail(&self) -> Option<String> {
        match &self.held {
            Held::Reference { .. } => None,
            Held::Process { slot, .. } => report_stderr(&slot.adapter.stderr_tail()),
            Held::Instance { slot, .. } => report_stderr(&slot.instance.stderr_tail()),
            Held::Agent(slot, _) => report_stderr(slot.adapter.log_tail()),
        }
    }

    /// Whether the run's agent went away during the scenario: it could
    /// not run, so it is `error` whatever its trace.
    pub(crate) fn agent_gone(&self) -> bool {
        matches!(&self.held, Held::Agent(slot, _) if AgentLink::gone(slot))
    }

    /// Gives the adapter back after its scenario; one that `faulted` is
    /// not used again.
    pub(crate) async fn release(self, faulted: bool) {
        match self.held {
            Held::Agent(slot, reset_timeout) => {
                AgentLink::give_back(slot, faulted, reset_timeout).await;
            }
            Held::Reference { .. } => {}
            Held::Process { slot, pool } => pool.give_back(slot, faulted).await,
            Held::Instance { slot, pool } => pool.give_back(slot, faulted).await,
        }
    }
}
