//! What an adapter sends back: responses, events (callbacks and
//! listeners), the `hello` result, and the envelope that names an
//! instance.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{EventType, Face};

/// Which of a call's callbacks ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CallbackKind {
    /// `success`
    Success,
    /// `fail`
    Fail,
    /// `complete`
    Complete,
}

/// A message from the adapter to the runner: a response or an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AdapterMessage {
    /// The answer to a request (or a nested call).
    Response(Response),
    /// Something the implementation did.
    Event(Event),
}

/// The answer to one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The request's id.
    pub id: u64,
    /// `true` with a `result`, `false` with an `error` (a protocol problem,
    /// never an API failure: those go through `fail`).
    pub ok: bool,
    /// The result of a successful request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// What was wrong with the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Response {
    /// A successful response.
    pub fn ok(id: u64, result: Value) -> Self {
        Response {
            id,
            ok: true,
            result: Some(result),
            error: None,
        }
    }

    /// A protocol error.
    pub fn error(id: u64, error: impl Into<String>) -> Self {
        Response {
            id,
            ok: false,
            result: None,
            error: Some(error.into()),
        }
    }
}

/// An event reported by the adapter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum Event {
    /// One of a call's `success` / `fail` / `complete` ran.
    Callback {
        /// The id of the call that passed the function.
        call: u64,
        /// Which callback.
        kind: CallbackKind,
        /// Its argument.
        res: Value,
        /// Invoked synchronously, inside the method (a conformance failure
        /// of `order.async`, reported rather than hidden).
        #[serde(default, skip_serializing_if = "is_false")]
        sync: bool,
    },
    /// A listener ran.
    Listener {
        /// `"my"` or a task handle.
        target: String,
        /// The runner's name for the listener function.
        listener: String,
        /// The event type.
        #[serde(rename = "type")]
        event_type: EventType,
        /// Its argument.
        res: Value,
    },
    /// Free text from the adapter.
    Log {
        /// The text.
        text: String,
    },
}

/// The `result` of `hello`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelloResult {
    /// The implementation's name.
    pub name: String,
    /// The implementation's version.
    pub version: String,
    /// Always [`PROTOCOL_VERSION`](crate::PROTOCOL_VERSION).
    pub protocol: u32,
    /// Config keys the adapter cannot honour (names from [`Config::KEYS`]).
    #[serde(default)]
    pub unsupported: Vec<String>,
    /// The face of the API the adapter serves, by its global object's
    /// name; absent means `my`, the default face, so adapters written
    /// before this field keep working. Added within version 1. Written
    /// only when it is not the default, so a `my` adapter's result is as
    /// before.
    #[serde(default, skip_serializing_if = "Face::is_default")]
    pub api: Face,
    /// How many independent instances of the implementation the adapter
    /// holds at once (requests name one with `instance`); absent means 1.
    /// Added within version 1; written only when it is not 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub instances: u32,
    /// How long, in milliseconds, an event the implementation has already
    /// sent can take to reach the runner through the adapter (a page, a
    /// device): a `settle` window shorter than it is widened to it, so
    /// that what is due is recorded before the scenario's next step.
    /// Absent means 0 (every window as the scenario says). Added within
    /// version 1; written only when it is not 0.
    #[serde(default, skip_serializing_if = "is_zero_ms")]
    pub quiet_ms: u64,
}

fn is_zero_ms(n: &u64) -> bool {
    *n == 0
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A request or a message from the adapter with the instance of the
/// implementation it is for (`instance`, absent means 0): the envelope of
/// every line to and from an adapter whose `hello` result declared
/// `instances` above 1. Instance 0 is written without the field, so a
/// line for instance 0 is the line of an adapter without instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instanced<T> {
    /// The instance (0 ≤ instance < [`HelloResult::instances`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub instance: u32,
    /// The request or message itself.
    #[serde(flatten)]
    pub message: T,
}

/// Serde's test for leaving a `false` flag out.
fn is_false(b: &bool) -> bool {
    !*b
}
