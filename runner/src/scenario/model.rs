//! The scenario format: what a `scenarios/**/*.yaml` file holds.
//!
//! Every struct refuses unknown fields; values that need checking (rule
//! ids, event patterns, "exactly one of" choices) are checked while the
//! file is read, so their errors carry `line:column` too.

use std::fmt;

use adapter_protocol::{CallbackKind, Config, EventType};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::scenario::rules;

/// One scenario: one behaviour of the API, run as a list of steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// Unique over all scenario files; names the golden trace.
    pub id: String,
    /// One sentence: the behaviour checked.
    pub title: String,
    /// The rule ids of `behaviour.md` this scenario checks.
    pub spec: Vec<RuleId>,
    /// Free labels (`smoke`, `seed`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Rules among `spec` whose assertions are [impl-defined]: a difference
    /// in this scenario is reported as "differs (implementation-defined)".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub impl_defined: Vec<RuleId>,
    /// Overrides of the adapter's configuration.
    #[serde(default)]
    pub config: ConfigOverrides,
    /// Overall deadline of the scenario, in milliseconds (default 20000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    /// What to do, in order.
    pub steps: Vec<Step>,
}

impl Scenario {
    /// The overall deadline.
    pub fn deadline(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.deadline_ms.unwrap_or(DEFAULT_SCENARIO_DEADLINE_MS))
    }

    /// Every call of the scenario, nested ones included, with its stable
    /// name, in the order they appear in the file.
    pub fn calls(&self) -> Vec<(String, &CallStep)> {
        let mut out = Vec::new();
        for (index, step) in self.steps.iter().enumerate() {
            if let Step::Call(call) = step {
                collect_calls(call, default_call_name(index), &mut out);
            }
        }
        out
    }
}

fn collect_calls<'a>(call: &'a CallStep, default: String, out: &mut Vec<(String, &'a CallStep)>) {
    let name = call.name.clone().unwrap_or(default);
    out.push((name.clone(), call));
    for (k, nested) in call.then.iter().enumerate() {
        collect_calls(nested, format!("{name}-then{}", k + 1), out);
    }
    for (slot, calls) in call.within.slots() {
        for (k, nested) in calls.iter().enumerate() {
            collect_calls(nested, format!("{name}-{slot}{}", k + 1), out);
        }
    }
}

/// The default name of the call at step `index` (0-based): `c1`, `c2`, …
pub fn default_call_name(index: usize) -> String {
    format!("c{}", index + 1)
}

/// The wire name of a callback kind.
pub fn kind_name(kind: CallbackKind) -> &'static str {
    match kind {
        CallbackKind::Success => "success",
        CallbackKind::Fail => "fail",
        CallbackKind::Complete => "complete",
    }
}

/// Default deadline of a whole scenario.
pub const DEFAULT_SCENARIO_DEADLINE_MS: u64 = 20_000;
/// Default deadline of one `await` step or one call's response.
pub const DEFAULT_STEP_DEADLINE_MS: u64 = 5_000;

/// A rule id of `behaviour.md`, checked against the runner's list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RuleId(String);

impl RuleId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RuleId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        if rules::is_rule_id(&value) {
            Ok(RuleId(value))
        } else {
            Err(format!(
                "unknown rule id `{value}`: expected one of the ids of behaviour.md (report/src/rules.txt)"
            ))
        }
    }
}

impl From<RuleId> for String {
    fn from(value: RuleId) -> String {
        value.0
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl JsonSchema for RuleId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RuleId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A rule id of behaviour.md.",
            "type": "string",
            "enum": rules::rule_ids(),
        })
    }
}

/// Overrides of [`adapter_protocol::Config`]; `caCertificatesPem` is filled
/// by the runner from the mock server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigOverrides {
    /// Deadline for TCP + TLS + upgrade, past it error 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_timeout_ms: Option<u64>,
    /// How long a close handshake waits for the peer's close frame.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_timeout_ms: Option<u64>,
    /// The largest message sent or received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message_bytes: Option<u64>,
    /// The task limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tasks: Option<u32>,
    /// Only `wss://` may be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wss_only: Option<bool>,
}

impl ConfigOverrides {
    /// `base` with these overrides applied.
    pub fn apply(&self, mut base: Config) -> Config {
        if let Some(v) = self.connect_timeout_ms {
            base.connect_timeout_ms = v;
        }
        if let Some(v) = self.close_timeout_ms {
            base.close_timeout_ms = v;
        }
        if let Some(v) = self.max_message_bytes {
            base.max_message_bytes = v;
        }
        if let Some(v) = self.max_tasks {
            base.max_tasks = v;
        }
        if let Some(v) = self.wss_only {
            base.wss_only = v;
        }
        base
    }

    /// The wire names of the keys this scenario sets.
    pub fn keys(&self) -> Vec<&'static str> {
        let mut keys = Vec::new();
        if self.connect_timeout_ms.is_some() {
            keys.push("connectTimeoutMs");
        }
        if self.close_timeout_ms.is_some() {
            keys.push("closeTimeoutMs");
        }
        if self.max_message_bytes.is_some() {
            keys.push("maxMessageBytes");
        }
        if self.max_tasks.is_some() {
            keys.push("maxTasks");
        }
        if self.wss_only.is_some() {
            keys.push("wssOnly");
        }
        keys
    }
}

/// One step of a scenario: a map with exactly one of these keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Step {
    /// Invoke one API method (waits for its response, not its callbacks).
    Call(Box<CallStep>),
    /// Wait for events on the client or the server lane.
    Await(AwaitStep),
    /// Make the mock server act on this scenario's connections.
    Server(ServerStep),
    /// Assert facts about the trace so far.
    Expect(Vec<Expectation>),
}

/// An API call; the same shape nests in `then` and `within`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallStep {
    /// The call's stable name in the trace (default `c<step number>`, and
    /// `<parent>-then<k>` / `<parent>-success<k>` … for nested calls).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `my`, a task named with `as`, or `$returned` in a nested call.
    #[serde(default = "default_target")]
    pub target: String,
    /// The JavaScript method name (`connectSocket`, `send`, `onOpen`, …).
    pub method: String,
    /// The object argument without functions; strings are templated
    /// (`{{ws:echo}}`, `{{session}}`, `{{bytes:70000}}`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Value>,
    /// Call with no argument at all (and so no callbacks).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_argument: bool,
    /// The listener's name, for `on*` / `off*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listener: Option<String>,
    /// A name for the SocketTask this call returns.
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    pub as_name: Option<String>,
    /// Calls made synchronously right after this one returned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub then: Vec<CallStep>,
    /// Calls made inside this call's callbacks.
    #[serde(default, skip_serializing_if = "WithinSteps::is_empty")]
    pub within: WithinSteps,
}

fn default_target() -> String {
    "my".into()
}

/// Calls made inside a call's callbacks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WithinSteps {
    /// Inside `success`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub success: Vec<CallStep>,
    /// Inside `fail`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fail: Vec<CallStep>,
    /// Inside `complete`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub complete: Vec<CallStep>,
    /// On an `on*` call: inside the listener, the next time it runs, once
    /// (how a scenario changes listeners during a dispatch).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listener: Vec<CallStep>,
}

impl WithinSteps {
    /// No nested call.
    pub fn is_empty(&self) -> bool {
        self.slots().iter().all(|(_, calls)| calls.is_empty())
    }

    /// Each place a nested call can be made, by its wire name, with its
    /// calls: `success`, `fail`, `complete`, `listener`.
    pub fn slots(&self) -> [(&'static str, &[CallStep]); 4] {
        [
            ("success", &self.success),
            ("fail", &self.fail),
            ("complete", &self.complete),
            ("listener", &self.listener),
        ]
    }
}

/// Methods of `my`.
pub const MY_METHODS: [&str; 11] = [
    "connectSocket",
    "sendSocketMessage",
    "closeSocket",
    "onSocketOpen",
    "offSocketOpen",
    "onSocketMessage",
    "offSocketMessage",
    "onSocketError",
    "offSocketError",
    "onSocketClose",
    "offSocketClose",
];

/// Methods of a SocketTask.
pub const TASK_METHODS: [&str; 10] = [
    "send",
    "close",
    "onOpen",
    "offOpen",
    "onMessage",
    "offMessage",
    "onError",
    "offError",
    "onClose",
    "offClose",
];

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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "an event pattern (`t1.open`), a list of patterns or {event, count, listener, withinMs} objects, or {all: [...], withinMs}"
)]
pub enum AwaitStep {
    /// `await: t1.open`
    One(AwaitItem),
    /// `await: [t1.open, t2.open]`
    Many(Vec<AwaitItem>),
    /// `await: { all: [...], withinMs: 200 }`
    Block(AwaitBlock),
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
        }
    }
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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

/// A mock-server action: exactly one of `text`, `binary`, `textBytes`,
/// `binaryBytes`, `close`, `drop`, aimed at `to` (a connection), `room`, or
/// by default every connection of the session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "RawServerStep", into = "RawServerStep")]
pub struct ServerStep {
    /// Whom the action is for.
    pub target: ServerTarget,
    /// What to do.
    pub action: ServerAction,
}

/// Whom a server action is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerTarget {
    /// The n-th connection of the session (1-based, in handshake order).
    Conn(u32),
    /// Every member of a broadcast room.
    Room(String),
    /// Every connection of the session.
    All,
}

/// What the mock server does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerAction {
    /// Push a message.
    Send(ServerPayload),
    /// Close with a close frame.
    Close {
        /// The code.
        code: u16,
        /// The reason.
        reason: String,
    },
    /// End the connection without a close frame.
    Drop {
        /// `true`: reset (RST); `false`: FIN.
        reset: bool,
    },
}

/// A message the mock server pushes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerPayload {
    /// One text frame.
    Text(String),
    /// One binary frame.
    Binary(Vec<u8>),
    /// A text message of this many bytes.
    TextBytes(usize),
    /// A binary message of this many bytes.
    BinaryBytes(usize),
    /// A text message split into this many frames.
    Fragmented {
        /// The whole message.
        text: String,
        /// How many frames.
        fragments: u32,
    },
}

/// The YAML form of [`ServerStep`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawServerStep {
    /// The n-th connection of the session (1-based, in handshake order);
    /// default: every connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<u32>,
    /// Every member of this broadcast room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// Push this text message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// With `text`: send it in this many frames (a fragmented message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fragments: Option<u32>,
    /// Push this binary message (base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary: Option<String>,
    /// Push a text message of this many bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_bytes: Option<usize>,
    /// Push a binary message of this many bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_bytes: Option<usize>,
    /// Close with this code and reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close: Option<CloseSpec>,
    /// End the connection without a close frame: `fin` or `rst`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop: Option<DropHow>,
}

/// A close frame's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseSpec {
    /// The close code.
    pub code: u16,
    /// The reason (default empty).
    #[serde(default)]
    pub reason: String,
}

/// How a connection is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DropHow {
    /// A TCP FIN.
    Fin,
    /// A TCP reset.
    Rst,
}

impl TryFrom<RawServerStep> for ServerStep {
    type Error = String;
    fn try_from(raw: RawServerStep) -> Result<Self, String> {
        use base64::Engine as _;
        let target = match (raw.to, raw.room) {
            (Some(_), Some(_)) => return Err("a server step takes `to` or `room`, not both".into()),
            (Some(0), None) => return Err("`to` counts connections from 1".into()),
            (Some(n), None) => ServerTarget::Conn(n),
            (None, Some(room)) => ServerTarget::Room(room),
            (None, None) => ServerTarget::All,
        };
        let mut actions = Vec::new();
        if let Some(text) = raw.text {
            actions.push(ServerAction::Send(match raw.fragments {
                Some(fragments) => ServerPayload::Fragmented { text, fragments },
                None => ServerPayload::Text(text),
            }));
        } else if raw.fragments.is_some() {
            return Err("`fragments` goes with `text`".into());
        }
        if let Some(b64) = raw.binary {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64.as_bytes())
                .map_err(|e| format!("`binary` is not base64: {e}"))?;
            actions.push(ServerAction::Send(ServerPayload::Binary(bytes)));
        }
        if let Some(n) = raw.text_bytes {
            actions.push(ServerAction::Send(ServerPayload::TextBytes(n)));
        }
        if let Some(n) = raw.binary_bytes {
            actions.push(ServerAction::Send(ServerPayload::BinaryBytes(n)));
        }
        if let Some(close) = raw.close {
            actions.push(ServerAction::Close {
                code: close.code,
                reason: close.reason,
            });
        }
        if let Some(how) = raw.drop {
            actions.push(ServerAction::Drop {
                reset: how == DropHow::Rst,
            });
        }
        if actions.len() != 1 {
            return Err(format!(
                "a server step needs exactly one of `text`, `binary`, `textBytes`, `binaryBytes`, `close`, `drop` (found {})",
                actions.len()
            ));
        }
        Ok(ServerStep {
            target,
            action: actions.remove(0),
        })
    }
}

impl From<ServerStep> for RawServerStep {
    fn from(step: ServerStep) -> Self {
        use base64::Engine as _;
        let mut raw = RawServerStep::default();
        match step.target {
            ServerTarget::Conn(n) => raw.to = Some(n),
            ServerTarget::Room(r) => raw.room = Some(r),
            ServerTarget::All => {}
        }
        match step.action {
            ServerAction::Send(ServerPayload::Text(t)) => raw.text = Some(t),
            ServerAction::Send(ServerPayload::Fragmented { text, fragments }) => {
                raw.text = Some(text);
                raw.fragments = Some(fragments);
            }
            ServerAction::Send(ServerPayload::Binary(b)) => {
                raw.binary = Some(base64::engine::general_purpose::STANDARD.encode(b))
            }
            ServerAction::Send(ServerPayload::TextBytes(n)) => raw.text_bytes = Some(n),
            ServerAction::Send(ServerPayload::BinaryBytes(n)) => raw.binary_bytes = Some(n),
            ServerAction::Close { code, reason } => raw.close = Some(CloseSpec { code, reason }),
            ServerAction::Drop { reset } => {
                raw.drop = Some(if reset { DropHow::Rst } else { DropHow::Fin })
            }
        }
        raw
    }
}

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
    /// No further client event for this many milliseconds.
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
