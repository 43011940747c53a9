//! Event patterns (`c1.success`, `t1.message@M`, `server.close`) and the
//! `await` steps that wait for them.

use std::fmt;

use adapter_protocol::{CallbackKind, EventType};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The wire name of a callback kind.
pub fn kind_name(kind: CallbackKind) -> &'static str {
    match kind {
        CallbackKind::Success => "success",
        CallbackKind::Fail => "fail",
        CallbackKind::Complete => "complete",
    }
}

/// Default deadline of one `await` step or one call's response.
pub const DEFAULT_STEP_DEADLINE_MS: u64 = 5_000;

/// What an event pattern names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// `<call>.success|fail|complete`: a callback of the named call.
    Callback {
        /// The call's stable name.
        call: String,
        /// Which callback.
        kind: CallbackKind,
    },
    /// `<target>.open|message|error|close[@<listener>]`: a listener event
    /// on `my` or a task (of one listener, with `@`).
    Listener {
        /// `my` or a task's `as` name (or handle).
        target: String,
        /// The event type.
        event_type: EventType,
        /// Only this listener's events.
        listener: Option<String>,
    },
    /// `server.<kind>`: something the mock server recorded.
    Server(ServerKind),
}

/// Kinds of server-lane facts a pattern can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerKind {
    /// `server.handshake`: an upgrade request arrived.
    Handshake,
    /// `server.message`: a message from the client arrived.
    Message,
    /// `server.sent`: the server sent a message.
    Sent,
    /// `server.close`: a close frame from the client arrived.
    Close,
    /// `server.closeSent`: the server sent a close frame.
    CloseSent,
    /// `server.end`: a connection ended.
    End,
}

impl ServerKind {
    const ALL: [(&'static str, ServerKind); 6] = [
        ("handshake", ServerKind::Handshake),
        ("message", ServerKind::Message),
        ("sent", ServerKind::Sent),
        ("close", ServerKind::Close),
        ("closeSent", ServerKind::CloseSent),
        ("end", ServerKind::End),
    ];

    /// The pattern's suffix.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(s, _)| *s)
            .unwrap_or("?")
    }
}

impl Pattern {
    /// Whether the pattern is on the server lane.
    pub fn is_server(&self) -> bool {
        matches!(self, Pattern::Server(_))
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Callback { call, kind } => write!(f, "{call}.{}", kind_name(*kind)),
            Pattern::Listener {
                target,
                event_type,
                listener: None,
            } => {
                write!(f, "{target}.{}", event_type.as_str())
            }
            Pattern::Listener {
                target,
                event_type,
                listener: Some(l),
            } => {
                write!(f, "{target}.{}@{l}", event_type.as_str())
            }
            Pattern::Server(kind) => write!(f, "server.{}", kind.as_str()),
        }
    }
}

impl TryFrom<String> for Pattern {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        let (value, listener) = match value.split_once('@') {
            Some((v, l)) if !l.is_empty() => (v.to_string(), Some(l.to_string())),
            _ => (value, None),
        };
        let expected = "an event pattern `<call>.success|fail|complete`, `<my|task>.open|message|error|close[@<listener>]` or `server.handshake|message|sent|close|closeSent|end`";
        let Some((head, tail)) = value.rsplit_once('.') else {
            return Err(format!("`{value}` is not {expected}"));
        };
        if head.is_empty() {
            return Err(format!("`{value}` is not {expected}"));
        }
        if head == "server" {
            if listener.is_some() {
                return Err(format!(
                    "`{value}`: `@<listener>` goes with listener events only"
                ));
            }
            return ServerKind::ALL
                .iter()
                .find(|(s, _)| *s == tail)
                .map(|(_, k)| Pattern::Server(*k))
                .ok_or_else(|| format!("`{value}` is not {expected}"));
        }
        let kind = match tail {
            "success" => Some(CallbackKind::Success),
            "fail" => Some(CallbackKind::Fail),
            "complete" => Some(CallbackKind::Complete),
            _ => None,
        };
        if let Some(kind) = kind {
            if listener.is_some() {
                return Err(format!(
                    "`{value}`: `@<listener>` goes with listener events only"
                ));
            }
            return Ok(Pattern::Callback {
                call: head.into(),
                kind,
            });
        }
        match EventType::ALL.iter().find(|t| t.as_str() == tail) {
            Some(t) => Ok(Pattern::Listener {
                target: head.into(),
                event_type: *t,
                listener,
            }),
            None => Err(format!("`{value}` is not {expected}")),
        }
    }
}

impl From<Pattern> for String {
    fn from(value: Pattern) -> String {
        value.to_string()
    }
}

impl Serialize for Pattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Pattern::try_from(s).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Pattern {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Pattern".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An event: `<call>.success|fail|complete`, `<my|task>.open|message|error|close` (optionally `@<listener>`), or `server.handshake|message|sent|close|closeSent|end`.",
            "type": "string",
            "pattern": "^([^.@]+\\.(success|fail|complete)|[^.@]+\\.(open|message|error|close)(@[^@]+)?|server\\.(handshake|message|sent|close|closeSent|end))$",
        })
    }
}

/// What an `await` step waits for: one pattern, a list, or a block with a
/// deadline. Each pattern waits for an event it has not matched before
/// (events are consumed by the await that matched them).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "an event pattern (`t1.open`), a list of patterns or {event, count, listener, withinMs} objects, {all: [...], withinMs} or {any: [...], withinMs}"
)]
pub enum AwaitStep {
    /// `await: t1.open`
    One(AwaitItem),
    /// `await: [t1.open, t2.open]`
    Many(Vec<AwaitItem>),
    /// `await: { all: [...], withinMs: 200 }`
    Block(AwaitBlock),
    /// `await: { any: [my.open, c2.fail] }`: the first of these events to
    /// come, whichever it is (where an [impl-defined] option decides which
    /// comes, the golden trace of each option judges it).
    Any(AwaitAny),
}

impl AwaitStep {
    /// The items and the step's deadline in milliseconds.
    pub fn items(&self) -> (Vec<AwaitDetail>, u64) {
        match self {
            AwaitStep::One(item) => {
                let d = item.detail();
                let ms = d.within_ms.unwrap_or(DEFAULT_STEP_DEADLINE_MS);
                (vec![d], ms)
            }
            AwaitStep::Many(items) => {
                let details: Vec<_> = items.iter().map(AwaitItem::detail).collect();
                let ms = details
                    .iter()
                    .filter_map(|d| d.within_ms)
                    .max()
                    .unwrap_or(DEFAULT_STEP_DEADLINE_MS);
                (details, ms)
            }
            AwaitStep::Block(block) => (
                block.all.iter().map(AwaitItem::detail).collect(),
                block.within_ms.unwrap_or(DEFAULT_STEP_DEADLINE_MS),
            ),
            AwaitStep::Any(any) => (
                any.any.iter().map(AwaitItem::detail).collect(),
                any.within_ms.unwrap_or(DEFAULT_STEP_DEADLINE_MS),
            ),
        }
    }

    /// Whether one of the items is enough (`any`), rather than all of them.
    pub fn is_any(&self) -> bool {
        matches!(self, AwaitStep::Any(_))
    }
}

/// `await: { any: [...], withinMs }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AwaitAny {
    /// The first of these to be seen ends the wait.
    pub any: Vec<AwaitItem>,
    /// Deadline of the step in milliseconds (default 5000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_ms: Option<u64>,
}

/// `await: { all: [...], withinMs }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AwaitBlock {
    /// Every item must be seen.
    pub all: Vec<AwaitItem>,
    /// Deadline of the step in milliseconds (default 5000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_ms: Option<u64>,
}

/// One awaited event.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "an event pattern such as `t1.open`, or {event, count, listener, withinMs}"
)]
pub enum AwaitItem {
    /// Just the pattern, count 1.
    Pattern(Pattern),
    /// With a count, listener or deadline.
    Detail(AwaitDetail),
}

// `await` steps and items are read by shape (a string, a list, a map with
// `all`, another map) rather than by trying each variant in turn, so that a
// mistake inside a map (an unknown key) is reported as such instead of
// "matches no variant". (Doc comments here would go into the JSON Schema.)
impl<'de> Deserialize<'de> for AwaitStep {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_yaml::Value::deserialize(d)?;
        let step = match &value {
            serde_yaml::Value::Sequence(_) => serde_yaml::from_value(value).map(AwaitStep::Many),
            serde_yaml::Value::Mapping(map) if map.contains_key("all") => {
                serde_yaml::from_value(value).map(AwaitStep::Block)
            }
            serde_yaml::Value::Mapping(map) if map.contains_key("any") => {
                serde_yaml::from_value(value).map(AwaitStep::Any)
            }
            _ => serde_yaml::from_value(value).map(AwaitStep::One),
        };
        step.map_err(D::Error::custom)
    }
}

impl<'de> Deserialize<'de> for AwaitItem {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_yaml::Value::deserialize(d)?;
        let item = match &value {
            serde_yaml::Value::String(_) => serde_yaml::from_value(value).map(AwaitItem::Pattern),
            serde_yaml::Value::Mapping(_) => serde_yaml::from_value(value).map(AwaitItem::Detail),
            _ => {
                return Err(D::Error::custom(
                    "expected an event pattern such as `t1.open`, or {event, count, listener, withinMs}",
                ))
            }
        };
        item.map_err(D::Error::custom)
    }
}

impl AwaitItem {
    /// As a detail with defaults.
    pub fn detail(&self) -> AwaitDetail {
        match self {
            AwaitItem::Pattern(p) => AwaitDetail {
                event: p.clone(),
                count: None,
                listener: None,
                within_ms: None,
            },
            AwaitItem::Detail(d) => d.clone(),
        }
    }
}

/// `{ event: t1.message, count: 2 }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AwaitDetail {
    /// The pattern.
    pub event: Pattern,
    /// How many new matching events (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Only events of this listener.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// Deadline in milliseconds (default 5000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_ms: Option<u64>,
}
