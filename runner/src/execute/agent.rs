//! The run's one agent (`agent/agent.js`, reached through
//! `adapter_host::AgentServer`): unlike an adapter process it cannot be
//! restarted by the runner, so every scenario takes the same one in turn,
//! a scenario with another config gives it with `reset`, a fault is
//! followed by a `reset` that must succeed, and once the agent has gone
//! away every later scenario is `error` at once.

use std::time::Duration;

use adapter_host::{Adapter, AdapterError, AgentAdapter, AgentServer};
use adapter_protocol::{error_chain, Config, HelloResult, Profile};
use tokio::sync::{Mutex, MutexGuard};
use tokio::time::Instant;

/// How long the agent may take to answer `shutdown` at the end of a run.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(2);

/// The agent and what the run knows of it.
pub(crate) struct AgentSlot {
    /// The adapter over it.
    pub(crate) adapter: AgentAdapter,
    /// The config it runs with.
    pub(crate) config: Config,
    /// Its answer to `hello`.
    pub(crate) hello: HelloResult,
    /// The next request id free on it.
    pub(crate) next_id: u64,
    /// Why it can run nothing more, once it cannot.
    pub(crate) gone: Option<String>,
}

/// The run's agent, one scenario at a time.
pub(crate) struct AgentLink {
    slot: Mutex<AgentSlot>,
    server: AgentServer,
}

impl AgentLink {
    /// Waits for the agent of `server` to join (offering it the mock
    /// server's CA, `config`'s) and introduces it with `config` under
    /// `profile`; `join_timeout` bounds the wait for the agent (none: until
    /// the run is interrupted), `hello_timeout` its answer.
    pub(crate) async fn connect(
        server: AgentServer,
        config: Config,
        profile: Profile,
        join_timeout: Option<Duration>,
        hello_timeout: Duration,
    ) -> Result<(AgentLink, HelloResult), String> {
        server.offer_ca(&config.ca_certificates_pem);
        let mut adapter = server
            .accept(join_timeout.map(|t| Instant::now() + t))
            .await
            .map_err(|e| match e {
                AdapterError::Timeout => format!(
                    "no agent joined at {} within {} s",
                    server.url(),
                    join_timeout.unwrap_or_default().as_secs()
                ),
                other => error_chain(&other),
            })?;
        let named = (!profile.is_default()).then(|| profile.name().to_string());
        let hello = adapter
            .hello(1, config.clone(), named, Instant::now() + hello_timeout)
            .await
            .map_err(|e| format!("hello: {}", error_chain(&e)))?;
        let slot = AgentSlot {
            adapter,
            config,
            hello: hello.clone(),
            next_id: 2,
            gone: None,
        };
        Ok((
            AgentLink {
                slot: Mutex::new(slot),
                server,
            },
            hello,
        ))
    }

    /// The agent for a scenario with `config` (given with `reset` when it
    /// runs with another), or why it can run nothing.
    pub(crate) async fn take(
        &self,
        config: Config,
        request_timeout: Duration,
    ) -> Result<MutexGuard<'_, AgentSlot>, String> {
        let mut slot = self.slot.lock().await;
        if let Some(reason) = &slot.gone {
            return Err(reason.clone());
        }
        if slot.config != config {
            let id = slot.next_id;
            slot.next_id += 1;
            let deadline = Instant::now() + request_timeout;
            match slot.adapter.reset(id, Some(config.clone()), deadline).await {
                Ok(()) => slot.config = config,
                Err(e) => {
                    let reason = format!("reset with the scenario's config: {}", error_chain(&e));
                    slot.gone = Some(reason.clone());
                    return Err(reason);
                }
            }
        }
        Ok(slot)
    }

    /// Gives the agent back after its scenario. After a fault, a gone
    /// agent stays gone; one that is still there must answer a `reset`.
    pub(crate) async fn give_back(
        mut slot: MutexGuard<'_, AgentSlot>,
        faulted: bool,
        request_timeout: Duration,
    ) {
        if let Some(fault) = slot.adapter.fault() {
            slot.gone = Some(fault.to_string());
            return;
        }
        if faulted {
            let id = slot.next_id;
            slot.next_id += 1;
            let deadline = Instant::now() + request_timeout;
            if let Err(e) = slot.adapter.reset(id, None, deadline).await {
                slot.gone = Some(format!(
                    "the agent did not recover from a fault: {}",
                    error_chain(&e)
                ));
            }
        }
    }

    /// Whether the agent is gone (for the scenario that saw it go).
    pub(crate) fn gone(slot: &AgentSlot) -> bool {
        slot.gone.is_some() || matches!(slot.adapter.fault(), Some(AdapterError::Gone(_)))
    }

    /// Ends the run for the agent: `shutdown`, then its polls are told to stop.
    pub(crate) async fn finish(&self) {
        let mut slot = self.slot.lock().await;
        if slot.gone.is_none() && slot.adapter.fault().is_none() {
            let id = slot.next_id;
            slot.next_id += 1;
            let _ = slot
                .adapter
                .shutdown(id, Instant::now() + SHUTDOWN_WAIT)
                .await;
        }
        self.server.end("the run is over");
    }

    /// Ends the run for the agent at once (an interrupted run).
    pub(crate) fn abandon(&self) {
        self.server.end("the run was interrupted");
    }
}
