//! What a run runs and how: the implementation under test
//! ([`AdapterSpec`]), the [`SuiteOptions`], how many scenarios run at once
//! by default ([`default_jobs`]) and which scenarios the options select
//! ([`select`]), and why a run cannot start at all ([`SuiteError`]).

use std::path::PathBuf;
use std::time::Duration;

use adapter_protocol::Profile;

use crate::execute::executor::DEFAULT_REQUEST_TIMEOUT;
use crate::execute::partition::Partition;
use crate::scenario::loader::{load_dir, scenarios_dir, LoadError, LoadedScenario};

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
    /// An agent (`agent/agent.js`) inside a runtime the runner cannot
    /// start, reaching the runner over HTTP: the endpoint it joins, already
    /// serving (its URL and token are what the agent is given).
    Agent(adapter_host::AgentServer),
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
            AdapterSpec::Agent(server) => format!("agent at {}", server.url()),
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
    /// How long a new adapter process may take to answer `hello`, its
    /// start-up included (default [`DEFAULT_HELLO_TIMEOUT`]): a deadline of
    /// its own, since loading a runtime on a busy machine takes far longer
    /// than answering a request.
    pub hello_timeout: Duration,
    /// Working directory of adapter processes (default: the current one).
    pub adapter_cwd: Option<PathBuf>,
    /// How long to wait for the agent to join ([`AdapterSpec::Agent`];
    /// `None`: until the run is interrupted).
    pub agent_join_timeout: Option<Duration>,
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
            hello_timeout: DEFAULT_HELLO_TIMEOUT,
            adapter_cwd: None,
            agent_join_timeout: None,
            profile: Profile::default(),
        }
    }

    /// The same options under another profile.
    pub fn with_profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// The same options waiting at most `timeout` for the agent to join.
    pub fn with_agent_join_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.agent_join_timeout = timeout;
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

    /// The same options with another `hello` deadline.
    pub fn with_hello_timeout(mut self, timeout: Duration) -> Self {
        self.hello_timeout = timeout;
        self
    }

    pub(crate) fn effective_jobs(&self, scenarios: usize) -> usize {
        let jobs = if self.jobs == 0 {
            default_jobs(&self.adapter)
        } else {
            self.jobs
        };
        jobs.clamp(1, scenarios.max(1))
    }
}

/// How long a new adapter process may take to answer `hello` by default:
/// a Node.js runtime or a framework's build under jsdom takes a second of
/// CPU to load, and several times that on a loaded machine.
pub const DEFAULT_HELLO_TIMEOUT: Duration = Duration::from_secs(30);

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
        // One agent, one platform object: one scenario at a time.
        AdapterSpec::Agent(_) => 1,
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
    /// No agent joined, or it did not answer `hello`.
    #[error("the agent at {url} did not start: {message}")]
    AgentStart {
        /// The endpoint's URL.
        url: String,
        /// Why.
        message: String,
    },
    /// The adapter's program cannot be started (twice): its command line
    /// is wrong. (One that starts and does not answer `hello` is not a
    /// configuration error: its scenarios are `error`.)
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
