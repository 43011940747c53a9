//! The bundled pieces: the reference implementation as an in-process
//! [`Adapter`] and the mock server's sessions as [`ServerSession`]s.

use std::time::Duration;

use adapter_protocol::{AdapterMessage, Request};
use mock_server::{
    Action, DropMode, EndReason, Event, MessageKind, MockServer, Payload, RecordedEvent, Session,
    Target,
};
use reference_impl::{spawn_in_process, AdapterChannels};
pub use reference_impl::{Behaviour, Mutant, Variant, Variants};
use tokio::time::Instant;

use adapter_host::{Adapter, AdapterError, BoxFuture};

use crate::execute::executor::run_scenario_in;
use crate::execute::session::{ActError, ActTarget, ServerSession};
use crate::record::execution::Execution;
use crate::record::trace::{Message, ServerEvent, ServerEventKind};
use crate::scenario::model::{Scenario, ServerAction, ServerPayload};
use crate::scenario::profile::Profile;

/// The reference implementation behind in-process channels.
#[derive(Debug)]
pub struct InProcessAdapter {
    channels: AdapterChannels,
}

impl InProcessAdapter {
    /// Starts a fresh reference adapter on the current tokio runtime, or
    /// one running a deliberate bug (a mutant), to show that the scenarios
    /// catch it.
    pub fn spawn(mutant: Option<Mutant>) -> Self {
        InProcessAdapter::spawn_as(Behaviour::mutant(mutant))
    }

    /// Starts a fresh reference adapter with that behaviour: variants
    /// (other conforming options) and a mutant.
    pub fn spawn_as(behaviour: Behaviour) -> Self {
        InProcessAdapter {
            channels: spawn_in_process(behaviour),
        }
    }
}

impl Adapter for InProcessAdapter {
    fn send(&mut self, request: Request) -> Result<(), AdapterError> {
        self.channels
            .requests
            .send(request)
            .map_err(|_| AdapterError::Disconnected)
    }

    fn recv(&mut self, deadline: Instant) -> BoxFuture<'_, Result<AdapterMessage, AdapterError>> {
        Box::pin(async move {
            if Instant::now() >= deadline {
                // Only what is already there: never wait past a deadline.
                return match self.channels.messages.try_recv() {
                    Ok(m) => Ok(m),
                    Err(tokio::sync::mpsc::error::TryRecvError::Empty) => {
                        Err(AdapterError::Timeout)
                    }
                    Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => {
                        Err(AdapterError::Disconnected)
                    }
                };
            }
            match tokio::time::timeout_at(deadline, self.channels.messages.recv()).await {
                Ok(Some(m)) => Ok(m),
                Ok(None) => Err(AdapterError::Disconnected),
                Err(_) => Err(AdapterError::Timeout),
            }
        })
    }
}

/// A mock-server session seen through [`ServerSession`].
#[derive(Debug, Clone)]
pub struct MockSession {
    session: Session,
    listeners: Vec<(String, String)>,
}

impl MockSession {
    /// Creates a fresh session on `server`.
    pub fn new(server: &MockServer) -> Self {
        MockSession {
            session: server.create_session(),
            listeners: server
                .endpoints()
                .listeners
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// The underlying session.
    pub fn session(&self) -> &Session {
        &self.session
    }
}

/// Projects one recorded event onto the server lane (`None`: not part of it).
pub fn project(event: &RecordedEvent) -> Option<ServerEvent> {
    let kind = match &event.event {
        Event::HandshakeRequest {
            path,
            query,
            headers,
            protocols,
            ..
        } => ServerEventKind::Handshake {
            path: path.clone(),
            query: query.clone().unwrap_or_default(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect(),
            subprotocols: protocols.clone(),
        },
        Event::HandshakeResponse {
            status, protocol, ..
        } => ServerEventKind::HandshakeResponse {
            status: *status,
            subprotocol: protocol.clone(),
        },
        Event::MessageIn {
            kind, len, payload, ..
        } => ServerEventKind::MessageIn(Message {
            binary: *kind == MessageKind::Binary,
            data: payload.clone(),
            len: *len,
        }),
        Event::MessageOut {
            kind, len, payload, ..
        } => ServerEventKind::MessageOut(Message {
            binary: *kind == MessageKind::Binary,
            data: payload.clone(),
            len: *len,
        }),
        Event::CloseIn { code, reason, .. } => ServerEventKind::CloseIn {
            code: *code,
            reason: reason.clone(),
        },
        Event::CloseOut { code, reason, .. } => ServerEventKind::CloseOut {
            code: *code,
            reason: reason.clone(),
        },
        Event::Ended { how, .. } => ServerEventKind::End {
            how: end_reason(*how),
        },
        _ => return None,
    };
    Some(ServerEvent {
        seq: event.seq,
        conn: event.conn,
        kind,
    })
}

/// The serde name of an end reason (`closeHandshake`, `droppedRst`, …).
fn end_reason(how: EndReason) -> String {
    match serde_json::to_value(how) {
        Ok(serde_json::Value::String(name)) => name,
        _ => format!("{how:?}"),
    }
}

impl ServerSession for MockSession {
    fn id(&self) -> String {
        self.session.id().to_string()
    }

    fn session_url(&self, listener: &str, behaviour: &str) -> Option<String> {
        self.session.try_url(listener, behaviour)
    }

    fn base_url(&self, listener: &str) -> Option<String> {
        self.listeners
            .iter()
            .find(|(name, _)| name == listener)
            .map(|(_, url)| url.clone())
    }

    fn listeners(&self) -> Vec<(String, String)> {
        self.listeners.clone()
    }

    fn recording(&self) -> Vec<ServerEvent> {
        self.session
            .recording()
            .iter()
            .filter_map(project)
            .collect()
    }

    fn wait_for<'a>(
        &'a self,
        pred: Box<dyn Fn(&ServerEvent) -> bool + Send + Sync + 'a>,
        timeout: Duration,
    ) -> BoxFuture<'a, Option<ServerEvent>> {
        Box::pin(async move {
            let found = self
                .session
                .wait_for(|e| project(e).is_some_and(|p| pred(&p)), timeout)
                .await;
            found.ok().as_ref().and_then(project)
        })
    }

    fn act<'a>(
        &'a self,
        target: ActTarget,
        action: &'a ServerAction,
    ) -> BoxFuture<'a, Result<(), ActError>> {
        Box::pin(async move {
            let to = match target {
                ActTarget::Conn(id) => Target::Conn(id),
                ActTarget::Room(room) => Target::Room(room),
                ActTarget::All => Target::All,
            };
            let action = match action {
                ServerAction::Send(payload) => Action::Send {
                    to,
                    message: match payload {
                        ServerPayload::Text(t) => Payload::Text(t.clone()),
                        ServerPayload::Binary(b) => Payload::Binary(b.clone()),
                        ServerPayload::TextBytes(n) => Payload::TextBytes(*n),
                        ServerPayload::BinaryBytes(n) => Payload::BinaryBytes(*n),
                        ServerPayload::Fragmented { text, fragments } => Payload::Fragmented {
                            text: text.clone(),
                            fragments: *fragments,
                        },
                    },
                },
                ServerAction::Close { code, reason } => Action::Close {
                    to,
                    code: Some(*code),
                    reason: reason.clone(),
                },
                ServerAction::Drop { reset } => Action::Drop {
                    to,
                    mode: if *reset { DropMode::Rst } else { DropMode::Fin },
                },
            };
            let outcome = self
                .session
                .act(action)
                .await
                .map_err(|e| ActError::Refused(e.to_string()))?;
            if outcome.reached == 0 {
                return Err(ActError::NoConnection);
            }
            Ok(())
        })
    }
}

/// Runs a scenario against the reference implementation (or one of its
/// mutants) on a fresh session of `server` (call on the runtime that runs
/// `server`).
pub async fn run_on_reference(
    scenario: &Scenario,
    server: &MockServer,
    behaviour: Behaviour,
) -> Execution {
    run_on_reference_in(scenario, server, behaviour, Profile::default()).await
}

/// [`run_on_reference`] under `profile` (the reference serves the profile
/// `hello` names; under the default profile, `hello` names none and the
/// reference serves its behaviour's own).
pub async fn run_on_reference_in(
    scenario: &Scenario,
    server: &MockServer,
    behaviour: Behaviour,
    profile: Profile,
) -> Execution {
    let session = MockSession::new(server);
    let mut adapter = InProcessAdapter::spawn_as(behaviour);
    run_scenario_in(scenario, &mut adapter, &session, server.ca_pem(), profile).await
}
