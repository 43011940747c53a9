//! The suite as a library: run the selected scenarios against an
//! implementation (the in-process reference, or an adapter process) with
//! the embedded mock server, check each against its golden trace, and
//! report through one event stream ([`SuiteEvent`]) ending in the run's
//! [`RunReport`], the report crate's own model.
//!
//! The command line, the test harnesses and the report writers are all
//! consumers of [`run_suite`]. What to run is [`SuiteOptions`]
//! (`options.rs`); how a scenario reaches its adapter is a lease
//! (`lease.rs`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use adapter_protocol::{Config, HelloResult};
use mock_server::{MockServer, Options};
use report::{Implementation, RunReport, ScenarioReport};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::execute::agent::AgentLink;
use crate::execute::executor::{config_for, face_mismatch};
use crate::execute::lease::{Adapters, StartFailure};
use crate::execute::options::{select, AdapterSpec, SuiteError, SuiteOptions, IN_PROCESS_JOBS};
use crate::execute::patience::{Patience, PATIENCE};
use crate::execute::pool::Launch;
use crate::execute::reference::{Behaviour, MockSession, Mutant, Variant, Variants};
use crate::execute::results::{
    load_average, run_report, RunFacts, SuiteEvent, UNKNOWN_IMPLEMENTATION,
};
use crate::scenario::loader::LoadedScenario;
use crate::scenario::profile::not_applicable;
use crate::verdict::judge::{judge, millis, scenario_report, Status};

/// The pieces a run needs: the embedded mock server and the adapters.
/// [`run_suite`] drives one; a test harness that runs scenarios one by one
/// (a trial each) uses it directly: [`Suite::start`], [`Suite::run_one`]
/// from any number of tasks or threads, then [`Suite::finish`].
pub struct Suite {
    server: MockServer,
    options: SuiteOptions,
    /// Where each scenario's adapter comes from.
    adapters: Adapters,
    /// What the run learned of the events the implementation sends (a
    /// kind that never comes makes later awaits for it short).
    patience: Arc<Patience>,
    /// The instances one adapter process holds (its `hello`; 1 in process).
    instances: u32,
    implementation: Mutex<Option<Implementation>>,
}

impl std::fmt::Debug for Suite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Suite")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Suite {
    /// Starts the mock server and checks the adapter: a mutant name must
    /// exist, an adapter's program must start (one that does not answer
    /// `hello` makes each scenario that needs it an `error`), and serve
    /// the profile's face of the API.
    pub async fn start(options: SuiteOptions) -> Result<Suite, SuiteError> {
        Suite::start_for(options, true).await
    }

    /// [`start`](Self::start); an adapter process is started up front only
    /// when `needs_adapter` (some selected scenario applies to the
    /// profile), else only when a scenario needs one.
    async fn start_for(options: SuiteOptions, needs_adapter: bool) -> Result<Suite, SuiteError> {
        let behaviour = match &options.adapter {
            AdapterSpec::Reference { mutant, variants } => {
                Some(reference_behaviour(mutant.as_deref(), variants, &options)?)
            }
            AdapterSpec::Command(_) | AdapterSpec::Agent(_) => None,
        };
        // An agent on a device reaches the mock server where it reaches the
        // runner: `--advertise-host` (docs/decisions.md). Else loopback.
        let server_options = match &options.adapter {
            AdapterSpec::Agent(agent) => match agent.advertise_host() {
                Some(host) => Options::default().with_public_host(host),
                None => Options::default(),
            },
            _ => Options::default(),
        };
        let server = MockServer::start(server_options)
            .await
            .map_err(|e| SuiteError::MockServer(e.to_string()))?;
        let (adapters, hello) = match (&options.adapter, behaviour) {
            (AdapterSpec::Command(command), _) => {
                let launch = Launch {
                    command: command.clone(),
                    cwd: options.adapter_cwd.clone(),
                    hello_timeout: options.hello_timeout,
                    profile: options.profile,
                };
                // As many as scenarios run at once.
                let capacity = options.effective_jobs(usize::MAX);
                if !needs_adapter {
                    return Ok(Suite {
                        server,
                        instances: 1,
                        implementation: Mutex::new(None),
                        options,
                        adapters: Adapters::processes_when_needed(launch, capacity),
                        patience: Patience::new(),
                    });
                }
                let config = Config {
                    ca_certificates_pem: server.ca_pem().to_string(),
                    ..Config::default()
                };
                let started = Adapters::processes(launch, config, capacity)
                    .await
                    .map_err(|failure| match failure {
                        StartFailure::NoStart(e) => SuiteError::AdapterStart {
                            command: command.clone(),
                            message: e.last().to_string(),
                        },
                        StartFailure::WrongFace(message) => SuiteError::WrongFace {
                            command: command.clone(),
                            message,
                        },
                    })?;
                (started.adapters, started.hello)
            }
            (AdapterSpec::Agent(agent), _) => {
                let config = Config {
                    ca_certificates_pem: server.ca_pem().to_string(),
                    ..Config::default()
                };
                let (link, hello) = AgentLink::connect(
                    agent.clone(),
                    config,
                    options.profile,
                    options.agent_join_timeout,
                    options.hello_timeout,
                )
                .await
                .map_err(|message| SuiteError::AgentStart {
                    url: agent.url().to_string(),
                    message,
                })?;
                if let Some(message) = face_mismatch(&hello, options.profile) {
                    link.finish().await;
                    return Err(SuiteError::WrongFace {
                        command: options.adapter.describe(),
                        message,
                    });
                }
                (Adapters::Agent(Box::new(link)), Some(hello))
            }
            (AdapterSpec::Reference { .. }, behaviour) => (
                Adapters::Reference(behaviour.unwrap_or_else(Behaviour::reference)),
                None,
            ),
        };
        Ok(Suite {
            server,
            instances: hello.as_ref().map_or(1, |h| h.instances),
            implementation: Mutex::new(hello.map(|h| implementation_of(&h, &options.adapter))),
            options,
            adapters,
            patience: Patience::new(),
        })
    }

    /// The options it runs with.
    pub fn options(&self) -> &SuiteOptions {
        &self.options
    }

    /// Scenarios at once: as [`SuiteOptions`] says, and by default, for an
    /// adapter that holds several instances, as many as one process holds.
    pub fn effective_jobs(&self, scenarios: usize) -> usize {
        if self.options.jobs == 0 && self.instances > 1 {
            let jobs = usize::try_from(self.instances).unwrap_or(usize::MAX);
            return jobs.min(IN_PROCESS_JOBS).clamp(1, scenarios.max(1));
        }
        self.options.effective_jobs(scenarios)
    }

    /// The implementation, from the first `hello` answered.
    pub fn implementation(&self) -> Option<Implementation> {
        self.implementation
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Runs one scenario on a fresh mock-server session and judges it.
    /// An adapter process is reused (after `reset`) when its config is the
    /// scenario's, replaced when it is not, and ended after any fault. A
    /// scenario the profile rules out is not applicable, whatever the
    /// adapter: no adapter is asked or started for it.
    pub async fn run_one(&self, scenario: &LoadedScenario) -> ScenarioReport {
        PATIENCE
            .scope(Arc::clone(&self.patience), self.run_one_now(scenario))
            .await
    }

    async fn run_one_now(&self, scenario: &LoadedScenario) -> ScenarioReport {
        if let Some(reason) = not_applicable(&scenario.scenario, self.options.profile) {
            let mut result = scenario_report(scenario, Status::NotApplicable);
            result.message = Some(reason);
            return result;
        }
        let started = Instant::now();
        let session = MockSession::new(&self.server);
        let config = config_for(&scenario.scenario, self.server.ca_pem());
        let timeout = self.options.request_timeout;
        let mut result = match self.adapters.lease(config, timeout).await {
            Err(e) => e.report(scenario),
            Ok(mut lease) => {
                let execution = lease
                    .run(&scenario.scenario, &session, timeout, self.options.profile)
                    .await;
                self.note_hello(execution.hello.as_ref());
                let faulted = execution.adapter_fault.is_some();
                let mut result = judge(scenario, &execution);
                if result.status != Status::Pass || faulted {
                    if let Some(tail) = lease.stderr_tail() {
                        result.adapter_stderr = Some(tail);
                    }
                }
                if lease.agent_gone() {
                    // The agent went away: the scenario could not run.
                    result.status = Status::Error;
                }
                lease.release(faulted).await;
                result
            }
        };
        result.duration_ms = millis(started.elapsed());
        result
    }

    fn note_hello(&self, hello: Option<&HelloResult>) {
        if let Some(h) = hello {
            self.implementation
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get_or_insert_with(|| implementation_of(h, &self.options.adapter));
        }
    }

    /// Kills every idle adapter process (and its process group) at once,
    /// without `shutdown`: for a run that was interrupted.
    pub fn abandon(&self) {
        self.adapters.abandon();
    }

    /// Ends every idle adapter process (`shutdown`, then kill past a short
    /// deadline). Call it when no [`run_one`](Self::run_one) is running;
    /// the mock server stops when the value is dropped.
    pub async fn finish(&self) {
        self.adapters.finish().await;
    }
}

/// Runs the selected scenarios against `options.adapter`, calling
/// `on_event` for each [`SuiteEvent`] (on the caller's task, in order).
/// Every adapter process it starts has ended when it returns (or when its
/// future is dropped).
pub async fn run_suite(
    options: SuiteOptions,
    on_event: impl FnMut(&SuiteEvent),
) -> Result<RunReport, SuiteError> {
    run_suite_until(options, std::future::pending(), on_event).await
}

/// [`run_suite`] that stops early when `stop` completes (Ctrl-C): no
/// scenario starts after that, the scenarios running are abandoned and
/// every adapter process (with its whole process group) is killed at once;
/// the report holds the scenarios that ended, with
/// [`RunReport::interrupted`] set, and the `Finished` event is sent as usual.
pub async fn run_suite_until(
    options: SuiteOptions,
    stop: impl std::future::Future<Output = ()>,
    mut on_event: impl FnMut(&SuiteEvent),
) -> Result<RunReport, SuiteError> {
    let scenarios = select(&options)?;
    let started = SystemTime::now();
    let load_at_start = load_average();
    let facts = |implementation: Option<Implementation>, jobs, interrupted| RunFacts {
        implementation: implementation.unwrap_or_else(|| Implementation {
            name: UNKNOWN_IMPLEMENTATION.into(),
            version: String::new(),
            adapter: options.adapter.describe(),
        }),
        profile: options.profile.name().to_string(),
        jobs,
        started,
        load_at_start,
        interrupted,
    };
    let needs_adapter = scenarios
        .iter()
        .any(|s| not_applicable(&s.scenario, options.profile).is_none());
    tokio::pin!(stop);
    let suite = tokio::select! {
        suite = Suite::start_for(options.clone(), needs_adapter) => Arc::new(suite?),
        () = &mut stop => {
            // Dropping the start kills the adapter it was starting.
            let report = run_report(facts(None, 0, true), Vec::new());
            on_event(&SuiteEvent::Finished(Box::new(report.clone())));
            return Ok(report);
        }
    };
    let total = scenarios.len();
    let jobs = suite.effective_jobs(total);
    on_event(&SuiteEvent::Started {
        adapter: options.adapter.describe(),
        total,
        jobs,
    });

    let queue = Arc::new(Mutex::new(scenarios.into_iter().collect::<VecDeque<_>>()));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..jobs {
        let (suite, queue, tx) = (Arc::clone(&suite), Arc::clone(&queue), tx.clone());
        workers.spawn(async move {
            loop {
                let next = queue
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .pop_front();
                let Some(scenario) = next else { break };
                let _ = tx.send(SuiteEvent::ScenarioStarted {
                    trial: scenario.trial_name(),
                });
                let result = suite.run_one(&scenario).await;
                if let Some(reason) = &result.adapter_fault {
                    let _ = tx.send(SuiteEvent::AdapterRestarted {
                        trial: result.id.clone(),
                        reason: reason.clone(),
                    });
                }
                let _ = tx.send(SuiteEvent::ScenarioFinished {
                    done: 0,
                    total,
                    result: Box::new(result),
                });
            }
        });
    }
    drop(tx);
    let mut results = Vec::with_capacity(total);
    let mut interrupted = false;
    loop {
        let mut event = tokio::select! {
            event = rx.recv() => match event {
                Some(event) => event,
                None => break,
            },
            () = &mut stop, if !interrupted => {
                interrupted = true;
                queue.lock().unwrap_or_else(PoisonError::into_inner).clear();
                // Cancelling a worker drops its scenario's adapter, which
                // kills the adapter's process group; what already ended is
                // still in the channel.
                workers.abort_all();
                continue;
            }
        };
        if let SuiteEvent::ScenarioFinished { done, result, .. } = &mut event {
            results.push((**result).clone());
            *done = results.len();
        }
        on_event(&event);
    }
    while workers.join_next().await.is_some() {}
    let implementation = suite.implementation();
    if interrupted {
        suite.abandon();
    } else {
        suite.finish().await;
    }
    if let Ok(suite) = Arc::try_unwrap(suite) {
        suite.server.shutdown().await;
    }
    let report = run_report(facts(implementation, jobs, interrupted), results);
    on_event(&SuiteEvent::Finished(Box::new(report.clone())));
    Ok(report)
}

/// The reference's behaviour for `mutant` and `variants` under the
/// options' profile.
fn reference_behaviour(
    mutant: Option<&str>,
    variants: &[String],
    options: &SuiteOptions,
) -> Result<Behaviour, SuiteError> {
    let mutant = match mutant {
        Some(name) => Some(
            name.parse::<Mutant>()
                .map_err(|e| SuiteError::UnknownMutant(e.to_string()))?,
        ),
        None => None,
    };
    let variants = variants
        .iter()
        .map(|v| v.parse::<Variant>())
        .collect::<Result<Vec<_>, _>>()
        .and_then(Variants::new)
        .map_err(|e| SuiteError::BadVariant(e.to_string()))?;
    Ok(Behaviour::mutant(mutant)
        .with_variants(variants)
        .with_profile(options.profile))
}

/// The implementation as `hello` introduced it, reached through `adapter`.
fn implementation_of(hello: &HelloResult, adapter: &AdapterSpec) -> Implementation {
    Implementation {
        name: hello.name.clone(),
        version: hello.version.clone(),
        adapter: adapter.describe(),
    }
}
