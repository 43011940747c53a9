//! `expect` steps: assertions about the trace so far, and their YAML form.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::scenario::pattern::Pattern;
use crate::scenario::server_step::CloseSpec;

/// One assertion of an `expect` step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "RawExpectation", into = "RawExpectation")]
pub enum Expectation {
    /// At least one matching event (exactly `count` if given).
    Present {
        /// The pattern.
        event: Pattern,
        /// Only events of this listener.
        listener: Option<String>,
        /// A subset the event's `res` must contain.
        res: Option<Value>,
        /// Exact number of matching events.
        count: Option<u32>,
    },
    /// No matching event so far.
    Absent {
        /// The pattern.
        event: Pattern,
        /// Only events of this listener.
        listener: Option<String>,
    },
    /// These events occurred in this order (first match of each after the
    /// previous one).
    Order(Vec<Pattern>),
    /// No further client event within this many milliseconds.
    Settle(u64),
    /// Facts of the server lane.
    Server(ServerExpect),
}

/// The YAML form of [`Expectation`]: exactly one of `event`, `absent`,
/// `order`, `settle`, `server`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawExpectation {
    /// This event is present (with `res`, `count`, `listener`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Pattern>,
    /// This event is absent so far (with `listener`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absent: Option<Pattern>,
    /// Only events of this listener (with `event` or `absent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// Subset of the event's `res` (with `event`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub res: Option<Value>,
    /// Exact number of matching events (with `event`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// These events, in this order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Vec<Pattern>>,
    /// Waits until the client has been quiet for this many milliseconds;
    /// what came meanwhile stands in the trace, which the golden judges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settle: Option<u64>,
    /// Facts of the server lane.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerExpect>,
}

impl TryFrom<RawExpectation> for Expectation {
    type Error = String;
    fn try_from(raw: RawExpectation) -> Result<Self, String> {
        let chosen = [
            raw.event.is_some(),
            raw.absent.is_some(),
            raw.order.is_some(),
            raw.settle.is_some(),
            raw.server.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if chosen != 1 {
            return Err(format!(
                "an expectation needs exactly one of `event`, `absent`, `order`, `settle`, `server` (found {chosen})"
            ));
        }
        if let Some(event) = raw.event {
            return Ok(Expectation::Present {
                event,
                listener: raw.listener,
                res: raw.res,
                count: raw.count,
            });
        }
        if raw.res.is_some() || raw.count.is_some() {
            return Err("`res` and `count` go with `event`".into());
        }
        if let Some(event) = raw.absent {
            return Ok(Expectation::Absent {
                event,
                listener: raw.listener,
            });
        }
        if raw.listener.is_some() {
            return Err("`listener` goes with `event` or `absent`".into());
        }
        if let Some(order) = raw.order {
            if order.len() < 2 {
                return Err("`order` needs at least two patterns".into());
            }
            return Ok(Expectation::Order(order));
        }
        if let Some(ms) = raw.settle {
            return Ok(Expectation::Settle(ms));
        }
        Ok(Expectation::Server(raw.server.unwrap_or_default()))
    }
}

impl From<Expectation> for RawExpectation {
    fn from(e: Expectation) -> Self {
        let mut raw = RawExpectation::default();
        match e {
            Expectation::Present {
                event,
                listener,
                res,
                count,
            } => {
                raw.event = Some(event);
                raw.listener = listener;
                raw.res = res;
                raw.count = count;
            }
            Expectation::Absent { event, listener } => {
                raw.absent = Some(event);
                raw.listener = listener;
            }
            Expectation::Order(o) => raw.order = Some(o),
            Expectation::Settle(ms) => raw.settle = Some(ms),
            Expectation::Server(s) => raw.server = Some(s),
        }
        raw
    }
}

/// Facts about one connection the mock server saw.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServerExpect {
    /// Which connection (1-based, in handshake order; default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conn: Option<u32>,
    /// Exact number of connections (handshakes) the session saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<u32>,
    /// The request path after the session prefix (`/echo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The exact query string, without `?` (`""` for none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Request headers and their values (names case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<serde_json::Map<String, Value>>,
    /// The subprotocols the request offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subprotocols: Option<Vec<String>>,
    /// Messages received from the client, in order (text as is; binary as `{binary: base64}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<Vec<Value>>,
    /// The close frame the client sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_received: Option<CloseSpec>,
    /// The client sent no close frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_close_received: Option<bool>,
}
