//! The suite as a library: load and select scenarios, run them against an
//! implementation (the in-process reference, or an adapter process) with the
//! embedded mock server, check each against its golden trace, and report
//! through one event stream ([`SuiteEvent`]) ending in the run's
//! [`RunReport`], the report crate's own model.
//!
//! The command line, the test harnesses and the report writers are all
//! consumers of [`run_suite`].
//!
//! Why this file is long (about 800 lines): it is the life of one run,
//! whose parts share the run's state (the mock server, the pools, the
//! implementation's `hello`, the patience): selecting scenarios, the three
//! ways to reach an implementation (in process, a process per scenario, a
//! process shared by several), and ending every pool on every path,
//! interrupted or not. Split, each part would reach into the others.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use adapter_protocol::{Config, HelloResult, Profile};
use mock_server::{MockServer, Options};
use report::{Implementation, RunReport, ScenarioReport};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::execute::executor::{
    config_for, face_mismatch, run_scenario_after_hello, run_scenario_in, DEFAULT_REQUEST_TIMEOUT,
};
use crate::execute::partition::Partition;
use crate::execute::patience::{Patience, PATIENCE};
use crate::execute::pool::{last_bytes, ProcSlot, SharedPool};
use crate::execute::reference::{
    Behaviour, InProcessAdapter, MockSession, Mutant, Variant, Variants,
};
use crate::execute::results::{
    load_average, run_report, RunFacts, SuiteEvent, UNKNOWN_IMPLEMENTATION,
};
use crate::scenario::loader::{load_dir, scenarios_dir, LoadError, LoadedScenario};
use crate::verdict::judge::{adapter_did_not_start, judge, millis, Status};

/// The implementation under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdapterSpec {
    /// The bundled reference implementation, in process: as it is, with
    /// other conforming options (variants, `rule=option`: see
    /// `reference_impl::Variant`), or with a deliberate bug (a mutant, by
    /// name: see `reference_impl::Mutant`).
    Reference {
        /// A mutant's name.
        mutant: Option<String>,
        /// Variants, each `rule=option`.
        variants: Vec<String>,
    },
    /// An adapter process, started from this command line (protocol v1 on
    /// its stdio, `docs/adapter-protocol.md`).
    Command(String),
}

impl AdapterSpec {
    /// How progress lines and reports name the adapter: its command line,
    /// or `reference (in-process)` (with the mutant's name for a mutant,
    /// and its variants).
    pub fn describe(&self) -> String {
        match self {
            AdapterSpec::Reference { mutant, variants } => {
                let mut name = match mutant {
                    None => "reference".to_string(),
                    Some(m) => format!("reference mutant {m}"),
                };
                if !variants.is_empty() {
                    name.push_str(&format!(" with {}", variants.join(", ")));
                }
                name.push_str(" (in-process)");
                name
            }
            AdapterSpec::Command(command) => command.clone(),
        }
    }

    /// The reference implementation as it is.
    pub fn reference() -> AdapterSpec {
        AdapterSpec::Reference {
            mutant: None,
            variants: Vec::new(),
        }
    }
}

/// What to run and how.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SuiteOptions {
    /// The implementation under test.
    pub adapter: AdapterSpec,
    /// Substrings of trial names (`<area>::<id>`); a scenario runs when any
    /// matches. Empty: every scenario. A filter that matches nothing is an
    /// error.
    pub filter: Vec<String>,
    /// Scenarios run at once (each with its own adapter); 0: the default
    /// for the adapter ([`default_jobs`]).
    pub jobs: usize,
    /// The scenarios folder (default: the workspace's `scenarios/`).
    pub scenarios_dir: PathBuf,
    /// Only this part of the selection (`--partition`, for sharding a run
    /// across machines); `None`: all of it.
    pub partition: Option<Partition>,
    /// How long an adapter may take to answer one request.
    pub request_timeout: Duration,
    /// How long a new adapter process may take to answer `hello` (its
    /// start-up included).
    pub start_timeout: Duration,
    /// Working directory of adapter processes (default: the current one).
    pub adapter_cwd: Option<PathBuf>,
    /// The profile the run checks (`docs/profiles.md`; default
    /// `alipay-2022-09`): sent in `hello`, it chooses the goldens, which
    /// scenarios apply, and the face of the API the adapter must serve.
    pub profile: Profile,
}

impl SuiteOptions {
    /// Every scenario of the workspace against `adapter`, with the defaults.
    pub fn new(adapter: AdapterSpec) -> Self {
        SuiteOptions {
            adapter,
            filter: Vec::new(),
            jobs: 0,
            scenarios_dir: scenarios_dir(),
            partition: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            start_timeout: Duration::from_secs(10),
            adapter_cwd: None,
            profile: Profile::default(),
        }
    }

    /// The same options under another profile.
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// The same options with a filter.
    pub fn with_filter(mut self, filter: Vec<String>) -> Self {
        self.filter = filter;
        self
    }

    /// The same options with `jobs` scenarios at once.
    pub fn with_jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs;
        self
    }

    /// The same options reading the scenarios from `dir`.
    pub fn with_scenarios_dir(mut self, dir: PathBuf) -> Self {
        self.scenarios_dir = dir;
        self
    }

    /// The same options keeping only one part of the selection.
    pub fn with_partition(mut self, partition: Option<Partition>) -> Self {
        self.partition = partition;
        self
    }

    /// The same options with another request deadline.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// How long a new adapter may take to answer `hello`.
    fn hello_timeout(&self) -> Duration {
        self.start_timeout.max(self.request_timeout)
    }

    fn effective_jobs(&self, scenarios: usize) -> usize {
        let jobs = if self.jobs == 0 {
            default_jobs(&self.adapter)
        } else {
            self.jobs
        };
        jobs.clamp(1, scenarios.max(1))
    }
}

/// Scenarios at once by default in process. A scenario mostly waits (for
/// its server, a timer, a quiet period), so the default does not follow
/// the cores: a run takes about as long as its longest scenario once every
/// scenario can wait at the same time, which needs the long ones not to
/// queue behind others (`docs/decisions.md`). At least the suite's size;
/// the cap keeps the sockets of a much larger suite bounded.
pub const IN_PROCESS_JOBS: usize = 128;

/// Scenarios at once by default through adapter processes, per core: each
/// needs a process of its own (a Node.js runtime, a browser), whose
/// start-up costs CPU, so past a few per core a run becomes CPU-bound.
pub const PROCESS_JOBS_PER_CORE: usize = 4;

/// At most this many adapter processes at once by default, whatever the
/// cores: each may be a browser of a few hundred MB.
pub const PROCESS_JOBS_MAX: usize = 16;

/// Scenarios at once when `--jobs` is not given: [`IN_PROCESS_JOBS`] in
/// process; through adapter processes [`PROCESS_JOBS_PER_CORE`] per core,
/// at most [`PROCESS_JOBS_MAX`].
pub fn default_jobs(adapter: &AdapterSpec) -> usize {
    match adapter {
        AdapterSpec::Reference { .. } => IN_PROCESS_JOBS,
        AdapterSpec::Command(_) => {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            (PROCESS_JOBS_PER_CORE * cores).min(PROCESS_JOBS_MAX)
        }
    }
}

/// Why the suite could not run at all (a usage or configuration error).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SuiteError {
    /// The scenarios do not load.
    #[error("cannot load the scenarios")]
    Load(#[from] LoadError),
    /// The filter selects no scenario.
    #[error("no scenario matches the filter {0:?}")]
    NoMatch(Vec<String>),
    /// No mutant has that name.
    #[error("{0}")]
    UnknownMutant(String),
    /// A variant is not `rule=option` of the reference, or two name one rule.
    #[error("{0}")]
    BadVariant(String),
    /// The embedded mock server does not start.
    #[error("the mock server does not start: {0}")]
    MockServer(String),
    /// The adapter serves another face of the API than the profile checks
    /// (`wx` for `wechat`, `my` for the Alipay profiles).
    #[error("the adapter `{command}` does not fit the profile: {message}")]
    WrongFace {
        /// Its command line.
        command: String,
        /// What it serves and what the profile needs.
        message: String,
    },
    /// The adapter cannot be started or does not answer `hello`.
    #[error("the adapter `{command}` cannot start: {message}")]
    AdapterStart {
        /// Its command line.
        command: String,
        /// Why (with its stderr tail when there is one).
        message: String,
    },
}

/// The scenarios `options` selects (its filter, then its partition),
/// sorted by trial name. A partition may be empty; a filter may not.
pub fn select(options: &SuiteOptions) -> Result<Vec<LoadedScenario>, SuiteError> {
    let chosen = filtered(options)?;
    Ok(match &options.partition {
        Some(partition) => partition.keep(chosen, LoadedScenario::trial_name),
        None => chosen,
    })
}

/// The scenarios `options.filter` selects, sorted by trial name.
fn filtered(options: &SuiteOptions) -> Result<Vec<LoadedScenario>, SuiteError> {
    let mut all = load_dir(&options.scenarios_dir)?;
    all.sort_by_key(|s| s.trial_name());
    if options.filter.is_empty() {
        return Ok(all);
    }
    let chosen: Vec<LoadedScenario> = all
        .into_iter()
        .filter(|s| {
            let name = s.trial_name();
            options.filter.iter().any(|f| name.contains(f.as_str()))
        })
        .collect();
    if chosen.is_empty() {
        return Err(SuiteError::NoMatch(options.filter.clone()));
    }
    Ok(chosen)
}

/// The pieces a run needs: the embedded mock server and the adapters.
/// [`run_suite`] drives one; a test harness that runs scenarios one by one
/// (a trial each) uses it directly: [`Suite::start`], [`Suite::run_one`]
/// from any number of tasks or threads, then [`Suite::finish`].
pub struct Suite {
    server: MockServer,
    options: SuiteOptions,
    behaviour: Behaviour,
    /// What the run learned of the events the implementation sends (a
    /// kind that never comes makes later awaits for it short).
    patience: Arc<Patience>,
    /// Idle adapter processes, each with the config it was introduced with.
    pool: Mutex<Vec<ProcSlot>>,
    /// Shared adapter processes, when the adapter holds several instances.
    shared: SharedPool,
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
    /// exist, an adapter process must start and answer `hello`.
    pub async fn start(options: SuiteOptions) -> Result<Suite, SuiteError> {
        let behaviour = match &options.adapter {
            AdapterSpec::Reference { mutant, variants } => {
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
                Behaviour::mutant(mutant)
                    .with_variants(variants)
                    .with_profile(options.profile)
            }
            AdapterSpec::Command(_) => Behaviour::reference(),
        };
        let server = MockServer::start(Options::default())
            .await
            .map_err(|e| SuiteError::MockServer(e.to_string()))?;
        let mut implementation = None;
        let mut instances = 1;
        let shared = SharedPool::default();
        if let AdapterSpec::Command(command) = &options.adapter {
            // Start it once up front: an adapter that cannot start is a
            // configuration error, not a hundred failed scenarios. One
            // that holds several instances goes on serving the run.
            let config = Config {
                ca_certificates_pem: server.ca_pem().to_string(),
                ..Config::default()
            };
            let slot = ProcSlot::start(
                command,
                options.adapter_cwd.clone(),
                options.hello_timeout(),
                config,
                options.profile,
            )
            .await
            .map_err(|message| SuiteError::AdapterStart {
                command: command.clone(),
                message,
            })?;
            if let Some(message) = face_mismatch(&slot.hello, options.profile) {
                slot.end().await;
                return Err(SuiteError::WrongFace {
                    command: command.clone(),
                    message,
                });
            }
            implementation = Some(implementation_of(&slot.hello, &options.adapter));
            instances = slot.hello.instances;
            if instances > 1 {
                shared.adopt(slot).await;
            } else {
                slot.end().await;
            }
        }
        Ok(Suite {
            server,
            options,
            behaviour,
            patience: Patience::new(),
            pool: Mutex::new(Vec::new()),
            shared,
            instances,
            implementation: Mutex::new(implementation),
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
    /// scenario's, replaced when it is not, and ended after any fault.
    pub async fn run_one(&self, scenario: &LoadedScenario) -> ScenarioReport {
        PATIENCE
            .scope(Arc::clone(&self.patience), self.run_one_now(scenario))
            .await
    }

    async fn run_one_now(&self, scenario: &LoadedScenario) -> ScenarioReport {
        let started = Instant::now();
        let session = MockSession::new(&self.server);
        let ca = self.server.ca_pem();
        let mut result = match &self.options.adapter {
            AdapterSpec::Reference { .. } => {
                let mut adapter = InProcessAdapter::spawn_as(self.behaviour.clone());
                let execution = run_scenario_in(
                    &scenario.scenario,
                    &mut adapter,
                    &session,
                    ca,
                    self.options.profile,
                )
                .await;
                self.note_hello(execution.hello.as_ref());
                judge(scenario, &execution)
            }
            AdapterSpec::Command(command) if self.instances > 1 => {
                self.run_shared(command, scenario, &session, ca, started)
                    .await
            }
            AdapterSpec::Command(command) => {
                let config = config_for(&scenario.scenario, ca);
                let mut slot = match self.take_slot(command, config).await {
                    Ok(slot) => slot,
                    Err(message) => {
                        let mut result = adapter_did_not_start(scenario, message);
                        result.duration_ms = millis(started.elapsed());
                        return result;
                    }
                };
                let execution = run_scenario_after_hello(
                    &scenario.scenario,
                    &mut slot.adapter,
                    &session,
                    &slot.hello,
                    slot.next_id,
                    self.options.request_timeout,
                    self.options.profile,
                )
                .await;
                slot.next_id = execution.next_id;
                let mut result = judge(scenario, &execution);
                if result.status != Status::Pass || execution.adapter_fault.is_some() {
                    let tail = slot.adapter.stderr_tail();
                    if !tail.trim().is_empty() {
                        result.adapter_stderr = Some(last_bytes(&tail, 8000).to_string());
                    }
                }
                if execution.adapter_fault.is_some() {
                    let mut adapter = slot.adapter;
                    adapter.kill();
                    let _ = adapter
                        .shutdown(Instant::now() + Duration::from_millis(500))
                        .await;
                } else {
                    self.pool
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(slot);
                }
                result
            }
        };
        result.duration_ms = millis(started.elapsed());
        result
    }

    /// [`run_one`](Self::run_one) on an instance of a shared adapter
    /// process: its config is set with `reset` when it differs.
    async fn run_shared(
        &self,
        command: &str,
        scenario: &LoadedScenario,
        session: &MockSession,
        ca: &str,
        started: Instant,
    ) -> ScenarioReport {
        let config = config_for(&scenario.scenario, ca);
        let start = || {
            ProcSlot::start(
                command,
                self.options.adapter_cwd.clone(),
                self.options.hello_timeout(),
                config.clone(),
                self.options.profile,
            )
        };
        let fail = |message: String| {
            let mut result = adapter_did_not_start(scenario, message);
            result.duration_ms = millis(started.elapsed());
            result
        };
        let mut slot = match self.shared.take(&config, start).await {
            Ok(slot) => slot,
            Err(message) => return fail(message),
        };
        if slot.config != config {
            let id = slot.next_id;
            slot.next_id += 1;
            if let Err(message) = reconfigure(
                &mut slot.instance,
                id,
                config.clone(),
                self.options.request_timeout,
            )
            .await
            {
                let tail = slot.instance.stderr_tail();
                self.shared.give_back(slot, true).await;
                let mut result = fail(format!("reset with the scenario's config: {message}"));
                if !tail.trim().is_empty() {
                    result.adapter_stderr = Some(last_bytes(&tail, 8000).to_string());
                }
                return result;
            }
            slot.config = config;
        }
        let execution = run_scenario_after_hello(
            &scenario.scenario,
            &mut slot.instance,
            session,
            &slot.hello,
            slot.next_id,
            self.options.request_timeout,
            self.options.profile,
        )
        .await;
        slot.next_id = execution.next_id;
        let mut result = judge(scenario, &execution);
        if result.status != Status::Pass || execution.adapter_fault.is_some() {
            let tail = slot.instance.stderr_tail();
            if !tail.trim().is_empty() {
                result.adapter_stderr = Some(last_bytes(&tail, 8000).to_string());
            }
        }
        self.shared
            .give_back(slot, execution.adapter_fault.is_some())
            .await;
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

    /// An idle adapter with `config`, else a fresh one (an idle one with
    /// another config is ended first).
    async fn take_slot(&self, command: &str, config: Config) -> Result<ProcSlot, String> {
        let (same, other) = {
            let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
            match pool.iter().position(|s| s.config == config) {
                Some(i) => (Some(pool.swap_remove(i)), None),
                None => (None, pool.pop()),
            }
        };
        if let Some(slot) = same {
            return Ok(slot);
        }
        if let Some(old) = other {
            old.end().await;
        }
        ProcSlot::start(
            command,
            self.options.adapter_cwd.clone(),
            self.options.hello_timeout(),
            config,
            self.options.profile,
        )
        .await
    }

    /// Kills every idle adapter process (and its process group) at once,
    /// without `shutdown`: for a run that was interrupted.
    pub fn abandon(&self) {
        self.shared.abandon();
        // Dropping a slot's adapter kills its process group.
        drop(std::mem::take(
            &mut *self.pool.lock().unwrap_or_else(PoisonError::into_inner),
        ));
    }

    /// Ends every idle adapter process (`shutdown`, then kill past a short
    /// deadline). Call it when no [`run_one`](Self::run_one) is running;
    /// the mock server stops when the value is dropped.
    pub async fn finish(&self) {
        let slots: Vec<ProcSlot> =
            std::mem::take(&mut *self.pool.lock().unwrap_or_else(PoisonError::into_inner));
        for slot in slots {
            slot.end().await;
        }
        self.shared.finish().await;
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
    tokio::pin!(stop);
    let suite = tokio::select! {
        suite = Suite::start(options.clone()) => Arc::new(suite?),
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

/// Sends `reset` with `config` to an instance and waits for its answer.
async fn reconfigure(
    instance: &mut adapter_host::Instance,
    id: u64,
    config: Config,
    timeout: Duration,
) -> Result<(), String> {
    use adapter_host::Adapter;
    use adapter_protocol::{error_chain, AdapterMessage, Op, Request};
    instance
        .send(Request {
            id,
            op: Op::Reset {
                config: Some(config),
            },
        })
        .map_err(|e| error_chain(&e))?;
    let deadline = Instant::now() + timeout;
    loop {
        match instance.recv(deadline).await.map_err(|e| error_chain(&e))? {
            AdapterMessage::Response(response) if response.id == id => {
                return if response.ok {
                    Ok(())
                } else {
                    Err(response.error.unwrap_or_default())
                };
            }
            // Late events of the instance's last scenario.
            _ => continue,
        }
    }
}

/// The implementation as `hello` introduced it, reached through `adapter`.
fn implementation_of(hello: &HelloResult, adapter: &AdapterSpec) -> Implementation {
    Implementation {
        name: hello.name.clone(),
        version: hello.version.clone(),
        adapter: adapter.describe(),
    }
}
