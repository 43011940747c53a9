//! Adapter processes kept between scenarios: each [`ProcSlot`] is a
//! started adapter with the config its `hello` carried ([`Launch`] starts
//! one), reused after `reset` by a scenario with the same config
//! ([`ProcessPool`]), or, for an adapter that holds several instances,
//! shared by several scenarios at once ([`SharedPool`]).

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
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
    #[error("hello: {error}{}", tail_note(.stderr_tail))]
    Hello {
        /// Why.
        error: AdapterError,
        /// The last bytes of its stderr.
        stderr_tail: String,
    },
    /// Its `hello` declared instances, and none was left to take.
    #[error("the adapter holds no instance")]
    NoInstance,
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
    /// A fresh process introduced with `config`.
    pub(crate) async fn start(&self, config: Config) -> Result<ProcSlot, StartError> {
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

/// Idle adapter processes that run one scenario at a time, each with the
/// config it was introduced with.
#[derive(Default)]
pub(crate) struct ProcessPool {
    idle: Mutex<Vec<ProcSlot>>,
}

impl ProcessPool {
    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<ProcSlot>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An idle process with `config`, else a fresh one (an idle one with
    /// another config is ended first).
    pub(crate) async fn take(
        &self,
        launch: &Launch,
        config: Config,
    ) -> Result<ProcSlot, StartError> {
        let (same, other) = {
            let mut idle = self.idle();
            match idle.iter().position(|s| s.config == config) {
                Some(i) => (Some(idle.swap_remove(i)), None),
                None => (None, idle.pop()),
            }
        };
        if let Some(slot) = same {
            return Ok(slot);
        }
        if let Some(old) = other {
            old.end().await;
        }
        launch.start(config).await
    }

    /// Gives a process back after its scenario; after an adapter fault it
    /// is killed instead.
    pub(crate) async fn give_back(&self, slot: ProcSlot, faulted: bool) {
        if faulted {
            let mut adapter = slot.adapter;
            adapter.kill();
            let _ = adapter
                .shutdown(Instant::now() + Duration::from_millis(500))
                .await;
        } else {
            self.idle().push(slot);
        }
    }

    /// Ends every idle process (`shutdown`, then kill past a short deadline).
    pub(crate) async fn finish(&self) {
        let slots = std::mem::take(&mut *self.idle());
        for slot in slots {
            slot.end().await;
        }
    }

    /// Kills every idle process (and its process group) at once.
    pub(crate) fn abandon(&self) {
        // Dropping a slot's adapter kills its process group.
        drop(std::mem::take(&mut *self.idle()));
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
    /// `profile`, waiting at most `start_timeout` for its `hello` answer.
    pub(crate) async fn start(
        command: &str,
        cwd: Option<PathBuf>,
        start_timeout: Duration,
        config: Config,
        profile: Profile,
    ) -> Result<ProcSlot, StartError> {
        let spawn = SpawnOptions {
            cwd,
            ..SpawnOptions::default()
        };
        let mut adapter = ProcessAdapter::spawn(command, spawn).map_err(StartError::Spawn)?;
        let deadline = Instant::now() + start_timeout;
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
