//! The trace of one scenario run: a client lane and a server lane, each in
//! its own order, with call ids and task handles already resolved to the
//! scenario's names.

use adapter_protocol::{CallbackKind, EventType};
use serde::Serialize;
use serde_json::Value;

use crate::scenario::model::{kind_name, Pattern, ServerKind};

/// One entry of the client lane: what the implementation reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ClientRecord {
    /// A call's response: the method returned.
    Returned {
        /// The call's stable name.
        call: String,
        /// The task it returned, by its `as` name (or handle).
        task: Option<String>,
    },
    /// The adapter refused a request (a protocol problem).
    ProtocolError {
        /// The call's stable name.
        call: String,
        /// The adapter's text.
        error: String,
    },
    /// One of a call's callbacks ran.
    Callback {
        /// The call's stable name.
        call: String,
        /// Which callback.
        kind: CallbackKind,
        /// Its argument.
        res: Value,
        /// Invoked inside the method (an `order.async` failure).
        sync: bool,
    },
    /// A listener ran.
    Listener {
        /// `my` or the task's `as` name.
        target: String,
        /// The listener's name.
        listener: String,
        /// The event type.
        event_type: EventType,
        /// Its argument.
        res: Value,
    },
}

impl ClientRecord {
    /// Whether the record matches a client pattern (and listener name).
    pub fn matches(&self, pattern: &Pattern, listener: Option<&str>) -> bool {
        match (self, pattern) {
            (ClientRecord::Callback { call, kind, .. }, Pattern::Callback { call: c, kind: k }) => {
                call == c && kind == k && listener.is_none()
            }
            (
                ClientRecord::Listener {
                    target,
                    listener: l,
                    event_type,
                    ..
                },
                Pattern::Listener {
                    target: t,
                    event_type: e,
                    listener: pl,
                },
            ) => {
                target == t
                    && event_type == e
                    && listener.is_none_or(|want| want == l)
                    && pl.as_deref().is_none_or(|want| want == l)
            }
            _ => false,
        }
    }

    /// The `res` of a callback or listener event.
    pub fn res(&self) -> Option<&Value> {
        match self {
            ClientRecord::Callback { res, .. } | ClientRecord::Listener { res, .. } => Some(res),
            _ => None,
        }
    }

    /// A one-line label: `c2.success`, `my.open@L1`, `c1 returned`.
    pub fn label(&self) -> String {
        match self {
            ClientRecord::Returned { call, task: None } => format!("{call} returned"),
            ClientRecord::Returned {
                call,
                task: Some(t),
            } => format!("{call} returned {t}"),
            ClientRecord::ProtocolError { call, error } => {
                format!("{call} protocol error: {error}")
            }
            ClientRecord::Callback {
                call, kind, sync, ..
            } => {
                format!(
                    "{call}.{}{}",
                    kind_name(*kind),
                    if *sync { " (sync)" } else { "" }
                )
            }
            ClientRecord::Listener {
                target,
                listener,
                event_type,
                ..
            } => {
                format!("{target}.{}@{listener}", event_type.as_str())
            }
        }
    }
}

/// One entry of the server lane, projected from the mock server's recording.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerEvent {
    /// The recorder's sequence number.
    pub seq: u64,
    /// The recorder's connection number (written as text, as the mock
    /// server's API shows it).
    #[serde(serialize_with = "serialize_as_text")]
    pub conn: u32,
    /// What happened.
    pub kind: ServerEventKind,
}

/// What the mock server saw or did.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ServerEventKind {
    /// An upgrade request.
    Handshake {
        /// The request path.
        path: String,
        /// The query string without `?` (empty for none).
        query: String,
        /// The request headers, names lowercased, in arrival order.
        headers: Vec<(String, String)>,
        /// The subprotocols offered.
        subprotocols: Vec<String>,
    },
    /// The answer to the upgrade.
    HandshakeResponse {
        /// The status code.
        status: u16,
        /// The selected subprotocol.
        subprotocol: Option<String>,
    },
    /// A message from the client.
    MessageIn(Message),
    /// A message the server sent.
    MessageOut(Message),
    /// A close frame from the client.
    CloseIn {
        /// Its code, if any.
        code: Option<u16>,
        /// Its reason.
        reason: String,
    },
    /// A close frame the server sent.
    CloseOut {
        /// Its code, if any.
        code: Option<u16>,
        /// Its reason.
        reason: String,
    },
    /// The connection ended.
    End {
        /// How (the recorder's word).
        how: String,
    },
    /// Anything else the recorder reports (kept for the report).
    Other(Value),
}

/// A message's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// Binary (else text).
    pub binary: bool,
    /// Text, or base64 of the bytes.
    pub data: String,
    /// Length in bytes.
    pub len: usize,
}

impl ServerEvent {
    /// Whether the event is of the pattern's kind.
    pub fn matches(&self, kind: ServerKind) -> bool {
        matches!(
            (&self.kind, kind),
            (ServerEventKind::Handshake { .. }, ServerKind::Handshake)
                | (ServerEventKind::MessageIn(_), ServerKind::Message)
                | (ServerEventKind::MessageOut(_), ServerKind::Sent)
                | (ServerEventKind::CloseIn { .. }, ServerKind::Close)
                | (ServerEventKind::CloseOut { .. }, ServerKind::CloseSent)
                | (ServerEventKind::End { .. }, ServerKind::End)
        )
    }
}

/// The recorded trace of one scenario, before normalisation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Trace {
    /// What the implementation reported, in arrival order.
    pub client: Vec<ClientRecord>,
    /// The socket each client record belongs to (`my` or a task name),
    /// parallel to `client`: order is promised within a socket only.
    pub client_sockets: Vec<String>,
    /// What the mock server saw and did, in its sequence order.
    pub server: Vec<ServerEvent>,
    /// Log lines from the adapter.
    pub logs: Vec<String>,
    /// What the implementation reported after the last step, while the
    /// run watched for late events (until the timers the scenario
    /// configured ran out): no golden sees it, the rules every trace keeps
    /// do (`verdict::invariants`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub after_steps: Vec<ClientRecord>,
    /// The socket of each record of `after_steps`, parallel to it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub after_steps_sockets: Vec<String>,
}

impl Trace {
    /// The connection ids in handshake order.
    pub fn connections(&self) -> Vec<u32> {
        connections(&self.server)
    }
}

/// The connection ids of a server lane, in handshake order (connections
/// without a recorded handshake follow, in order of first appearance).
pub(crate) fn connections(server: &[ServerEvent]) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    for e in server {
        if matches!(e.kind, ServerEventKind::Handshake { .. }) && !out.contains(&e.conn) {
            out.push(e.conn);
        }
    }
    for e in server {
        if !out.contains(&e.conn) {
            out.push(e.conn);
        }
    }
    out
}

fn serialize_as_text<S: serde::Serializer>(n: &u32, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(n)
}
