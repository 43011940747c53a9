//! [`AgentAdapter`]: the [`Adapter`] over an agent that has joined. What
//! it sends goes into the queue the agent polls; what the agent posts is
//! checked as a process adapter's lines are (ids sent and not answered,
//! calls sent, tasks returned).

use std::collections::HashMap;
use std::sync::Arc;

use adapter_protocol::{
    AdapterMessage, Config, Event, HelloResult, Op, Request, Response, PROTOCOL_VERSION, TARGET_MY,
};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::state::{Incoming, Shared};
use crate::adapter::{Adapter, BoxFuture};
use crate::error::{truncate, AdapterError};
use crate::process::{check_line, Checks};

/// How much of a message an error quotes.
const QUOTE_BYTES: usize = 400;

/// The adapter protocol over an agent's HTTP endpoint. Dropping it (or
/// [`shutdown`](Self::shutdown)) tells the agent the run is over.
pub struct AgentAdapter {
    shared: Arc<Shared>,
    incoming: mpsc::UnboundedReceiver<Incoming>,
    sessions: HashMap<u32, Checks>,
    global_target: &'static str,
    fault: Option<AdapterError>,
    /// The agent's `log` lines, the last of them (its stderr, in effect).
    log_tail: String,
}

impl std::fmt::Debug for AgentAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentAdapter")
            .field("fault", &self.fault)
            .finish_non_exhaustive()
    }
}

impl Drop for AgentAdapter {
    fn drop(&mut self) {
        self.shared.end("the runner let the agent go");
    }
}

impl AgentAdapter {
    pub(super) fn new(shared: Arc<Shared>, incoming: mpsc::UnboundedReceiver<Incoming>) -> Self {
        AgentAdapter {
            shared,
            incoming,
            sessions: HashMap::new(),
            global_target: TARGET_MY,
            fault: None,
            log_tail: String::new(),
        }
    }

    /// The final error, once there is one (the agent is gone, or broke the protocol).
    pub fn fault(&self) -> Option<&AdapterError> {
        self.fault.as_ref()
    }

    /// The last lines the agent logged (`log` events), for a report.
    pub fn log_tail(&self) -> &str {
        &self.log_tail
    }

    fn fail(&mut self, error: AdapterError) -> AdapterError {
        if error.is_final() && self.fault.is_none() {
            self.fault = Some(error.clone());
            self.shared.end(&error.to_string());
        }
        error
    }

    /// Sends `hello` with `config` (naming `profile` when given) and waits
    /// for its answer, checked: protocol 1, one instance, unsupported keys
    /// that are config keys. `log` events before it are skipped.
    ///
    /// # Errors
    ///
    /// As [`recv`](Adapter::recv), and [`AdapterError::Protocol`] for a
    /// refused or malformed `hello`.
    pub async fn hello(
        &mut self,
        id: u64,
        config: Config,
        profile: Option<String>,
        deadline: Instant,
    ) -> Result<HelloResult, AdapterError> {
        Adapter::send(
            self,
            Request {
                id,
                op: Op::Hello {
                    protocol: PROTOCOL_VERSION,
                    config,
                    profile,
                },
            },
        )?;
        let response = loop {
            match Adapter::recv(self, deadline).await? {
                AdapterMessage::Response(response) if response.id == id => break response,
                AdapterMessage::Event(Event::Log { .. }) => continue,
                other => {
                    let text = serde_json::to_string(&other).unwrap_or_default();
                    return Err(self.fail(AdapterError::Protocol(format!(
                        "a message before the hello response: {}",
                        truncate(&text, QUOTE_BYTES)
                    ))));
                }
            }
        };
        self.hello_result(response)
    }

    fn hello_result(&mut self, response: Response) -> Result<HelloResult, AdapterError> {
        let problem = |text: String| AdapterError::Protocol(text);
        if !response.ok {
            let error = response.error.unwrap_or_default();
            return Err(self.fail(problem(format!("the agent refused hello: {error}"))));
        }
        let result = response.result.unwrap_or_default();
        let quoted = truncate(&result.to_string(), QUOTE_BYTES);
        let hello: HelloResult = match serde_json::from_value(result) {
            Ok(hello) => hello,
            Err(e) => {
                return Err(self.fail(problem(format!("a malformed hello result ({e}): {quoted}"))))
            }
        };
        if hello.protocol != PROTOCOL_VERSION {
            let text = format!(
                "the agent speaks protocol {}, the runner {PROTOCOL_VERSION}",
                hello.protocol
            );
            return Err(self.fail(problem(text)));
        }
        if hello.instances != 1 {
            return Err(self.fail(problem(format!(
                "the agent declares {} instances; an agent holds one",
                hello.instances
            ))));
        }
        if let Some(key) = hello
            .unsupported
            .iter()
            .find(|key| !Config::KEYS.contains(&key.as_str()))
        {
            return Err(self.fail(problem(format!(
                "hello lists {key:?} as unsupported, which is not a config key"
            ))));
        }
        self.global_target = hello.api.name;
        Ok(hello)
    }

    /// Sends `shutdown` and waits for its answer until `deadline`; then
    /// the agent's next poll is told the run is over.
    pub async fn shutdown(&mut self, id: u64, deadline: Instant) -> Result<(), AdapterError> {
        let outcome = async {
            Adapter::send(
                self,
                Request {
                    id,
                    op: Op::Shutdown,
                },
            )?;
            loop {
                if let AdapterMessage::Response(response) = Adapter::recv(self, deadline).await? {
                    if response.id == id {
                        return Ok(());
                    }
                }
            }
        }
        .await;
        self.shared.end("the run is over");
        outcome
    }

    fn note_log(&mut self, text: &str) {
        self.log_tail.push_str(text);
        self.log_tail.push('\n');
        if self.log_tail.len() > 16 * 1024 {
            let mut cut = self.log_tail.len() - 8 * 1024;
            while !self.log_tail.is_char_boundary(cut) {
                cut += 1;
            }
            self.log_tail.drain(..cut);
        }
    }
}

impl Adapter for AgentAdapter {
    fn send(&mut self, request: Request) -> Result<(), AdapterError> {
        if let Some(fault) = &self.fault {
            return Err(fault.clone());
        }
        let mut ids = vec![request.id];
        if let Op::Call(call) = &request.op {
            ids.extend(call.nested_ids());
        }
        let checks = self.sessions.entry(0).or_default();
        let mut fresh = std::collections::HashSet::new();
        if let Some(&id) = ids
            .iter()
            .find(|&&id| checks.used_ids.contains(&id) || !fresh.insert(id))
        {
            return Err(AdapterError::RequestIdReused(id));
        }
        if matches!(request.op, Op::Call(_)) {
            checks.call_ids.extend(&ids);
        }
        checks.used_ids.extend(&ids);
        checks.outstanding.extend(ids);
        let value = serde_json::to_value(&request)
            .expect("a Request always serialises: its maps have string keys");
        self.shared.push(value);
        Ok(())
    }

    fn recv(&mut self, deadline: Instant) -> BoxFuture<'_, Result<AdapterMessage, AdapterError>> {
        Box::pin(async move {
            if let Some(fault) = &self.fault {
                return Err(fault.clone());
            }
            let incoming = tokio::select! {
                biased;
                incoming = self.incoming.recv() => incoming,
                () = tokio::time::sleep_until(deadline) => return Err(AdapterError::Timeout),
            };
            match incoming {
                Some(Incoming::Message(value)) => {
                    let line = serde_json::to_vec(&value).unwrap_or_default();
                    let checked = check_line(&mut self.sessions, 1, self.global_target, &line);
                    match checked {
                        Ok(routed) => {
                            if let AdapterMessage::Event(Event::Log { text }) = &routed.message {
                                self.note_log(text);
                            }
                            Ok(routed.message)
                        }
                        Err(reason) => Err(self.fail(AdapterError::Protocol(reason))),
                    }
                }
                Some(Incoming::Gone(reason)) => Err(self.fail(AdapterError::Gone(reason))),
                None => Err(self.fail(AdapterError::Gone("the endpoint stopped".into()))),
            }
        })
    }
}
