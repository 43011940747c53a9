//! The scenario format: what a `scenarios/**/*.yaml` file holds.
//!
//! Every struct refuses unknown fields; values that need checking (rule
//! ids, event patterns, "exactly one of" choices) are checked while the
//! file is read, so their errors carry `line:column` too.

use std::fmt;

use adapter_protocol::Config;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::scenario::call::{default_call_name, CallStep, NestedStep, Slot, WithinSteps};
pub use crate::scenario::expectation::{Expectation, RawExpectation, ServerExpect};
pub use crate::scenario::pattern::{
    kind_name, AwaitBlock, AwaitDetail, AwaitItem, AwaitStep, Pattern, ServerKind,
    DEFAULT_STEP_DEADLINE_MS,
};
pub use crate::scenario::server_step::{
    CloseSpec, DropHow, RawServerStep, ServerAction, ServerPayload, ServerStep, ServerTarget,
};

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
    /// The [impl-defined] rules (`docs/behaviour.md`, "Options") whose
    /// option this scenario's trace shows. Each combination of their options
    /// has its own golden trace; a trace that matches any of them passes and
    /// names the options it matched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionRuleId>,
    /// What differs per profile (`docs/profiles.md`): a profile named
    /// here with `notApplicable` does not cover this scenario, for that
    /// reason. Keys are profile names (`alipay-2022-09`, `alipay-current`,
    /// `wechat`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub profiles: std::collections::BTreeMap<String, ProfileMarks>,
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
                call.walk(call.name_or(default_call_name(index)), &mut |name, call| {
                    out.push((name.to_string(), call));
                });
            }
        }
        out
    }
}

/// Default deadline of a whole scenario.
pub const DEFAULT_SCENARIO_DEADLINE_MS: u64 = 20_000;

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
        if spec::is_rule_id(&value) {
            Ok(RuleId(value))
        } else {
            Err(format!(
                "unknown rule id `{value}`: expected one of the ids of behaviour.md (spec::RULE_IDS)"
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
            "enum": spec::rule_ids(),
        })
    }
}

/// The id of an [impl-defined] rule with named options, checked against
/// the table of `docs/behaviour.md` (`spec::OPTION_RULES`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OptionRuleId(&'static spec::OptionRule);

impl OptionRuleId {
    /// The rule's id.
    pub fn as_str(&self) -> &'static str {
        self.0.id
    }

    /// The rule, with its options.
    pub fn rule(&self) -> &'static spec::OptionRule {
        self.0
    }
}

impl TryFrom<String> for OptionRuleId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        spec::option_rule(&value).map(OptionRuleId).ok_or_else(|| {
            let ids: Vec<&str> = spec::OPTION_RULES.iter().map(|r| r.id).collect();
            format!(
                "unknown [impl-defined] rule `{value}`: expected one of {} (docs/behaviour.md, \"Options\")",
                ids.join(", ")
            )
        })
    }
}

impl From<OptionRuleId> for String {
    fn from(value: OptionRuleId) -> String {
        value.0.id.to_string()
    }
}

impl fmt::Display for OptionRuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.id)
    }
}

impl JsonSchema for OptionRuleId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "OptionRuleId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let ids: Vec<&str> = spec::OPTION_RULES.iter().map(|r| r.id).collect();
        schemars::json_schema!({
            "description": "An [impl-defined] rule of docs/behaviour.md with named options.",
            "type": "string",
            "enum": ids,
        })
    }
}

/// What a scenario says about one profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileMarks {
    /// The profile does not cover this scenario, for this reason (shown
    /// in the report as the scenario's "not applicable" message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
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
    /// The host names a URL may name (`connect.domain`); absent: no list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_hosts: Option<Vec<String>>,
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
        if let Some(v) = &self.allowed_hosts {
            base.allowed_hosts = Some(v.clone());
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
        if self.allowed_hosts.is_some() {
            keys.push("allowedHosts");
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
