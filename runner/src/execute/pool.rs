//! Adapter processes kept between scenarios: each [`ProcSlot`] is a
//! started adapter with the config its `hello` carried, reused after
//! `reset` by a scenario with the same config.

use std::path::PathBuf;
use std::time::Duration;

use adapter_host::{ProcessAdapter, SpawnOptions};
use adapter_protocol::{error_chain, Config, HelloResult, Profile};
use tokio::time::Instant;

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
    ) -> Result<ProcSlot, String> {
        let spawn = SpawnOptions {
            cwd,
            ..SpawnOptions::default()
        };
        let mut adapter = ProcessAdapter::spawn(command, spawn).map_err(|e| error_chain(&e))?;
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
                let tail = if report.stderr_tail.is_empty() {
                    tail
                } else {
                    report.stderr_tail
                };
                Err(format!("hello: {e}{}", tail_note(&tail)))
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
