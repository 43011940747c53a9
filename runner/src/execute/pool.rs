//! Adapter processes kept between scenarios: each [`ProcSlot`] is a
//! started adapter with the config its `hello` carried, reused after
//! `reset` by a scenario with the same config ([`ProcessPool`]), or, for an
//! adapter that holds several instances, shared by several scenarios at
//! once ([`SharedPool`]). Processes are started one at a time, each retried
//! once, by the run's [`Starter`] ([`Launch`] says how to start one).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use adapter_host::{AdapterError, HostError, ProcessAdapter, SpawnOptions};
use adapter_protocol::{error_chain, Config, HelloResult, Profile};
use tokio::time::Instant;

/// Why an adapter process could not be had.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StartError {
    /// It did not start.
    #[error("{}", error_chain(.0))]
    Spawn(HostError),
    /// It started and did not answer `hello` (it has been ended).
    #[error("{}{}", hello_failure(.error, *.deadline), tail_note(.stderr_tail))]
    Hello {
        /// Why.
        error: AdapterError,
        /// The last bytes of its stderr.
        stderr_tail: String,
        /// How long it was given (the run's `hello` deadline).
        deadline: Duration,
    },
    /// Its `hello` declared instances, and none was left to take.
    #[error("the adapter holds no instance")]
    NoInstance,
    /// A start and its retry both failed; the retry's failure.
    #[error("it was started twice and failed both times; the second time: {0}")]
    Retried(Box<StartError>),
    /// A start and its retry both failed earlier in the run, so no process
    /// is started any more.
    #[error(
        "no adapter process is started any more in this run: one was started twice \
         and failed both times; the second time: {}",
        .0.headline
    )]
    GaveUp(Arc<GaveUp>),
}

impl StartError {
    /// The adapter's stderr tail of the failed start, when it wrote any.
    pub(crate) fn stderr_tail(&self) -> Option<&str> {
        match self {
            StartError::Hello { stderr_tail, .. } => Some(stderr_tail.as_str()),
            StartError::Retried(last) => last.stderr_tail(),
            StartError::GaveUp(gave_up) => Some(gave_up.stderr_tail.as_str()),
            StartError::Spawn(_) | StartError::NoInstance => None,
        }
        .filter(|tail| !tail.trim().is_empty())
    }

    /// The failure itself: the retry's, for a start that was retried.
    pub(crate) fn last(&self) -> &StartError {
        match self {
            StartError::Retried(last) => last.last(),
            other => other,
        }
    }

    /// The program itself could not be started (not found, not
    /// executable): the command line is wrong, whatever the load.
    pub(crate) fn is_spawn(&self) -> bool {
        matches!(self.last(), StartError::Spawn(_))
    }
}

/// Why the run starts no more adapter processes: the failure of the
/// retry that made it give up.
#[derive(Debug)]
pub(crate) struct GaveUp {
    /// Its first line.
    headline: String,
    /// The adapter's stderr tail then.
    stderr_tail: String,
}

/// `hello: <why>`, with the deadline when it passed.
fn hello_failure(error: &AdapterError, deadline: Duration) -> String {
    match error {
        AdapterError::Timeout => format!(
            "hello: no answer within {} ms (the hello deadline)",
            deadline.as_millis()
        ),
        other => format!("hello: {other}"),
    }
}

/// How to start an adapter process of the run: its command line, where,
/// how long its `hello` may take, and the profile `hello` names.
#[derive(Debug, Clone)]
pub(crate) struct Launch {
    /// The command line.
    pub(crate) command: String,
    /// The working directory (default: the current one).
    pub(crate) cwd: Option<PathBuf>,
    /// How long a new process may take to answer `hello`.
    pub(crate) hello_timeout: Duration,
    /// The profile the run checks.
    pub(crate) profile: Profile,
}

impl Launch {
    /// A fresh process introduced with `config`: one attempt.
    async fn start(&self, config: Config) -> Result<ProcSlot, StartError> {
        ProcSlot::start(
            &self.command,
            self.cwd.clone(),
            self.hello_timeout,
            config,
            self.profile,
        )
        .await
    }
}

/// Starts the run's adapter processes: one at a time (the next is spawned
/// once the previous has answered `hello` or given up, so that start-ups
/// do not share the CPU and miss their deadline together), each failed
/// start retried once; after a start and its retry both fail, no process
/// is started any more and every later start fails at once
/// ([`StartError::GaveUp`]), so a run against an adapter that never
/// answers ends.
#[derive(Debug)]
pub(crate) struct Starter {
    launch: Launch,
    /// Held while a process starts.
    turn: tokio::sync::Mutex<()>,
    /// Set when a start and its retry both failed.
    gave_up: OnceLock<Arc<GaveUp>>,
}

impl Starter {
    /// Starts processes as `launch` says.
    pub(crate) fn new(launch: Launch) -> Starter {
        Starter {
            launch,
            turn: tokio::sync::Mutex::new(()),
            gave_up: OnceLock::new(),
        }
    }

    /// The profile the run checks.
    pub(crate) fn profile(&self) -> Profile {
        self.launch.profile
    }

    /// Waits until no other process is starting (first come, first
    /// served), then holds the turn until [`StartTurn::start`] returns.
    pub(crate) async fn turn(&self) -> StartTurn<'_> {
        StartTurn {
            starter: self,
            _held: self.turn.lock().await,
        }
    }

    /// A fresh process introduced with `config`, in its turn.
    pub(crate) async fn start(&self, config: Config) -> Result<ProcSlot, StartError> {
        self.turn().await.start(config).await
    }
}

/// The turn to start one adapter process (see [`Starter::turn`]).
pub(crate) struct StartTurn<'a> {
    starter: &'a Starter,
    _held: tokio::sync::MutexGuard<'a, ()>,
}

impl StartTurn<'_> {
    /// A fresh process introduced with `config`: started, and if that
    /// fails, started once more.
    pub(crate) async fn start(self, config: Config) -> Result<ProcSlot, StartError> {
        let starter = self.starter;
        if let Some(gave_up) = starter.gave_up.get() {
            return Err(StartError::GaveUp(Arc::clone(gave_up)));
        }
        if let Ok(slot) = starter.launch.start(config.clone()).await {
            return Ok(slot);
        }
        match starter.launch.start(config).await {
            Ok(slot) => Ok(slot),
            Err(last) => {
                let text = last.to_string();
                let gave_up = GaveUp {
                    headline: text.lines().next().unwrap_or_default().to_string(),
                    stderr_tail: last.stderr_tail().unwrap_or_default().to_string(),
                };
                let _ = starter.gave_up.set(Arc::new(gave_up));
                Err(StartError::Retried(Box::new(last)))
            }
        }
    }
}

/// Adapter processes that run one scenario at a time, each with the
/// config it was introduced with, kept idle between scenarios: up to
/// `capacity` processes live at once (the scenarios the run runs at once),
/// and only past that is an idle one with another config ended to make
/// room for a new one.
pub(crate) struct ProcessPool {
    state: Mutex<PoolState>,
    capacity: usize,
    /// Told when a process becomes idle, for scenarios waiting for their
    /// turn to start one.
    returned: tokio::sync::Notify,
}

/// The pool's processes: those idle (the longest idle first), and how many
/// live in all (idle, and taken by a scenario).
#[derive(Default)]
struct PoolState {
    idle: Vec<ProcSlot>,
    live: usize,
}

impl ProcessPool {
    /// An empty pool keeping up to `capacity` processes (at least one).
    pub(crate) fn new(capacity: usize) -> ProcessPool {
        ProcessPool {
            state: Mutex::new(PoolState::default()),
            capacity: capacity.max(1),
            returned: tokio::sync::Notify::new(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An idle process with `config`, else a fresh one from `starter`. A
    /// process with `config` given back while it waits for its turn to
    /// start one is taken instead: the pool grows only as far as
    /// scenarios wait for it. A full pool ends its longest idle process
    /// first.
    pub(crate) async fn take(
        &self,
        starter: &Starter,
        config: Config,
    ) -> Result<ProcSlot, StartError> {
        let turn = loop {
            let returned = self.returned.notified();
            tokio::pin!(returned);
            // Registered before looking, so a process given back after
            // the look wakes it.
            returned.as_mut().enable();
            if let Some(slot) = self.take_same(&config) {
                return Ok(slot);
            }
            tokio::select! {
                biased;
                () = &mut returned => continue,
                turn = starter.turn() => break turn,
            }
        };
        if let Some(slot) = self.take_same(&config) {
            return Ok(slot);
        }
        let retired = {
            let mut state = self.state();
            if state.live >= self.capacity && !state.idle.is_empty() {
                state.live -= 1;
                Some(state.idle.remove(0))
            } else {
                None
            }
        };
        if let Some(old) = retired {
            old.end().await;
        }
        let slot = turn.start(config).await?;
        self.state().live += 1;
        Ok(slot)
    }

    /// An idle process with `config`, if any.
    fn take_same(&self, config: &Config) -> Option<ProcSlot> {
        let mut state = self.state();
        let i = state.idle.iter().position(|s| &s.config == config)?;
        Some(state.idle.remove(i))
    }

    /// Takes `started`, a process that has answered `hello`, as idle: the
    /// run's first scenario with its config uses it.
    pub(crate) fn adopt(&self, started: ProcSlot) {
        let mut state = self.state();
        state.live += 1;
        state.idle.push(started);
        drop(state);
        self.returned.notify_waiters();
    }

    /// Gives a process back after its scenario; after an adapter fault it
    /// is killed instead.
    pub(crate) async fn give_back(&self, slot: ProcSlot, faulted: bool) {
        if faulted {
            self.state().live -= 1;
            let mut adapter = slot.adapter;
            adapter.kill();
            let _ = adapter
                .shutdown(Instant::now() + Duration::from_millis(500))
                .await;
        } else {
            self.state().idle.push(slot);
            self.returned.notify_waiters();
        }
    }

    /// Takes every idle process out of the pool.
    fn take_idle(&self) -> Vec<ProcSlot> {
        let mut state = self.state();
        let idle = std::mem::take(&mut state.idle);
        state.live -= idle.len();
        idle
    }

    /// Ends every idle process (`shutdown`, then kill past a short deadline).
    pub(crate) async fn finish(&self) {
        for slot in self.take_idle() {
            slot.end().await;
        }
    }

    /// Kills every idle process (and its process group) at once.
    pub(crate) fn abandon(&self) {
        // Dropping a slot's adapter kills its process group.
        drop(self.take_idle());
    }
}

/// An adapter process with the config it was introduced with.
pub(crate) struct ProcSlot {
    /// The process.
    pub(crate) adapter: ProcessAdapter,
    /// The config of its `hello`.
    pub(crate) config: Config,
    /// Its answer to `hello`.
    pub(crate) hello: HelloResult,
    /// The next request id free on it.
    pub(crate) next_id: u64,
}

impl ProcSlot {
    /// Starts `command` in `cwd` and introduces it with `config` under
    /// `profile`, waiting at most `hello_timeout` for its `hello` answer.
    async fn start(
        command: &str,
        cwd: Option<PathBuf>,
        hello_timeout: Duration,
        config: Config,
        profile: Profile,
    ) -> Result<ProcSlot, StartError> {
        let spawn = SpawnOptions {
            cwd,
            ..SpawnOptions::default()
        };
        let mut adapter = ProcessAdapter::spawn(command, spawn).map_err(StartError::Spawn)?;
        let deadline = Instant::now() + hello_timeout;
        let named = (!profile.is_default()).then(|| profile.name().to_string());
        match adapter.hello_in(1, config.clone(), named, deadline).await {
            Ok(hello) => Ok(ProcSlot {
                adapter,
                config,
                hello,
                next_id: 2,
            }),
            Err(e) => {
                let tail = adapter.stderr_tail();
                adapter.kill();
                let report = adapter
                    .shutdown(Instant::now() + Duration::from_millis(500))
                    .await;
                let stderr_tail = if report.stderr_tail.is_empty() {
                    tail
                } else {
                    report.stderr_tail
                };
                Err(StartError::Hello {
                    error: e,
                    stderr_tail,
                    deadline: hello_timeout,
                })
            }
        }
    }

    /// Shutdown, then kill past a short deadline; the whole process group ends.
    pub(crate) async fn end(self) {
        let _ = self
            .adapter
            .shutdown(Instant::now() + Duration::from_secs(2))
            .await;
    }
}

fn tail_note(tail: &str) -> String {
    if tail.trim().is_empty() {
        String::new()
    } else {
        format!("\nadapter stderr (tail):\n{}", last_bytes(tail, 4000))
    }
}

/// The last `max` bytes of `text` (from a char boundary).
pub(crate) fn last_bytes(text: &str, max: usize) -> &str {
    let mut start = text.len().saturating_sub(max);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// An instance of a shared adapter process, with the config it runs
/// with and the next request id free on it.
pub(crate) struct InstanceSlot {
    /// The instance.
    pub(crate) instance: adapter_host::Instance,
    /// The process it lives in (an index into [`SharedPool::procs`] ids).
    pub(crate) proc_id: u64,
    /// The config it runs with.
    pub(crate) config: Config,
    /// The process's answer to `hello`.
    pub(crate) hello: HelloResult,
    /// The next request id free on it.
    pub(crate) next_id: u64,
}

/// One shared adapter process and its idle instances.
pub(crate) struct SharedProc {
    id: u64,
    adapter: adapter_host::SharedAdapter,
    idle: Vec<InstanceSlot>,
    busy: usize,
    /// A scenario on it failed with an adapter fault: it takes no more
    /// scenarios and ends when its last one ends.
    retiring: bool,
}

impl SharedProc {
    /// `started` (which has answered `hello`) as shared process `id`,
    /// every instance idle with the hello's config.
    fn new(id: u64, started: ProcSlot) -> SharedProc {
        let adapter = adapter_host::SharedAdapter::new(started.adapter);
        let idle: Vec<InstanceSlot> = (0..adapter.instances())
            .rev()
            .filter_map(|k| adapter.instance(k))
            .map(|instance| InstanceSlot {
                // Instance 0 answered `hello` (ids below `next_id`).
                next_id: if instance.number() == 0 {
                    started.next_id
                } else {
                    1
                },
                instance,
                proc_id: id,
                config: started.config.clone(),
                hello: started.hello.clone(),
            })
            .collect();
        SharedProc {
            id,
            adapter,
            idle,
            busy: 0,
            retiring: false,
        }
    }
}

/// Shared adapter processes (adapters that declare `instances` above 1):
/// each runs up to that many scenarios at once.
#[derive(Default)]
pub(crate) struct SharedPool {
    procs: std::sync::Mutex<Vec<SharedProc>>,
    /// One process starts at a time, so that workers arriving together
    /// share it rather than each starting one.
    starting: tokio::sync::Mutex<u64>,
}

impl SharedPool {
    fn procs(&self) -> std::sync::MutexGuard<'_, Vec<SharedProc>> {
        self.procs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// An idle instance (preferring one with `config`), if any.
    fn take_idle(&self, config: &Config) -> Option<InstanceSlot> {
        let mut procs = self.procs();
        let mut best: Option<(usize, usize)> = None;
        for (p, proc) in procs.iter().enumerate() {
            if proc.retiring {
                continue;
            }
            if let Some(i) = proc.idle.iter().position(|s| &s.config == config) {
                best = Some((p, i));
                break;
            }
            if best.is_none() && !proc.idle.is_empty() {
                best = Some((p, proc.idle.len() - 1));
            }
        }
        let (p, i) = best?;
        procs[p].busy += 1;
        Some(procs[p].idle.swap_remove(i))
    }

    /// An instance for a scenario with `config`: an idle one, else one of
    /// a freshly started process (`start` starts it and says `hello`).
    pub(crate) async fn take<F, Fut>(
        &self,
        config: &Config,
        start: F,
    ) -> Result<InstanceSlot, StartError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<ProcSlot, StartError>>,
    {
        if let Some(slot) = self.take_idle(config) {
            return Ok(slot);
        }
        let mut next_id = self.starting.lock().await;
        if let Some(slot) = self.take_idle(config) {
            return Ok(slot);
        }
        let started = start().await?;
        let id = *next_id;
        *next_id += 1;
        let mut procs = self.procs();
        procs.push(SharedProc::new(id, started));
        let proc = procs.last_mut().expect("just pushed");
        proc.busy += 1;
        proc.idle.pop().ok_or(StartError::NoInstance)
    }

    /// Takes `started`, a process that has answered `hello` and declared
    /// instances, with every instance idle: the run's first scenarios use
    /// it rather than starting another process.
    pub(crate) async fn adopt(&self, started: ProcSlot) {
        let mut next_id = self.starting.lock().await;
        let id = *next_id;
        *next_id += 1;
        self.procs().push(SharedProc::new(id, started));
    }

    /// Gives an instance back after its scenario; after an adapter fault
    /// the process retires, and ends once no scenario uses it.
    pub(crate) async fn give_back(&self, slot: InstanceSlot, faulted: bool) {
        let ended = {
            let mut procs = self.procs();
            let Some(p) = procs.iter().position(|p| p.id == slot.proc_id) else {
                return;
            };
            let proc = &mut procs[p];
            proc.busy -= 1;
            if faulted || proc.adapter.fault().is_some() {
                proc.retiring = true;
                drop(slot);
            } else {
                proc.idle.push(slot);
            }
            if proc.retiring && proc.busy == 0 {
                Some(procs.swap_remove(p))
            } else {
                None
            }
        };
        if let Some(proc) = ended {
            drop(proc.idle);
            proc.adapter
                .shutdown(Instant::now() + Duration::from_secs(2))
                .await;
        }
    }

    /// Ends every process (`shutdown`, then kill past a short deadline).
    pub(crate) async fn finish(&self) {
        let procs = std::mem::take(&mut *self.procs());
        for proc in procs {
            drop(proc.idle);
            proc.adapter
                .shutdown(Instant::now() + Duration::from_secs(2))
                .await;
        }
    }

    /// Kills every process at once.
    pub(crate) fn abandon(&self) {
        drop(std::mem::take(&mut *self.procs()));
    }
}
